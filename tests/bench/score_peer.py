# The peer of make bench-score: the same per-image work as `mmda score` in
# Python, as a team would write it without mmda: Pillow decodes, the
# imagehash algorithms (aHash, dHash, pHash) over Pillow's grey Lanczos
# resize with numpy and scipy's DCT, and scikit-image's SSIM on the luma
# against a copy. One thread. Prints the seconds of decoding only, then of
# decoding plus the metrics, like benchtool score.
import sys
import time

import numpy as np
from PIL import Image
from scipy.fftpack import dct
from skimage.metrics import structural_similarity


def hashes(img):
    grey = img.convert("L")
    a = np.asarray(grey.resize((8, 8), Image.LANCZOS), dtype=np.float64)
    ahash = a > a.mean()
    d = np.asarray(grey.resize((9, 8), Image.LANCZOS), dtype=np.int16)
    dhash = d[:, 1:] > d[:, :-1]
    p = np.asarray(grey.resize((32, 32), Image.LANCZOS), dtype=np.float64)
    low = dct(dct(p, axis=0), axis=1)[:8, :8]
    phash = low > np.median(low)
    return ahash, dhash, phash


def luma(img):
    rgb = np.asarray(img.convert("RGB"), dtype=np.float64)
    return rgb @ np.array([0.299, 0.587, 0.114])


def main():
    rounds, files = int(sys.argv[1]), sys.argv[2:]
    out = []
    for full in (False, True):
        t0 = time.perf_counter()
        for _ in range(rounds):
            for f in files:
                img = Image.open(f)
                img.load()
                if full:
                    hashes(img)
                    y = luma(img)
                    structural_similarity(y, y.copy(), gaussian_weights=True, sigma=1.5,
                                          use_sample_covariance=False, data_range=255)
        out.append(time.perf_counter() - t0)
    print("%.6f %.6f" % (out[0], out[1]))


main()
