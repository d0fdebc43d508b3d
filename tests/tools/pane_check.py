#!/usr/bin/env python3
"""Compares the image panes of a real terminal's screenshot with their sources.

usage: pane_check.py SHOT.png FRAMES.log CELL_W CELL_H BORDER [MAX_ROW_ERR]

FRAMES.log is what mmda writes to $MMDA_FRAME_LOG; its last complete block
says which image each pane shows, where (cell row and column) and at which
pixel size. Each source is scaled the way mmda's panes are (fitted with
rounding to nearest, area averaging, centred on black) and compared with the
screenshot row by row: the mean absolute error of each pixel row of the pane,
0..255. A row erased by text (a band of the terminal's background) or an
image left from another candidate is far above the colour quantisation of a
256-colour sixel. Prints one line per pane, "pane I PATH max_row_err R at
row Y", and exits 1 when a pane's worst row passes MAX_ROW_ERR (default 24)
or no pane shows an image.
"""
import sys

import numpy as np
from PIL import Image, ImageOps


def last_block(path):
    block, cur = None, None
    for line in open(path, encoding="utf-8", errors="replace"):
        w = line.rstrip("\n").split(" ", 6)
        if w[0] == "frame":
            cur = []
        elif w[0] == "end" and cur is not None:
            block, cur = cur, None
        elif w[0] == "pane" and cur is not None:
            cur.append(w)
    return block or []


def fit(w, h, pw, ph):
    # core/image/image.c image_fit: the largest size of the same shape, rounded.
    if w * ph >= h * pw:
        ow, oh = pw, (h * pw * 2 + w) // (w * 2)
    else:
        ow, oh = (w * ph * 2 + h) // (h * 2), ph
    return max(1, min(ow, pw)), max(1, min(oh, ph))


def reference(path, pw, ph):
    src = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    fw, fh = fit(src.width, src.height, pw, ph)
    scaled = src.resize((fw, fh), Image.BOX)
    canvas = Image.new("RGB", (pw, ph), (0, 0, 0))
    canvas.paste(scaled, ((pw - fw) // 2, (ph - fh) // 2))
    return np.asarray(canvas, dtype=np.int16)


def main():
    shot_path, frames, cw, ch, border = sys.argv[1:6]
    limit = float(sys.argv[6]) if len(sys.argv) > 6 else 24.0
    cw, ch, border = int(cw), int(ch), int(border)
    shot = np.asarray(Image.open(shot_path).convert("RGB"), dtype=np.int16)
    bad, shown = 0, 0
    for w in last_block(frames):
        if w[4] == "-":
            continue
        i, row, col, pw, ph = (int(v) for v in w[1:6])
        path = w[6]
        x0, y0 = border + col * cw, border + row * ch
        got = shot[y0:y0 + ph, x0:x0 + pw]
        want = reference(path, pw, ph)
        if got.shape != want.shape:
            print("pane %d %s: the pane %dx%d at %d,%d leaves the screenshot" %
                  (i, path, pw, ph, x0, y0))
            bad += 1
            continue
        rows = np.abs(got - want).mean(axis=(1, 2))
        worst = int(rows.argmax())
        shown += 1
        print("pane %d %s max_row_err %.1f at row %d mean_err %.1f" %
              (i, path, rows[worst], worst, rows.mean()))
        if rows[worst] > limit:
            bad += 1
    if shown == 0:
        print("no pane shows an image")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
