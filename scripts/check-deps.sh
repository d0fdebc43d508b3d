#!/bin/sh
# make check-deps: keeps the include direction of the layout, folder by folder.
# Usage: check-deps.sh [TOP] (default: the current folder). Prints one line per
# broken rule ("check-deps: FILE:LINE: RULE") and exits 1, or "check-deps: ok".
#
# The rules (each folder's README.md says the same in words):
#   core/base       nothing of ours but core/base; libc only
#   core/image      base; the image codecs
#   core/ingest     store.h, base, image
#   core/export     store.h, base, image
#   core/pixel      base, image
#   core/text       base
#   core/models     base, image; libcurl lives here and nowhere else
#   core/ops        store.h, base, image, pixel, text, models, modelops/modelops.h
#   core/modelops   store.h, base, image, text, models, ops
#   core/metrics    store.h, base, image, text, models, ops/ops.h (the op table: a
#                   threshold's default scope is made of op classes)
#   core/*          never ncurses, sqlite3.h, sixel.h, db/, tui/, views/, cli/
#   db/             core/store.h and core/base only; the one home of sqlite3.h
#   tui/            core/, tui/; never db/, views/, cli/
#   views/          core/, tui/, views/; never db/, cli/
#   cli/            core/, tui/; views/ from cli/main.c only; never db/ (it is linked
#                   in behind core/store.h, never included)
# A private header (*_priv.h, *_impl.h, image_codec.h) is included from its
# own folder only.
set -u
top=${1:-.}
cd "$top" || exit 1

files=$(find core db tui views cli -name '*.[ch]' 2>/dev/null | sort)
[ -n "$files" ] || { echo "check-deps: no sources under $top" >&2; exit 1; }

# shellcheck disable=SC2086
awk '
function folder(path,   n, p) {
	n = split(path, p, "/")
	if (p[1] == "core" && n > 2) return p[1] "/" p[2]
	return p[1]
}
function allowed(from, inc, incdir) {
	if (inc == "core/store.h") return from !~ /^core\/(base|image|pixel|text|models)$/
	if (incdir == from) return 1
	if (from ~ /^core\//) {
		if (incdir == "core/base") return 1
		if (incdir == "core/image") return from != "core/base" && from != "core/text"
		if (incdir == "core/text" || incdir == "core/models")
			return from ~ /^core\/(ops|modelops|metrics)$/
		if (from == "core/ops")
			return incdir == "core/pixel" || inc == "core/modelops/modelops.h"
		if (from == "core/modelops") return incdir == "core/ops"
		if (from == "core/metrics") return inc == "core/ops/ops.h"
		return 0
	}
	if (from == "db") return incdir == "core/base"
	if (from == "tui") return incdir ~ /^core/
	if (from == "views") return incdir ~ /^core/ || incdir == "tui"
	if (from == "cli") return incdir ~ /^core/ || incdir == "tui" ||
	    (incdir == "views" && FILENAME == "cli/main.c")
	return 0
}
function bad(why) {
	printf "check-deps: %s:%d: %s\n", FILENAME, FNR, why > "/dev/stderr"
	status = 1
}
/^[ \t]*#[ \t]*include[ \t]*[<"]/ {
	from = folder(FILENAME)
	line = $0
	sub(/^[ \t]*#[ \t]*include[ \t]*/, "", line)
	sys = substr(line, 1, 1) == "<"
	inc = substr(line, 2)
	sub(/[>"].*$/, "", inc)
	if (sys) {
		if (inc ~ /^n?curses(w\/)?[a-z_]*\.h$|^term\.h$/ && from ~ /^(core|db|cli)/)
			bad("<" inc ">: only tui/ and views/ talk to the terminal")
		else if (inc == "sqlite3.h" && from != "db")
			bad("<sqlite3.h>: only db/ speaks SQL")
		else if (inc == "sixel.h" && from != "tui")
			bad("<sixel.h>: only tui/ encodes sixel")
		else if (inc == "curl/curl.h" && from != "core/models")
			bad("<curl/curl.h>: only core/models talks HTTP")
		else if (from == "core/base" && inc ~ /^(cjson|curl|webp)\/|^(png|turbojpeg|gif_lib|jpeglib)\.h$/)
			bad("<" inc ">: core/base uses libc only")
		next
	}
	incdir = inc
	sub(/\/[^\/]*$/, "", incdir)
	if (incdir == inc) { bad("\"" inc "\": includes name their folder (\"core/base/util.h\")"); next }
	if (inc ~ /(_priv|_impl)\.h$|\/image_codec\.h$/ && incdir != from) {
		bad("\"" inc "\": a private header of " incdir)
		next
	}
	if (!allowed(from, inc, incdir))
		bad("\"" inc "\": " from " must not include " incdir)
}
END { exit status }
' $files
status=$?
[ $status -eq 0 ] && echo "check-deps: ok"
exit $status
