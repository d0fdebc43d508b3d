#!/bin/sh
# make bench: every bench in turn (their own output goes by as they run), then
# one table of their figures against their goals. Each bench script prints
# its summary as lines "BENCH bench|figure|reference|ratio|goal|pass"; the two
# whose output is a tool's own (bench-learn, bench-backends) are read here. A
# bench that fails before its summary is a row of its own, marked fail.
# BENCHES picks some: BENCHES="import scale" make bench.
#
#   MAKE=make sh tests/bench/all.sh
set -u
MAKE=${MAKE:-make}
BENCHES=${BENCHES:-"import augment tune score export tui link backends learn scale"}
W=$(mktemp -d "${TMPDIR:-/tmp}/mmda-bench-all.XXXXXX")
trap 'rm -rf "$W"' EXIT
: >"$W/rows"
for b in $BENCHES; do
	echo "== make bench-$b"
	t0=$(date +%s)
	{ "$MAKE" --no-print-directory "bench-$b" 2>&1; echo $? >"$W/rc"; } | tee "$W/out" |
	    grep -v '^BENCH '
	rc=$(cat "$W/rc")
	t1=$(date +%s)
	case $b in
	learn)
		sed -n 's/^  uncertain \/ random = \([0-9.]*\) (goal <= \([0-9.]*\)): \([A-Z]*\).*/BENCH learn|uncertain order: labels needed|random order|\1|<= \2|\3/p' \
		    "$W/out" | tr 'A-Z' 'a-z' | sed 's/^bench learn/BENCH learn/' >>"$W/rows" ;;
	backends)
		sed -n 's/^RESULT ratio=\([0-9.]*\).*/\1/p' "$W/out" | awk -v rc=$rc '{
			printf "BENCH backends|%.2f of the ideal rate|concurrency / latency|%.2f|>= 0.90|%s\n", $1, $1, (($1 >= 0.9 && rc == 0) ? "pass" : "fail") }' \
		    >>"$W/rows" ;;
	*)
		grep '^BENCH ' "$W/out" >>"$W/rows" ;;
	esac
	if ! grep -q "^BENCH $b|" "$W/rows"; then
		echo "BENCH $b|no figures (exit $rc)|-|-|-|fail" >>"$W/rows"
	elif [ $rc -ne 0 ]; then
		echo "BENCH $b|the bench exited $rc|-|-|-|fail" >>"$W/rows"
	fi
	echo "   ($((t1 - t0)) s)"
done

echo
echo "make bench: one run, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc 2>/dev/null || echo ?) cores"
sed 's/^BENCH //' "$W/rows" | awk -F'|' '
{ for (i = 1; i <= 6; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) }
  n = NR; fails += ($6 != "pass") }
END {
	split("bench|figure|reference|ratio|goal|pass/fail", h, "|")
	for (i = 1; i <= 6; i++) if (length(h[i]) > w[i]) w[i] = length(h[i])
	# mawk has no * width: each column its own format
	for (i = 1; i <= 6; i++) printf ((i > 1 ? " | " : "  ") "%-" w[i] "s"), h[i]
	printf "\n"
	for (i = 1; i <= 6; i++) { s = ""; while (length(s) < w[i]) s = s "-"; printf "%s%s", (i > 1 ? "-+-" : "  "), s }
	printf "\n"
	for (r = 1; r <= n; r++) {
		for (i = 1; i <= 6; i++) printf ((i > 1 ? " | " : "  ") "%-" w[i] "s"), c[r, i]
		printf "\n"
	}
	printf "  %d figures, %d pass, %d fail\n", n, n - fails, fails
}'
