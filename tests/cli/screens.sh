# What the review screen shows and what its keys touch: decision keys act only
# where a candidate is shown (every screen walked with real keys in tmux),
# the queues and their order (mmda next too), the counters against their
# definitions and mmda stats --json, the scores panel, small terminals, the
# help's scrolling and the list's jumps.
. "$TOP/tests/lib.sh"
export TERM=xterm-256color MMDA_ANNOTATOR=scr
DB=$T/s.db
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null
"$MMDA" augment "$DB" --op hflip --limit 4 >/dev/null     # 18-21: parents 1-4
"$MMDA" augment "$DB" --op grayscale --limit 1 >/dev/null # 22: parent 1
sql() { sqlite3 "$DB" "$1"; }
log_count() { sql "SELECT count(*) FROM decisions"; }
# run COLS ROWS [ARGS...] < script: one scripted session.
run() {
	c=$1 r=$2
	shift 2
	cat >"$T/script"
	COLUMNS=$c LINES=$r MMDA_SCRIPT="$T/script" "$MMDA" review "$DB" --renderer none "$@" \
	    >/dev/null 2>"$T/err"
}

# The default order: each original's augmentations together (18 and 22 under
# 1), originals after; mmda next hands work out in the same order.
run 100 30 <<S
dump-screen $T/o1
next
dump-screen $T/o2
next
dump-screen $T/o3
quit
S
check order-first grep -q "default 1/22, 22 left  #18 hflip" "$T/o1"
check order-sibling-next grep -q "default 2/22, 22 left  #22 grayscale" "$T/o2"
check order-then-next-original grep -q "default 3/22, 22 left  #19 hflip" "$T/o3"
check order-original-pane-stays sh -c "grep -q 'ORIGINAL  #1 ' '$T/o1' && grep -q 'ORIGINAL  #1 ' '$T/o2'"
"$MMDA" next "$DB" --annotator nx --json >"$T/n1"
check next-derived-first [ "$(json_get "$T/n1" "d['candidate']")" = 18 ]
"$MMDA" decide "$DB" 18 accept --annotator nx >/dev/null
"$MMDA" next "$DB" --annotator nx --json >"$T/n2"
check next-same-original-next [ "$(json_get "$T/n2" "d['candidate']")" = 22 ]

# Originals on their own queue, over the whole width, no empty AUGMENTED pane.
run 100 30 --queue originals <<S
dump-screen $T/q1
quit
S
check originals-queue grep -q "originals 1/17, 17 left  #1 original" "$T/q1"
check originals-no-augmented-pane sh -c "! grep -q AUGMENTED '$T/q1' && grep -q 'an original pair' '$T/q1'"
check originals-whole-width-caption grep -q "^An astronaut in an orange spacesuit smiles in front of an American flag, with" "$T/q1"
run 100 30 --queue op=grayscale <<S
dump-screen $T/q2
quit
S
check op-queue grep -q "op=grayscale 1/1, 1 left  #22 grayscale" "$T/q2"
COLUMNS=100 LINES=30 "$MMDA" review "$DB" --queue frobnicate >/dev/null 2>"$T/err"
check unknown-queue-exit-2 [ $? -eq 2 ]
check unknown-queue-says grep -q "unknown queue frobnicate" "$T/err"
"$MMDA" review --help >"$T/help"
for q in default originals undecided conflicts op=NAME; do
	check "review-help-lists-$q" grep -q "^  $q " "$T/help"
done

# Counters: "left" is what this annotator has not decided in the queue shown.
run 100 30 <<S
accept
reject
skip
dump-screen $T/c1
quit
S
check counter-default grep -q "default 4/22, 19 left" "$T/c1"
"$MMDA" stats "$DB" --json >"$T/st"
# Every decided candidate has scr's decision (nx decided 18 too): "left" is stats' undecided.
check counter-matches-stats [ "$(json_get "$T/st" "d['undecided']")" = 19 ]
run 100 30 --queue op=hflip <<S
dump-screen $T/c2
quit
S
mine=$(sql "SELECT count(*) FROM candidates c WHERE c.op = 'hflip' AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.candidate = c.id AND d.annotator = 'scr')")
check counter-op-queue grep -q "op=hflip [0-9]*/4, $mine left" "$T/c2"
"$MMDA" decide "$DB" 19 accept --annotator p2 >/dev/null
"$MMDA" decide "$DB" 19 reject --annotator p3 >/dev/null
run 100 30 --queue conflicts <<S
dump-screen $T/c3
accept
dump-screen $T/c4
undo
dump-screen $T/c5
quit
S
# 19 was rejected by scr above, so it is not left for scr in the conflicts queue.
check counter-conflicts grep -q "conflicts 1/1, 0 left" "$T/c3"
check counter-after-decide grep -q "conflicts 1/1, 0 left" "$T/c4"
check counter-after-undo grep -q "conflicts 1/1, 0 left" "$T/c5"
run 100 30 --queue undecided <<S
dump-screen $T/c6
quit
S
und=$(sql "SELECT count(*) FROM candidates c WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.candidate = c.id AND d.annotator = 'scr' AND d.answer <> 'retract' AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.retracts = d.id))")
check counter-undecided-queue grep -q "undecided 1/$und, $und left" "$T/c6"

