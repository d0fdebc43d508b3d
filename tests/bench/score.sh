#!/bin/sh
# make bench-score: aHash + dHash + pHash + SSIM over the sample photos, images per
# second, beside the floor of decoding the same images, in one run.
set -eu
: "${BENCHTOOL:?}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${ROUNDS:-5}
set -- "$TOP"/tests/data/sample/images/*.png "$TOP"/tests/data/sample/images/hubble_deep_field.jpg \
    "$TOP"/tests/data/sample/images/retina.jpg "$TOP"/tests/data/sample/images/rocket.jpg
n=$(( $# * ROUNDS ))
"$BENCHTOOL" score "$ROUNDS" "$@" | awk -v n="$n" '{
	printf "bench-score: %d decodes of the sample photos (one thread)\n", n
	printf "  decode only              %7.3f s  %7.1f images/s\n", $1, n / $1
	printf "  decode + 3 hashes + SSIM %6.3f s  %7.1f images/s  (%.2fx the decode floor)\n", $2, n / $2, $2 / $1
}'
