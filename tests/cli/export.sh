# mmda export: every format read back by Python's own readers, selections,
# image modes, hostile names, refusal to overwrite, and interrupted runs.
. "$TOP/tests/lib.sh"
DB=$T/e.db
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null
"$MMDA" augment "$DB" --op hflip --limit 6 >/dev/null
for i in 1 2 3 18 19; do "$MMDA" decide "$DB" $i accept --annotator ann >/dev/null; done
for i in 4 20; do "$MMDA" decide "$DB" $i reject --annotator ann >/dev/null; done
"$MMDA" decide "$DB" 3 reject --annotator bob >/dev/null
"$MMDA" decide "$DB" 4 accept --annotator bob >/dev/null
"$MMDA" decide "$DB" 5 accept --annotator bob >/dev/null
"$MMDA" score "$DB" --metric pixel_std --metric num_words >/dev/null
# Gold by majority: 1, 2, 18, 19 (3 and 4 are ties, 5 is bob alone: 1 vs 0 -> gold).
GOLD="[1, 2, 5, 18, 19]"

readback() { # format dir -> prints the sorted ids (or keys) found
	EXPORT_DB=$DB python3 - "$1" "$2" <<'P'
import csv, json, os, sys, tarfile
fmt, d = sys.argv[1], sys.argv[2]
ids = []
def idof(key): return int(key.split("-")[0])
if fmt == "jsonl":
    for line in open(os.path.join(d, "pairs.jsonl"), encoding="utf-8"):
        r = json.loads(line); ids.append(r["id"])
        assert os.path.isfile(os.path.join(d, r["image"])), r["image"]
elif fmt == "imagefolder":
    for line in open(os.path.join(d, "metadata.jsonl"), encoding="utf-8"):
        r = json.loads(line); ids.append(idof(os.path.basename(r["file_name"])))
        assert os.path.isfile(os.path.join(d, r["file_name"]))
elif fmt == "coco":
    doc = json.load(open(os.path.join(d, "captions.json"), encoding="utf-8"))
    # One image entry per distinct image: captions of one picture share a file, so
    # the candidate is found by the annotation's aug_id.
    import sqlite3
    db = sqlite3.connect(os.environ["EXPORT_DB"])
    files = {i["id"]: i["file_name"] for i in doc["images"]}
    assert len(set(files.values())) == len(files), "an image listed twice"
    for a in doc["annotations"]:
        assert os.path.isfile(os.path.join(d, files[a["image_id"]]))
        ids.append(db.execute("SELECT id FROM candidates WHERE aug_id = ?", (a["aug_id"],)).fetchone()[0])
elif fmt == "llava":
    for r in json.load(open(os.path.join(d, "llava.json"), encoding="utf-8")):
        assert r["conversations"][0]["value"].startswith("<image>")
        ids.append(idof(r["id"]))
elif fmt == "csv":
    rows = list(csv.DictReader(open(os.path.join(d, "pairs.csv"), encoding="utf-8", newline="")))
    ids = [int(r["id"]) for r in rows]
elif fmt == "dj":
    for line in open(os.path.join(d, "data_juicer.jsonl"), encoding="utf-8"):
        r = json.loads(line); assert "<__dj__image>" in r["text"]; ids.append(idof(r["id"]))
elif fmt == "wds":
    for name in sorted(os.listdir(d)):
        if not name.endswith(".tar"): continue
        with tarfile.open(os.path.join(d, name)) as t:
            for m in t.getmembers():
                if m.name.endswith(".txt"): ids.append(idof(m.name))
man = json.load(open(os.path.join(d, "manifest.json")))
assert man["format"] == fmt and man["counts"]["exported"] == len(ids), man
print(sorted(ids))
P
}
for f in jsonl imagefolder coco llava csv dj wds; do
	"$MMDA" export "$DB" --format $f --out "$T/out-$f" --json >"$T/x" 2>"$T/err"
	check "export-$f-gold" [ "$(readback $f "$T/out-$f" 2>&1)" = "$GOLD" ]
