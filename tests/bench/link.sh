#!/bin/sh
# make bench-link: the review screen over a slow link. ptyterm (tests/tools)
# answers as xterm in VT340 mode at 160x48 with 10x20 px cells, reads the
# app's output no faster than the link's rate and delays keys by half the
# round trip (50 ms). Per rate (100, 10, 2 Mbit/s), two reviewers:
#   - a patient one types 'a' once the pair has finished drawing: the time
#     from the key to the next pair being readable (every pane it changes
#     has a whole image, a preview or the final one) and to its last byte;
#   - a fast one types 'a' every 150 ms whatever is drawn: the time from each
#     key reaching mmda to its decision being in the database (p50, p95).
# MMDA_BEFORE=path/to/an/older/mmda runs the same beside it, as a baseline.
# Each with sixel (ptyterm answering as xterm in VT340 mode) and with kitty
# graphics (answering as kitty; a placement counts as a pane drawn). Goals at
# 10 Mbit/s: readable < 150 ms, final < 400 ms p95; a decision stored < 20 ms
# after its key whatever is being drawn.
set -eu
: "${MMDA:?}" "${BENCH_PTYTERM:?}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SAMPLE=$TOP/tests/data/sample
RTT=${RTT:-50}
RATES=${RATES:-"100000 10000 2000"}
W=$(mktemp -d "${TMPDIR:-/tmp}/mmda-bench-link.XXXXXX")
trap 'rm -rf "$W"' EXIT
# base BIN NAME: the project each build reviews, made by that build (an older
# one cannot open a newer schema).
base() {
	"$1" import "$W/base-$2.db" "$SAMPLE/captions.jsonl" --root "$SAMPLE" >/dev/null
	for op in hflip noise mixgen; do "$1" augment "$W/base-$2.db" --op $op --jobs 2 >/dev/null; done
}
base "$MMDA" new
[ -z "${MMDA_BEFORE:-}" ] || base "$MMDA_BEFORE" before
export MMDA_ANNOTATOR=bench
unset TMUX STY TERM_PROGRAM TERM_PROGRAM_VERSION SSH_CONNECTION COLUMNS LINES

# run BIN RATE MODE KEYS BUILD RENDERER: prints "p50 p95" of the mode's figure
run() {
	rm -f "$W/r.db" "$W/r.db-wal" "$W/r.db-shm"
	sqlite3 "$W/base-$5.db" ".backup '$W/r.db'"
	rm -rf "$W/r.db.objects"
	ln -s "$W/base-$5.db.objects" "$W/r.db.objects"
	if [ "$3" = patient ]; then pace="--quiet 150"; else pace="--every 150 --db $W/r.db"; fi
	# shellcheck disable=SC2086
	answer=xterm-vt340
	[ "$6" = kitty ] && answer=kitty
	"$BENCH_PTYTERM" --cols 160 --rows 48 --cell-w 10 --cell-h 20 --answer $answer \
	    --link "$2" --rtt "$RTT" $pace --keys a --repeat "$4" --then q --quiet 150 \
	    --timeout 600 -- "$1" review "$W/r.db" --renderer "$6" >"$W/out" 2>"$W/err" || {
		echo "bench-link: ptyterm failed" >&2; tail -n 3 "$W/out" "$W/err" >&2; exit 1; }
	python3 - "$W/out" "$3" "$4" <<'P'
import sys
out, mode, keys = sys.argv[1], sys.argv[2], int(sys.argv[3])
first, final, stored = [], [], []
for l in open(out):
    f = l.split()
    if f and f[0] == "frame" and 1 <= int(f[1]) <= keys and float(f[9]) > 0:
        first.append(float(f[9]))
        final.append(float(f[7]))
    if f and f[0] == "stored":
        stored.append(float(f[3]))
def q(v):
    v = sorted(v)
    return "%.0f %.0f" % (v[len(v) // 2], v[max(0, -(-95 * len(v) // 100) - 1)]) if v else "- -"
print(q(first) + " " + q(final) if mode == "patient" else q(stored))
P
}

printf 'bench-link: review at 160x48 (10x20 px cells), round trip %s ms\n' "$RTT"
printf '  %-6s %-13s %-16s %-16s %s\n' link build "readable p50 p95" "final p50 p95" "key to stored p50 p95 (ms)"
for rate in $RATES; do
	keys=12
	[ "$rate" -lt 5000 ] && keys=6
	# The older build is timed with sixel only: it may have no kitty renderer.
	for build in new:sixel new:kitty before:sixel; do
		r=${build#*:}
		build=${build%:*}
		bin=$MMDA
		if [ $build = before ]; then
			[ -n "${MMDA_BEFORE:-}" ] || continue
			bin=$MMDA_BEFORE
		fi
		p=$(run "$bin" "$rate" patient "$keys" $build $r)
		f=$(run "$bin" "$rate" fast 12 $build $r)
		# shellcheck disable=SC2086
		set -- $p
		printf '  %-6s %-13s %-16s %-16s %s\n' "$((rate / 1000))M" "$build $r" "$1 $2" "$3 $4" "$f"
		[ "$rate" -ne 10000 ] || [ $build != new ] || echo "$p $f" >"$W/at10-$r"
	done
done
# The summary lines of make bench (tests/bench/all.sh): bench|figure|reference|ratio|goal|pass.
for r in sixel kitty; do
	[ ! -f "$W/at10-$r" ] || awk -v r=$r '{
	printf "BENCH link|10M %s readable p95 %s ms|-|%.2f|< 150 ms|%s\n", r, $2, $2 / 150, ($2 < 150 ? "pass" : "fail")
	printf "BENCH link|10M %s final p95 %s ms|-|%.2f|< 400 ms|%s\n", r, $4, $4 / 400, ($4 < 400 ? "pass" : "fail")
	printf "BENCH link|10M %s key to stored p95 %s ms|-|%.2f|< 20 ms|%s\n", r, $6, $6 / 20, ($6 < 20 ? "pass" : "fail") }' "$W/at10-$r"
done
