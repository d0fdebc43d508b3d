# Shared helpers for tests/cli/*.sh: each check prints one PASS/FAIL line.
# shellcheck shell=sh
: "${MMDA:?}" "${TMPROOT:?}" "${TOP:?}"
T=$(mktemp -d "$TMPROOT/cli.XXXXXX")
SUITE=$(basename "$0" .sh)

pass() { echo "PASS: $SUITE/$1"; }
fail() { echo "FAIL: $SUITE/$1${2:+: $2}"; echo "  $SUITE/$1: ${2:-}" >&2; }
# check NAME COMMAND...: passes when the command succeeds.
check() { n=$1; shift; if "$@"; then pass "$n"; else fail "$n" "$*"; fi; }
# json_get FILE EXPR: evaluates a Python expression on the parsed document `d`.
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
