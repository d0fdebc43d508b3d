# The peer of make bench-augment: MixGen as a team would script it without
# mmda. For each pair of the manifest, Pillow decodes its image and a
# partner's (the next pair's), numpy mixes them at lambda 0.5, Pillow writes
# the PNG, and the two captions are joined. One process. Prints the seconds.
import json
import os
import sys
import time

import numpy as np
from PIL import Image


def main():
    manifest, out = sys.argv[1], sys.argv[2]
    base = os.path.dirname(manifest)
    rows = [json.loads(line) for line in open(manifest)]
    os.makedirs(out, exist_ok=True)
    t0 = time.perf_counter()
    texts = []
    for i, row in enumerate(rows):
        other = rows[(i + 1) % len(rows)]
        a = np.asarray(Image.open(os.path.join(base, row["file_name"])).convert("RGB"),
                       dtype=np.float32)
        b = Image.open(os.path.join(base, other["file_name"])).convert("RGB")
        if b.size != (a.shape[1], a.shape[0]):
            b = b.resize((a.shape[1], a.shape[0]), Image.BILINEAR)
        mixed = 0.5 * a + 0.5 * np.asarray(b, dtype=np.float32)
        Image.fromarray(np.rint(mixed).astype(np.uint8)).save(os.path.join(out, "%d.png" % i))
        texts.append(row["text"] + " " + other["text"])
    print("%.6f" % (time.perf_counter() - t0))


main()
