#!/bin/sh
# Enforces the include direction of the design: views -> tui, core; tui -> core;
# db -> core; core -> libc, libcurl, cJSON, image codecs only.
status=0
bad() { echo "check-deps: $1" >&2; status=1; }

for f in core/*.c core/*.h; do
	[ -e "$f" ] || continue
	grep -nE '#[[:space:]]*include[[:space:]]*[<"](n?curses(w/)?[a-z]*\.h|sqlite3\.h|sixel\.h|(db|tui|views)/)' "$f" |
	while IFS= read -r l; do echo "check-deps: $f:$l: core/ must not include this" >&2; echo x; done | grep -q x && status=1
done
for f in db/*.c db/*.h; do
	[ -e "$f" ] || continue
	grep -nE '#[[:space:]]*include[[:space:]]*[<"](n?curses(w/)?[a-z]*\.h|sixel\.h|(tui|views)/)' "$f" |
	while IFS= read -r l; do echo "check-deps: $f:$l: db/ must not include this" >&2; echo x; done | grep -q x && status=1
done
for f in tui/*.c tui/*.h views/*.c views/*.h; do
	[ -e "$f" ] || continue
	case "$f" in tui/main.c) continue ;; esac
	grep -nE '#[[:space:]]*include[[:space:]]*[<"](sqlite3\.h|db/)' "$f" |
	while IFS= read -r l; do echo "check-deps: $f:$l: only tui/main.c wires db/ in" >&2; echo x; done | grep -q x && status=1
done
for f in tui/*.c tui/*.h; do
	[ -e "$f" ] || continue
	grep -nE '#[[:space:]]*include[[:space:]]*"views/' "$f" |
	grep -q . && [ "$f" != tui/main.c ] && { bad "$f: tui/ must not include views/ (only main.c wires them)"; }
done
[ $status -eq 0 ] && echo "check-deps: ok"
exit $status
