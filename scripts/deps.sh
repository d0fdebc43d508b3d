#!/bin/sh
# Installs the Debian packages that building, testing and the demo need
# (with the argument `bench`, the benches' too).
# Does nothing (and asks for nothing) when they are all present.
set -eu

PKGS="gcc make pkg-config
libncurses-dev libsixel-dev libsqlite3-dev libcjson-dev libcurl4-openssl-dev
libturbojpeg0-dev libpng-dev libwebp-dev libgif-dev
sqlite3 python3 tmux valgrind wordnet-base libsixel-bin
xvfb xterm xfonts-base xdotool imagemagick x11-utils python3-pil python3-numpy
kitty libgl1-mesa-dri fonts-dejavu-core"
# `deps.sh bench`: also the Python peers the benches time mmda against.
[ "${1:-}" = bench ] && PKGS="$PKGS python3-scipy python3-skimage time"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "mmda: installing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "mmda: deps: not root and no sudo; install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
