# The review screen: scripted runs (MMDA_SCRIPT, screen text dumped and
# compared) at 100x30 and 160x48, decisions through keys' commands, a raw pty
# run checking no escape sequence from a caption reaches the terminal, and a
# black-box tmux session (keys, quit, and a killed session losing nothing).
. "$TOP/tests/lib.sh"
DB=$T/r.db
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null
"$MMDA" augment "$DB" --op hflip --limit 3 >/dev/null
export TERM=xterm-256color MMDA_ANNOTATOR=rev

run_script() { # cols rows script-file
	COLUMNS=$1 LINES=$2 MMDA_SCRIPT=$3 "$MMDA" review "$DB" --renderer none >/dev/null 2>"$T/err"
}
cat >"$T/s1" <<S
dump-screen $T/d1
goto 18
dump-screen $T/d2
accept
reject
skip
dump-screen $T/d3
undo
dump-screen $T/d4
help
dump-screen $T/d5
quit
dump-screen $T/d6
quit
S
run_script 100 30 "$T/s1"; rc=$?
check script-exit-0 [ $rc -eq 0 ]
# The default queue starts with the augmentations, grouped under their original.
check screen-title grep -q "mmda  default 1/20, 20 left  #18 hflip" "$T/d1"
check screen-panes sh -c "grep -q 'ORIGINAL  #1 astronaut-1' '$T/d1' && grep -q 'AUGMENTED  #18 hflip' '$T/d1'"
check screen-caption grep -q "An astronaut in an orange spacesuit" "$T/d1"
check screen-placeholder grep -q "\[astronaut.png\]" "$T/d1"
check screen-size-100x30 sh -c "[ \$(wc -l <'$T/d1') -eq 30 ] && [ \$(awk '{ if (length > m) m = length } END { print m }' '$T/d1') -le 100 ]"
check goto-augmented sh -c "grep -q 'AUGMENTED  #18 hflip' '$T/d2' && grep -q 'ORIGINAL  #1 astronaut-1' '$T/d2'"
check diff-removed-word grep -q "removed: right" "$T/d2"
check hflip-caption-shown grep -q "model on the left" "$T/d2"
check decisions-saved [ "$(sqlite3 "$DB" "SELECT group_concat(candidate || answer, ',') FROM decisions WHERE annotator = 'rev' ORDER BY id")" = "18accept,19reject,20skip,20retract" ]
check title-progress grep -q "rev: 1 accepted, 1 rejected, 0 skipped" "$T/d4"
check undo-goes-back grep -q "#20 hflip" "$T/d4"
check help-from-table sh -c "grep -q 'accept the candidate and go to the next' '$T/d5' && grep -q 'next-original' '$T/d5'"
check help-closes grep -q "ORIGINAL" "$T/d6"

# 160x48: the same screen, wider; a CJK caption keeps its width.
printf 'goto chelsea-2\ndump-screen %s\nquit\n' "$T/w1" >"$T/s2"
run_script 160 48 "$T/s2"
check screen-size-160x48 sh -c "[ \$(wc -l <'$T/w1') -eq 48 ]"
check cjk-caption grep -q "一只绿眼睛的虎斑猫的特写。" "$T/w1"
printf 'frobnicate\ndump-screen %s\nquit\n' "$T/u1" >"$T/s3"
run_script 100 30 "$T/s3"
check unknown-command-status grep -q "unknown command frobnicate" "$T/u1"

# Scores and thresholds on screen.
"$MMDA" score "$DB" --metric ssim --metric num_words >/dev/null
"$MMDA" threshold "$DB" num_words --min 100 --ops all >/dev/null
printf 'goto 18\ndump-screen %s\nquit\n' "$T/sc" >"$T/s4"
run_script 160 48 "$T/s4"
check scores-shown grep -q "ssim" "$T/sc"
check threshold-fail-shown grep -q "num_words [0-9]* < 100 FAIL" "$T/sc"
check threshold-fail-header grep -q "AUGMENTED  #18 hflip  FAILS num_words [0-9]* < 100" "$T/sc"

