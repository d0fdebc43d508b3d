# mmda decide and undo through the append-only log, and concurrent annotators.
. "$TOP/tests/lib.sh"
DB=$T/d.db
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null

"$MMDA" decide "$DB" chelsea-1 accept --annotator alice >"$T/out"
check decide-prints grep -q "accept by alice" "$T/out"
MMDA_ANNOTATOR=bob "$MMDA" decide "$DB" chelsea-1 reject --note "blurry" --json >"$T/out"
check decide-env-annotator [ "$(json_get "$T/out" "d['annotator'], d['answer']")" = "('bob', 'reject')" ]
"$MMDA" decide "$DB" coins-1 skip --annotator alice >/dev/null
"$MMDA" decide "$DB" coins-1 reject --annotator alice >/dev/null
"$MMDA" stats "$DB" --json >"$T/s"
check stats-per-annotator [ "$(json_get "$T/s" "d['annotators']['alice'], d['annotators']['bob']['reject']")" = "({'accept': 1, 'reject': 1, 'skip': 0, 'log_entries': 3}, 1)" ]
check stats-decisions [ "$(json_get "$T/s" "d['decisions'], d['decided'], d['undecided']")" = "({'accept': 1, 'reject': 2, 'skip': 0}, 2, 15)" ]

"$MMDA" undo "$DB" --annotator alice --json >"$T/u"
check undo-retracts-latest [ "$(json_get "$T/u" "d['undone']")" = True ]
"$MMDA" show "$DB" coins-1 --json >"$T/show"
check undo-restores-previous [ "$(json_get "$T/show" "[(x['annotator'], x['answer']) for x in d['decisions']]")" = "[('alice', 'skip')]" ]
"$MMDA" undo "$DB" --annotator alice >/dev/null
"$MMDA" undo "$DB" --annotator alice >/dev/null
"$MMDA" undo "$DB" --annotator alice --json >"$T/u"
check undo-nothing-left [ "$(json_get "$T/u" "d['undone']")" = False ]
check log-append-only [ "$(sqlite3 "$DB" "SELECT count(*) FROM decisions")" = 7 ]
"$MMDA" decide "$DB" 999 accept >/dev/null 2>"$T/err"; rc=$?
check decide-missing-exit-1 [ $rc -eq 1 ]
check decide-missing-says grep -q "999: no candidate" "$T/err"

# Two and three processes deciding at once lose nothing and never see "locked".
N=60
worker() { # name
	i=0
	while [ $i -lt $N ]; do
		c=$(( (i % 17) + 1 ))
		a=accept; [ $((i % 3)) -eq 1 ] && a=reject; [ $((i % 3)) -eq 2 ] && a=skip
		"$MMDA" decide "$DB" $c $a --annotator "$1" >/dev/null 2>>"$T/conc.err" || echo "fail $1 $i" >>"$T/conc.err"
		i=$((i + 1))
	done
}
: >"$T/conc.err"
before=$(sqlite3 "$DB" "SELECT count(*) FROM decisions")
worker w1 & p1=$!
worker w2 & p2=$!
worker w3 & p3=$!
wait $p1 $p2 $p3
after=$(sqlite3 "$DB" "SELECT count(*) FROM decisions")
check concurrent-none-lost [ $((after - before)) -eq $((3 * N)) ]
check concurrent-no-errors [ ! -s "$T/conc.err" ]
check concurrent-per-annotator [ "$(sqlite3 "$DB" "SELECT count(DISTINCT annotator) || '/' || count(*) FROM decisions WHERE annotator LIKE 'w%'")" = "3/$((3 * N))" ]
check integrity-after-concurrency integrity "$DB"

# init upgrades an old database in place; a second init changes nothing.
sqlite3 "$T/old.db" <"$TOP/tests/data/schema-v1.sql"
"$MMDA" init "$T/old.db" >"$T/out"
check init-upgrades [ "$(sqlite3 "$T/old.db" 'PRAGMA user_version')" = 6 ]
check init-scoped-thresholds [ "$(sqlite3 "$T/old.db" "SELECT count(*) FROM pragma_table_info('thresholds') WHERE name = 'scope'")" = 1 ]
"$MMDA" init "$T/old.db" >"$T/out2"
check init-twice-noop cmp -s "$T/out" "$T/out2"
check integrity-after-upgrade integrity "$T/old.db"

# stats counts each candidate decided once and each answer in force once, lists the
# annotators with answers in force by name and then those whose every decision was
# undone; agreement asks for two annotators in force, not two names in the log.
"$MMDA" import "$T/st.db" "$SAMPLE/captions.jsonl" >/dev/null
"$MMDA" decide "$T/st.db" 1 accept --annotator zed >/dev/null
"$MMDA" decide "$T/st.db" 3 accept --annotator bob >/dev/null
"$MMDA" undo "$T/st.db" --annotator bob >/dev/null
"$MMDA" stats "$T/st.db" --json >"$T/st1"
check stats-one-in-force [ "$(json_get "$T/st1" "d['decided'], d['agreement']['method']")" = "(1, 'none')" ]
"$MMDA" decide "$T/st.db" 2 reject --annotator amy >/dev/null
"$MMDA" decide "$T/st.db" 1 reject --annotator amy >/dev/null
"$MMDA" decide "$T/st.db" 1 skip --annotator zed >/dev/null
"$MMDA" stats "$T/st.db" --json >"$T/st2"
check stats-decided-once [ "$(json_get "$T/st2" "d['decided'], d['undecided'], d['decisions']")" = "(2, 15, {'accept': 0, 'reject': 2, 'skip': 1})" ]
check stats-agreement-two [ "$(json_get "$T/st2" "d['agreement']['method'], d['agreement']['overall']['items']")" = "('cohen', 1)" ]
"$MMDA" stats "$T/st.db" >"$T/st3"
check stats-annotator-order [ "$(sed -n '/^annotators/,/^agreement/p' "$T/st3" | awk 'NR > 1 && $1 != "agreement" { printf "%s ", $1 }')" = "amy zed bob " ]
