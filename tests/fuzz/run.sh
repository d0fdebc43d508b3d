#!/bin/sh
# Runs each fuzz target for SECONDS from a corpus seeded with the test fixtures and prints
# how many executions ran; a crash leaves its input in build-fuzz/fuzz/ and fails the run.
set -u
secs=${1:-60}
cd "$(dirname "$0")/../.." || exit 1
B=build-fuzz/fuzz
mkdir -p "$B/corpus_image" "$B/corpus_reply"
cp tests/data/sample/images/* tests/data/img/* "$B/corpus_image/" 2>/dev/null
# Replies: the stub's default chat and embeddings answers, written by the stub's own code.
python3 - "$B/corpus_reply" <<'P'
import json, sys
d = sys.argv[1]
chat = {"id": "chatcmpl-1", "object": "chat.completion", "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "a cat"},
                     "finish_reason": "stop"}]}
emb = {"object": "list", "data": [{"index": 0, "embedding": [0.1, 0.2, 0.3]}], "model": "m"}
open(d + "/chat.json", "w").write(json.dumps(chat))
open(d + "/embed.json", "w").write(json.dumps(emb))
P
rc=0
for t in image reply; do
	"$B/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -artifact_prefix="$B/crash-$t-" \
	    "$B/corpus_$t" >"$B/$t.log" 2>&1 || rc=1
	runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$B/$t.log" | awk '{print $2}')
	[ -n "$runs" ] || runs=$(grep -Eo '^#[0-9]+' "$B/$t.log" | tail -n 1 | tr -d '#')
	echo "fuzz_$t: ${runs:-?} executions in ${secs}s, $(grep -c 'ERROR: ' "$B/$t.log") errors"
done
exit $rc
