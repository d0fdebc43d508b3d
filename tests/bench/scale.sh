#!/bin/sh
# make bench-scale: projects of 10,000, 100,000 and 1,000,000 candidates
# (SIZES overrides), half of them originals imported from a JSONL manifest
# over four small sample images, half "noise" candidates derived from them and
# written with their lineage, scores (ssim, phash_dist, pixel_std) and a seed
# annotator's decisions (10 % accepted, 10 % rejected) by plain SQL into the
# project's own tables: what `mmda augment` and `mmda score` would store, at a
# cost that does not hide the figures under test. An ssim threshold is set
# through `mmda threshold`. For each size: the import, `mmda stats`, `mmda
# next` with leases, the export of the accepted 10 % (jsonl, --images ref),
# and over the fake terminal (tests/tools/ptyterm.c) the review screen's first
# frame (from the process start), the list sorted by ssim, the thresholds
# screen and a cutoff move (each from its key to its frame's last byte). Each
# with the peak RSS of the mmda process and the cost per candidate (per pair
# for the import), so a figure that grows faster than the project shows as a
# growing per-item cost.
# Goals at 1M: review first frame < 1 s and < 200 MB; list sort and the
# thresholds screen < 300 ms each; stats < 500 ms.
#
#   MMDA=... BENCH_PTYTERM=build/tools/ptyterm sh tests/bench/scale.sh
#
# SCALE_QUIET (ms; default 1500, or a size / 250 when that is more: 4 s at 1M) is how
# long ptyterm waits for the screen to settle before the next key: it must exceed
# the slowest step, or that step's output would be counted in the next key's frame.
set -eu
: "${MMDA:?}" "${BENCH_PTYTERM:?}"
SIZES=${SIZES:-"10000 100000 1000000"}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench-scale: $TIME is missing (make bench-deps installs it)" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/mmda-bench-scale.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/src/images"
for f in horse text clock_motion coins; do cp "$TOP/tests/data/sample/images/$f.png" "$W/src/images/"; done
export MMDA_ANNOTATOR=bench
unset TMUX STY TERM_PROGRAM TERM_PROGRAM_VERSION SSH_CONNECTION COLUMNS LINES

# timed LABEL N CMD...: runs CMD under GNU time, appends "LABEL N ms kib" to the results
timed() {
	label=$1 items=$2
	shift 2
	"$TIME" -o "$W/t" -f "%e %M" "$@" >"$W/cmd.out" 2>"$W/cmd.err" || {
		echo "bench-scale: $label failed:" >&2; tail -n 5 "$W/cmd.err" >&2; exit 1; }
	awk -v l="$label" -v n="$items" -v s="$size" 'END { printf "%s %s %s %.0f %d\n", s, l, n, $1 * 1000, $2 }' \
	    "$W/t" >>"$W/results"
}

# pty KEYS: the review screen under ptyterm; the frame lines land in $W/pty.out,
# mmda's own peak RSS in $W/pty.rss
pty() {
	"$BENCH_PTYTERM" --cols 160 --rows 48 --cell-w 10 --cell-h 20 --answer xterm-vt340 \
	    --keys "$1" --quiet "$QUIET" --timeout 600 -- \
	    "$TIME" -o "$W/pty.rss" -f "%M" "$MMDA" review "$DB" --renderer none \
	    >"$W/pty.out" 2>"$W/pty.err" || {
		echo "bench-scale: ptyterm failed:" >&2; tail -n 5 "$W/pty.out" "$W/pty.err" >&2; exit 1; }
	grep -qx "exit 0" "$W/pty.out" || { echo "bench-scale: review did not exit 0" >&2; tail -n 3 "$W/pty.out" >&2; exit 1; }
}
# frame K LABEL: appends key K's frame time (frame 0: the first) with the session's RSS.
# A step slower than QUIET lets the next key go before its output: that output then
# lands in frame K + 1, which takes longer than a quick key can. The figure is then
# only known to exceed QUIET: QUIET is recorded, said so (and the next one is suspect).
frame() {
	awk -v k="$1" -v l="$2" -v s="$size" -v q="$QUIET" -v rss="$(cat "$W/pty.rss")" '
	$1 == "frame" { ms[$2] = $8; by[$2] = $4 }
	END {
		if (!(k in ms)) exit 1
		t = ms[k]
		if ((k + 1) in ms && ms[k + 1] > q / 2) {
			t = q
			printf "bench-scale: %s at %d took longer than SCALE_QUIET (%d ms): recorded as %d, a lower bound; the next figure holds the rest\n", l, s, q, q > "/dev/stderr"
		} else if (by[k] == 0) {
			print "bench-scale: " l ": the frame is empty" > "/dev/stderr"
			exit 1
		}
		printf "%s %s %s %.0f %d\n", s, l, s, t, rss
	}' "$W/pty.out" >>"$W/results" || {
		echo "bench-scale: no frame $1 for $2" >&2; exit 1; }
}

: >"$W/results"
for size in $SIZES; do
	half=$((size / 2))
	QUIET=${SCALE_QUIET:-$((size / 250 > 1500 ? size / 250 : 1500))}
	DB=$W/p$size.db
	python3 - "$W/src/m.jsonl" "$half" <<'P'
