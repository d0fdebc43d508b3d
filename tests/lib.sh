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
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); v=($2); print(v)" "$1"; }
# integrity DB: passes when SQLite's integrity and foreign-key checks are clean.
integrity() { [ "$(sqlite3 "$1" 'PRAGMA integrity_check' 2>&1)" = ok ] && [ -z "$(sqlite3 "$1" 'PRAGMA foreign_key_check' 2>&1)" ]; }
# has_esc FILE: true when the file holds an ESC, CSI (C1) or BEL byte.
has_esc() { LC_ALL=C grep -q "$(printf '[\033\007]')" "$1" || LC_ALL=C grep -q "$(printf '\302\233')" "$1"; }
# one_json FILE: true when the file is exactly one JSON document.
one_json() { python3 -c "import json,sys; json.loads(open(sys.argv[1]).read())" "$1" 2>/dev/null; }
SAMPLE="$TOP/tests/data/sample"
no_esc() { ! has_esc "$1"; }
