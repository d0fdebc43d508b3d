#!/bin/sh
# make bench-augment: mixgen and hflip over the sample photos resized to
# 512x512 (each used several times, as different pairs), pairs per second
# with --jobs 2, beside the floor for any op that writes a new image: decoding
# and re-encoding the same images as PNG on 2 threads, and beside MixGen
# scripted in Python with Pillow and numpy (tests/bench/mixgen_peer.py). Same
# run, as ratios (goals: mixgen within 1.3x of the floor, >= 10x the script).
set -eu
: "${MMDA:?}" "${BENCHTOOL:?}"
COPIES=${COPIES:-12}
RUNS=${RUNS:-3}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/mmda-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/img"
"$BENCHTOOL" resize "$W/img" 512 512 "$TOP"/tests/data/sample/images/*.png \
    "$TOP"/tests/data/sample/images/hubble_deep_field.jpg "$TOP"/tests/data/sample/images/retina.jpg \
    "$TOP"/tests/data/sample/images/rocket.jpg
python3 - "$W" "$COPIES" <<'P'
import json, os, sys
w, copies = sys.argv[1], int(sys.argv[2])
imgs = sorted(os.listdir(w + "/img"))
with open(w + "/m.jsonl", "w") as f:
    for k in range(copies):
        for name in imgs:
            f.write(json.dumps({"id": "%s-%d" % (name, k), "file_name": "img/" + name,
                                "text": "photo %s number %d on the left" % (name, k)}) + "\n")
P
FILES=$(python3 -c "
import json,sys
for l in open('$W/m.jsonl'): print('$W/' + json.loads(l)['file_name'])")
N=$(wc -l <"$W/m.jsonl")

now() { date +%s.%N; }
best() { echo "$1 $2" | awk '{print ($1<$2)?$1:$2}'; }
PY=${PY:-/usr/bin/python3}
b_floor=999; b_mix=999; b_flip=999; b_py=999
i=0
while [ $i -lt "$RUNS" ]; do
	rm -rf "$W/floor"
	# shellcheck disable=SC2086
	f=$("$BENCHTOOL" floor 2 "$W/floor" $FILES)
	b_floor=$(best "$f" "$b_floor")
	rm -rf "$W/py"
	p=$("$PY" "$TOP/tests/bench/mixgen_peer.py" "$W/m.jsonl" "$W/py")
	b_py=$(best "$p" "$b_py")
	for op in mixgen hflip; do
		rm -rf "$W/a.db" "$W/a.db-wal" "$W/a.db-shm" "$W/a.db.objects"
		"$MMDA" import "$W/a.db" "$W/m.jsonl" >/dev/null
		t0=$(now)
		"$MMDA" augment "$W/a.db" --op $op --jobs 2 >/dev/null
		t1=$(now)
		d=$(echo "$t1 $t0" | awk '{print $1-$2}')
		if [ $op = mixgen ]; then b_mix=$(best "$d" "$b_mix"); else b_flip=$(best "$d" "$b_flip"); fi
	done
	i=$((i + 1))
done
made=$(sqlite3 "$W/a.db" "SELECT count(*) FROM candidates WHERE op = 'hflip'")
[ "$made" -eq "$N" ] || { echo "bench-augment: made $made of $N" >&2; exit 1; }
echo "$N $b_floor $b_mix $b_flip $b_py" | awk '{
	printf "bench-augment: %d pairs of 512x512, --jobs 2 (best of runs)\n", $1
	printf "  floor (decode + PNG re-encode)  %7.3f s  %7.1f images/s\n", $2, $1 / $2
	printf "  mixgen                          %7.3f s  %7.1f pairs/s  %.2fx the floor (target <= 1.30)\n", $3, $1 / $3, $3 / $2
	printf "  hflip                           %7.3f s  %7.1f pairs/s  %.2fx the floor\n", $4, $1 / $4, $4 / $2
	printf "  MixGen in Python (Pillow+numpy) %7.3f s  %7.1f pairs/s  mmda mixgen %.1fx faster (goal >= 10)\n", $5, $1 / $5, $5 / $3
}'
# The summary lines of make bench (tests/bench/all.sh): bench|figure|reference|ratio|goal|pass.
echo "$N $b_floor $b_mix $b_py" | awk '{ f = $3 / $2; x = $4 / $3
	printf "BENCH augment|mixgen %.1f pairs/s|decode+encode %.1f images/s|%.2f|<= 1.30|%s\n", $1 / $3, $1 / $2, f, (f <= 1.3 ? "pass" : "fail")
	printf "BENCH augment|mixgen %.1f pairs/s|Python %.1f pairs/s|%.1f|>= 10|%s\n", $1 / $3, $1 / $4, x, (x >= 10 ? "pass" : "fail") }'