# Decision keys do nothing where no candidate is shown (real keys in tmux),
# and say so; the help overlay takes every key and closes without acting.
S=mmdascr$$
TM="tmux -L $S -f /dev/null"
$TM new-session -d -s main -x 100 -y 30 -e MMDA_ANNOTATOR=keys -e TERM=xterm-256color \
    "$MMDA review $DB --renderer none"
wait_for() { i=0; while [ $i -lt 100 ]; do $TM capture-pane -t main -p 2>/dev/null | grep -q "$1" && return 0; sleep 0.05; i=$((i + 1)); done; return 1; }
check keys-tmux-starts wait_for "ORIGINAL"
before=$(log_count)
for screen in t S g E; do
	$TM send-keys -t main "$screen"
	sleep 0.3
	for k in a x Space u; do
		$TM send-keys -t main "$k"
		sleep 0.15
	done
	$TM capture-pane -t main -p >"$T/k-$screen"
	$TM send-keys -t main q
	wait_for "ORIGINAL" >/dev/null
	check "keys-$screen-log-unchanged" [ "$(log_count)" = "$before" ]
done
check keys-thresholds-say-why sh -c "grep -q 'no candidate on this screen' '$T/k-t' || grep -q 'no candidate on this screen' '$T/k-S'"
$TM send-keys -t main '?'
sleep 0.3
$TM send-keys -t main x
sleep 0.3
$TM capture-pane -t main -p >"$T/k-help"
check keys-help-x-decides-nothing [ "$(log_count)" = "$before" ]
check keys-help-x-closes grep -q "ORIGINAL" "$T/k-help"
$TM send-keys -t main a
sleep 0.3
check keys-review-a-decides [ "$(log_count)" = $((before + 1)) ]
$TM kill-server

# The scores panel: thresholds in force first with value, cutoff and verdict;
# a metric without a score is unscored, never FAIL; the header says why.
"$MMDA" score "$DB" --metric ssim --metric num_words >/dev/null
"$MMDA" threshold "$DB" ssim --min 0.99 --ops all >/dev/null
"$MMDA" threshold "$DB" psnr --min 20 --ops all >/dev/null
run 80 24 <<S
goto 18
dump-screen $T/p1
quit
S
check scores-fail-first grep -q "^scores ssim 0\.[0-9]* < 0\.99 FAIL" "$T/p1"
check scores-unscored grep -q "psnr unscored" "$T/p1"
check scores-unscored-not-fail sh -c "! grep -q 'FAILS.*psnr' '$T/p1' && ! grep -q 'psnr unscored FAIL' '$T/p1'"
check scores-header-why grep -q "FAILS ssim 0\.[0-9]*" "$T/p1"
check scores-80-cols sh -c "[ \$(awk '{ if (length > m) m = length } END { print m }' '$T/p1') -le 80 ]"
check scores-rest-shown grep -q "num_words" "$T/p1"
# A threshold that does not judge the candidate (SSIM's default scope has no
# flips) leaves its score among the others, not hidden and not a verdict.
"$MMDA" threshold "$DB" ssim --ops all --remove >/dev/null
"$MMDA" threshold "$DB" psnr --ops all --remove >/dev/null
"$MMDA" threshold "$DB" ssim --min 0.99 >/dev/null
run 80 24 <<S
goto 18
dump-screen $T/p2
quit
S
check scores-out-of-scope-shown sh -c "grep -q 'ssim  *0\.[0-9]' '$T/p2' && ! grep -q '< 0\.99' '$T/p2' && ! grep -q 'FAILS' '$T/p2'"
"$MMDA" threshold "$DB" ssim --remove >/dev/null

