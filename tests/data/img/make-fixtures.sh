#!/bin/sh
# Regenerates the image fixtures in this folder for tests/unit/test_image_*.c.
#
# Run by hand, never by the build:   sh tests/data/img/make-fixtures.sh
#
# The fixtures come from encoders that are independent of mmda's own code:
# ImageMagick (convert), Ghostscript (gs, for the Adobe CMYK JPEG), cwebp and
# gif2webp (webp package), gifsicle and exiftool. On Debian:
#   apt-get install imagemagick ghostscript webp gifsicle libimage-exiftool-perl
# They are not build or test dependencies: the generated files are committed.
#
# Pixel patterns are written as plain-text PPM/PGM/PAM so that the tests can
# recompute every expected pixel from the same formulas:
#   pat(x, y) = ((x*37 + y*11) % 256, (x*5 + y*53 + 40) % 256, (x*y*7 + 13) % 256)
#   alpha(x, y) = (x*16 + y*3) % 256
#   16-bit RGB: (min(65535, r*257 + (x*7)%128), min(65535, g*257 + (y*13)%128), b*257)
#   16-bit grey: (x*4099 + y*1031) % 65536
# Keep every fixture small: the whole folder stays well under 300 KB.
set -eu

CONVERT=${CONVERT:-convert}
cd "$(dirname "$0")"
T=$(mktemp -d "${TMPDIR:-/tmp}/mmda-fixtures.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

# ppm W H KIND: KIND pat | pat16 | grey16 | rgba | ga | bits | wide | rows
ppm() {
	awk -v W="$1" -v H="$2" -v K="$3" 'function c16(v) { return v > 65535 ? 65535 : v }
	BEGIN {
		if (K == "pat")    printf "P3\n%d %d\n255\n", W, H
		if (K == "pat16")  printf "P3\n%d %d\n65535\n", W, H
		if (K == "grey16") printf "P2\n%d %d\n65535\n", W, H
		if (K == "bits")   printf "P1\n%d %d\n", W, H
		if (K == "wide")   printf "P3\n%d %d\n255\n", W, H
		if (K == "rows")   printf "P3\n%d %d\n255\n", W, H
		if (K == "rgba")   printf "P7\nWIDTH %d\nHEIGHT %d\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n", W, H
		if (K == "ga")     printf "P7\nWIDTH %d\nHEIGHT %d\nDEPTH 2\nMAXVAL 255\nTUPLTYPE GRAYSCALE_ALPHA\nENDHDR\n", W, H
		for (y = 0; y < H; y++) for (x = 0; x < W; x++) {
			r = (x*37 + y*11) % 256; g = (x*5 + y*53 + 40) % 256; b = (x*y*7 + 13) % 256
			a = (x*16 + y*3) % 256
			if (K == "pat")    printf "%d %d %d\n", r, g, b
			if (K == "pat16")  printf "%d %d %d\n", c16(r*257 + (x*7)%128), c16(g*257 + (y*13)%128), b*257
			if (K == "grey16") printf "%d\n", (x*4099 + y*1031) % 65536
			if (K == "bits")   printf "%d\n", ((x*3 + y*5) % 7 < 3) ? 1 : 0
			if (K == "wide")   printf "%d %d %d\n", x % 256, int(x / 16) % 256, y * 20
			if (K == "rows")   printf "%d %d %d\n", y*12, 255 - y*12, (y*5) % 256
			if (K == "rgba")   printf "%c%c%c%c", r, g, b, a
			if (K == "ga")     printf "%c%c", r, a
		}
	}'
}

# PNG: known patterns, every colour type the decoder must handle.
ppm 16 16 pat >"$T/pat.ppm"
"$CONVERT" "$T/pat.ppm" -strip PNG24:rgb.png
"$CONVERT" "$T/pat.ppm" -strip -interlace PNG PNG24:interlaced.png
ppm 16 16 pat16 >"$T/pat16.ppm"
"$CONVERT" "$T/pat16.ppm" -strip -depth 16 PNG48:rgb16.png
ppm 16 16 grey16 >"$T/grey16.pgm"
"$CONVERT" "$T/grey16.pgm" -strip -depth 16 -define png:color-type=0 \
    -define png:bit-depth=16 grey16.png
ppm 16 16 rgba >"$T/rgba.pam"
"$CONVERT" "$T/rgba.pam" -strip PNG32:rgba.png
ppm 16 16 ga >"$T/ga.pam"
"$CONVERT" "$T/ga.pam" -strip -define png:color-type=4 grey_alpha.png
ppm 13 7 bits >"$T/bits.pbm"
"$CONVERT" "$T/bits.pbm" -strip -define png:color-type=0 -define png:bit-depth=1 bilevel.png
# Palette + tRNS: a 4x4 grid of four colours, magenta transparent.
printf 'P3\n4 4\n255\n255 0 0  0 255 0  0 0 255  255 0 255\n0 255 0  0 0 255  255 0 255  255 0 0\n0 0 255  255 0 255  255 0 0  0 255 0\n255 0 255  255 0 0  0 255 0  0 0 255\n' >"$T/pal.ppm"
"$CONVERT" "$T/pal.ppm" -strip -transparent '#ff00ff' PNG8:palette_trns.png
printf 'P3\n1 1\n255\n10 200 30\n' >"$T/one.ppm"
"$CONVERT" "$T/one.ppm" -strip PNG24:1x1.png
ppm 4000 10 wide >"$T/wide.ppm"
"$CONVERT" "$T/wide.ppm" -strip PNG24:wide.png
# A truncated PNG: a noisy 64x64 cut off inside its image data.
"$CONVERT" -size 64x64 -seed 7 xc:gray +noise Random -strip PNG24:"$T/noise.png"
head -c 3000 "$T/noise.png" >truncated.png
# eXIf orientation in a PNG.
cp rgb.png orient6.png
exiftool -q -overwrite_original -n -Orientation=6 orient6.png

# JPEG: 8x8 blocks of flat colour, so a quality-95 4:4:4 JPEG keeps them
# within a few levels. Blocks (32x16): row 0 red green blue white, row 1
# black yellow cyan grey128.
printf 'P3\n32 16\n255\n' >"$T/blocks.ppm"
awk 'BEGIN {
	split("255 0 0|0 255 0|0 0 255|255 255 255|0 0 0|255 255 0|0 255 255|128 128 128", c, "|")
	for (y = 0; y < 16; y++) for (x = 0; x < 32; x++) print c[int(y / 8) * 4 + int(x / 8) + 1]
}' >>"$T/blocks.ppm"
"$CONVERT" "$T/blocks.ppm" -strip -quality 95 -sampling-factor 1x1 base.jpg
"$CONVERT" "$T/blocks.ppm" -strip -quality 95 -sampling-factor 1x1 -interlace JPEG progressive.jpg
printf 'P2\n32 8\n255\n' >"$T/grey.pgm"
awk 'BEGIN { for (y = 0; y < 8; y++) for (x = 0; x < 32; x++) print int(x / 8) * 80 + 15 }' >>"$T/grey.pgm"
"$CONVERT" "$T/grey.pgm" -strip -quality 95 -type Grayscale grey.jpg
for o in 1 2 3 4 5 6 7 8; do
	cp base.jpg "orient$o.jpg"
	exiftool -q -overwrite_original -n -Orientation=$o "orient$o.jpg"
