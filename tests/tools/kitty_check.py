#!/usr/bin/env python3
"""Checks the kitty graphics commands mmda sent against the protocol's documented form.

usage: kitty_check.py RAW REPORT FRAMES.log [--back K]... [--gone K]... [--limit E]

RAW is what ptyterm captured (--out), REPORT its stdout (its "apc N ...
after-key K" lines give the key each command followed), FRAMES.log mmda's
$MMDA_FRAME_LOG. Every APC must be ESC _ G <key=value,...> [; <base64>] ESC \\
with keys from the protocol's documented set; an upload (a=t or a=T) comes in
chunks of at most 4096 base64 bytes, each but the last a multiple of 4 with
m=1, only the first naming the image, the last m=0; an empty m=0 chunk ends
a cut upload and the image is dropped. A placement (a=p) must name an image
uploaded whole since the last clear screen (ED 2, which drops them all), and
its decoded PNG must be the pane the frame log says was shown at that cell
(its source scaled as mmda scales: tests/tools/pane_check.py), that pane's
preview (an eighth of it each way) or a lower rung of it (3/4, 1/2, 3/8 or 1/4
each way, for a slow link), within E of mean error per pixel row (default 8).
--back K: no upload begins after key K and at least one image is placed (the
pair was shown before); an upload's bytes count for the key it began after,
so the tail of one cut by key K is not K's. --gone K: after key K's output no
placement is left on screen.
Prints "key K upload B place P delete D visible V" per key, "previews N"
and "rungs N" when N previews or lower rungs were placed, then "ok" and exits
0, or prints what is wrong and exits 1.
"""
import base64
import io
import re
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from pane_check import reference  # noqa: E402

# The control keys the protocol documents, and the values of the enumerated ones.
KEYS = set("aqftsvSOiIpomxywhXYcrCUzPQHVd")
ENUMS = {"a": set("tTqpdfac"), "t": set("dfts"), "o": {"z"}, "m": {"0", "1"},
         "q": {"0", "1", "2"}, "C": {"0", "1"}, "U": {"0", "1"},
         "f": {"24", "32", "100"}, "d": set("aAiInNcCfFpPqQrRxXyYzZ")}
B64 = re.compile(rb"^[A-Za-z0-9+/]*={0,2}$")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def parse_keys(text):
    if text == "":
        return {}
    keys = {}
    for kv in text.split(","):
        m = re.fullmatch(r"([A-Za-z])=(-?[0-9]+|[A-Za-z])", kv)
        if not m:
            fail("control data %r: not key=value" % text)
        k, v = m.groups()
        if k not in KEYS:
            fail("key %s is not a documented control key (%r)" % (k, text))
        if k in ENUMS and v not in ENUMS[k]:
            fail("key %s=%s is not a documented value" % (k, v))
        if k in keys:
            fail("key %s twice in %r" % (k, text))
        keys[k] = v
    return keys


def apcs(raw):
    """Yields (keys, payload, row, col) for each APC, with the panes' ESC 7 CUP framing;
    a clear screen (ED 2 or 3) as (None, None, 0, 0)."""
    i, row, col = 0, 0, 0
    cup = re.compile(rb"\x1b7\x1b\[(\d+);(\d+)H")
    ed = re.compile(rb"\x1b\[[23]J")
    while True:
        j = raw.find(b"\x1b", i)
        if j < 0 or j + 2 >= len(raw):
            return
        m = cup.match(raw, j)
        if m:
            row, col = int(m.group(1)), int(m.group(2))
            i = m.end()
            continue
        m = ed.match(raw, j)
        if m:
            yield None, None, 0, 0
            i = m.end()
            continue
        if raw[j + 1:j + 2] == b"8":
            row = col = 0
        if raw[j + 1:j + 3] != b"_G":
            i = j + 1
            continue
        end = raw.find(b"\x1b", j + 3)
        if end < 0 or raw[end + 1:end + 2] != b"\\":
            fail("APC at byte %d is not ended by ESC \\ (or holds another sequence)" % j)
        body = raw[j + 3:end]
        ctl, _, payload = body.partition(b";")
        yield parse_keys(ctl.decode("ascii", "replace")), payload, row, col
        i = end + 2


