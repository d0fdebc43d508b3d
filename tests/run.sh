#!/bin/sh
# Runs every test: the unit binaries in $BUILD/tests, then the shell suites in
# tests/cli. Each prints "PASS: name" / "FAIL: name" lines; a binary or script
# that exits non-zero without printing a FAIL counts as one failure. Ends with
# the summary line "N passed, N failed".
set -u
: "${MMDA:?MMDA must name the mmda binary}"
: "${BUILD:?BUILD must name the build folder}"
export MMDA BUILD
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
export LC_ALL=C.UTF-8 TZ=UTC
TMPROOT=$(mktemp -d "${TMPDIR:-/tmp}/mmda-test.XXXXXX")
export TMPROOT
trap 'rm -rf "$TMPROOT"' EXIT INT TERM

pass=0
fail=0

run_one() { # name, command...
	name=$1
	shift
	out="$TMPROOT/out.$$"
	"$@" >"$out" 2>"$out.err"
	rc=$?
	p=$(grep -c '^PASS: ' "$out")
	f=$(grep -c '^FAIL: ' "$out")
	grep -E '^(PASS|FAIL|SKIP): ' "$out"
	if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
		sed 's/^/    /' "$out.err" | head -n 60
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $name (exit status $rc)"
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}

cd "$TOP" || exit 1
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done

for s in "$TOP"/tests/cli/*.sh; do
	[ -f "$s" ] || continue
	run_one "$(basename "$s")" sh "$s"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
