# mmda tune --learn: the learned filter over a project's scores and decisions,
# cross-validated beside the best single threshold, kept as a versioned
# setting, its probabilities a metric that thresholds and screens use.
. "$TOP/tests/lib.sh"
"$MMDA" demo "$T/d" >/dev/null 2>&1
DB=$T/d/demo.db
check demo-built [ -s "$DB" ]
# Too few labels: a clear error, nothing written.
"$MMDA" tune "$DB" --learn >/dev/null 2>"$T/err"
check too-few-exit-1 [ $? -eq 1 ]
check too-few-says grep -q "needs at least 5 accepted and 5 rejected candidates (has 0 and 0)" "$T/err"
check too-few-writes-nothing [ "$(sqlite3 "$DB" "SELECT count(*) FROM scores WHERE metric = 'learned_accept'")" = 0 ]
# A reviewer who accepts flips and rejects mixes, with a few exceptions.
sqlite3 "$DB" "SELECT id, op FROM candidates WHERE op <> 'original' ORDER BY id" | while IFS='|' read -r id op; do
	ans=reject
	[ "$op" = hflip ] && ans=accept
	[ $((id % 9)) -eq 0 ] && { [ $ans = accept ] && ans=reject || ans=accept; }
	"$MMDA" decide "$DB" "$id" $ans --annotator lab >/dev/null