done
"$MMDA" export "$DB" --format jsonl --out "$T/all" --select all >/dev/null
check select-all [ "$(readback jsonl "$T/all" | python3 -c 'import ast,sys; print(len(ast.literal_eval(sys.stdin.read())))')" = 23 ]
"$MMDA" export "$DB" --format jsonl --out "$T/acc" --select accepted >/dev/null
check select-accepted [ "$(readback jsonl "$T/acc")" = "[1, 2, 3, 4, 5, 18, 19]" ]
"$MMDA" export "$DB" --format jsonl --out "$T/allrule" --consensus all >/dev/null
check consensus-all [ "$(readback jsonl "$T/allrule")" = "[1, 2, 5, 18, 19]" ]
"$MMDA" export "$DB" --format jsonl --out "$T/bob" --consensus bob >/dev/null
check consensus-named [ "$(readback jsonl "$T/bob")" = "[4, 5]" ]
"$MMDA" threshold "$DB" num_words --min 12 --ops all >/dev/null
"$MMDA" export "$DB" --format jsonl --out "$T/pass" --select passing >/dev/null
expect=$(sqlite3 "$DB" "SELECT group_concat(candidate, ', ') FROM (SELECT candidate FROM scores WHERE metric = 'num_words' AND value >= 12 ORDER BY candidate)")
check select-passing [ "$(readback jsonl "$T/pass")" = "[$expect]" ]
"$MMDA" export "$DB" --format jsonl --out "$T/fill" --fill passing --json >"$T/x"
check fill-passing-marked python3 -c "
import json
rows = [json.loads(l) for l in open('$T/fill/pairs.jsonl')]
auto = [r['id'] for r in rows if r['auto_selected']]
assert auto and all(not r['decisions'] for r in rows if r['auto_selected']), auto
assert {1, 2, 5, 18, 19} <= {r['id'] for r in rows}
assert json.load(open('$T/x'))['auto_selected'] == len(auto)"
check manifest-thresholds python3 -c "
import json
m = json.load(open('$T/fill/manifest.json'))
assert m['thresholds'][0]['metric'] == 'num_words' and m['thresholds'][0]['min'] == 12
assert m['thresholds'][0]['scope'] == 'all'
assert m['selection'] == {'select': 'gold', 'consensus': 'majority', 'fill_passing': True}"

# Image modes: references point at the originals; links share the inode.
"$MMDA" export "$DB" --format jsonl --out "$T/ref" --images ref >/dev/null
check images-ref python3 -c "
import json, os
for l in open('$T/ref/pairs.jsonl'):
    r = json.loads(l); assert os.path.isabs(r['image']) and os.path.isfile(r['image'])
assert not os.path.exists('$T/ref/images')"
"$MMDA" export "$DB" --format jsonl --out "$T/link" --images link >/dev/null
src=$(sqlite3 "$DB" "SELECT r.path || '/' || c.image_path FROM candidates c JOIN roots r ON r.id = c.root_id WHERE c.id = 1")
check images-link [ "$(stat -c %i "$src")" = "$(stat -c %i "$T/link/images/00000001-"*)" ]
"$MMDA" export "$DB" --format wds --out "$T/shards" --shard-size 2 >/dev/null
check wds-shards [ "$(ls "$T/shards" | grep -c '^shard-00000[0-2]\.tar$')" = 3 ]

# An existing folder with files is never written into.
mkdir -p "$T/busy" && echo keep >"$T/busy/file"
"$MMDA" export "$DB" --format jsonl --out "$T/busy" >/dev/null 2>"$T/err"; rc=$?
check existing-out-refused [ "$rc/$(ls "$T/busy")" = "1/file" ]