done
# Adobe CMYK (inverted samples, APP14 transform 0) from Ghostscript; 8x8
# patches: red green blue white cyan magenta yellow black.
cat >"$T/cmyk.ps" <<'PS'
%!PS
<< /PageSize [64 8] >> setpagedevice
0 1 1 0 setcmykcolor 0 0 8 8 rectfill
1 0 1 0 setcmykcolor 8 0 8 8 rectfill
1 1 0 0 setcmykcolor 16 0 8 8 rectfill
0 0 0 0 setcmykcolor 24 0 8 8 rectfill
1 0 0 0 setcmykcolor 32 0 8 8 rectfill
0 1 0 0 setcmykcolor 40 0 8 8 rectfill
0 0 1 0 setcmykcolor 48 0 8 8 rectfill
0 0 0 1 setcmykcolor 56 0 8 8 rectfill
showpage
PS
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=jpegcmyk -r72 -dJPEGQ=95 -sOutputFile=cmyk.jpg "$T/cmyk.ps"
# Drop the 180 KB ICC profile Ghostscript embeds; the APP14 Adobe segment stays.
exiftool -q -q -overwrite_original -ICC_Profile:all= cmyk.jpg
# Adobe YCCK (inverted, APP14 transform 2): ImageMagick writes CMYK that way.
printf 'P3\n32 8\n255\n' >"$T/rgbw.ppm"
awk 'BEGIN {
	split("255 0 0|0 255 0|0 0 255|255 255 255", c, "|")
	for (y = 0; y < 8; y++) for (x = 0; x < 32; x++) print c[int(x / 8) + 1]
}' >>"$T/rgbw.ppm"
"$CONVERT" "$T/rgbw.ppm" -strip -colorspace CMYK -quality 95 -sampling-factor 1x1 ycck.jpg

# WebP.
"$CONVERT" "$T/blocks.ppm" -strip PNG24:"$T/blocks.png"
cwebp -quiet -q 90 "$T/blocks.png" -o lossy.webp
cwebp -quiet -lossless -exact rgb.png -o lossless.webp
cwebp -quiet -lossless -exact rgba.png -o alpha.webp
cwebp -quiet -q 80 -alpha_q 100 rgba.png -o lossy_alpha.webp
cp lossless.webp orient6.webp
exiftool -q -overwrite_original -n -Orientation=6 orient6.webp

# GIF: an animation whose first frame is an 8x8 pattern at (4,2) on a 16x12
# screen, with magenta transparent; the second frame is solid yellow.
printf 'P3\n8 8\n255\n' >"$T/f1.ppm"
awk 'BEGIN {
	split("255 0 0|0 255 0|0 0 255|255 0 255", c, "|")
	for (y = 0; y < 8; y++) for (x = 0; x < 8; x++) print c[(x + 2 * y) % 4 + 1]
}' >>"$T/f1.ppm"
"$CONVERT" "$T/f1.ppm" "$T/f1.gif"
"$CONVERT" -size 16x12 xc:yellow "$T/f2.gif"
gifsicle --no-warnings -S 16x12 --loopcount=forever -d 10 -t '#ff00ff' -p 4,2 "$T/f1.gif" \
    --no-transparent -d 10 -p 0,0 "$T/f2.gif" >anim.gif
gif2webp -quiet anim.gif -o animated.webp
# Interlaced GIF: 8x20, one colour per row, so a wrong pass order shows.
ppm 8 20 rows >"$T/rows.ppm"
"$CONVERT" "$T/rows.ppm" "$T/rows.gif"
gifsicle --no-warnings -i "$T/rows.gif" >interlaced.gif

# Hostile and odd files.
: >empty.jpg
printf 'This is a text file with a .jpg name, not a picture.\n' >text.jpg