def frame_panes(path):
    """Every (row, col) -> set of (w, h, path) the frame log says an image was shown at."""
    shown = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        w = line.rstrip("\n").split(" ", 6)
        if w[0] == "pane" and w[4] != "-":
            shown.setdefault((int(w[2]), int(w[3])), set()).add((int(w[4]), int(w[5]), w[6]))
    return shown


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        fail("usage: kitty_check.py RAW REPORT FRAMES.log [--back K]... [--gone K]...")
    raw = open(args[0], "rb").read()
    after = [int(l.split()[-1]) for l in open(args[1]) if l.startswith("apc ")]
    shown = frame_panes(args[2])
    back, gone, limit = set(), set(), 8.0
    rest = args[3:]
    while rest:
        if rest[0] == "--back":
            back.add(int(rest[1]))
        elif rest[0] == "--gone":
            gone.add(int(rest[1]))
        elif rest[0] == "--limit":
            limit = float(rest[1])
        rest = rest[2:]

    visible.clear()
    images = {}       # id -> decoded pixels, uploaded whole
    placed = {}       # (id, placement) -> (row, col)
    upload = None     # the transfer in progress: [id, base64 so far, chunks]
    stats = {}        # key -> [upload bytes, placements, deletions]
    checked = set()
    n = 0
    for keys, payload, row, col in apcs(raw):
        if keys is None:
            # kitty (0.26, seen under Xvfb) drops every image on a clear screen,
            # placed or not: what is shown after it must be uploaded again.
            images.clear()
            placed.clear()
            continue
        if n >= len(after):
            fail("more APCs in the capture than in ptyterm's report")
        k = after[n]
        n += 1
        st = stats.setdefault(k, [0, 0, 0])
        if keys.get("a") == "q":
            continue  # the probe's query
        if len(payload) > 4096:
            fail("a chunk of %d bytes (4096 at most)" % len(payload))
        if not B64.match(payload):
            fail("payload is not base64")
        if upload is not None:
            # A continuation chunk says only m (and q).
            if set(keys) - {"m", "q"} or "m" not in keys:
                fail("chunk %d of image %s carries keys %s" % (upload[2], upload[0], keys))
            # Counted for the key the upload began after (a cut's tail comes later).
            stats[upload[3]][0] += len(payload)
            if keys["m"] == "1" and len(payload) % 4:
                fail("a chunk of %d bytes before the last (not a multiple of 4)" % len(payload))
            if keys["m"] == "0" and payload == b"":
                upload = None  # a cut upload: the terminal drops it
                continue
            upload[1].append(payload)
            upload[2] += 1
            if keys["m"] == "0":
                finish(upload, images)
                upload = None
            continue
        a = keys.get("a", "t")
        if a in ("t", "T"):
            if keys.get("f") != "100" or keys.get("q") != "2" or "i" not in keys:
                fail("upload keys %s: want f=100 (PNG), q=2 and an image id" % keys)
            st[0] += len(payload)
            upload = [keys["i"], [payload], 1, k]
            if keys.get("m", "0") == "1":
                if len(payload) % 4:
                    fail("a first chunk of %d bytes (not a multiple of 4)" % len(payload))
            else:
                finish(upload, images)
                upload = None
        elif a == "p":
            st[1] += 1
            iid = keys.get("i")
            if iid not in images:
                fail("after key %d: placement of image %s, which never arrived whole" % (k, iid))
            if keys.get("C") != "1" or "p" not in keys or "c" not in keys or "r" not in keys:
                fail("placement keys %s: want C=1, a placement id, c and r" % keys)
            if row == 0:
                fail("placement of image %s outside the panes' ESC 7 CUP framing" % iid)
            placed[(iid, keys["p"])] = (row, col)
            # The pane the frame log showed at that cell (0-based there).
            want = shown.get((row - 1, col - 1), set())
            img = images[iid]
            # The pane itself, its preview (an eighth each way), or a lower rung of
            # it for a slow link (tui/render_adapt.c), all scaled up by the terminal.
            size = (img.shape[1], img.shape[0])
            match = [w for w in want if (w[0], w[1]) == size or
                     (w[0] // PREVIEW, w[1] // PREVIEW) == size or
                     any((w[0] * n // d, w[1] * n // d) == size for n, d in RUNGS)]
            if not match:
                fail("image %s (%dx%d) placed at %d,%d: no pane of that size in the frame log"
                     % (iid, img.shape[1], img.shape[0], row, col))
            errs = []
            for w, h, path in match:
                if (iid, path) in checked:
                    errs.append(0.0)
                    continue
                ref = reference(path, w, h)
                if (w, h) != size:
                    ref = np.asarray(Image.fromarray(ref.astype(np.uint8)).resize(
                        size, Image.BOX), dtype=np.int16)
                    (previews if (w // PREVIEW, h // PREVIEW) == size else rungs).add(iid)
                rows = np.abs(img.astype(np.int16) - ref).mean(axis=(1, 2))
                errs.append(float(rows.max()))
                if rows.max() <= limit:
                    checked.add((iid, path))
                    print("image %s is %s at %dx%d: worst row off by %.1f"
                          % (iid, path.rsplit("/", 1)[-1][:16], w, h, rows.max()))
            if min(errs) > limit:
                fail("image %s at %d,%d is not the pane's pixels (worst row off by %.1f)"
                     % (iid, row, col, min(errs)))
        elif a == "d":
            st[2] += 1
            d = keys.get("d", "a")
            if d in "aA":
                placed.clear()
            elif d in "iI":
                iid = keys.get("i")
                for key in [key for key in placed if key[0] == iid and
                            ("p" not in keys or key[1] == keys["p"])]:
                    del placed[key]
                if d == "I":
                    images.pop(iid, None)
            else:
                fail("deletion d=%s: mmda deletes by id or all" % d)
        else:
            fail("action a=%s is not one mmda sends" % a)
        visible[k] = len(placed)
    if upload is not None:
        fail("the capture ends inside the upload of image %s" % upload[0])
    bad = 0
    for k in sorted(stats):
        up, pl, de = stats[k]
        print("key %d upload %d place %d delete %d visible %d" % (k, up, pl, de, visible.get(k, 0)))
    for k in back:
        if k not in stats or stats[k][0] != 0 or stats[k][1] == 0:
            print("FAIL: after key %d: uploads %s bytes, places %s (want 0 and some)"
                  % (k, stats.get(k, [None])[0], stats.get(k, [0, None])[1]))
            bad = 1
    for k in gone:
        if visible.get(k, -1) != 0:
            print("FAIL: after key %d, %s placements left on screen" % (k, visible.get(k)))
            bad = 1
    if not checked:
        print("FAIL: no placed image was checked against its pane")
        bad = 1
    if previews:
        print("previews %d" % len(previews))
    if rungs:
        print("rungs %d" % len(rungs))
    if not bad:
        print("ok")
    return bad


def finish(upload, images):
    data = base64.b64decode(b"".join(upload[1]), validate=True)
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Exception as e:  # noqa: BLE001 - any decode error fails the check
        fail("image %s does not decode as PNG: %s" % (upload[0], e))
    images[upload[0]] = np.asarray(img.convert("RGB"))


visible = {}  # key -> placements on screen after its output
previews = set()  # the images that were previews
rungs = set()  # the images that were lower rungs
PREVIEW = 8  # tui/render_priv.h PREVIEW_SCALE
RUNGS = [(3, 4), (1, 2), (3, 8), (1, 4)]  # tui/render_adapt.c, kitty's ladder below full

if __name__ == "__main__":
    sys.exit(main())