# A hostile caption: its escape sequences never reach the terminal.
printf '%s\n' '{"id": "evil", "file_name": "images/horse.png", "text": "x \u001b]0;owned\u0007 \u001b[2J\u001b[31mred \u009b31m"}' >"$T/evil.jsonl"
cp -r "$SAMPLE/images" "$T/images"
"$MMDA" import "$T/e.db" "$T/evil.jsonl" >/dev/null
python3 - "$MMDA" "$T/e.db" "$T/raw" <<'P'
import os, pty, select, sys, time
mmda, db, out = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.environ["TERM"] = "xterm-256color"
    os.execv(mmda, [mmda, "review", db, "--renderer", "none"])
data = b""
deadline = time.time() + 5
sent = False
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.3)
    if r:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    elif not sent and b"owned" in data:
        os.write(fd, b"q")
        sent = True
os.waitpid(pid, 0)
open(out, "wb").write(data)
P
check hostile-shown-visibly grep -q "owned" "$T/raw"
check hostile-no-osc sh -c "! grep -q \"\$(printf '\033]0;owned')\" '$T/raw'"
check hostile-no-clear-from-data sh -c "! grep -q \"\$(printf 'owned\007')\" '$T/raw'"
check hostile-no-c1 sh -c "! LC_ALL=C grep -q \"\$(printf '\302\233')31m\" '$T/raw'"

# Black box in tmux on the demo database: real keys, then quit; then a killed session.
"$MMDA" demo "$T/demo" >/dev/null
DEMO=$T/demo/demo.db
S=mmdatest$$
TM="tmux -L $S -f /dev/null"
$TM new-session -d -s main -x 120 -y 36 -e MMDA_ANNOTATOR=tmx -e TERM=xterm-256color "$MMDA review $DEMO --renderer none"
wait_for() { i=0; while [ $i -lt 100 ]; do $TM capture-pane -t main -p 2>/dev/null | grep -q "$1" && return 0; sleep 0.05; i=$((i + 1)); done; return 1; }
check tmux-starts wait_for "ORIGINAL"
$TM send-keys -t main a
wait_for "tmx: 1 accepted" >/dev/null
$TM send-keys -t main x
wait_for "1 rejected" >/dev/null
$TM send-keys -t main Space u
wait_for "retracted" >/dev/null
$TM send-keys -t main q
i=0; while [ $i -lt 100 ] && $TM has-session -t main 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
check tmux-quit sh -c "! $TM has-session -t main 2>/dev/null"
check tmux-decisions [ "$(sqlite3 "$DEMO" "SELECT group_concat(answer, ',') FROM decisions WHERE annotator = 'tmx' ORDER BY id")" = "accept,reject,skip,retract" ]
"$MMDA" stats "$DEMO" --json >"$T/demostats"
check tmux-stats-json [ "$(json_get "$T/demostats" "d['annotators']['tmx']")" = "{'accept': 1, 'reject': 1, 'skip': 0, 'log_entries': 4}" ]
$TM new-session -d -s main -x 100 -y 30 -e MMDA_ANNOTATOR=hup -e TERM=xterm-256color "$MMDA review $DEMO --renderer none"
wait_for "ORIGINAL" >/dev/null
$TM send-keys -t main a a
wait_for "hup: 2 accepted" >/dev/null
$TM kill-server
sleep 0.3
check sighup-nothing-lost [ "$(sqlite3 "$DEMO" "SELECT count(*) FROM decisions WHERE annotator = 'hup'")" = 2 ]
check sighup-process-gone sh -c "! pgrep -f '[r]eview $DEMO --renderer none' >/dev/null"
check integrity-after-demo-review integrity "$DEMO"
check integrity-after-review integrity "$DB"

# The conflicts queue, and leased work with overlap.
"$MMDA" decide "$DB" 2 accept --annotator p >/dev/null
"$MMDA" decide "$DB" 2 reject --annotator q >/dev/null
printf 'dump-screen %s\nquit\n' "$T/cq" >"$T/s5"
COLUMNS=100 LINES=30 MMDA_SCRIPT="$T/s5" "$MMDA" review "$DB" --renderer none --queue conflicts >/dev/null 2>&1
check conflicts-queue sh -c "grep -q 'mmda  conflicts 1/1, 1 left  #2 original' '$T/cq' && grep -q 'p: accept' '$T/cq' && grep -q 'q: reject' '$T/cq'"
"$MMDA" next "$DB" --annotator other --overlap 1 >/dev/null
printf 'dump-screen %s\naccept\ndump-screen %s\nquit\n' "$T/o1" "$T/o2" >"$T/s6"
COLUMNS=100 LINES=30 MMDA_SCRIPT="$T/s6" MMDA_ANNOTATOR=lease "$MMDA" review "$DB" --renderer none --overlap 1 >/dev/null 2>&1
leased=$(sqlite3 "$DB" "SELECT candidate FROM leases WHERE annotator = 'other'")
check overlap-avoids-others-lease sh -c "! grep -q 'mmda  $leased/' '$T/o1' && ! grep -q 'mmda  $leased/' '$T/o2'"