# 80x24: a long caption scrolls with c and the removed words keep their own row.
long="A long caption about a tabby cat with green eyes looking at the camera on a sunny day near a window with a plant and a red chair and a blue lamp and the last words here"
mkdir -p "$T/lc/images" && cp "$SAMPLE/images/chelsea.png" "$T/lc/images/"
printf '{"image": "images/chelsea.png", "text": "%s"}\n' "$long" >"$T/lc/m.jsonl"
"$MMDA" import "$T/l.db" "$T/lc/m.jsonl" >/dev/null
"$MMDA" augment "$T/l.db" --op hflip >/dev/null
printf 'dump-screen %s\ncaption-scroll\ndump-screen %s\ncaption-scroll\ndump-screen %s\nquit\n' "$T/l1" "$T/l2" "$T/l3" >"$T/ls"
COLUMNS=80 LINES=24 MMDA_SCRIPT="$T/ls" "$MMDA" review "$T/l.db" --renderer none >/dev/null 2>&1
check caption-more-marked grep -q "c: more text" "$T/l1"
check caption-scrolls sh -c "! grep -q 'last words' '$T/l1' && grep -q 'last words' '$T/l2'"
check caption-scroll-wraps grep -q "^A long caption" "$T/l3"
check caption-removed-own-row grep -q "removed: none" "$T/l1"

# Help scrolls through every binding of the command table and the queues.
run 80 24 <<S
help
dump-screen $T/h1
help-page-down
help-page-down
help-page-down
help-page-down
dump-screen $T/h2
quit
S
check help-first-page grep -q "accept the candidate" "$T/h1"
check help-says-lines grep -q "lines 1-20 of" "$T/h1"
check help-scrolled-to-queues grep -q "Queues (mmda review --queue Q)" "$T/h2"
run 120 140 <<S
help
dump-screen $T/h3
quit
S
for b in $(grep -o '^	{ "[a-z-]*"' "$TOP/tui/commands.c" | cut -d'"' -f2); do
	check "help-lists-$b" grep -q " $b " "$T/h3"
done

# The list: last, first, a page; search and n.
run 100 30 <<S
list
list-bottom
dump-screen $T/j1
list-top
dump-screen $T/j2
search cat
dump-screen $T/j3
search-next
dump-screen $T/j4
quit
S
check list-bottom grep -q "22/22" "$T/j1"
check list-top grep -q "1/22" "$T/j2"
check search-found grep -q "found in #" "$T/j3"
check search-next-moves sh -c "[ \"\$(grep -o 'found in #[0-9]*' '$T/j3')\" != \"\$(grep -o 'found in #[0-9]*' '$T/j4')\" ]"
check integrity-after-screens integrity "$DB"

# Papercuts. A renderer asked for and not possible says why.
printf 'dump-screen %s\nquit\n' "$T/r1" >"$T/rs"
TERM=xterm COLUMNS=100 LINES=30 MMDA_SCRIPT="$T/rs" "$MMDA" review "$DB" --renderer blocks \
    >/dev/null 2>&1
check blocks-refused-says-why grep -q "blocks need 256 colours; TERM=xterm has 8" "$T/r1"
# Each screen's footer shows its own keys.
run 100 30 <<S
list
dump-screen $T/f1
thresholds
dump-screen $T/f2
quit
S
check footer-list grep -q "^j/k move  g/G first/last" "$T/f1"
check footer-thresholds grep -q "^h/l cutoff" "$T/f2"
# Thresholds: every metric listed when the screen has room, a legend, and no
# "AUC nan" without labels.
"$MMDA" demo "$T/demo" >"$T/demo.out" 2>&1
check demo-next-runnable grep -q "^next: $MMDA review $T/demo/demo.db" "$T/demo.out"
# The first metric (ahash_dist) is for photometric and generative ops; the demo
# has flips and mixes, so its default scope is empty and the screen says so;
# o (threshold-scope) tunes and sets it for the ops named.
printf 'thresholds\ndump-screen %s\nthreshold-scope all\ndump-screen %s\nthreshold-scope hflip\nset-threshold\ndump-screen %s\nboundary\ndump-screen %s\nquit\nquit\nquit\n' "$T/t0" "$T/t1" "$T/t2" "$T/t3" >"$T/ts"
COLUMNS=120 LINES=48 MMDA_SCRIPT="$T/ts" "$MMDA" review "$T/demo/demo.db" --renderer none \
    >/dev/null 2>&1
