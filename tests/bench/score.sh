#!/bin/sh
# make bench-score: aHash + dHash + pHash + SSIM over the sample photos, images per
# second, beside the floor of decoding the same images and beside the same work
# in Python (tests/bench/score_peer.py: Pillow, numpy, scipy, scikit-image), in
# one run, one thread each. Goals: <= 2.5x the decode floor, >= 10x the peer.
set -eu
: "${BENCHTOOL:?}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${ROUNDS:-5}
PEER_ROUNDS=${PEER_ROUNDS:-2}
PY=${PY:-/usr/bin/python3}
set -- "$TOP"/tests/data/sample/images/*.png "$TOP"/tests/data/sample/images/hubble_deep_field.jpg \
    "$TOP"/tests/data/sample/images/retina.jpg "$TOP"/tests/data/sample/images/rocket.jpg
n=$(( $# * ROUNDS ))
pn=$(( $# * PEER_ROUNDS ))
m=$("$BENCHTOOL" score "$ROUNDS" "$@")
p=$("$PY" "$TOP/tests/bench/score_peer.py" "$PEER_ROUNDS" "$@")
echo "$m $p" | awk -v n="$n" -v pn="$pn" '{
	printf "bench-score: the sample photos, one thread (mmda %d decodes, Python %d)\n", n, pn
	printf "  mmda decode only          %7.3f s  %7.1f images/s\n", $1, n / $1
	printf "  mmda + 3 hashes + SSIM    %7.3f s  %7.1f images/s  %.2fx the decode floor (goal <= 2.50)\n", $2, n / $2, $2 / $1
	printf "  Python decode only        %7.3f s  %7.1f images/s\n", $3, pn / $3
	printf "  Python + 3 hashes + SSIM  %7.3f s  %7.1f images/s  mmda %.1fx faster (goal >= 10)\n", $4, pn / $4, ($4 / pn) / ($2 / n)
}'
# The summary lines of make bench (tests/bench/all.sh): bench|figure|reference|ratio|goal|pass.
echo "$m $p" | awk -v n="$n" -v pn="$pn" '{ f = $2 / $1; x = ($4 / pn) / ($2 / n)
	printf "BENCH score|%.1f images/s|decode only %.1f images/s|%.2f|<= 2.50|%s\n", n / $2, n / $1, f, (f <= 2.5 ? "pass" : "fail")
	printf "BENCH score|%.1f images/s|Python %.1f images/s|%.1f|>= 10|%s\n", n / $2, pn / $4, x, (x >= 10 ? "pass" : "fail") }'