import sys
out, n = sys.argv[1], int(sys.argv[2])
imgs = ("horse", "text", "clock_motion", "coins")
words = "a photo of the small red dog cat on grass table street man woman car tree sky".split()
with open(out, "w") as f:
    for i in range(n):
        t = " ".join(words[(i * k + k) % len(words)] for k in range(1, 9))
        f.write('{"id": "p%07d", "file_name": "images/%s.png", "text": "%s %d"}\n'
                % (i, imgs[i % 4], t, i))
P
	timed import "$half" "$MMDA" import "$DB" "$W/src/m.jsonl"
	sqlite3 "$DB" <<SQL
BEGIN;
INSERT INTO candidates (aug_id, op, params, seed, root_id, image_path, text, width, height, created_at)
  SELECT printf('%064x', id), 'noise', '{"sigma":8}', id, root_id, image_path, text || ' (noise)',
         width, height, created_at FROM candidates WHERE op = 'original' ORDER BY id;
INSERT INTO lineage (child, slot, parent) SELECT id, 0, id - $half FROM candidates WHERE id > $half;
INSERT INTO scores (candidate, metric, model, value, computed_at)
  SELECT id, 'ssim', '', ((id * 2654435761) % 1000003) / 1000003.0, 0 FROM candidates WHERE id > $half;
INSERT INTO scores (candidate, metric, model, value, computed_at)
  SELECT id, 'phash_dist', '', (id * 40503) % 65, 0 FROM candidates WHERE id > $half;
INSERT INTO scores (candidate, metric, model, value, computed_at)
  SELECT id, 'pixel_std', '', 2 + ((id * 7919) % 1000) / 10.0, 0 FROM candidates;
INSERT INTO decisions (candidate, annotator, answer, at)
  SELECT id, 'seed', CASE WHEN id % 10 = 0 THEN 'accept' ELSE 'reject' END, 0
  FROM candidates WHERE id % 10 IN (0, 5);
COMMIT;
SQL
	n=$(sqlite3 "$DB" "SELECT count(*) FROM candidates")
	[ "$n" -eq "$size" ] || { echo "bench-scale: $n candidates for $size" >&2; exit 1; }
	"$MMDA" threshold "$DB" ssim --min 0.5 --annotator seed >/dev/null

	timed stats "$size" "$MMDA" stats "$DB"
	timed next "$size" "$MMDA" next "$DB" --annotator bench --overlap 1
	rm -rf "$W/out"
	timed export-10% "$((size / 10))" "$MMDA" export "$DB" --format jsonl --select accepted \
	    --images ref --out "$W/out"
	got=$(wc -l <"$W/out/pairs.jsonl")
	[ "$got" -eq "$((size / 10))" ] || { echo "bench-scale: exported $got of $((size / 10))" >&2; exit 1; }

	# The first frame alone, then list, sort by ssim (o, ssim, Enter),
	# thresholds, a cutoff move, back, quit: frames 7, 8 and 9.
	pty q
	frame 0 review-open
	pty "$(printf 'lossim\rtlqq')"
	frame 1 list-open
	frame 7 list-sort
	frame 8 thresholds
	frame 9 cutoff-move
	rm -rf "$DB" "$DB-wal" "$DB-shm" "$W/out"
done

awk -v sizes="$SIZES" '
{ key = $2; if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
  ms[$1, key] = $4; kib[$1, key] = $5; per[$1, key] = $4 * 1000 / $3 }
END {
	ns = split(sizes, s, " ")
	printf "bench-scale: per size, time, peak RSS of the mmda process, cost per item (us; import per pair, export per row)\n"
	printf "  %-13s", "figure"
	for (i = 1; i <= ns; i++) printf " | %25s", s[i] " candidates"
	printf " | growth\n"
	for (k = 1; k <= nk; k++) {
		f = order[k]
		printf "  %-13s", f
		for (i = 1; i <= ns; i++)
			printf " | %7d ms %5.0f MB %6.2f us", ms[s[i], f], kib[s[i], f] / 1024, per[s[i], f]
		# per-item cost at the largest size over the smallest: 1 is linear
		g = per[s[1], f] > 0 ? per[s[ns], f] / per[s[1], f] : 0
		printf " | %5.2fx\n", g
	}
	printf "  growth: per-item cost at the largest size over the smallest (1 = linear, below 1 = a fixed cost amortised)\n"
	big = s[ns]
	nb = split("review-open:1000 list-sort:300 thresholds:300 stats:500", goal, " ")
	for (i = 1; i <= nb; i++) {
		split(goal[i], g2, ":")
		t = ms[big, g2[1]]
		printf "BENCH scale|%s at %d|%d ms|%.2f|< %d ms|%s\n", g2[1], big, t, t / g2[2], g2[2], (t < g2[2] ? "pass" : "fail")
	}
	m = kib[big, "review-open"] / 1024
	printf "BENCH scale|review RSS at %d|%.0f MB|%.2f|< 200 MB|%s\n", big, m, m / 200, (m < 200 ? "pass" : "fail")
}' "$W/results"
