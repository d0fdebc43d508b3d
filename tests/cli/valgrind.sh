# The CLI paths under valgrind: no invalid access, no definite or indirect leak.
. "$TOP/tests/lib.sh"
if [ -n "${SANITIZE:-}" ]; then
	echo "SKIP: valgrind/all: this is a sanitizer build (ASan and valgrind cannot share a process)"
	exit 0
fi
VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
vg() { # name expected-status command...
	n=$1 want=$2
	shift 2
	$VG "$MMDA" "$@" >"$T/vg.out" 2>"$T/vg.err"
	rc=$?
	if [ $rc -eq "$want" ]; then pass "$n"; else fail "$n" "exit $rc: $(head -c 2000 "$T/vg.err")"; fi
}
D=$T/v.db
vg import 0 import "$D" "$SAMPLE/captions.jsonl" --verify --json
vg import-formats 0 import "$D" "$TOP/tests/data/import/mixed.jsonl" "$TOP/tests/data/import/coco.json" \
	"$TOP/tests/data/import/quoted.csv" "$TOP/tests/data/import/dj.jsonl" "$TOP/tests/data/import/llava.json" \
	"$TOP/tests/data/import/wds/gnu.tar" "$TOP/tests/data/import/dir"
vg import-strict 1 import "$T/s.db" "$TOP/tests/data/import/mixed.jsonl" --strict
vg stats 0 stats "$D" --json
vg show 0 show "$D" chelsea-1 --json --image-out "$T/c.webp"
vg show-jpeg-out 0 show "$D" rocket-1 --image-out "$T/r.jpg"
vg show-missing 1 show "$D" nosuch
vg decide 0 decide "$D" chelsea-1 accept --note ok --annotator v
vg undo 0 undo "$D" --annotator v --json
vg usage 2 import "$D"
vg ops 0 ops --json
vg augment-mixgen 0 augment "$D" --op mixgen --limit 3 --jobs 2 --json
vg augment-hflip 0 augment "$D" --op hflip --limit 2
vg augment-synonym 0 augment "$D" --op synonym --limit 3
vg augment-bad-setting 2 augment "$D" --op mixgen --set lambda=3
vg replay 0 replay "$D" "$(sqlite3 "$D" "SELECT min(id) FROM candidates WHERE op = 'mixgen'")"
vg metrics 0 metrics --json
vg score 0 score "$D" --jobs 2 --json
vg threshold 0 threshold "$D" pixel_std --min 3 --json
vg tune 0 tune "$D" --metric pixel_std --sluma --json
# Enough labels of both kinds for the learned filter: accept the flips, reject the rest.
for id in $(sqlite3 "$D" "SELECT id FROM candidates WHERE op <> 'original'"); do
	ans=reject
	[ "$(sqlite3 "$D" "SELECT op FROM candidates WHERE id = $id")" = hflip ] && ans=accept
	"$MMDA" decide "$D" "$id" $ans --annotator lv >/dev/null
done
for id in $(sqlite3 "$D" "SELECT id FROM candidates WHERE op = 'original' LIMIT 6"); do
	"$MMDA" decide "$D" "$id" accept --annotator lv >/dev/null
done
vg tune-learn 0 tune "$D" --learn --folds 2 --json
vg tune-learn-too-few 1 tune "$T/s.db" --learn
vg export-jsonl 0 export "$D" --format jsonl --select all --out "$T/x1"
vg export-wds 0 export "$D" --format wds --select all --out "$T/x2"
vg export-coco 0 export "$D" --format coco --select all --out "$T/x3" --images ref
vg next 0 next "$D" --annotator v --overlap 2
vg conflicts 0 conflicts "$D" --json
vg merge 0 merge "$T/merged.db" "$D" --trust-roots --json
printf 'dump-screen %s\naccept\nlist\nsearch cat\nthresholds\ncutoff-up\nauto-tune\nstats\naugment\nset lambda=0.2\nrun\nwait\nzoom\nhelp\nquit\nquit\n' "$T/vgdump" >"$T/vgscript"
MMDA_SCRIPT="$T/vgscript" COLUMNS=100 LINES=30 TERM=xterm-256color vg review 0 review "$D" --renderer none
vg demo 0 demo "$T/demo"

# The model-backed paths, against the loopback stub: the engine thread, retries, parsing.
. "$TOP/tests/http/stub.sh"
if stub_start; then
	cat >"$T/mcfg.json" <<EOF
{ "backends": [
    { "name": "llm", "kind": "openai-chat", "base_url": "$STUB_URL/v1", "model": "m", "vision": true,
      "retries": { "base_ms": 50, "max": 2 } },
    { "name": "sd", "kind": "a1111", "base_url": "$STUB_URL" },
    { "name": "clip", "kind": "embeddings", "base_url": "$STUB_URL", "model": "c",
      "api_key_env": "VG_KEY" } ],
  "cache_dir": "$T/mcache", "log": "$T/mlog" }
EOF
	export VG_KEY=sk-vg
	printf 'on a beach\nat night\n' >"$T/domains"
	vg backends 0 backends --config "$T/mcfg.json" --check --json
	vg backends-try 0 backends --config "$T/mcfg.json" --try
	vg augment-rewrite 0 augment "$D" --op rewrite --set k=2 --limit 2 --config "$T/mcfg.json" --json
	vg augment-caption 0 augment "$D" --op caption --limit 1 --config "$T/mcfg.json"
	vg augment-t2i 0 augment "$D" --op t2i --limit 1 --set width=64 --set height=64 --config "$T/mcfg.json"
	vg augment-alia 0 augment "$D" --op alia --limit 1 --set "domains_file=$T/domains" --config "$T/mcfg.json"
	vg augment-inpaint 0 augment "$D" --op inpaint-attr --limit 1 --set box=2,2,20,20 --set object=thing --config "$T/mcfg.json"
	vg score-clip 0 score "$D" --metric clip_score --metric image_pair_similarity --config "$T/mcfg.json" --json
	stub_rules '[{"path":"/v1/chat/completions","status":503,"body":{"error":"busy"}}]'
	vg augment-retry-fail 0 augment "$D" --op vqa-gen --limit 1 --config "$T/mcfg.json"
	stub_stop
else
	fail model-paths "the stub did not start"
fi
