#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""An independent reader for the export writers (core/export/export*.c), run by
tests/unit/test_export.c: export_check.py FORMAT DIR EXPECTED.json.

It reads what the C writer produced with nothing but Python's json, csv and
tarfile modules and compares it with the items the C test describes in
EXPECTED.json (texts as hex, so they must come back byte for byte). Prints
every mismatch to stderr and exits 1 when there was any."""

import csv
import json
import os
import sys
import tarfile

errors = []


def fail(msg):
    errors.append(msg)


def eq(what, got, want):
    if got != want:
        fail("%s: got %r, want %r" % (what, got, want))


def text_of(it):
    return bytes.fromhex(it["text_hex"]).decode("utf-8")


def listing(d, want):
    eq("files in " + d, sorted(os.listdir(d)), sorted(want))


def jsonl_object(it):
    """The pairs.jsonl object of an item, as the contract states it."""
    return {
        "id": it["id"], "aug_id": it["aug_id"], "key": it["key"],
        "image": it["image"], "text": text_of(it), "parents": it["parents"],
        "op": it["op"], "op_version": it["op_version"], "params": it["params"],
        "seed": it["seed"], "model": it["model"], "prompt": it.get("prompt"),
        "meta": it.get("meta"), "scores": it["scores"],
        "decisions": it["decisions"], "auto_selected": it["auto_selected"],
        "width": it["width"], "height": it["height"],
    }


JSONL_KEYS = ["id", "aug_id", "key", "image", "text", "parents", "op", "op_version",
              "params", "seed", "model", "prompt", "meta", "scores", "decisions", "auto_selected",
              "width", "height"]


def read_lines(path):
    """JSON lines: every object on exactly one physical line, the file ending in a newline."""
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        fail(path + ": does not end with a newline")
    out = []
    for n, raw in enumerate(data.split(b"\n")[:-1] if data else [], 1):
        try:
            out.append(json.loads(raw.decode("utf-8")))
        except ValueError as e:
            fail("%s:%d: not JSON: %s" % (path, n, e))
    return out


def check_jsonl(d, exp):
    listing(d, ["pairs.jsonl"])
    rows = read_lines(os.path.join(d, "pairs.jsonl"))
    eq("pairs.jsonl lines", len(rows), len(exp["items"]))
    for row, it in zip(rows, exp["items"]):
        eq("jsonl keys of " + it["key"], list(row.keys()), JSONL_KEYS)
        eq("jsonl " + it["key"], row, jsonl_object(it))


def check_imagefolder(d, exp):
    listing(d, ["metadata.jsonl"])
    rows = read_lines(os.path.join(d, "metadata.jsonl"))
    eq("metadata.jsonl lines", len(rows), len(exp["items"]))
    for row, it in zip(rows, exp["items"]):
        eq("imagefolder " + it["key"], row, {"file_name": it["image"], "text": text_of(it)})


def check_coco(d, exp):
    listing(d, ["captions.json"])
    with open(os.path.join(d, "captions.json"), "rb") as f:
        doc = json.loads(f.read().decode("utf-8"))
    eq("coco top keys", sorted(doc.keys()), ["annotations", "images", "info"])
    if not isinstance(doc.get("info"), dict):
        fail("coco info is not an object")
    images, anns = doc["images"], doc["annotations"]
    eq("coco image count", len(images), exp["coco_images"])
    eq("coco annotation count", len(anns), len(exp["items"]))
    # Image ids 1, 2, ... by first appearance, one per distinct image string.
    first = {}
    for it in exp["items"]:
        if it["image"] not in first:
            first[it["image"]] = (len(first) + 1, it)
    eq("coco image ids", [im["id"] for im in images], list(range(1, len(first) + 1)))
    by_id = {}
    for im in images:
        by_id[im["id"]] = im
        want = first.get(im["file_name"])
        if want is None:
            fail("coco image %r not in the items" % im["file_name"])
            continue
        eq("coco id of " + im["file_name"], im["id"], want[0])
        eq("coco width of " + im["file_name"], im["width"], want[1]["width"])
        eq("coco height of " + im["file_name"], im["height"], want[1]["height"])
    for n, (a, it) in enumerate(zip(anns, exp["items"]), 1):
        eq("coco annotation id", a["id"], n)
        eq("coco caption of " + it["key"], a["caption"], text_of(it))
        eq("coco aug_id of " + it["key"], a["aug_id"], it["aug_id"])
        im = by_id.get(a["image_id"])
        eq("coco image of " + it["key"], im and im["file_name"], it["image"])


def check_llava(d, exp):
    listing(d, ["llava.json"])
    with open(os.path.join(d, "llava.json"), "rb") as f:
        doc = json.loads(f.read().decode("utf-8"))
    if not isinstance(doc, list):
        fail("llava.json is not an array")
        return
    eq("llava items", len(doc), len(exp["items"]))
    for row, it in zip(doc, exp["items"]):
        conv = it.get("llava_conversations")
        if conv is None:
            conv = [{"from": "human", "value": "<image>\nDescribe the image."},
                    {"from": "gpt", "value": text_of(it)}]
        eq("llava " + it["key"], row, {"id": it["key"], "image": it["image"],
                                      "conversations": conv})


def check_dj(d, exp):
    listing(d, ["data_juicer.jsonl"])
    rows = read_lines(os.path.join(d, "data_juicer.jsonl"))
    eq("data_juicer.jsonl lines", len(rows), len(exp["items"]))
    for row, it in zip(rows, exp["items"]):
        eq("dj " + it["key"], row, {
            "text": "<__dj__image> " + text_of(it) + " <|__dj__eoc|>",
            "images": [it["image"]], "id": it["key"],
            "meta": {"aug_id": it["aug_id"], "op": it["op"],
                     "auto_selected": it["auto_selected"]}})


def check_csv(d, exp):
    listing(d, ["pairs.csv"])
    path = os.path.join(d, "pairs.csv")
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.endswith(b"\r\n"):
        fail("pairs.csv does not end with CRLF")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, strict=True))
    eq("csv header", rows[0] if rows else None,
       ["id", "aug_id", "key", "image", "text", "op", "parents", "seed", "auto_selected"])
    rows = rows[1:]
    eq("csv rows", len(rows), len(exp["items"]))
    for row, it in zip(rows, exp["items"]):
        seed = "" if it["seed"] is None else str(it["seed"])
        eq("csv " + it["key"], row, [
            str(it["id"]), it["aug_id"], it["key"], it["image"], text_of(it), it["op"],
            ";".join(it["parents"]), seed, "true" if it["auto_selected"] else "false"])


def check_wds(d, exp):
    items, size, prefix = exp["items"], exp["shard_size"], exp["prefix"]
    nshards = (len(items) + size - 1) // size
    names = ["%s-%06d.tar" % (prefix, i) for i in range(nshards)]
    listing(d, names)
    for s, name in enumerate(names):
        path = os.path.join(d, name)
        chunk = items[s * size:(s + 1) * size]
        want = []
        for it in chunk:
            want += [it["key"] + "." + it["ext_out"], it["key"] + ".txt", it["key"] + ".json"]
        with open(path, "rb") as f:
            raw = f.read()
        # tarfile checks every header checksum and raises on a bad one.
        try:
            tf = tarfile.open(path, mode="r:", errorlevel=2)
        except tarfile.TarError as e:
            fail("%s: %s" % (name, e))
            continue
        with tf:
            members = tf.getmembers()
            eq(name + " members", [m.name for m in members], want)
            end = 0
            for m in members:
                hdr = raw[m.offset:m.offset + 512]
                eq(m.name + " magic", hdr[257:265], b"ustar\x0000")
                eq(m.name + " mode/uid/gid/mtime", (m.mode, m.uid, m.gid, m.mtime),
                   (0o644, 0, 0, 0))
                eq(m.name + " type", m.type, tarfile.REGTYPE)
                end = m.offset_data + (m.size + 511) // 512 * 512
            eq(name + " length", len(raw), end + 1024)
            eq(name + " end blocks", raw[end:], bytes(1024))
            for it in chunk:
                key = it["key"]
                with open(it["image_src"], "rb") as f:
                    eq(key + " image bytes",
                       tf.extractfile(key + "." + it["ext_out"]).read(), f.read())
                eq(key + ".txt", tf.extractfile(key + ".txt").read(),
                   bytes.fromhex(it["text_hex"]))
                obj = json.loads(tf.extractfile(key + ".json").read().decode("utf-8"))
                eq(key + ".json", obj, jsonl_object(it))


CHECKS = {"jsonl": check_jsonl, "imagefolder": check_imagefolder, "coco": check_coco,
          "llava": check_llava, "dj": check_dj, "csv": check_csv, "wds": check_wds}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in CHECKS:
        print("usage: export_check.py FORMAT DIR EXPECTED.json", file=sys.stderr)
        return 2
    with open(sys.argv[3], "rb") as f:
        exp = json.loads(f.read().decode("utf-8"))
    try:
        CHECKS[sys.argv[1]](sys.argv[2], exp)
    except Exception as e:  # a crash in the reader is a failed check, with its reason
        fail("%s: %s: %s" % (sys.argv[1], type(e).__name__, e))
    for e in errors[:40]:
        print("  export_check %s: %s" % (sys.argv[1], e), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
