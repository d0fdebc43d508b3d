# Three processes decide on one database at the same time for a while
# (MMDA_CONCURRENCY_SECONDS, default 60): nothing lost, never "locked".
. "$TOP/tests/lib.sh"
DB=$T/c.db
SECONDS_TOTAL=${MMDA_CONCURRENCY_SECONDS:-60}
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null
worker() { # name: decides until the deadline, counting successes
	end=$(( $(date +%s) + SECONDS_TOTAL ))
	n=0
	while [ "$(date +%s)" -lt $end ]; do
		c=$(( (n % 17) + 1 ))
		if "$MMDA" decide "$DB" $c accept --annotator "$1" >/dev/null 2>>"$T/err.$1"; then
			n=$((n + 1))
		else
			echo "failed" >>"$T/err.$1"
		fi
		[ $((n % 7)) -eq 3 ] && "$MMDA" undo "$DB" --annotator "$1" >/dev/null 2>>"$T/err.$1" && n=$((n + 1))
	done
	echo $n >"$T/count.$1"
}
: >"$T/err.p1"; : >"$T/err.p2"; : >"$T/err.p3"
worker p1 & w1=$!
worker p2 & w2=$!
worker p3 & w3=$!
wait $w1 $w2 $w3
total=$(( $(cat "$T/count.p1") + $(cat "$T/count.p2") + $(cat "$T/count.p3") ))
logged=$(sqlite3 "$DB" "SELECT count(*) FROM decisions")
check three-writers-nothing-lost [ "$logged" -eq "$total" ]
check three-writers-no-errors sh -c "! grep -q . '$T/err.p1' '$T/err.p2' '$T/err.p3'"
cat "$T/err.p1" "$T/err.p2" "$T/err.p3" | sort | uniq -c | head -5 >&2
check three-writers-made-progress [ "$total" -gt 100 ]
check integrity-after-concurrency integrity "$DB"
