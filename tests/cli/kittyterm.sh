# What a person sees in a real kitty (Debian's kitty 0.26 under Xvfb, drawing
# with Mesa's software OpenGL): mmda's probe finds the graphics protocol on
# its own, and the screenshot's panes match their sources pixel row by pixel
# row (tests/tools/pane_check.py) on the first pair, the next, back to the
# first (placed by id, nothing uploaded), and after the help overlay, which
# must take the images off the screen while it is open.
. "$TOP/tests/lib.sh"
PY=/usr/bin/python3 # Debian's, which has python3-pil and python3-numpy
for tool in Xvfb kitty xdotool import xdpyinfo; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		fail "tools" "$tool is missing (make deps installs it)"
		exit 0
	fi
done
"$MMDA" demo "$T/demo" >/dev/null 2>&1
DB="$T/demo/demo.db"
check demo-built [ -s "$DB" ]
t0=$(date +%s)

Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$T/display" 2>/dev/null &
XPID=$!
KPID=
cleanup() {
	[ -n "$KPID" ] && kill "$KPID" 2>/dev/null
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

# DejaVu Sans Mono at 10 pt in kitty: 8x17 px cells, no padding, the cells from
# the window's corner (by default kitty centres them); 112x35 cells.
CW=8 CH=17 FRAMES=$T/frames
: >"$FRAMES"
LIBGL_ALWAYS_SOFTWARE=1 kitty --config NONE -o font_size=10 -o window_padding_width=0 \
    -o remember_window_size=no -o initial_window_width=900 -o initial_window_height=600 \
    -o cursor_blink_interval=0 -o placement_strategy=top-left -T mmda-kitty \
    env MMDA_FRAME_LOG="$FRAMES" MMDA_ANNOTATOR=tester "$MMDA" review "$DB" --budget 10000 \
    >"$T/kitty.log" 2>&1 &
KPID=$!

blocks() { awk '$1 == "end" { n++ } END { print n + 0 }' "$FRAMES"; }
# drawn AFTER: a frame block past AFTER is the last one for half a second,
# and it shows both panes as images.
drawn() {
	tick=0 last=-1 still=0
	while [ $tick -lt 150 ]; do
		now=$(blocks)
		if [ "$now" -gt "$1" ] && [ "$now" = "$last" ]; then
			still=$((still + 1))
			[ $still -ge 5 ] && ! tail -n 3 "$FRAMES" | grep -q ' text$' && return 0
		else
			still=0
		fi
		last=$now
		tick=$((tick + 1))
		sleep 0.1
	done
	return 1
}
# look NAME [!]: the panes in the screenshot are (! : are not) the frame log's images.
look() {
	for try in 1 2 3; do
		import -window root -crop 900x600+0+0 +repage "$T/$1.png" 2>/dev/null
		$PY "$TOP/tests/tools/pane_check.py" "$T/$1.png" "$FRAMES" $CW $CH 0 >"$T/$1.check" 2>&1
		rc=$?
		[ "${2:-}" = "!" ] && [ $rc -ne 0 ] && return 0
		[ "${2:-}" != "!" ] && [ $rc -eq 0 ] && return 0
		sleep 0.5
	done
	sed "s/^/  $1: /" "$T/$1.check" >&2
	return 1
}
WID=$(xdotool search --sync --name mmda-kitty 2>/dev/null | head -n 1)
check kitty-started drawn 0
xdotool windowfocus --sync "$WID" 2>/dev/null
check first-panes-exact look first
# press KEY NAME: the key, then the frame it causes.
press() { before=$(blocks); xdotool type "$1"; check "$2-drawn" drawn "$before"; check "$2-panes-exact" look "$2"; }
press j next
press k back
xdotool type '?'
sleep 1
check help-hides-images look help '!'
press q help-closed
xdotool type q
i=0
while kill -0 "$KPID" 2>/dev/null && [ "$(ps -o stat= -p "$KPID" 2>/dev/null | cut -c1)" != Z ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
check quit-closes-kitty [ $i -lt 50 ]
check suite-under-30s [ $(($(date +%s) - t0)) -le 30 ]
