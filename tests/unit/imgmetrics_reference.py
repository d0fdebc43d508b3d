#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# Reference numbers for tests/unit/test_imgmetrics.c from independent code:
# SSIM from scikit-image, PSNR from scikit-image, the hashes from the same
# definitions written with numpy weight matrices and scipy's DCT. Not part
# of the build or of CI (scikit-image is no project dependency); run by hand
# after changing the compared images, and paste the output into img_refs[] and
# pair_refs[]:
#
#   apt-get install -y python3-skimage
#   mkdir -p /tmp/imgm && MMDA_IMGM_DUMP=/tmp/imgm build/tests/test_imgmetrics
#   /usr/bin/python3 tests/unit/imgmetrics_reference.py /tmp/imgm
#
# The C test writes the photos and their blurred and noisy versions as PNG,
# so both sides read exactly the same pixels.

import sys

import numpy as np
import scipy
import scipy.fftpack
import skimage
from skimage.io import imread
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

# The order of sample_names[] in the C test; pairs index into it.
NAMES = ["camera", "camera_blur", "camera_noise", "chelsea", "chelsea_blur", "chelsea_noise"]
PAIRS = [(0, 1), (0, 2), (3, 5), (3, 4)]


def rgb(path):
    """The image as float64 H x W x 3, alpha composited over white."""
    a = imread(path).astype(np.float64)
    if a.ndim == 2:
        a = np.stack([a, a, a], axis=2)
    if a.shape[2] == 4:
        al = a[:, :, 3:4] / 255.0
        a = a[:, :, :3] * al + 255.0 * (1.0 - al)
    return a


def luma(a):
    return 0.299 * a[:, :, 0] + 0.587 * a[:, :, 1] + 0.114 * a[:, :, 2]


def area_matrix(src, dst):
    """dst x src matrix of coverage weights: row j averages source cells under j."""
    m = np.zeros((dst, src))
    for j in range(dst):
        lo, hi = j * src, (j + 1) * src
        for i in range(src):
            ov = min(hi, (i + 1) * dst) - max(lo, i * dst)
            if ov > 0:
                m[j, i] = ov / src
    return m


def grid(y, w, h):
    return area_matrix(y.shape[0], h) @ y @ area_matrix(y.shape[1], w).T


def bits(flags):
    v = 0
    for f in flags.flatten():
        v = (v << 1) | int(bool(f))
    return v


def phash(y):
    g = grid(y, 32, 32)
    c = scipy.fftpack.dct(scipy.fftpack.dct(g, axis=0), axis=1)[:8, :8]
    c[np.abs(c) < 1e-9 * np.abs(g).sum() * 4] = 0.0  # scipy's DCT is 4x ours
    return bits(c > np.median(c))


def ahash(y):
    g = grid(y, 8, 8)
    return bits(g - g.mean() > 1e-9)


def dhash(y):
    g = grid(y, 9, 8)
    return bits(g[:, :-1] - g[:, 1:] > 1e-9)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "/tmp/imgm"
    print("# skimage %s, scipy %s, numpy %s" % (skimage.__version__, scipy.__version__,
                                                 np.__version__))
    ys = []
    print("/* img_refs[]: ahash, dhash, phash, luma mean, std */")
    for n in NAMES:
        y = luma(rgb("%s/%s.png" % (d, n)))
        ys.append((rgb("%s/%s.png" % (d, n)), y))
        print("\t{ UINT64_C(0x%016x), UINT64_C(0x%016x),\n\t    UINT64_C(0x%016x), %.10f, %.10f },"
              % (ahash(y), dhash(y), phash(y), y.mean(), y.std()))
    print("/* pair_refs[]: a, b, SSIM, PSNR */")
    for a, b in PAIRS:
        s = structural_similarity(ys[a][1], ys[b][1], gaussian_weights=True, sigma=1.5,
                                  use_sample_covariance=False, data_range=255)
        p = peak_signal_noise_ratio(ys[a][0], ys[b][0], data_range=255)
        print("\t{ %d, %d, %.10f, %.10f }," % (a, b, s, p))

if __name__ == "__main__":
    main()