done
"$MMDA" tune "$DB" --learn --json >"$T/l1"
check learn-one-json one_json "$T/l1"
check learn-version-1 [ "$(json_get "$T/l1" "d['model']['version']")" = 1 ]
check learn-trained-on [ "$(json_get "$T/l1" "d['model']['trained_on']")" = 34 ]
check learn-cv-keys [ "$(json_get "$T/l1" "sorted(k for k in d['cv'] if k != 'k')")" = "['auc', 'f1', 'folds', 'precision', 'recall']" ]
check learn-five-folds [ "$(json_get "$T/l1" "len(d['cv']['folds'])")" = 5 ]
check learn-best-single [ "$(json_get "$T/l1" "sorted(d['best_single'])")" = "['auc', 'cutoff', 'f1', 'keep', 'metric', 'precision', 'recall']" ]
check learn-op-feature [ "$(json_get "$T/l1" "'op=hflip' in d['model']['coefficients']")" = True ]
# The op decides here: the learned filter must find it and beat chance clearly.
check learn-cv-auc-high [ "$(json_get "$T/l1" "d['cv']['auc'] > 0.8")" = True ]
check learn-scored-all [ "$(sqlite3 "$DB" "SELECT count(*) FROM scores WHERE metric = 'learned_accept'")" = "$(sqlite3 "$DB" "SELECT count(*) FROM candidates")" ]
check learn-probabilities [ "$(sqlite3 "$DB" "SELECT count(*) FROM scores WHERE metric = 'learned_accept' AND (value < 0 OR value > 1)")" = 0 ]
check learn-model-kept [ "$(sqlite3 "$DB" "SELECT json_extract(value, '$.model.version') FROM meta WHERE key = 'mmda.learned_filter'")" = 1 ]
"$MMDA" tune "$DB" --learn --seed 3 >"$T/l2.txt"
check learn-version-2 grep -q "^learned filter v2" "$T/l2.txt"
check learn-text-report sh -c "grep -q 'learned filter (p >= 0.5)  precision' '$T/l2.txt' && grep -q 'best single: ' '$T/l2.txt' && grep -q 'op=hflip' '$T/l2.txt'"
# Like any metric: a threshold on it, the thresholds screen lists it.
"$MMDA" threshold "$DB" learned_accept --min 0.5 >/dev/null
check learn-threshold-set [ "$("$MMDA" threshold "$DB" --json | python3 -c 'import json,sys; print([t["metric"] for t in json.load(sys.stdin)["thresholds"]])')" = "['learned_accept']" ]
printf 'thresholds\ndump-screen %s\nquit\nquit\n' "$T/t1" >"$T/ts"
COLUMNS=120 LINES=48 MMDA_SCRIPT="$T/ts" "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check learn-thresholds-row grep -q "learned_accept .* kept [0-9]*, removed [0-9]*" "$T/t1"
# The thresholds screen on learned_accept names the model and what it leans on.
printf 'thresholds\n' >"$T/ts3"
k=$(sqlite3 "$DB" "SELECT count(DISTINCT metric) FROM scores WHERE metric < 'learned_accept'")
i=0; while [ $i -lt "$k" ]; do echo metric-next >>"$T/ts3"; i=$((i + 1)); done
printf 'dump-screen %s\nquit\nquit\n' "$T/t2" >>"$T/ts3"
COLUMNS=160 LINES=48 MMDA_SCRIPT="$T/ts3" "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check learn-thresholds-coefficients grep -q "learned filter v2, weights per sd: .*op=hflip [+-]" "$T/t2"
"$MMDA" metrics >"$T/m"
check metrics-lists-learned grep -q "learned_accept" "$T/m"
"$MMDA" score "$DB" --metric learned_accept >/dev/null 2>"$T/err"
check score-refuses-learned sh -c "[ $? -eq 2 ] && grep -q 'written by mmda tune --learn' '$T/err'"
"$MMDA" score "$DB" >/dev/null 2>&1
check score-keeps-learned [ "$(sqlite3 "$DB" "SELECT count(*) FROM scores WHERE metric = 'learned_accept'")" -gt 0 ]
"$MMDA" tune "$DB" --learn --metric ssim >/dev/null 2>&1
check learn-with-metric-exit-2 [ $? -eq 2 ]
# The uncertain queue: what the learned filter is least sure of first, with a
# random fifth; mmda next leases in the same order.
"$MMDA" decide "$DB" 1 accept --annotator u >/dev/null
want=$(sqlite3 "$DB" "SELECT candidate FROM scores WHERE metric = 'learned_accept' AND candidate <> 1 ORDER BY abs(value - 0.5), candidate LIMIT 1")
printf 'dump-screen %s\nquit\n' "$T/u1" >"$T/us"
COLUMNS=120 LINES=40 MMDA_SCRIPT="$T/us" MMDA_ANNOTATOR=u "$MMDA" review "$DB" --renderer none --queue uncertain >/dev/null 2>&1
total=$(sqlite3 "$DB" "SELECT count(*) - 1 FROM candidates")
check uncertain-first grep -q "uncertain 1/$total, $total left  #$want " "$T/u1"
# Every derived candidate already has lab's decision: with overlap 2 each can go to one more.
"$MMDA" next "$DB" --annotator u --queue uncertain --overlap 2 --json >"$T/n1"
check next-uncertain [ "$(json_get "$T/n1" "d['candidate']")" = "$want" ]
"$MMDA" next "$DB" --annotator u2 --queue frobnicate >/dev/null 2>&1
check next-bad-queue-exit-2 [ $? -eq 2 ]
# Review refits the filter in the background every 10 decisions, with the stored
# one's folds, penalty and seed (3 here); 9 are not enough.
ver() { sqlite3 "$DB" "SELECT json_extract(value, '$.model.$1') FROM meta WHERE key = 'mmda.learned_filter'"; }
v=$(ver version)
: >"$T/rs"; i=0; while [ $i -lt 9 ]; do echo reject >>"$T/rs"; i=$((i + 1)); done
printf 'wait\ndump-screen %s\nquit\n' "$T/r0" >>"$T/rs"
COLUMNS=120 LINES=40 MMDA_SCRIPT="$T/rs" MMDA_ANNOTATOR=refit "$MMDA" review "$DB" --renderer none --queue uncertain >/dev/null 2>&1
check refit-not-before-10 [ "$(ver version)" = "$v" ]
: >"$T/rs"; i=0; while [ $i -lt 10 ]; do echo reject >>"$T/rs"; i=$((i + 1)); done
printf 'wait\ndump-screen %s\nquit\n' "$T/r1" >>"$T/rs"
COLUMNS=120 LINES=40 MMDA_SCRIPT="$T/rs" MMDA_ANNOTATOR=refit "$MMDA" review "$DB" --renderer none --queue uncertain >/dev/null 2>&1
check refit-in-background [ "$(ver version)/$(ver seed)" = "$((v + 1))/3" ]
check refit-status grep -q "learned filter v$((v + 1)) refit on [0-9]* labels: CV F1 " "$T/r1"
# Before any learned filter the enabled thresholds' boundary orders it.
"$MMDA" demo "$T/d2" >/dev/null 2>&1
"$MMDA" threshold "$T/d2/demo.db" ssim --min 0.3 --ops mixgen --json >"$T/th"
# Only the candidates a threshold checks (its scope: mixes here) have a boundary.
inscope=$(json_get "$T/th" "','.join(repr(o) for o in d['thresholds'][0]['ops'])")
near=$(sqlite3 "$T/d2/demo.db" "SELECT candidate FROM scores s JOIN candidates c ON c.id = s.candidate WHERE metric = 'ssim' AND c.op IN ($inscope) ORDER BY abs(value - 0.3), candidate LIMIT 1")
"$MMDA" next "$T/d2/demo.db" --annotator u --queue uncertain --json >"$T/n2"
check uncertain-threshold-boundary [ "$(json_get "$T/n2" "d['candidate']")" = "$near" ]
# The audit: a sample of what an export would take unreviewed, its own queue,
# and a precision with a Wilson interval once it is reviewed.
A=$T/d2/demo.db
"$MMDA" audit "$A" --sample 8 --seed 3 --json >"$T/a1"
check audit-json one_json "$T/a1"
pop=$(sqlite3 "$A" "SELECT count(*) FROM candidates c WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.candidate = c.id) AND (c.op NOT IN ($inscope) OR EXISTS (SELECT 1 FROM scores s WHERE s.candidate = c.id AND s.metric = 'ssim' AND s.value >= 0.3))")
check audit-population [ "$(json_get "$T/a1" "d['population']")" = "$pop" ]
check audit-drawn [ "$(json_get "$T/a1" "d['drawn']")" = 8 ]
"$MMDA" stats "$A" --json >"$T/a2"
check audit-none-reviewed [ "$(json_get "$T/a2" "(d['estimated_precision']['reviewed'], d['estimated_precision']['value'])")" = "(0, None)" ]
printf 'dump-screen %s\naccept\naccept\nreject\naccept\nquit\n' "$T/a3" >"$T/as"
COLUMNS=120 LINES=40 MMDA_SCRIPT="$T/as" MMDA_ANNOTATOR=aud "$MMDA" review "$A" --renderer none --queue audit >/dev/null 2>&1
first=$(sqlite3 "$A" "SELECT json_extract(value, '$.ids[0]') FROM meta WHERE key = 'mmda.audit'")
check audit-queue grep -q "audit 1/8, 8 left  #$first " "$T/a3"
"$MMDA" stats "$A" --json >"$T/a4"
check audit-estimate [ "$(json_get "$T/a4" "(d['estimated_precision']['reviewed'], d['estimated_precision']['value'], d['estimated_precision']['method'])")" = "(4, 0.75, 'wilson')" ]
check audit-ci [ "$(json_get "$T/a4" "[round(v, 4) for v in d['estimated_precision']['ci95']]")" = "[0.3006, 0.9544]" ]
"$MMDA" stats "$A" >"$T/a5"
check audit-stats-text grep -q "estimated precision of the unreviewed selection 0.750 (Wilson 95%: 0.301..0.954) from 4 of 8 drawn" "$T/a5"
"$MMDA" audit "$A" >/dev/null 2>&1
check audit-needs-sample [ $? -eq 2 ]
printf 'export\ndump-screen %s\nquit\nquit\n' "$T/a6" >"$T/as2"
COLUMNS=120 LINES=40 MMDA_SCRIPT="$T/as2" "$MMDA" review "$A" --renderer none >/dev/null 2>&1
"$MMDA" export "$A" --format jsonl --select gold --fill passing --out "$T/ex" >/dev/null 2>&1
check audit-in-manifest [ "$(json_get "$T/ex/manifest.json" "(d['estimated_precision']['value'], d['estimated_precision']['reviewed'], d['estimated_precision']['method'])")" = "(0.75, 4, 'wilson')" ]
check audit-on-export-screen grep -q "audit: the unreviewed part is 75.0% accepted (Wilson 95%: 30.1..95.4%)" "$T/a6"
check integrity-after-learn integrity "$DB"
