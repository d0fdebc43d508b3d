# Several annotators: leased work (next), conflicts, agreement (kappa), merge.
. "$TOP/tests/lib.sh"
DB=$T/t.db
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null

# Leases: with overlap 1 two annotators get different candidates.
a1=$("$MMDA" next "$DB" --annotator ann)
b1=$("$MMDA" next "$DB" --annotator bob)
a2=$("$MMDA" next "$DB" --annotator ann)
check next-distinct [ "$a1/$b1" = "1/2" ]
check next-keeps-own-lease [ "$a2" = 1 ]
"$MMDA" decide "$DB" 1 accept --annotator ann >/dev/null
a3=$("$MMDA" next "$DB" --annotator ann)
check next-skips-decided-and-leased [ "$a3" = 3 ]
c1=$("$MMDA" next "$DB" --annotator cid --overlap 2)
check next-overlap-2 [ "$c1" = 1 ]
"$MMDA" next "$DB" --annotator x --overlap 0 >/dev/null 2>&1; rc=$?
check next-bad-overlap-exit-2 [ $rc -eq 2 ]

# Agreement: two annotators on 10 items, po 0.8, pe 0.5, Cohen's kappa 0.6.
K=$T/k.db
"$MMDA" import "$K" "$SAMPLE/captions.jsonl" >/dev/null
A="accept accept accept accept accept reject reject reject reject reject"
B="accept accept accept accept reject reject reject reject reject accept"
i=1; for x in $A; do "$MMDA" decide "$K" $i $x --annotator ann >/dev/null; i=$((i + 1)); done
i=1; for x in $B; do "$MMDA" decide "$K" $i $x --annotator bob >/dev/null; i=$((i + 1)); done
"$MMDA" stats "$K" --json >"$T/s"
check cohen-kappa [ "$(json_get "$T/s" "d['agreement']['method'], round(d['agreement']['overall']['kappa'], 6), d['agreement']['overall']['items']")" = "('cohen', 0.6, 10)" ]
check cohen-observed [ "$(json_get "$T/s" "round(d['agreement']['overall']['observed'], 6)")" = 0.8 ]
"$MMDA" conflicts "$K" --json >"$T/c"
check conflicts-listed [ "$(json_get "$T/c" "[c['id'] for c in d]")" = "[5, 10]" ]
# A third annotator: Fleiss' kappa, checked against the formula in Python.
C="accept accept accept reject reject reject reject reject accept accept"
i=1; for x in $C; do "$MMDA" decide "$K" $i $x --annotator cid >/dev/null; i=$((i + 1)); done
"$MMDA" stats "$K" --json >"$T/s"
expect=$(python3 - "$A" "$B" "$C" <<'P'
import sys
raters = [r.split() for r in sys.argv[1:]]
cats = ["accept", "reject", "skip"]
rows = [[sum(1 for r in raters if r[i] == c) for c in cats] for i in range(10)]
n = 3
P = [(sum(x * x for x in row) - n) / (n * (n - 1)) for row in rows]
pj = [sum(row[j] for row in rows) / (10 * n) for j in range(3)]
pe = sum(p * p for p in pj)
print(round((sum(P) / 10 - pe) / (1 - pe), 6))
P
)
check fleiss-kappa [ "$(json_get "$T/s" "d['agreement']['method'], round(d['agreement']['overall']['kappa'], 6)")" = "('fleiss', $expect)" ]
check agreement-per-op [ "$(json_get "$T/s" "'original' in d['agreement']['by_op']")" = True ]

# Merge: two copies of one project reviewed on two hosts fold together.
H1=$T/h1.db; H2=$T/h2.db; M=$T/m.db
"$MMDA" import "$H1" "$SAMPLE/captions.jsonl" >/dev/null
"$MMDA" augment "$H1" --op hflip --limit 3 >/dev/null
cp "$H1" "$H2"; cp -r "$H1.objects" "$H2.objects"
"$MMDA" decide "$H1" 1 accept --annotator ann >/dev/null
"$MMDA" decide "$H1" 18 reject --annotator ann >/dev/null
"$MMDA" undo "$H1" --annotator ann >/dev/null
"$MMDA" decide "$H2" 2 reject --annotator bob >/dev/null
"$MMDA" augment "$H2" --op grayscale --limit 2 >/dev/null
# M is new: it knows no dataset root yet, so the first merge names them as trusted.
"$MMDA" merge "$M" "$H1" "$H2" --json >"$T/m0" 2>"$T/m0.err"; rc=$?
check merge-new-root-refused sh -c "[ $rc -eq 1 ] && grep -q 'is not a folder this database knows' '$T/m0.err' && [ \"\$(sqlite3 '$M' 'SELECT count(*) FROM candidates')\" = 0 ]"
"$MMDA" merge "$M" "$H1" "$H2" --trust-roots --json >"$T/m1"
check merge-counts [ "$(json_get "$T/m1" "d['candidates'], d['decisions']")" = "(22, 4)" ]
"$MMDA" merge "$M" "$H1" "$H2" --json >"$T/m2"
check merge-twice-nothing [ "$(json_get "$T/m2" "d['candidates'], d['decisions'], d['objects']")" = "(0, 0, 0)" ]
"$MMDA" merge "$H1" "$H2" --json >"$T/m3"
check merge-copy-back [ "$(json_get "$T/m3" "d['candidates'], d['decisions']")" = "(2, 1)" ]
"$MMDA" show "$M" 1 --json >"$T/show"
check merge-decision-kept [ "$(json_get "$T/show" "[(x['annotator'], x['answer']) for x in d['decisions']]")" = "[('ann', 'accept')]" ]
check merge-retraction-kept [ "$("$MMDA" show "$M" 18 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["decisions"])')" = "[]" ]
G=$(sqlite3 "$M" "SELECT id FROM candidates WHERE op = 'grayscale' LIMIT 1")
"$MMDA" show "$M" "$G" --image-out "$T/g.png" >/dev/null
check merge-objects-copied [ -s "$T/g.png" ]
check merge-lineage [ "$(sqlite3 "$M" "SELECT count(*) FROM lineage")" = 5 ]
"$MMDA" merge "$M" "$M" >/dev/null 2>&1; rc=$?
check merge-self-refused [ $rc -eq 1 ]
check integrity-after-merge integrity "$M"
