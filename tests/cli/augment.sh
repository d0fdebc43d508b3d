# mmda ops, augment and replay: lineage, determinism, idempotence, bad items,
# parallel workers, and a batch killed with SIGKILL and resumed.
. "$TOP/tests/lib.sh"
DB=$T/a.db
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null

"$MMDA" ops --json >"$T/ops"
check ops-json [ "$(json_get "$T/ops" "sorted(o['name'] for o in d if not o['needs_backend'])")" = "['blur', 'code-switch', 'color', 'concept-mix', 'crop', 'cutmix', 'eda', 'grayscale', 'hflip', 'hypernym', 'jpeg', 'mixgen', 'noise', 'rotate', 'synonym']" ]
check ops-json-model [ "$(json_get "$T/ops" "sorted((o['name'], tuple(o['backends'])) for o in d if o['needs_backend'])")" = "[('alia', ('image',)), ('caption', ('vlm',)), ('counterfactual', ('llm',)), ('inpaint-attr', ('llm', 'image')), ('instruct', ('llm',)), ('rationale', ('llm',)), ('rewrite', ('llm',)), ('t2i', ('image',)), ('tool-instruct', ('llm',)), ('vqa-gen', ('vlm',))]" ]
check ops-json-uses [ "$(json_get "$T/ops" "[o['uses_backends'] for o in d if o['name'] in ('alia', 't2i', 'counterfactual', 'code-switch')]")" = "[['vlm', 'llm', 'clip', 'classifier'], ['llm'], ['clip'], ['llm']]" ]
# A model-backed op without any config says where it looked.
(cd "$T" && env -u MMDA_CONFIG HOME="$T" XDG_CONFIG_HOME= "$MMDA" augment "$T/none.db" --op rewrite) 2>"$T/err"
check model-op-no-config [ $? = 1 ] && check model-op-no-config-says [ "$(grep -c 'no backends configured' "$T/err")" = 1 ]
check ops-mixgen-defaults [ "$(json_get "$T/ops" "[(p['name'], p['default']) for o in d if o['name'] == 'mixgen' for p in o['params']]")" = "[('lambda', '0.5'), ('partner', '')]" ]
check ops-human sh -c "'$MMDA' ops | grep -q '^mixgen '"
"$MMDA" augment "$DB" --op nosuch >/dev/null 2>"$T/err"; rc=$?
check unknown-op-exit-2 [ $rc -eq 2 ]
"$MMDA" augment "$DB" --op mixgen --set lambda=2 >/dev/null 2>"$T/err"; rc=$?
check out-of-range-exit-2 [ $rc -eq 2 ]
check out-of-range-says grep -q "lambda=2: out of range 0..1" "$T/err"
"$MMDA" augment "$DB" --op hflip --set nosuch=1 >/dev/null 2>"$T/err"; rc=$?
check unknown-param-exit-2 [ $rc -eq 2 ]

"$MMDA" augment "$DB" --op hflip --seed 1 --json >"$T/out"
check hflip-creates [ "$(json_get "$T/out" "len(d['created']), d['existing'], d['failed']")" = "(17, 0, [])" ]
"$MMDA" augment "$DB" --op hflip --seed 1 --json >"$T/out"
check rerun-adds-nothing [ "$(json_get "$T/out" "len(d['created']), d['existing']")" = "(0, 17)" ]
CAM=$(sqlite3 "$DB" "SELECT c.id FROM candidates c JOIN lineage l ON l.child = c.id JOIN candidates p ON p.id = l.parent WHERE c.op = 'hflip' AND p.src_key = 'camera-1'")
"$MMDA" show "$DB" "$CAM" --json >"$T/show"
check hflip-swaps-caption [ "$(json_get "$T/show" "d['text']")" = "A man in a dark coat on the right looks through a camera on a tripod in a grassy field." ]
check hflip-lineage [ "$(json_get "$T/show" "d['op'], d['op_version'], d['seed'], len(d['parents']), d['object'] is not None, len(d['aug_id'])")" = "('hflip', 2, None, 1, True, 64)" ]
# hflip, grayscale and jpeg draw no random numbers: another seed adds nothing.
"$MMDA" augment "$DB" --op hflip --seed 2 --json >"$T/out"
check unseeded-hflip [ "$(json_get "$T/out" "len(d['created']), d['existing']")" = "(0, 17)" ]
"$MMDA" augment "$DB" --op grayscale --seed 1 --limit 3 >/dev/null
"$MMDA" augment "$DB" --op grayscale --seed 5 --limit 3 --json >"$T/out"
check unseeded-grayscale [ "$(json_get "$T/out" "len(d['created']), d['existing']")" = "(0, 3)" ]
"$MMDA" augment "$DB" --op jpeg --seed 1 --limit 2 >/dev/null
"$MMDA" augment "$DB" --op jpeg --seed 9 --limit 2 --json >"$T/out"
check unseeded-jpeg [ "$(json_get "$T/out" "len(d['created']), d['existing']")" = "(0, 2)" ]
GRAY=$(sqlite3 "$DB" "SELECT min(id) FROM candidates WHERE op = 'grayscale'")
check unseeded-replays sh -c "'$MMDA' replay '$DB' $GRAY >/dev/null"
check object-file-exists [ -f "$(json_get "$T/show" "d['image']")" ]

