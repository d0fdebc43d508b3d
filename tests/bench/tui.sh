#!/bin/sh
# make bench-tui: the review screen over the fake terminal (tests/tools/ptyterm.c)
# at 160x48 with 10x20 px cells, answering as xterm in VT340 mode: 200
# consecutive accepts ('a'), each timed from the key to the last byte of the
# frame it causes (ptyterm's quiet wait does not count), and the bytes sent per
# transition; the first (cold) frame likewise, from the start of the process.
# Beside it, in the same run, img2sixel (libsixel-bin) on the two images of
# one typical two-pane transition at the pixel size they take in the panes.
# Targets: p95 under 50 ms warm; bytes per transition at most 0.7x img2sixel's.
#
#   MMDA=... BENCH_PTYTERM=build/tools/ptyterm sh tests/bench/tui.sh
#
# BENCH_QUIET (ms, default 150) is the quiet gap after which the next key is
# typed; it must stay above the app's 100 ms input poll, or an image that
# arrives on the poll after its text would be counted in the next frame.
set -eu
: "${MMDA:?}" "${BENCH_PTYTERM:?}"
KEYS=${KEYS:-200}
QUIET=${BENCH_QUIET:-150}
RUNS=${RUNS:-5}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SAMPLE=$TOP/tests/data/sample
# The panes at 160x48 with 10x20 cells (views/review.c, tui/sixel.c
# sixel_geometry): 79 columns x 33 rows each (48 less title, headers, the
# caption box, the op and decision lines and 5 rows of scores), 790x660 px,
# whole sixel bands, within the 1000x960 area the fake xterm reports.
PW=790 PH=660

if ! command -v img2sixel >/dev/null 2>&1; then
	echo "bench-tui: img2sixel is not installed (Debian package libsixel-bin; make deps installs it)" >&2
	exit 1
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/mmda-bench-tui.XXXXXX")
trap 'rm -rf "$W"' EXIT

# The sample 4 times over, with distinct ids and captions; after each copy
# hflip, noise and mixgen over the originals (re-runs add nothing for the
# earlier copies, mixgen re-pairs some). The review order puts each original's
# hflip, noise and mixgen together (the left pane stays, one image changes)
# and moves to another original every few candidates (both change).
python3 - "$SAMPLE" "$W" <<'P'
import json, sys
src, w = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in open(src + "/captions.jsonl")]
for k in range(4):
    with open("%s/c%d.jsonl" % (w, k), "w") as f:
        for r in rows:
            f.write(json.dumps({"id": "%s-copy%d" % (r["id"], k), "file_name": r["file_name"],
                                "text": "%s (copy %d)" % (r["text"], k)}) + "\n")
P
DB=$W/b.db
for k in 0 1 2 3; do
	"$MMDA" import "$DB" "$W/c$k.jsonl" --root "$SAMPLE" >/dev/null
	for op in hflip noise mixgen; do
		"$MMDA" augment "$DB" --op $op --jobs 2 >/dev/null
	done
done
N=$(sqlite3 "$DB" "SELECT count(*) FROM candidates")
[ "$N" -gt "$KEYS" ] || { echo "bench-tui: only $N candidates for $KEYS accepts" >&2; exit 1; }

export MMDA_ANNOTATOR=bench
unset TMUX STY TERM_PROGRAM TERM_PROGRAM_VERSION SSH_CONNECTION COLUMNS LINES
rc=0
"$BENCH_PTYTERM" --cols 160 --rows 48 --cell-w 10 --cell-h 20 --answer xterm-vt340 \
    --keys a --repeat "$KEYS" --then q --quiet "$QUIET" --timeout 600 -- \
    "$MMDA" review "$DB" --renderer auto >"$W/out" 2>"$W/err" || rc=$?
if [ $rc -ne 0 ] || ! grep -qx "exit 0" "$W/out" || ! grep -qx "keys-sent $((KEYS + 1))" "$W/out"; then
	echo "bench-tui: ptyterm exit $rc" >&2
	tail -n 5 "$W/out" "$W/err" >&2
	exit 1
fi
accepted=$(sqlite3 "$DB" "SELECT count(*) FROM decisions WHERE annotator = 'bench'")
[ "$accepted" -eq "$KEYS" ] || { echo "bench-tui: $accepted decisions for $KEYS keys" >&2; exit 1; }

