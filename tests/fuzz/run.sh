#!/bin/sh
# Runs each fuzz target for SECONDS from a corpus seeded with the test fixtures and prints
# how many executions ran and what each found; a finding leaves its input in build-fuzz/fuzz/
# and fails the run.
# Usage: run.sh SECONDS [TARGET...] (default: every target).
set -u
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-image reply manifest tar merge}
cd "$(dirname "$0")/../.." || exit 1
B=build-fuzz/fuzz
for t in $targets; do mkdir -p "$B/corpus_$t"; done
cp tests/data/sample/images/* tests/data/img/* "$B/corpus_image/" 2>/dev/null
cp tests/data/import/*.json tests/data/import/*.jsonl tests/data/import/*.csv \
    tests/data/import/*.tsv tests/data/sample/captions.jsonl "$B/corpus_manifest/" 2>/dev/null
cp tests/data/import/wds/*.tar "$B/corpus_tar/" 2>/dev/null
# Replies: the stub's default chat and embeddings answers, written by the stub's own code.
# Merge rows: the sample's pairs as a source database would hold them (tests/fuzz/fuzz_merge.c
# says the line format), with a decision, a retraction and one generated object.
python3 - "$B" <<'P'
import hashlib, json, sys
b = sys.argv[1]
chat = {"id": "chatcmpl-1", "object": "chat.completion", "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "a cat"},
                     "finish_reason": "stop"}]}
emb = {"object": "list", "data": [{"index": 0, "embedding": [0.1, 0.2, 0.3]}], "model": "m"}
open(b + "/corpus_reply/chat.json", "w").write(json.dumps(chat))
open(b + "/corpus_reply/embed.json", "w").write(json.dumps(emb))
png = open("tests/data/img/1x1.png", "rb").read()
obj = hashlib.sha256(png).hexdigest()
rows = ["r\t1\t@ROOT@", "s\t1\t1\tcaptions.jsonl\tjsonl\t1700000000"]
for i, line in enumerate(open("tests/data/sample/captions.jsonl"), 1):
    rec = json.loads(line)
    aug = hashlib.sha256(line.encode()).hexdigest()
    name = rec["file_name"].split("/", 1)[1]
    rows.append("c\t%d\t%s\toriginal\t{}\t1\t%s\t\\N\t%s\t%s\t1\t1700000000"
                % (i, aug, name, rec["text"].replace("\t", " "), rec["id"]))
    rows.append("d\t%d\t%d\tann\taccept\t\\N\t\\N\t\\N\t1200\t1700000100" % (i, i))
n = i
rows.append("d\t%d\t1\tann\tretract\t1\t\\N\t\\N\t\\N\t1700000200" % (n + 1))
rows += ["f\t" + png.hex(), "o\t%s\tpng\t1\t1\t%d\t1700000000" % (obj, len(png)),
         "c\t%d\t%s\thflip\t{}\t\\N\t\\N\t%s\tflipped\t\\N\t\\N\t1700000300"
         % (n + 1, "f" * 64, obj), "l\t%d\t0\t1" % (n + 1)]
open(b + "/corpus_merge/sample.rows", "w").write("\n".join(rows) + "\n")
open(b + "/corpus_merge/trusted.rows", "w").write(
    "t\nr\t1\t/\nc\t1\t%s\toriginal\t{}\t1\tetc/hostname\t\\N\tx\t\\N\t\\N\t1\n" % ("e" * 64))
P
# The readers take paths: the targets write their inputs under here, removed afterwards;
# in memory when it can be (merge's databases sync on every commit).
TMPDIR=$(mktemp -d /dev/shm/mmda-fuzz.XXXXXX 2>/dev/null) || TMPDIR=$(mktemp -d) || exit 1
export TMPDIR
rc=0
for t in $targets; do
	rm -f "$B/crash-$t-"*
	"$B/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -artifact_prefix="$B/crash-$t-" \
	    "$B/corpus_$t" >"$B/$t.log" 2>&1 || rc=1
	runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$B/$t.log" | awk '{print $2}')
	[ -n "$runs" ] || runs=$(grep -Eo '^#[0-9]+' "$B/$t.log" | tail -n 1 | tr -d '#')
	# One SUMMARY line per finding: ASan, UBSan, a libFuzzer crash, timeout or leak.
	echo "fuzz_$t: ${runs:-?} executions in ${secs}s, $(grep -c '^SUMMARY: ' "$B/$t.log") errors"
	grep '^SUMMARY: ' "$B/$t.log" | sed 's/^/  /'
	for f in "$B/crash-$t-"*; do [ -e "$f" ] && echo "  input: $f"; done
done
rm -rf "$TMPDIR"
exit $rc