# The list screen: the queue as a table; search moves to a match; open returns.
printf 'list\ndump-screen %s\nsearch TABBY\ndump-screen %s\nopen\ndump-screen %s\nquit\n' "$T/l1" "$T/l2" "$T/l3" >"$T/s7"
COLUMNS=120 LINES=30 MMDA_SCRIPT="$T/s7" MMDA_ANNOTATOR=rev "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check list-table sh -c "grep -q 'mmda list' '$T/l1' && grep -q '      18  hflip      accept' '$T/l1' && grep -q '      19  hflip      reject' '$T/l1'"
check list-search grep -q "found in #3" "$T/l2"
check list-open sh -c "grep -q '#3 original' '$T/l3' && grep -q 'ORIGINAL  #3 chelsea-1' '$T/l3'"

# The thresholds screen: histogram, live counts at a moved cutoff, set-threshold.
# This project has flips only, outside SSIM's default scope: o (threshold-scope) all.
printf 'thresholds\nmetric-next\nthreshold-scope all\ndump-screen %s\ncutoff-up 1000\ndump-screen %s\nset-threshold\nquit\nquit\n' "$T/t1" "$T/t2" >"$T/s8"
COLUMNS=120 LINES=40 MMDA_SCRIPT="$T/s8" MMDA_ANNOTATOR=tuner "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check thresholds-screen sh -c "grep -q 'mmda thresholds  ssim (2/2)  keep above' '$T/t1' && grep -q 'AUC' '$T/t1'"
n=$(sqlite3 "$DB" "SELECT count(*) FROM scores WHERE metric = 'ssim'")
check thresholds-live-counts grep -q "trying     kept 0, removed $n" "$T/t2"
check thresholds-set [ "$("$MMDA" threshold "$DB" ssim --json | python3 -c 'import json,sys; t=json.load(sys.stdin)["thresholds"][0]; print(t["min"] > 1, t["changed_by"], t["scope"])')" = "True tuner all" ]

# The stats screen: acceptance per op and per annotator, and agreement.
printf 'stats\ndump-screen %s\nquit\nquit\n' "$T/st" >"$T/s9"
COLUMNS=100 LINES=40 MMDA_SCRIPT="$T/s9" "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check stats-screen sh -c "grep -q 'mmda stats' '$T/st' && grep -q '^hflip .*%' '$T/st' && grep -q '^rev ' '$T/st' && grep -q 'agreement: Fleiss' '$T/st'"

# Thresholds keys work on that screen only; Enter pages the boundary in review;
# a tiny terminal says it is too small.
printf 'thresholds\nmetric-next\nthreshold-scope hflip\nboundary\ndump-screen %s\nquit\ndump-screen %s\nquit\nquit\n' "$T/b1" "$T/b2" >"$T/s10"
COLUMNS=120 LINES=40 MMDA_SCRIPT="$T/s10" "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check boundary-page sh -c "grep -q 'nearest the cutoff' '$T/b1' && grep -q 'mmda  boundary of [a-z_]* 1/' '$T/b1'"
check boundary-back grep -q "mmda thresholds" "$T/b2"
printf 'dump-screen %s\nquit\n' "$T/tiny" >"$T/s11"
COLUMNS=40 LINES=12 MMDA_SCRIPT="$T/s11" "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check too-small grep -q "too small" "$T/tiny"
S2=mmdarsz$$
TM2="tmux -L $S2 -f /dev/null"
$TM2 new-session -d -s main -x 120 -y 36 -e TERM=xterm-256color "$MMDA review $DB --renderer none"
i=0; while [ $i -lt 100 ] && ! $TM2 capture-pane -t main -p | grep -q ORIGINAL; do sleep 0.05; i=$((i + 1)); done
$TM2 resize-window -t main -x 80 -y 24 2>/dev/null || $TM2 resize-pane -t main -x 80 -y 24
i=0; while [ $i -lt 100 ] && ! $TM2 capture-pane -t main -p | grep -q "q quit"; do sleep 0.05; i=$((i + 1)); done
sleep 0.3
check resize-relayout sh -c "$TM2 capture-pane -t main -p | grep -q 'AUGMENTED' && [ \$($TM2 capture-pane -t main -p | awk '{ if (length > m) m = length } END { print m }') -le 80 ]"
$TM2 kill-server

