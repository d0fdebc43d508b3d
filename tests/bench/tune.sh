#!/bin/sh
# make bench-tune: times core/tune over 1,000,000 synthetic candidates with
# 5,000 labels (N and LABELS override): index build, 10,001 evaluations at
# cutoffs moving in small steps (median and worst; target median < 2 ms),
# AUC and the suggested cutoffs. Builds nothing: BENCH_TUNE names the
# bench_tune binary. Fails when the median misses the target.
set -eu
: "${BENCH_TUNE:?BENCH_TUNE must name the bench_tune binary}"
N=${N:-1000000}
LABELS=${LABELS:-5000}
out=$("$BENCH_TUNE" "$N" "$LABELS") || { rc=$?; echo "$out"; exit $rc; }
echo "$out"
# The summary line of make bench (tests/bench/all.sh): bench|figure|reference|ratio|goal|pass.
echo "$out" | awk '$1 == "eval_at" { m = $5
	printf "BENCH tune|cutoff evaluation median %.3f us|-|%.5f|< 2 ms|%s\n", m, m / 2000, (m < 2000 ? "pass" : "fail") }'