"$MMDA" augment "$DB" --op mixgen --seed 4 --json >"$T/out"
check mixgen-creates [ "$(json_get "$T/out" "len(d['created'])")" = 17 ]
check mixgen-never-self [ "$(sqlite3 "$DB" "SELECT count(*) FROM lineage a JOIN lineage b ON a.child = b.child AND a.slot = 0 AND b.slot = 1 WHERE a.parent = b.parent")" = 0 ]
check mixgen-two-parents [ "$(sqlite3 "$DB" "SELECT count(*) FROM lineage l JOIN candidates c ON c.id = l.child WHERE c.op = 'mixgen'")" = 34 ]
check mixgen-caption-join [ "$(sqlite3 "$DB" "SELECT count(*) FROM candidates c JOIN lineage a ON a.child = c.id AND a.slot = 0 JOIN lineage b ON b.child = c.id AND b.slot = 1 JOIN candidates p ON p.id = a.parent JOIN candidates q ON q.id = b.parent WHERE c.op = 'mixgen' AND c.text = p.text || ' ' || q.text")" = 17 ]
"$MMDA" augment "$DB" --op mixgen --seed 4 --set partner=coins-1 --limit 9 --json >"$T/out" 2>"$T/err"
check named-partner-self-fails [ "$(json_get "$T/out" "len(d['created']), [f['id'] for f in d['failed']], 'itself' in d['failed'][0]['reason']")" = "(8, [9], True)" ]
"$MMDA" augment "$DB" --op cutmix --seed 2 --limit 3 --json >"$T/out"
ID=$(json_get "$T/out" "d['created'][0]")
"$MMDA" show "$DB" "$ID" --json >"$T/show"
check cutmix-stores-box [ "$(json_get "$T/show" "len(d['params']['box']), d['params']['caption']")" = "(4, 'concat')" ]

# The same op, params and seed give the same bytes in another database,
# with or without worker threads; another seed gives other bytes.
"$MMDA" import "$T/b.db" "$SAMPLE/captions.jsonl" >/dev/null
"$MMDA" import "$T/c.db" "$SAMPLE/captions.jsonl" >/dev/null
"$MMDA" augment "$T/b.db" --op noise --seed 7 >/dev/null
"$MMDA" augment "$T/c.db" --op noise --seed 7 --jobs 2 >/dev/null
q="SELECT group_concat(aug_id || object, ',') FROM (SELECT aug_id, object FROM candidates WHERE op = 'noise' ORDER BY id)"
check deterministic-across-dbs-and-jobs [ "$(sqlite3 "$T/b.db" "$q")" = "$(sqlite3 "$T/c.db" "$q")" ]
"$MMDA" augment "$T/c.db" --op noise --seed 8 >/dev/null
check other-seed-other-bytes [ "$(sqlite3 "$T/c.db" "SELECT count(DISTINCT object) FROM candidates WHERE op = 'noise'")" = 34 ]

# Caption operators: a caption with no English word is reported, not faked.
"$MMDA" augment "$DB" --op synonym --seed 3 --json >"$T/out"
check synonym-unchanged-reported [ "$(json_get "$T/out" "d['unchanged'] >= 1 and len(d['created']) + d['unchanged'] == 17")" = True ]
check synonym-keeps-image [ "$(sqlite3 "$DB" "SELECT count(*) FROM candidates WHERE op = 'synonym' AND object IS NULL AND image_path IS NOT NULL")" = "$(json_get "$T/out" "len(d['created'])")" ]
check no-fake-chinese [ "$(sqlite3 "$DB" "SELECT count(*) FROM candidates c JOIN lineage l ON l.child = c.id JOIN candidates p ON p.id = l.parent WHERE c.op = 'synonym' AND p.src_key = 'chelsea-2'")" = 0 ]

# Replay regenerates from the stored record; a tampered record is caught.
ok=0
for id in $(sqlite3 "$DB" "SELECT min(id) FROM candidates WHERE op <> 'original' GROUP BY op"); do
	"$MMDA" replay "$DB" "$id" >/dev/null 2>&1 || { ok=1; echo "  replay $id failed" >&2; }
