# The kitty graphics renderer end to end, through a fake terminal
# (tests/tools/ptyterm.c answering as kitty): the probe's kitty query before
# the DA1 fence, each pane uploaded once as PNG and placed by id, the byte
# stream against the protocol's documented form and the decoded panes against
# their sources (tests/tools/kitty_check.py), going back to a pair costing no
# image bytes, placements deleted when the panes leave the screen, a cut
# upload ended at a chunk and sent again, previews first over a slow link,
# and the refusals (tmux, a terminal without it).
. "$TOP/tests/lib.sh"
: "${BUILD:?BUILD must name the build folder}"
PTY="$BUILD/tools/ptyterm"
PY=/usr/bin/python3 # Debian's, which has python3-pil and python3-numpy
CHECK="$TOP/tests/tools/kitty_check.py"
DB=$T/k.db
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null
"$MMDA" augment "$DB" --op hflip --limit 3 >/dev/null       # 18, 19, 20: parents 1, 2, 3
"$MMDA" augment "$DB" --op grayscale --limit 1 >/dev/null   # 21: parent 1
export MMDA_ANNOTATOR=kitty
unset TMUX STY TERM_PROGRAM TERM_PROGRAM_VERSION SSH_CONNECTION COLUMNS LINES
if ! $PY -c "import numpy, PIL" 2>/dev/null; then
	fail "tools" "$PY lacks numpy or PIL (make deps installs python3-numpy python3-pil)"
	exit 0
fi
not() { ! "$@"; }
# apcs FILE KEY: the keys of the APCs sent after that many keys.
apcs() { awk -v k="$2" '$1 == "apc" && $NF == k { print $4 }' "$1"; }
# offset FILE STRING: the byte offset of the first STRING in FILE (empty if none).
offset() { LC_ALL=C grep -abo -F "$2" "$1" | head -n 1 | cut -d: -f1; }
t0=$(date +%s)

# Counts of uploads: a budget no link here misses, so neither a loaded machine
# nor the first pair (sent preview first before the link is measured) adds previews.
FULL="--budget 10000"

# 18 (hflip of 1, two panes), j to 21 (grayscale of 1: same ORIGINAL), k back
# to 18 (both images uploaded already), ? (help over the screen), q (back to
# the review: placed by id again, no clear screen), l and l (the list screen
# and back: the same), Ctrl-L (a redraw clears the screen, which in kitty
# drops every image: both uploaded again), q (quit). 160x48 with 10x20 px cells: panes of 79x33 cells at
# rows 3, columns 1 and 82 (1-based), 790x660 px.
MMDA_FRAME_LOG=$T/frames "$PTY" --cols 160 --rows 48 --cell-w 10 --cell-h 20 --answer kitty \
    --keys "jk?qll$(printf '\014')q" --out "$T/raw" -- "$MMDA" review "$DB" --renderer auto $FULL \
    >"$T/out" 2>"$T/err"
check run-exit-0 [ $? -eq 0 ]
check app-exit-0 grep -qx "exit 0" "$T/out"
check all-keys-sent grep -qx "keys-sent 8" "$T/out"
check no-sixel grep -qx "dcs-count 0" "$T/out"
q_at=$(offset "$T/raw" "$(printf '\033_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\033\\')")
da1_at=$(offset "$T/raw" "$(printf '\033[c')")
smcup_at=$(offset "$T/raw" "$(printf '\033[?1049h')")
check query-before-da1-fence sh -c "[ -n '$q_at' ] && [ -n '$da1_at' ] && [ '$q_at' -lt '$da1_at' ] && [ '$da1_at' -lt '$smcup_at' ]"
$PY "$CHECK" "$T/raw" "$T/out" "$T/frames" --back 2 --back 4 --back 6 --gone 3 --gone 5 \
    --gone 8 >"$T/check" 2>&1
