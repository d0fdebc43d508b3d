# Usage errors exit 2 with a message; --help documents every command; README matches.
. "$TOP/tests/lib.sh"

usage_rc() { "$MMDA" "$@" >/dev/null 2>"$T/err"; echo $?; }
check no-args-exit-2 [ "$(usage_rc)" = 2 ]
check unknown-command-exit-2 [ "$(usage_rc frobnicate)" = 2 ]
check import-no-source-exit-2 [ "$(usage_rc import "$T/x.db")" = 2 ]
check import-bad-format-exit-2 [ "$(usage_rc import "$T/x.db" a.jsonl --format yaml)" = 2 ]
check bad-format-message grep -q "mmda: import: unknown format yaml" "$T/err"
check unknown-option-exit-2 [ "$(usage_rc stats "$T/x.db" --frob)" = 2 ]
check decide-bad-answer-exit-2 [ "$(usage_rc decide "$T/x.db" 1 maybe)" = 2 ]
check show-missing-db-exit-1 [ "$(usage_rc show "$T/none.db" 1)" = 1 ]
check missing-db-not-created [ ! -e "$T/none.db" ]
check runtime-error-format grep -q "^mmda: show: .*none.db: No such file" "$T/err"
printf '\033]0;x\007' >"$T/evil"
"$MMDA" "$(cat "$T/evil")" >/dev/null 2>"$T/err"
check unknown-command-sanitised no_esc "$T/err"

"$MMDA" --help >"$T/help"
for c in init import stats show decide undo ops backends augment replay metrics score threshold tune export next conflicts merge review probe demo; do
	check "help-lists-$c" grep -q "^  mmda $c " "$T/help"
	check "help-$c-exit-0" sh -c "'$MMDA' $c --help >/dev/null"
done
# The README's command reference is the --help text itself.
python3 - "$TOP/README.md" "$T/help" >"$T/diff" <<'P'
import sys
readme = open(sys.argv[1]).read()
helptext = open(sys.argv[2]).read()
start = readme.index("<!-- help:begin -->")
end = readme.index("<!-- help:end -->")
block = readme[start:end].split("```")[1].lstrip("\n")
if block != helptext:
    print("README differs from mmda --help")
    sys.exit(1)
P
check readme-matches-help [ $? -eq 0 ]
check version sh -c "'$MMDA' --version | grep -q '^mmda '"

# make check-deps passes on the tree and catches each kind of planted violation
# in a copy of it, naming the file and the rule.
check check-deps-clean sh -c "cd '$TOP' && sh scripts/check-deps.sh >/dev/null 2>&1"
plant() { # NAME FILE LINE RULE-TEXT: the copy with LINE appended to FILE fails naming RULE
	rm -rf "$T/tree" && mkdir -p "$T/tree"
	(cd "$TOP" && cp -r core db tui views cli "$T/tree/")
	sh "$TOP/scripts/check-deps.sh" "$T/tree" >/dev/null 2>&1 || fail "check-deps-copy-$1" "the clean copy fails"
	printf '%s\n' "$3" >>"$T/tree/$2"
	sh "$TOP/scripts/check-deps.sh" "$T/tree" >/dev/null 2>"$T/cd.err"
	check "check-deps-catches-$1" [ $? -eq 1 ]
	check "check-deps-names-$1" grep -q "^check-deps: $2:[0-9]*: .*$4" "$T/cd.err"
}
plant sqlite-in-core core/ops/ops.c '#include <sqlite3.h>' 'only db/ speaks SQL'
plant curses-in-core core/metrics/tune.c '#include <curses.h>' 'talk to the terminal'
plant base-up core/base/util.c '#include "core/image/image.h"' 'core/base must not include core/image'
plant models-ops core/models/http.c '#include "core/ops/ops.h"' 'core/models must not include core/ops'
plant text-up core/text/wordnet.c '#include "core/ops/ops.h"' 'core/text must not include core/ops'
plant private-header core/modelops/mops_text.c '#include "core/ops/ops_impl.h"' 'a private header of core/ops'
plant db-beyond-store db/merge.c '#include "core/ops/ops.h"' 'db must not include core/ops'
plant views-db views/list.c '#include "db/db.h"' 'views must not include db'
plant tui-cli tui/render.c '#include "cli/cli.h"' 'tui must not include cli'
plant cli-db cli/cmd_show.c '#include "db/db.h"' 'cli must not include db'
plant curl-outside-models core/ops/augment.c '#include <curl/curl.h>' 'only core/models talks HTTP'