done
check replay-every-op [ $ok -eq 0 ]
sqlite3 "$DB" "UPDATE candidates SET text = text || '!' WHERE id = $CAM"
"$MMDA" replay "$DB" "$CAM" --json >"$T/out" 2>/dev/null; rc=$?
check replay-catches-tampering [ "$rc/$(json_get "$T/out" "d['ok'], d['text_match'], d['image_match']")" = "1/(False, False, True)" ]
# A stored object file changed on disk is caught, though its name still matches.
JPG=$(sqlite3 "$DB" "SELECT min(id) FROM candidates WHERE op = 'jpeg'")
"$MMDA" show "$DB" "$JPG" --json >"$T/show"
OBJ=$(json_get "$T/show" "d['image']")
check replay-file-before sh -c "'$MMDA' replay '$DB' $JPG >/dev/null"
cp "$OBJ" "$T/obj.bak" && chmod u+w "$OBJ" && printf 'x' >>"$OBJ"
"$MMDA" replay "$DB" "$JPG" --json >"$T/out" 2>/dev/null; rc=$?
check replay-modified-file [ "$rc/$(json_get "$T/out" "d['ok'], d['image_match'], d['aug_id_match']")" = "1/(False, False, True)" ]
cp "$T/obj.bak" "$OBJ"
"$MMDA" replay "$DB" chelsea-1 >/dev/null 2>"$T/err"; rc=$?
check replay-original-refused [ $rc -eq 1 ]

# One image that cannot be decoded is listed; the rest are made.
mkdir -p "$T/bad/images"
cp "$SAMPLE/images/horse.png" "$SAMPLE/images/truncated.jpg" "$T/bad/images/"
printf '%s\n' '{"id": "h", "file_name": "images/horse.png", "text": "a horse on the left"}' \
	'{"id": "t", "file_name": "images/truncated.jpg", "text": "cut off"}' >"$T/bad/m.jsonl"
"$MMDA" import "$T/bad.db" "$T/bad/m.jsonl" >/dev/null
"$MMDA" augment "$T/bad.db" --op hflip --json >"$T/out" 2>"$T/err"
check bad-image-listed [ "$(json_get "$T/out" "len(d['created']), len(d['failed']), 'truncated.jpg' in d['failed'][0]['reason']")" = "(1, 1, True)" ]
check integrity-after-augment integrity "$DB"

# Killed with SIGKILL mid-batch and started again: no duplicate, nothing lost.
python3 - "$SAMPLE" "$T/k" <<'P'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
recs = [json.loads(l) for l in open(src + "/captions.jsonl")]
with open(out + "/m.jsonl", "w") as f:
    for k in range(8):
        for r in recs:
            f.write(json.dumps({"id": "%s-%d" % (r["id"], k), "file_name": src + "/" + r["file_name"],
                                "text": "%s (%d)" % (r["text"], k)}) + "\n")
P
"$MMDA" import "$T/k.db" "$T/k/m.jsonl" --root "$SAMPLE" >/dev/null
N=$(sqlite3 "$T/k.db" "SELECT count(*) FROM candidates")
"$MMDA" augment "$T/k.db" --op blur --seed 3 --jobs 2 >/dev/null 2>&1 &
pid=$!
# Kill as soon as the first rows are committed, while most are still to come.
i=0
while [ $i -lt 200 ] && [ "$(sqlite3 "$T/k.db" "SELECT count(*) FROM candidates WHERE op = 'blur'" 2>/dev/null || echo 0)" = 0 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
mid=$(sqlite3 "$T/k.db" "SELECT count(*) FROM candidates WHERE op = 'blur'")
"$MMDA" augment "$T/k.db" --op blur --seed 3 --jobs 2 --json >"$T/out"
check sigkill-was-mid-batch sh -c "[ '$mid' -gt 0 ] && [ '$mid' -lt '$N' ]"
check sigkill-resume-complete [ "$(sqlite3 "$T/k.db" "SELECT count(*), count(DISTINCT aug_id) FROM candidates WHERE op = 'blur'")" = "$N|$N" ]
check sigkill-resume-counts [ "$(json_get "$T/out" "len(d['created']) + d['existing']")" = "$N" ]
missing=0
for o in $(sqlite3 "$T/k.db" "SELECT object FROM candidates WHERE op = 'blur'"); do
	[ -f "$T/k.db.objects/$(echo "$o" | cut -c1-2)/$(echo "$o" | cut -c3-)" ] || missing=$((missing + 1))
done
check sigkill-no-row-without-object [ $missing -eq 0 ]
check integrity-after-sigkill integrity "$T/k.db"
# The batch is one job row, resumed (not duplicated) by the second run.
check sigkill-one-job [ "$(sqlite3 "$T/k.db" "SELECT count(*), state, done, total FROM jobs")" = "1|done|$N|$N" ]
check candidates-name-job [ "$(sqlite3 "$T/k.db" "SELECT count(*) FROM candidates WHERE op = 'blur' AND job_id = (SELECT id FROM jobs)")" = "$N" ]
