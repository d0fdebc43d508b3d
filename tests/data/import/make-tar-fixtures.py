#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the WebDataset shards under tests/data/import/wds/ used by
tests/unit/test_import_*.c. Run from anywhere; the output is deterministic
(fixed mtimes and owners), so a re-run leaves git with nothing to commit.

Image members hold a few marker bytes, not real pictures: the reader only
passes them on, and the test compares them byte for byte.
"""
import io
import os
import tarfile

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wds")

LONG_DIR = "a-very-long-folder-name-for-testing-gnu-long-names/" + "x" * 60
USTAR_DIR = "prefix-folder-" + "p" * 60 + "/" + "q" * 40


def member(tf, name, data=b"", kind=tarfile.REGTYPE, link="", pax=None):
    ti = tarfile.TarInfo(name)
    if pax:
        ti.pax_headers = dict(pax)
    ti.type = kind
    ti.mtime = 0
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = ""
    ti.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    ti.linkname = link
    if kind == tarfile.REGTYPE:
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
    else:
        tf.addfile(ti)


def shard(fmt, members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for m in members:
            member(tf, *m)
    return buf.getvalue()


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


GNU = [
    ("samples", b"", tarfile.DIRTYPE),
    ("samples/000001.jpg", b"\xff\xd8\xff JPEG-000001"),
    ("samples/000001.txt", b"A red bicycle leaning on a wall.\n"),
    ("samples/000002.png", b"\x89PNG PNG-000002"),
    ("samples/000002.json", b'{"caption": "Two dogs on a beach.", "width": 64}'),
    (LONG_DIR + "/000003.jpg", b"\xff\xd8\xff JPEG-000003"),
    (LONG_DIR + "/000003.txt", b"A sample with a long member name."),
    ("samples/000004.jpg", b"\xff\xd8\xff JPEG-000004"),
    ("samples/000005.txt", b"A caption without an image."),
    ("samples/link.jpg", b"", tarfile.SYMTYPE, "000001.jpg"),
    ("samples/000006.webp", b"RIFF WEBP-000006"),
    ("samples/000006.cls", b"7"),
    ("samples/000006.json", b'{"text": "A kite in a blue sky.\\u001b[2J"}'),
    ("samples/000007.jpg", b"\xff\xd8\xff JPEG-000007"),
    ("samples/000007.txt", b"\x1b[31mred\x1b[0m text \xe9t\xe9\r\n"),
]

PAX = [
    (LONG_DIR + "/pax/000010.jpg", b"\xff\xd8\xff JPEG-000010"),
    (LONG_DIR + "/pax/000010.txt", b"A pax-named sample."),
    ("pax/000011.jpg", b"\xff\xd8\xff JPEG-000011"),
    ("pax/000011.txt", b"nul \x00 inside"),
    ("pax/caf\u00e9/000012.gif", b"GIF89a GIF-000012"),
    ("pax/caf\u00e9/000012.json", b'{"caption": "\\u732b and \\ud83d\\ude00"}'),
    ("pax/000013.jpg", b"\xff\xd8\xff JPEG-000013"),
    ("pax/000013.json", b'{"caption": "cut \\u0000 here"}'),
]

# The size comes from the pax header; main() zeroes the ustar size field.
PAX_SIZED = b"\xff\xd8\xff JPEG-000030 sized by pax"
PAXSIZE = [
    ("ps/000030.jpg", PAX_SIZED, tarfile.REGTYPE, "", {"size": str(len(PAX_SIZED))}),
    ("ps/000030.txt", b"Sized by a pax record."),
]

USTAR = [
    (USTAR_DIR + "/000020.jpeg", b"\xff\xd8\xff JPEG-000020"),
    (USTAR_DIR + "/000020.txt", b"A ustar prefix sample."),
]


def header_offsets(data):
    """Offsets of each member's own header (after any pax or long-name header)."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        for ti in tf.getmembers():
            out.append((ti.name, ti.offset_data - 512))
    return out


def fix_checksum(block):
    block = bytearray(block)
    block[148:156] = b" " * 8
    s = sum(block)
    block[148:156] = b"%06o\x00 " % s
    return bytes(block)


def main():
    os.makedirs(HERE, exist_ok=True)
    gnu = shard(tarfile.GNU_FORMAT, GNU)
    write("gnu.tar", gnu)
    write("pax.tar", shard(tarfile.PAX_FORMAT, PAX))
    write("ustar.tar", shard(tarfile.USTAR_FORMAT, USTAR))

    offs = dict(header_offsets(gnu))
    # Cut inside the data of samples/000004.jpg: 000001..000003 stay whole.
    cut = offs["samples/000004.jpg"] + 512 + 5
    write("truncated.tar", gnu[:cut])
    # Break the checksum of 000004's header: the same three samples survive.
    bad = bytearray(gnu)
    o = offs["samples/000004.jpg"]
    bad[o + 148:o + 156] = b"0000000\x00"
    write("badsum.tar", bytes(bad))
    # Rewrite 000001.jpg's size field in GNU base-256 form.
    b256 = bytearray(gnu)
    o = offs["samples/000001.jpg"]
    size = len(GNU[1][1])
    b256[o + 124:o + 136] = b"\x80" + size.to_bytes(11, "big")
    b256[o:o + 512] = fix_checksum(b256[o:o + 512])
    write("base256.tar", bytes(b256))

    ps = bytearray(shard(tarfile.PAX_FORMAT, PAXSIZE))
    o = dict(header_offsets(bytes(ps)))["ps/000030.jpg"]
    ps[o + 124:o + 136] = b"00000000000\x00"
    ps[o:o + 512] = fix_checksum(ps[o:o + 512])
    write("paxsize.tar", bytes(ps))


if __name__ == "__main__":
    main()
