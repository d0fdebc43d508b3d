#!/bin/sh
# make bench-backends: throughput of the HTTP engine against the loopback
# stub (tests/http/stub.py) answering every request after LATENCY_MS (100).
# N (2000) chat-completion POSTs at CONCURRENCY (16) in flight should reach
# at least 90 % of the ideal CONCURRENCY / latency requests per second.
# Builds nothing: BENCH_BACKENDS names the bench_backends binary. Fails when
# the ratio misses the target or a request failed.
set -eu
: "${BENCH_BACKENDS:?BENCH_BACKENDS must name the bench_backends binary}"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
N=${N:-2000}
CONCURRENCY=${CONCURRENCY:-16}
LATENCY_MS=${LATENCY_MS:-100}
TARGET=${TARGET:-0.9}
T=$(mktemp -d "${TMPDIR:-/tmp}/mmda-bench-backends.XXXXXX")
. "$TOP/tests/http/stub.sh"
# stub.sh's EXIT trap stops the stub; the temp folder goes after it.
stub_start "$LATENCY_MS"
trap '_stub_cleanup; rm -rf "$T"' EXIT

rc=0
"$BENCH_BACKENDS" "$STUB_URL" "$N" "$CONCURRENCY" "$LATENCY_MS" >"$T/out" || rc=$?
cat "$T/out"
stub_stop || true
ratio=$(sed -n 's/^RESULT ratio=\([0-9.]*\).*/\1/p' "$T/out")
if [ -z "$ratio" ]; then
	echo "bench-backends: FAIL: the tool printed no result (exit $rc)"
	exit 1
fi
if [ "$rc" -ne 0 ]; then
	echo "bench-backends: FAIL: ratio $ratio, but some requests failed"
	exit 1
fi
if awk -v r="$ratio" -v t="$TARGET" 'BEGIN { exit !(r >= t) }'; then
	echo "bench-backends: PASS: ratio $ratio >= $TARGET of the ideal"
else
	echo "bench-backends: FAIL: ratio $ratio < $TARGET of the ideal"
	exit 1
fi