# z: one image over the whole screen.
printf 'goto 18\nzoom\ndump-screen %s\nzoom\ndump-screen %s\nquit\n' "$T/z1" "$T/z2" >"$T/s12"
COLUMNS=100 LINES=30 MMDA_SCRIPT="$T/s12" "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check zoom sh -c "grep -q '#18 hflip, full screen' '$T/z1' && ! grep -q ORIGINAL '$T/z1' && grep -q ORIGINAL '$T/z2'"

# A user keymap: y accepts, a does nothing; a broken keymap is refused with its line.
printf '# test keymap\nbind y accept\nbind a none\n' >"$T/keys"
S3=mmdakeys$$
TM3="tmux -L $S3 -f /dev/null"
$TM3 new-session -d -s main -x 120 -y 36 -e TERM=xterm-256color -e MMDA_KEYS="$T/keys" -e MMDA_ANNOTATOR=km "$MMDA review $DB --renderer none"
i=0; while [ $i -lt 100 ] && ! $TM3 capture-pane -t main -p | grep -q ORIGINAL; do sleep 0.05; i=$((i + 1)); done
$TM3 send-keys -t main a
sleep 0.3
$TM3 send-keys -t main y
i=0; while [ $i -lt 100 ] && ! $TM3 capture-pane -t main -p | grep -q "km: 1 accepted"; do sleep 0.05; i=$((i + 1)); done
$TM3 send-keys -t main q
sleep 0.3
$TM3 kill-server 2>/dev/null
check keymap-bind [ "$(sqlite3 "$DB" "SELECT count(*) FROM decisions WHERE annotator = 'km'")" = 1 ]
printf 'bind y frobnicate\n' >"$T/badkeys"
MMDA_KEYS="$T/badkeys" "$MMDA" review "$DB" --renderer none >/dev/null 2>"$T/err"; rc=$?
check keymap-bad-refused sh -c "[ $rc -eq 1 ] && grep -q 'badkeys:1: unknown command frobnicate' '$T/err'"

# The augment screen: pick an operator, set a parameter (checked), run on this
# pair in the background, then on every original; the queue grows.
"$MMDA" import "$T/g.db" "$SAMPLE/captions.jsonl" >/dev/null
printf 'goto 3\naugment\nset lambda=0.3\nset lambda=7\ndump-screen %s\nrun\nwait\ndump-screen %s\naug-next-op\naug-next-op\nrun-all\nwait\naugment\ndump-screen %s\nquit\n' "$T/g1" "$T/g2" "$T/g3" >"$T/s13"
COLUMNS=120 LINES=36 MMDA_SCRIPT="$T/s13" "$MMDA" review "$T/g.db" --renderer none >/dev/null 2>&1
check augment-screen sh -c "grep -q 'mmda augment' '$T/g1' && grep -q '> mixgen' '$T/g1' && grep -q 'lambda         = 0.3' '$T/g1'"
check augment-bad-value grep -q "lambda=7: out of range 0..1" "$T/g1"
check augment-this-pair sh -c "grep -q 'mixgen: created 1' '$T/g2' && [ \"\$(sqlite3 '$T/g.db' \"SELECT count(*) FROM candidates c JOIN lineage l ON l.child = c.id AND l.slot = 0 WHERE c.op = 'mixgen' AND l.parent = 3 AND c.params LIKE '%0.29999%'\")\" = 1 ]"
# The queue grew around the candidate on screen (#3, after the 18 augmentations).
check augment-all sh -c "grep -q 'hflip: created 17' '$T/g3' && grep -q 'mmda  default 21/35, 35 left  #3 original' '$T/g3'"