check thresholds-empty-scope sh -c "grep -q '^0 scored for photometric, generative ops (default)' '$T/t0' && grep -q 'o sets another scope' '$T/t0' && ! grep -q 'nan' '$T/t0'"
scored=$(sqlite3 "$T/demo/demo.db" "SELECT count(DISTINCT metric) FROM scores")
check thresholds-all-metrics [ "$(grep -c 'no threshold (' "$T/t1")" = "$scored" ]
check thresholds-legend grep -q "bin  *accept reject undec  .* accepted .* rejected .* undecided" "$T/t1"
check thresholds-auc-needs-labels sh -c "grep -q 'AUC needs labels' '$T/t1' && ! grep -q 'AUC nan' '$T/t1'"
check thresholds-scope-shown grep -q "^17 scored for hflip: " "$T/t2"
# The boundary is the scope's: 17 flips, not 20 of the 34 flips and mixes.
check thresholds-scope-boundary grep -q "mmda  boundary of ahash_dist 1/17" "$T/t3"
check thresholds-scope-set [ "$(sqlite3 "$T/demo/demo.db" "SELECT scope, max IS NOT NULL FROM thresholds WHERE metric = 'ahash_dist'")" = "hflip|1" ]
"$MMDA" threshold "$T/demo/demo.db" ahash_dist --ops hflip --remove >/dev/null
# Stats: one threshold, which count is which, and a kappa from a single answer
# marked degenerate.
"$MMDA" threshold "$T/demo/demo.db" ssim --min 0.1 >/dev/null
for who in k1 k2; do
	for id in 18 19 20; do "$MMDA" decide "$T/demo/demo.db" $id accept --annotator $who >/dev/null; done
done
"$MMDA" stats "$T/demo/demo.db" >"$T/stats.txt"
"$MMDA" stats "$T/demo/demo.db" --json >"$T/stats.json"
check stats-one-threshold grep -q "(1 threshold enabled)" "$T/stats.txt"
check stats-says-which grep -q "answers in force, one per annotator); [0-9]* candidates undecided" "$T/stats.txt"
check stats-kappa-degenerate grep -q "degenerate: every rating was accept" "$T/stats.txt"
check stats-kappa-degenerate-json [ "$(json_get "$T/stats.json" "d['agreement']['overall']['degenerate']")" = True ]
# The augment screen's prompt takes VALUE or NAME=VALUE.
S=mmdaaug$$
TM="tmux -L $S -f /dev/null"
$TM new-session -d -s main -x 120 -y 36 -e MMDA_ANNOTATOR=aug -e TERM=xterm-256color \
    "$MMDA review $DB --renderer none"
wait_for "ORIGINAL" >/dev/null
$TM send-keys -t main g
wait_for "mmda augment" >/dev/null
i=0
until $TM capture-pane -t main -p | grep -q '> rotate' || [ $i -ge 30 ]; do
	$TM send-keys -t main j
	sleep 0.1
	i=$((i + 1))
done
$TM send-keys -t main e
sleep 0.3
$TM send-keys -t main -l "max_angle=45"
$TM send-keys -t main Enter
sleep 0.4
$TM capture-pane -t main -p >"$T/a1"
$TM kill-server
check augment-set-name-value grep -q "rotate max_angle=45" "$T/a1"
# The export screen's folder prompt expands ~ as a shell would.
S=mmdaexp$$
TM="tmux -L $S -f /dev/null"
mkdir -p "$T/home"
$TM new-session -d -s main -x 120 -y 36 -e MMDA_ANNOTATOR=exp -e TERM=xterm-256color \
    -e HOME="$T/home" "$MMDA review $DB --renderer none"
wait_for "ORIGINAL" >/dev/null
$TM send-keys -t main E
wait_for "mmda export" >/dev/null
$TM send-keys -t main Enter
sleep 0.3
$TM send-keys -t main -l "~/subset"
$TM send-keys -t main Enter
i=0
while [ ! -f "$T/home/subset/manifest.json" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
$TM kill-server
check export-prompt-tilde [ -f "$T/home/subset/manifest.json" ]