# Hostile ids and paths never choose output names.
mkdir -p "$T/h/sub/images"
cp "$SAMPLE/images/horse.png" "$T/h/sub/images/"
printf '%s\n' '{"id": "../../../../evil", "file_name": "sub/images/../images/horse.png", "text": "x"}' \
	'{"id": "/etc/passwd", "file_name": "./sub/images/horse.png", "text": "y\u001b[2J"}' >"$T/h/m.jsonl"
"$MMDA" import "$T/h.db" "$T/h/m.jsonl" >/dev/null
for i in 1 2; do "$MMDA" decide "$T/h.db" $i accept >/dev/null; done
mkdir -p "$T/hout"
before=$(find "$T" -type f | grep -v "^$T/hout/\|\.db-\(wal\|shm\)$" | sort)
for f in jsonl wds coco; do "$MMDA" export "$T/h.db" --format $f --out "$T/hout/$f" >/dev/null 2>&1; done
after=$(find "$T" -type f | grep -v "^$T/hout/\|\.db-\(wal\|shm\)$" | sort)
check no-write-outside-out [ "$before" = "$after" ]
check hostile-exported [ "$(ls "$T/hout" | wc -l)" = 3 ]
check hostile-names-safe sh -c "! find '$T/hout' | grep -q 'evil\|passwd'"

# Interrupted: SIGKILL leaves no folder at --out; the next run cleans up and completes.
python3 - "$TOP/tests/data/img/rgb.png" >"$T/many.jsonl" <<'P'
import json, sys
for i in range(20000):
    print(json.dumps({"id": "p%d" % i, "file_name": sys.argv[1], "text": "pair %d" % i}))
P
"$MMDA" import "$T/many.db" "$T/many.jsonl" --root / >/dev/null
"$MMDA" export "$T/many.db" --format jsonl --select all --out "$T/big" >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 300 ] && ! ls -d "$T"/.big.mmda-tmp-* >/dev/null 2>&1; do sleep 0.02; i=$((i + 1)); done
sleep 0.2
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
check sigkill-no-half-folder [ ! -e "$T/big" ]
"$MMDA" export "$T/many.db" --format jsonl --select all --out "$T/big" --json >"$T/x"
check rerun-completes [ "$(json_get "$T/x" "d['exported']")" = 20000 ]
check stale-temp-removed sh -c "! ls -d '$T'/.big.mmda-tmp-* >/dev/null 2>&1"
"$MMDA" export "$T/many.db" --format jsonl --select all --out "$T/big2" >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 300 ] && ! ls -d "$T"/.big2.mmda-tmp-* >/dev/null 2>&1; do sleep 0.02; i=$((i + 1)); done
kill -TERM $pid 2>/dev/null
wait $pid; rc=$?
check sigterm-clean sh -c "[ $rc -ne 0 ] && [ ! -e '$T/big2' ]"
check sigterm-temp-removed sh -c "! ls -d '$T'/.big2.mmda-tmp-* >/dev/null 2>&1"

# A selected candidate whose image has gone is named and left out; the rest export.
mkdir -p "$T/gone/images"
cp "$SAMPLE/images/horse.png" "$SAMPLE/images/coins.png" "$T/gone/images/"
printf '%s\n' '{"id": "a", "file_name": "images/horse.png", "text": "a"}' \
	'{"id": "b", "file_name": "images/coins.png", "text": "b"}' >"$T/gone/m.jsonl"
"$MMDA" import "$T/gone.db" "$T/gone/m.jsonl" >/dev/null
rm "$T/gone/images/coins.png"
"$MMDA" export "$T/gone.db" --format jsonl --select all --out "$T/gone-out" --json >"$T/x" 2>"$T/err"; rc=$?
check missing-image-left-out [ "$rc/$(json_get "$T/x" "d['exported'], d['skipped']")" = "0/(1, 1)" ]
check missing-image-named grep -q "candidate 2 left out: .*coins.png" "$T/err"
check missing-image-in-manifest [ "$(json_get "$T/gone-out/manifest.json" "d['skipped'][0]['id']")" = 2 ]