# The export screen: pick a format and selection, export in the background.
printf 'export\nex-next-format\nex-next-format\nselect all\ndump-screen %s\nexport-to %s\nwait\ndump-screen %s\nquit\nquit\n' "$T/x1" "$T/xout" "$T/x2" >"$T/s14"
COLUMNS=120 LINES=36 MMDA_SCRIPT="$T/s14" "$MMDA" review "$T/g.db" --renderer none >/dev/null 2>&1
check export-screen sh -c "grep -q 'mmda export' '$T/x1' && grep -q '> coco' '$T/x1' && grep -q 'selection: all' '$T/x1'"
check export-runs sh -c "grep -q 'exported 35 candidates' '$T/x2' && python3 -c \"import json; d = json.load(open('$T/xout/captions.json')); assert len(d['annotations']) == 35\""

# Every screen at 100x30 and at 160x48: its title shows and nothing spills over.
for size in 100x30 160x48; do
	c=${size%x*}; r=${size#*x}
	printf 'dump-screen %s/all-%s-review\nlist\ndump-screen %s/all-%s-list\nlist\naugment\ndump-screen %s/all-%s-augment\naugment\nthresholds\ndump-screen %s/all-%s-thresholds\nthresholds\nstats\ndump-screen %s/all-%s-stats\nstats\nexport\ndump-screen %s/all-%s-export\nexport\nhelp\ndump-screen %s/all-%s-help\nquit\nquit\n' \
	    "$T" $size "$T" $size "$T" $size "$T" $size "$T" $size "$T" $size "$T" $size >"$T/sall"
	COLUMNS=$c LINES=$r MMDA_SCRIPT="$T/sall" "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
	for screen in "review:ORIGINAL" "list:mmda list" "augment:mmda augment" "thresholds:mmda thresholds" "stats:mmda stats" "export:mmda export" "help:mmda help"; do
		name=${screen%%:*}; title=${screen#*:}
		check "screen-$name-$size" sh -c "grep -q '$title' '$T/all-$size-$name' && [ \$(wc -l <'$T/all-$size-$name') -eq $r ] && python3 -c \"import sys, unicodedata; sys.exit(max(sum(2 if unicodedata.east_asian_width(ch) in 'WF' else 1 for ch in l.rstrip('\\\\n')) for l in open('$T/all-$size-$name', encoding='utf-8')) > $c)\""
	done
done

# A two-parent op: p shows the second parent on the left.
"$MMDA" augment "$DB" --op mixgen --limit 1 --seed 5 >/dev/null
MX=$(sqlite3 "$DB" "SELECT id FROM candidates WHERE op = 'mixgen' LIMIT 1")
P2=$(sqlite3 "$DB" "SELECT parent FROM lineage WHERE child = $MX AND slot = 1")
printf 'goto %s\nsecond-parent\ndump-screen %s\nquit\n' "$MX" "$T/p2" >"$T/s15"
COLUMNS=120 LINES=36 MMDA_SCRIPT="$T/s15" "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check second-parent grep -q "SECOND PARENT  #$P2 " "$T/p2"
check title-left grep -q " left" "$T/p2"

# The list: filter by op and decision, sort by a metric; marked pairs for the augment screen.
printf 'list\nfilter op=hflip\ndump-screen %s\nsort ssim\ndump-screen %s\nfilter decision=accept\ndump-screen %s\nquit\nquit\n' "$T/f1" "$T/f2" "$T/f3" >"$T/s16"
COLUMNS=120 LINES=40 MMDA_SCRIPT="$T/s16" MMDA_ANNOTATOR=rev "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check list-filter-op sh -c "grep -q 'mmda list  [0-9]/3  filter op=hflip' '$T/f1' && ! grep -q '  original  ' '$T/f1'"
first=$(sqlite3 "$DB" "SELECT s.candidate FROM scores s JOIN candidates c ON c.id = s.candidate WHERE c.op = 'hflip' AND s.metric = 'ssim' ORDER BY s.value, s.candidate LIMIT 1")
check list-sort-metric sh -c "sed -n 3p '$T/f2' | grep -q '^ *$first  hflip'"
check list-filter-decision sh -c "grep -q 'filter decision=accept' '$T/f3' && sed -n 3p '$T/f3' | grep -q ' accept '"
# Sorting reads the metric's values by candidate, not in queue order: an original (last in
# review order, lowest ids) with the lowest score comes first, and the ops sort groups them.
PS=$(sqlite3 "$DB" "SELECT min(value) FROM scores WHERE metric = 'num_words'")
sqlite3 "$DB" "UPDATE scores SET value = $PS - 1 WHERE candidate = 2 AND metric = 'num_words'"
printf 'list\nsort num_words\ndump-screen %s\nsort op\ndump-screen %s\nquit\nquit\n' "$T/f4" "$T/f5" >"$T/s16b"
COLUMNS=120 LINES=40 MMDA_SCRIPT="$T/s16b" MMDA_ANNOTATOR=rev "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
second=$(sqlite3 "$DB" "SELECT candidate FROM scores WHERE metric = 'num_words' ORDER BY value, candidate LIMIT 1 OFFSET 1")
check list-sort-metric-originals sh -c "sed -n 3p '$T/f4' | grep -q '^ *2  original' && sed -n 4p '$T/f4' | grep -q '^ *$second  '"
firstop=$(sqlite3 "$DB" "SELECT op, min(id) FROM candidates GROUP BY op ORDER BY op LIMIT 1" | tr '|' ' ')
check list-sort-op sh -c "grep -q 'sorted by op' '$T/f5' && sed -n 3p '$T/f5' | grep -q '^ *${firstop#* }  ${firstop% *}'"
printf 'goto 3\nmark\ngoto 5\nmark\naugment\naug-next-op\naug-next-op\nrun-marked\nwait\ndump-screen %s\nquit\nquit\n' "$T/m1" >"$T/s17"
"$MMDA" import "$T/mk.db" "$SAMPLE/captions.jsonl" >/dev/null
COLUMNS=120 LINES=36 MMDA_SCRIPT="$T/s17" "$MMDA" review "$T/mk.db" --renderer none >/dev/null 2>&1
check run-marked sh -c "grep -q 'hflip: created 2' '$T/m1' && [ \"\$(sqlite3 '$T/mk.db' \"SELECT group_concat(l.parent) FROM candidates c JOIN lineage l ON l.child = c.id WHERE c.op = 'hflip' ORDER BY l.parent\")\" = '3,5' ]"

# The thresholds overview: one row per scored metric with its distribution.
printf 'thresholds\ndump-screen %s\nquit\nquit\n' "$T/ov" >"$T/s18"
COLUMNS=120 LINES=40 MMDA_SCRIPT="$T/s18" "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check thresholds-overview sh -c "grep -q '^> num_words ' '$T/ov' && grep -q '^  ssim .*kept [0-9]*, removed [0-9]*' '$T/ov'"

# The candidates either side of the cutoff (read along the scores index from the cutoff):
# the nearest three below and at or above, ties in id order, as the scores say.
"$MMDA" import "$T/nb.db" "$SAMPLE/captions.jsonl" >/dev/null
"$MMDA" augment "$T/nb.db" --op synonym >/dev/null 2>&1
"$MMDA" score "$T/nb.db" --metric num_words >/dev/null
printf 'thresholds\ndump-screen %s\ncutoff-up\ncutoff-up\ndump-screen %s\nquit\nquit\n' "$T/nb1" "$T/nb2" >"$T/s18b"
COLUMNS=120 LINES=40 MMDA_SCRIPT="$T/s18b" "$MMDA" review "$T/nb.db" --renderer none >/dev/null 2>&1
near_expected() { # CUTOFF: the line the screen should show
	below=$(sqlite3 "$T/nb.db" "SELECT group_concat(x, ' ') FROM (SELECT '#' || candidate || ' (' || value || ')' AS x FROM scores WHERE metric = 'num_words' AND value < $1 ORDER BY value DESC, candidate LIMIT 3)")
	above=$(sqlite3 "$T/nb.db" "SELECT group_concat(x, ' ') FROM (SELECT '#' || candidate || ' (' || value || ')' AS x FROM scores WHERE metric = 'num_words' AND value >= $1 ORDER BY value, candidate LIMIT 3)")
	echo "nearest below: $below   at or above: $above" | sed 's/\.0)/)/g'
}
for f in nb1 nb2; do
	cut=$(sed -n 's/^cutoff >= \([0-9.]*\).*/\1/p' "$T/$f")
	check "thresholds-nearest-$f" grep -qF "$(near_expected "${cut:-x}")" "$T/$f"
done
check thresholds-nearest-moved sh -c "! cmp -s '$T/nb1' '$T/nb2'"

# A background batch blocked where no cancel reaches it (another process holds the write
# lock; its store waits up to its 30 s busy timeout): SIGTERM, SIGHUP and q still end the
# review within a second, with the terminal restored (the screen left, echo and canonical
# input back); the batch is left unfinished and the lock holder's data is whole.
"$MMDA" import "$T/lk.db" "$SAMPLE/captions.jsonl" >/dev/null
stuck_review() { # HOW (TERM, HUP or q) OUT [decide]: review, start a batch (or decide), end it while it is stuck
	python3 - "$MMDA" "$T/lk.db" "$1" "$2" "${3:-batch}" <<'P'
import os, pty, select, signal, sqlite3, sys, termios, time
mmda, db, how, out, what = sys.argv[1:6]
lock = sqlite3.connect(db, isolation_level=None, timeout=10)
lock.execute("BEGIN IMMEDIATE")
lock.execute("INSERT INTO meta (key, value) VALUES (?, 'x')", ("lock-holder-%s-%s" % (how, what),))
pid, fd = pty.fork()
if pid == 0:
    os.environ["TERM"] = "xterm-256color"
    os.execv(mmda, [mmda, "review", db, "--renderer", "none"])
data, sent, stopped, ended = b"", 0, None, None
def read(t):
    global data
    r, _, _ = select.select([fd], [], [], t)
    if r:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        data += chunk
    return True
deadline = time.time() + 20
while time.time() < deadline and read(0.05):
    if sent == 0 and b"ORIGINAL" in data and what == "decide":
        # The loop itself waits: the decision's commit is behind the lock.
        os.write(fd, b"a"); sent = 2; t2 = time.time()
    elif sent == 0 and b"ORIGINAL" in data:
        os.write(fd, b"g"); sent = 1
    elif sent == 1 and b"mmda augment" in data:
        os.write(fd, b"R"); sent = 2; t2 = time.time()
    elif sent == 2 and time.time() - t2 > 1.0:
        mark = len(data)
        stopped = time.time()
        if how == "q":
            os.write(fd, b"qq")
        else:
            os.kill(pid, getattr(signal, "SIG" + how))
        sent = 3
        deadline = stopped + 3
    if sent == 3:
        p, status = os.waitpid(pid, os.WNOHANG)
        if p == pid:
            ended = time.time()
            break
# The pty reads EOF once the child closed it, maybe before it is reaped.
while sent == 3 and ended is None and time.time() < deadline:
    if os.waitpid(pid, os.WNOHANG)[0] == pid:
        ended = time.time()
    else:
        time.sleep(0.01)
attrs = termios.tcgetattr(fd)
while read(0.05):
    pass
if ended is None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
lock.execute("COMMIT")
after = data[mark:] if stopped else b""
with open(out, "w") as f:
    f.write("started %d\n" % (sent >= 3))
    f.write("seconds %.2f\n" % ((ended - stopped) if ended and stopped else 99))
    f.write("rmcup %d\n" % (b"\x1b[?1049l" in after))
    f.write("echo %d icanon %d\n" % (bool(attrs[3] & termios.ECHO), bool(attrs[3] & termios.ICANON)))
P
}
for how in TERM HUP q; do
	stuck_review $how "$T/stuck-$how"
	check "stuck-batch-$how-started" grep -q "started 1" "$T/stuck-$how"
	check "stuck-batch-$how-exits-within-1s" awk '/^seconds/ { exit !($2 <= 1.0) }' "$T/stuck-$how"
	check "stuck-batch-$how-terminal-restored" sh -c "grep -q 'rmcup 1' '$T/stuck-$how' && grep -q 'echo 1 icanon 1' '$T/stuck-$how'"
done
# A decision waiting on the lock holds the loop itself: the watchdog gives the terminal back.
for how in TERM HUP; do
	stuck_review $how "$T/stuckd-$how" decide
	check "stuck-decision-$how-exits-within-1s" awk '/^seconds/ { exit !($2 <= 1.0) }' "$T/stuckd-$how"
	check "stuck-decision-$how-terminal-restored" sh -c "grep -q 'rmcup 1' '$T/stuckd-$how' && grep -q 'echo 1 icanon 1' '$T/stuckd-$how'"
done
check stuck-batch-lock-holder-kept [ "$(sqlite3 "$T/lk.db" "SELECT count(*) FROM meta WHERE key LIKE 'lock-holder-%'")" = 5 ]
check integrity-after-stuck-batch integrity "$T/lk.db"