# The frames: cold, per transition, and one typical two-pane transition (the
# one with the median bytes among those that sent both panes) to set beside
# img2sixel. Frame K follows the K-th accept: the K + 1-th candidate in review order.
# The review order (db/db.h QUEUE_ORDER): each candidate under its first
# parent, originals last; frame k shows the k-th of it.
sqlite3 "$DB" "SELECT c.id FROM candidates c LEFT JOIN lineage q ON q.child = c.id AND q.slot = 0
    ORDER BY (q.parent IS NULL), coalesce(q.parent, c.id), c.id" >"$W/ids"
python3 - "$W/out" "$KEYS" "$W/ids" >"$W/frames" <<'P'
import sys
out, keys, ids = sys.argv[1], int(sys.argv[2]), [l.strip() for l in open(sys.argv[3])]
fr = {}
for l in open(out):
    f = l.split()
    if f and f[0] == "frame":
        fr[int(f[1])] = (int(f[3]), int(f[5]), float(f[7]))
def med(v):
    v = sorted(v); n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
def p95(v):
    v = sorted(v)  # nearest rank
    return v[max(0, -(-95 * len(v) // 100) - 1)]
tr = [fr[k] for k in range(1, keys + 1)]
ms = [t[2] for t in tr]; by = [t[0] for t in tr]
two = sorted((t[0], k) for k, t in ((k, fr[k]) for k in range(1, keys + 1)) if t[1] == 2)
typ = two[len(two) // 2] if two else (0, 0)
hist = {}
for t in tr:
    hist[t[1]] = hist.get(t[1], 0) + 1
print("transitions", len(tr))
print("ms_median %.1f" % med(ms))
print("ms_p95 %.1f" % p95(ms))
print("ms_max %.1f" % max(ms))
print("bytes_median %d" % med(by))
print("bytes_mean %d" % (sum(by) / len(by)))
print("bytes_two_median %d" % (med([b for b, _ in two]) if two else 0))
print("sixels_hist " + ",".join("%d:%d" % (s, hist[s]) for s in sorted(hist)))
print("ms_by_sixels " + ",".join("%d:%.1f" % (s, med([t[2] for t in tr if t[1] == s]))
                                 for s in sorted(hist)))
print("cold_ms %.1f" % fr[0][2])
print("cold_bytes %d" % fr[0][0])
print("cold_sixels %d" % fr[0][1])
print("typical_frame %d" % typ[1])
print("typical_bytes %d" % typ[0])
print("typical_ms %.1f" % (fr[typ[1]][2] if two else 0))
print("typical_id %s" % (ids[typ[1]] if two else 0))
P
val() { awk -v k="$1" '$1 == k { print $2 }' "$W/frames"; }
tid=$(val typical_id)
[ "$tid" != 0 ] || { echo "bench-tui: no transition sent both panes" >&2; exit 1; }

# The typical transition's two images and the size each takes in its pane
# (tui/sixel.c sixel_pane: fitted into 790x660, rounded to nearest, then
# letterboxed; the bars are flat colour, so img2sixel gets the fitted size).
"$MMDA" show "$DB" "$tid" --json >"$W/right.json"
pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["parents"][0])' "$W/right.json")
"$MMDA" show "$DB" "$pid" --json >"$W/left.json"
python3 - "$W/left.json" "$W/right.json" "$PW" "$PH" >"$W/imgs" <<'P'
import json, struct, sys
def dims(path):
    b = open(path, "rb").read()
    if b[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">II", b[16:24])
    i = 2
    while i < len(b):  # JPEG: the first SOFn marker
        if b[i] != 0xFF:
            i += 1
            continue
        m = b[i + 1]
        if m in (0xD8, 0x01) or 0xD0 <= m <= 0xD7 or m == 0xFF:
            i += 1 if m == 0xFF else 2
            continue
        if 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", b[i + 5:i + 9])
            return w, h
        i += 2 + struct.unpack(">H", b[i + 2:i + 4])[0]
    raise SystemExit("bench-tui: %s: unknown image size" % path)
pw, ph = int(sys.argv[3]), int(sys.argv[4])
for j in sys.argv[1:3]:
    path = json.load(open(j))["image"]
    w, h = dims(path)
    if w * ph >= h * pw:  # core/image/image.c image_fit
        ow, oh = pw, (h * pw * 2 + w) // (w * 2)
    else:
        ow, oh = (w * ph * 2 + h) // (h * 2), ph
    print(min(ow, pw), min(oh, ph), path)
P

now() { date +%s.%N; }
# The cost of taking the time itself (two date processes), taken off below.
i=0 o=0
while [ $i -lt 5 ]; do t0=$(now); t1=$(now); o=$(echo "$o $t0 $t1" | awk '{ printf "%.6f", $1 + $3 - $2 }'); i=$((i + 1)); done
clock=$(echo "$o" | awk '{ printf "%.6f", $1 / 5 }')
# img2sixel on both images, RUNS times; the median time of the pair, its bytes.
i=0
: >"$W/ref"
while [ $i -lt "$RUNS" ]; do
	tot=0 bytes=0
	while read -r w h path; do
		t0=$(now)
		img2sixel -w "$w" -h "$h" "$path" >"$W/ref.six"
		t1=$(now)
		b=$(wc -c <"$W/ref.six")
		tot=$(echo "$tot $t0 $t1 $clock" | awk '{ printf "%.6f", $1 + $3 - $2 - $4 }')
		bytes=$((bytes + b))
	done <"$W/imgs"
	echo "$tot $bytes" >>"$W/ref"
	i=$((i + 1))
done
ref_ms=$(sort -n "$W/ref" | awk '{ t[NR] = $1 } END { printf "%.1f", 1000 * t[int((NR + 1) / 2)] }')
ref_bytes=$(awk 'NR == 1 { print $2 }' "$W/ref")
clock_ms=$(echo "$clock" | awk '{ printf "%.1f", 1000 * $1 }')

{
	cat "$W/frames"
	echo "ref_ms $ref_ms"
	echo "ref_bytes $ref_bytes"
	echo "clock_ms $clock_ms"
	awk '{ printf "ref_img %dx%d %s\n", $1, $2, $3 }' "$W/imgs"
} >"$W/all"
awk -v n="$N" -v q="$QUIET" -v left="$pid" -v pw="$PW" -v ph="$PH" '
$1 == "ref_img" { img[++ni] = $2 " " $3; next }
{ v[$1] = $2 }
END {
	printf "bench-tui: %d accepts over %d candidates, 160x48 cells of 10x20 px, panes %dx%d, quiet gap %d ms\n", v["transitions"], n, pw, ph, q
	printf "  warm transition (key -> last byte)  median %6.1f ms   p95 %6.1f ms (target < 50)   max %6.1f ms\n", v["ms_median"], v["ms_p95"], v["ms_max"]
	printf "  bytes per transition                median %8d   mean %8d   two-pane median %8d\n", v["bytes_median"], v["bytes_mean"], v["bytes_two_median"]
	printf "  sixels per transition (count:n)     %s   median ms by count %s\n", v["sixels_hist"], v["ms_by_sixels"]
	printf "  cold first frame                    %6.1f ms   %8d bytes   %d sixel(s)\n", v["cold_ms"], v["cold_bytes"], v["cold_sixels"]
	printf "  typical two-pane transition         frame %d: #%s (left #%s)   %6.1f ms   %8d bytes\n", v["typical_frame"], v["typical_id"], left, v["typical_ms"], v["typical_bytes"]
	printf "  img2sixel, same two images          %6.1f ms   %8d bytes   (%s, %s; default settings)\n", v["ref_ms"], v["ref_bytes"], img[1], img[2]
	printf "    (wall time per process, start-up and decode included; %.1f ms of timing overhead taken off each)\n", v["clock_ms"]
	r = v["typical_bytes"] / v["ref_bytes"]
	printf "  bytes vs img2sixel (same panes)     %.2fx (target <= 0.70)   median transition %.2fx\n", r, v["bytes_median"] / v["ref_bytes"]
	printf "  verdict: p95 %s, bytes %s\n", (v["ms_p95"] < 50 ? "PASS" : "FAIL"), (r <= 0.7 ? "PASS" : "FAIL")
}' "$W/all"
# The summary lines of make bench (tests/bench/all.sh): bench|figure|reference|ratio|goal|pass.
awk '$1 == "ref_img" { next } { v[$1] = $2 } END { r = v["typical_bytes"] / v["ref_bytes"]
	printf "BENCH tui|warm p95 %.1f ms|-|%.2f|< 50 ms|%s\n", v["ms_p95"], v["ms_p95"] / 50, (v["ms_p95"] < 50 ? "pass" : "fail")
	printf "BENCH tui|%d bytes a two-pane transition|img2sixel %d bytes|%.2f|<= 0.70|%s\n", v["typical_bytes"], v["ref_bytes"], r, (r <= 0.7 ? "pass" : "fail") }' "$W/all"