check stream-documented-form-and-pixels grep -qx ok "$T/check"
# Both panes uploaded first, at their cells, then placed by id (cursor kept).
check first-two-uploads [ "$(apcs "$T/out" 0 | grep -c '^a=t,f=100,t=d,i=[0-9]*,q=2,m=1$')" -eq 2 ]
check first-placed-left grep -q '^apc [0-9]* keys a=p,i=[0-9]*,p=1,c=79,r=33,C=1,q=2 payload 0 row 3 col 1 after-key 0$' "$T/out"
check first-placed-right grep -q '^apc [0-9]* keys a=p,i=[0-9]*,p=2,c=79,r=33,C=1,q=2 payload 0 row 3 col 82 after-key 0$' "$T/out"
# j: the same original is not sent again; the right pane's old placement goes first.
check next-one-upload [ "$(apcs "$T/out" 1 | grep -c '^a=t')" -eq 1 ]
check next-unplaces-old [ "$(apcs "$T/out" 1 | head -n 1 | grep -c '^a=d,d=i,i=[0-9]*,p=2,q=2$')" -eq 1 ]
# k: back to a pair the terminal has: placements only, a few hundred bytes.
check back-no-upload [ "$(awk '$1 == "key" && $2 == 2 { print $4 }' "$T/check")" = 0 ]
check back-frame-small awk '$1 == "frame" && $2 == 2 { exit !($4 < 1000) }' "$T/out"
# ?: help leaves the review screen, every placement is deleted; q places them again.
check help-deletes-all [ "$(apcs "$T/out" 3)" = "a=d,d=a,q=2" ]
check help-closed-replaced [ "$(apcs "$T/out" 4 | grep -c '^a=p')" -eq 2 ]
check list-deletes-all [ "$(apcs "$T/out" 5)" = "a=d,d=a,q=2" ]
check list-back-replaced [ "$(apcs "$T/out" 6 | grep -c '^a=p')" -eq 2 ]
check redraw-uploads-again [ "$(apcs "$T/out" 7 | grep -c '^a=t,')" -eq 2 ]
# Quitting: placements and the two images uploaded since the clear deleted.
check quit-deletes [ "$(apcs "$T/out" 8 | grep -c '^a=d,d=I,i=')" -eq 2 ]
check quit-deletes-placements [ "$(apcs "$T/out" 8 | head -n 1)" = "a=d,d=a,q=2" ]

# mmda probe describes it.
"$PTY" --answer kitty --out "$T/probe" -- "$MMDA" probe >/dev/null 2>&1
check probe-says-kitty grep -q "kitty graphics: yes" "$T/probe"
check probe-why-kitty grep -q "^why: kitty graphics query answered OK" "$T/probe"
"$PTY" --answer xterm-vt340 --out "$T/probe-x" -- "$MMDA" probe >/dev/null 2>&1
check probe-xterm-no-kitty grep -q "kitty graphics: no" "$T/probe-x"

# xterm does not answer the query: auto stays with sixel, no kitty command but the query.
"$PTY" --cols 160 --rows 48 --answer xterm-vt340 --keys q -- "$MMDA" review "$DB" \
    --renderer auto >"$T/out-x" 2>&1
check xterm-auto-sixel sh -c "grep -qx 'apc-count 1' '$T/out-x' && ! grep -qx 'dcs-count 0' '$T/out-x'"
# --renderer kitty forces it whatever the probe found.
"$PTY" --cols 160 --rows 48 --answer xterm-vt340 --keys q -- "$MMDA" review "$DB" \
    --renderer kitty $FULL >"$T/out-f" 2>&1
check forced-kitty sh -c "grep -qx 'dcs-count 0' '$T/out-f' && [ \$(grep -c '^apc .* keys a=p,' '$T/out-f') -eq 2 ]"
# Inside tmux, a kitty terminal's answer is not used, and forcing it is refused with the reason.
TMUX=/tmp/x,1,0 "$PTY" --cols 160 --rows 48 --answer kitty --keys q --out "$T/raw-t" -- \
    "$MMDA" review "$DB" --renderer auto >"$T/out-t" 2>&1
check tmux-no-kitty grep -qx "apc-count 1" "$T/out-t"
TMUX=/tmp/x,1,0 "$PTY" --cols 160 --rows 48 --answer kitty --keys q --out "$T/raw-tf" -- \
    "$MMDA" review "$DB" --renderer kitty >"$T/out-tf" 2>&1
check tmux-forced-refused grep -qx "apc-count 1" "$T/out-tf"
check tmux-forced-says-why grep -q "passthrough" "$T/raw-tf"

