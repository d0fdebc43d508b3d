#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# Reference hashes for tests/unit/test_imghash.c and test_imgmetrics.c:
# imagehash 4.3's average_hash, dhash and phash written out over Pillow and
# numpy (imagehash is not packaged for Debian; its functions are these lines:
# convert("L"), resize with LANCZOS, compare). scipy.fftpack.dct type II,
# unnormalised, is the matrix 2 cos(pi k (2n + 1) / 2N); the scale does not
# change the bits. Not part of the build: run by hand with Debian's
# python3-pil and python3-numpy, and paste the output into pillow[]:
#
#   /usr/bin/python3 tests/unit/imagehash_reference.py tests/data/sample/images/*.png
#
# Prints: path ahash dhash phash, in imagehash's hex.
import sys, numpy as np
from PIL import Image
def hx(bits):
    return '%016x' % int(''.join('1' if b else '0' for b in bits.flatten()), 2)
def dct2(a):
    n = a.shape[0]
    k = np.arange(n)
    m = 2 * np.cos(np.pi * np.outer(k, 2 * k + 1) / (2 * n))
    return m @ a
for p in sys.argv[1:]:
    im = Image.open(p)
    g8 = np.asarray(im.convert("L").resize((8, 8), Image.LANCZOS))
    ah = hx(g8 > g8.mean())
    g9 = np.asarray(im.convert("L").resize((9, 8), Image.LANCZOS)).astype(int)
    dh = hx(g9[:, 1:] > g9[:, :-1])
    g32 = np.asarray(im.convert("L").resize((32, 32), Image.LANCZOS)).astype(float)
    d = dct2(dct2(g32).T).T
    low = d[:8, :8]
    ph = hx(low > np.median(low))
    print(p, ah, dh, ph)
