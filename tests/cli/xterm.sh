# What a person sees: the review screen in a real xterm (VT340 sixel, 256
# colour registers) under Xvfb, driven by xdotool and checked by screenshot.
# Only a real terminal composites sixel with text, so only here can a row of
# an image erased by text (a band of the terminal's background) be seen.
# Each check cuts every image pane out of the screenshot and compares it row
# by row with its source scaled the same way (tests/tools/pane_check.py).
. "$TOP/tests/lib.sh"

PY=/usr/bin/python3 # Debian's, which has python3-pil and python3-numpy
for tool in Xvfb xterm xdotool import xdpyinfo $PY; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		fail "tools" "$tool is missing (make deps installs it)"
		exit 1
	fi
done
if ! $PY -c 'import numpy, PIL' 2>/dev/null; then
	fail "tools" "$PY lacks numpy or PIL (make deps installs python3-numpy python3-pil)"
	exit 1
fi

"$MMDA" demo "$T/demo" >/dev/null 2>&1
DB="$T/demo/demo.db"
check demo-built [ -s "$DB" ]
MIX=$(sqlite3 "$DB" "SELECT id FROM candidates WHERE op = 'mixgen' ORDER BY id LIMIT 1")
FLIP=$(sqlite3 "$DB" "SELECT id FROM candidates WHERE op = 'hflip' ORDER BY id LIMIT 1 OFFSET 2")
# Two annotators who disagree make the conflicts queue.
"$MMDA" decide "$DB" "$FLIP" accept --annotator ann1 >/dev/null
"$MMDA" decide "$DB" "$FLIP" reject --annotator ann2 >/dev/null

# A display of our own: Xvfb picks a free number and writes it to fd 3.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$T/display" 2>/dev/null &
XPID=$!
XTPID=
cleanup() {
	[ -n "$XTPID" ] && kill "$XTPID" 2>/dev/null
	kill "$XPID" 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT
i=0
while [ ! -s "$T/display" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
DISPLAY=:$(cat "$T/display")
export DISPLAY
i=0
until xdpyinfo >/dev/null 2>&1 || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
check xvfb-up sh -c "xdpyinfo >/dev/null 2>&1"

CW=6 CH=13 BORDER=3 # -fn fixed cells; xterm's border and internal border

frames() { fr=$(grep -c '^end$' "$FRAMES" 2>/dev/null); echo "${fr:-0}"; }
# settle BEFORE: waits until a frame after BEFORE is the last for 0.6 s and
# every pane it lists shows an image (or the deadline passes).
settle() {
	t=0 last=-1 quiet=0
	while [ $t -lt 200 ]; do
		now=$(frames)
		if [ "$now" -gt "$1" ] && [ "$now" = "$last" ]; then
			quiet=$((quiet + 1))
			if [ $quiet -ge 6 ] && ! tail -n 4 "$FRAMES" | grep -q ' text$'; then
				return 0
			fi
		else
			quiet=0
		fi
		last=$now
		sleep 0.1
		t=$((t + 1))
	done
	return 1
}

# start NAME COLSxROWS ARGS...: a fresh xterm running mmda review.
start() {
	name=$1 geom=$2
	shift 2
	[ -n "$XTPID" ] && { kill "$XTPID" 2>/dev/null; wait "$XTPID" 2>/dev/null; }
	FRAMES="$T/frames.$name"
	: >"$FRAMES"
	xterm -ti vt340 -xrm 'XTerm*numColorRegisters: 256' \
	    -xrm 'XTerm*maxGraphicSize: 2048x2048' -xrm 'XTerm*allowWindowOps: true' \
	    -fn fixed -geometry "$geom+0+0" -title "mmda-$name" \
	    -e env MMDA_FRAME_LOG="$FRAMES" MMDA_ANNOTATOR=tester "$MMDA" review "$DB" --budget 10000 "$@" \
	    2>/dev/null &
	XTPID=$!
	WID=$(xdotool search --sync --name "mmda-$name" 2>/dev/null | head -n 1)
	xdotool windowfocus --sync "$WID" 2>/dev/null
	check "$name-started" settle 0
}

# shot NAME: the screenshot's panes match their sources. A terminal under load
# may still be painting the last image: a second look a moment later settles
# that, while a band that text left in an image stays until the next redraw.
shot() {
	eval "$(xdotool getwindowgeometry --shell "$WID")"
	for try in 1 2 3; do
		import -window root -crop "${WIDTH}x${HEIGHT}+0+0" +repage "$T/$1.png" 2>/dev/null
		$PY "$TOP/tests/tools/pane_check.py" "$T/$1.png" "$FRAMES" $CW $CH $BORDER \
		    >"$T/$1.check" 2>&1
		rc=$?
		[ $rc -eq 0 ] && break
		sleep 0.5
	done
	[ $rc -eq 0 ] || sed "s/^/  $1: /" "$T/$1.check" >&2
	check "$1-panes-exact" [ $rc -eq 0 ]
}

# key NAME XDOTOOL-ARGS...: sends keys, waits for the frame they cause, checks.
key() {
	name=$1
	shift
	before=$(frames)
	xdotool "$@"
	check "$name-drawn" settle "$before"
	shot "$name"
}

start big 160x48
shot big-first
key big-goto type --delay 20 ":goto $FLIP
"
key big-goto-mixgen type --delay 20 ":goto $MIX
"
key big-second-parent type p
key big-first-parent type p
key big-zoom type z
key big-zoom-back type z
# The help overlay covers the panes; closing it must bring them back whole.
xdotool type '?'
sleep 0.5
key big-help-closed type '?'
xdotool type l
sleep 0.5
key big-list-back type l
key big-next type j
before=$(frames)
xdotool windowsize "$WID" $((140 * CW + 2 * BORDER)) $((40 * CH + 2 * BORDER))
check big-resized-drawn settle "$before"
shot big-resized

start small 80x24
shot small-first
key small-goto type --delay 20 ":goto $FLIP
"
key small-next type j

start conflicts 160x48 --queue conflicts
shot conflicts-first