# A slow link (4 Mbit/s, a budget of 5 s so that the panes go out in full, to
# be cut) and a key every 500 ms once the first pair is on
# screen (the first key waits for 800 ms of quiet: the panes are made by then):
# j to 21 (the grayscale pane, 0.4 MB, takes 0.8 s), k back to 18
# cuts its upload (the chunk in flight finished, then an empty last chunk),
# j to 21 again must upload it again (placing the dropped image would show
# nothing, and the checker fails on a placement of an image that never
# arrived whole), i i (the scores page: the pane stays and is let finish), q.
rm -f "$T/l.db"*
sqlite3 "$DB" ".backup '$T/l.db'"
ln -s "$DB.objects" "$T/l.db.objects"
MMDA_FRAME_LOG=$T/frames-l "$PTY" --cols 160 --rows 48 --cell-w 10 --cell-h 20 --answer kitty \
    --link 4000 --every 500 --keys jkjii --then q --quiet 800 --timeout 60 --out "$T/raw-l" -- \
    "$MMDA" review "$T/l.db" --renderer auto --budget 5000 >"$T/out-l" 2>"$T/err-l"
check link-ran grep -qx "exit 0" "$T/out-l"
check link-cut-ends-upload grep -q "^apc [0-9]* keys m=0 payload 0 row 3 col 82 after-key 2$" "$T/out-l"
$PY "$CHECK" "$T/raw-l" "$T/out-l" "$T/frames-l" --back 2 --gone 6 >"$T/check-l" 2>&1
check link-stream-valid grep -qx ok "$T/check-l"
upload() { awk -v k="$2" '$1 == "key" && $2 == k { print $4 }' "$1"; }
check link-cut-short [ "$(upload "$T/check-l" 1)" -lt 400000 ]
check link-sent-again [ "$(upload "$T/check-l" 3)" -gt 400000 ]
# The link is too slow for a quarter of the budget once measured: a preview of
# the pane (an eighth each way, 7 KB for the grayscale one) is placed before its upload, and
# the title says so.
check link-previews-first grep -q "^previews [1-9]" "$T/check-l"
check link-previews-said grep -q "previews first" "$T/raw-l"
check link-whole-at-last grep -q "^apc [0-9]* keys a=p,i=[0-9]*,p=2,.* after-key [345]$" "$T/out-l"

check suite-under-30s [ $(($(date +%s) - t0)) -le 30 ]

# The kitty ladder (10 Mbit/s, 50 ms round trip, the default budget): after j
# (18 to 21, the right pane changes) its preview is placed, then a lower rung
# (the pane at a fraction of its size each way, which the terminal scales up;
# the checker compares it with the pane scaled down), and once the reviewer has
# stayed a second, the full image. Ids: an entry's image, preview and rung are
# kid, kid + 1 and kid + 2 (kid = 1 mod 3). The title names the rung. (Before
# the ladder the full PNG crossed alone: 0.5 MB, 0.4 s.)
rm -f "$T/a.db"*
sqlite3 "$DB" ".backup '$T/a.db'"
ln -s "$DB.objects" "$T/a.db.objects"
MMDA_FRAME_LOG=$T/frames-a "$PTY" --cols 160 --rows 48 --cell-w 10 --cell-h 20 --answer kitty \
    --link 10000 --rtt 50 --quiet 1500 --keys j --then q --timeout 60 --out "$T/raw-a" -- \
    "$MMDA" review "$T/a.db" --renderer kitty >"$T/out-a" 2>"$T/err-a"
check adapt-ran grep -qx "exit 0" "$T/out-a"
$PY "$CHECK" "$T/raw-a" "$T/out-a" "$T/frames-a" >"$T/check-a" 2>&1
check adapt-stream-valid grep -qx ok "$T/check-a"
check adapt-rung-placed grep -q "^rungs [1-9]" "$T/check-a"
check adapt-preview-rung-full sh -c "[ \"\$(awk '\$1 == \"apc\" && \$NF == 1 && / col 82 / && \$4 ~ /^a=p,/ {
    split(\$4, k, \",\"); sub(\"i=\", \"\", k[2]); printf \"%d\", k[2] % 3 }' '$T/out-a')\" = 201 ]"
check adapt-title-says grep -q "Mbit/s: previews first, [0-9/]* resolution" "$T/raw-a"
