#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The loopback model-server stub used by every backend test (see README.md).

    python3 tests/http/stub.py --port-file F [--log F.jsonl] [--latency-ms N]
                               [--embed-dim D] [--host H] [--port P]

It speaks our reading of each protocol in the shared reference
(protocols.md): OpenAI chat completions and images, A1111 sdapi, the three
image styles of /embeddings, KServe v2, and the small GET probes. Every
default reply is a pure function of the request, so tests can assert on it.
Rules posted to /_stub/rules replace a route's reply for the next N matching
requests, to play errors, waits, broken bodies and dropped connections.
Standard library only: the CI machine has nothing else."""

import argparse
import base64
import binascii
import hashlib
import http
import json
import math
import os
import re
import signal
import struct
import sys
import threading
import time
import zlib
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 256 << 20      # refuse larger request bodies with 413
MAX_SIDE = 512            # generated images are at most this wide and high
DEFAULT_SIDE = 64
MAX_IMAGE_ITEMS = 32      # Infinity's per-request image limit
CREATED = 1700000000      # fixed, so replies stay deterministic
MALFORMED = b'{"id": "stub", "choices": [ this is not JSON'
KSERVE_RE = re.compile(r"^/v2/models/([^/]+)(?:/versions/([^/]+))?(/infer|/ready)?$")
RULE_TYPES = {
    "path": str, "method": str, "match": str, "times": int, "status": int, "headers": dict,
    "delay_ms": (int, float), "truncate": bool, "oversize": int, "malformed": bool,
    "drop": bool, "name": str, "body": object,
}


class ReplyError(Exception):
    """A request a route refuses: the status and the JSON body to send."""

    def __init__(self, status, body):
        super().__init__(status)
        self.status = status
        self.body = body


def oai_error(status, message, etype="invalid_request_error"):
    return ReplyError(status, {"error": {"message": message, "type": etype,
                                         "param": None, "code": None}})


# ---------------------------------------------------------------- images

@lru_cache(maxsize=256)
def png_b64(w, h, key):
    """A w x h RGB PNG, base64: a colour from sha256(key) with a horizontal
    gradient and vertical bands, so image metrics do not see a flat image."""
    d = hashlib.sha256(key).digest()
    base = (d[0] >> 1, d[1] >> 1, d[2] >> 1)
    row = bytearray()
    for x in range(w):
        g = x * 63 // max(w - 1, 1)
        row += bytes((base[0] + g, base[1] + 63 - g, base[2] + (g >> 1)))
    # The band offset is added with translate(), which runs in C: fast at 512x512.
    tables = [bytes(min(v + 8 * b, 255) for v in range(256)) for b in range(8)]
    row = bytes(row)
    raw = b"".join(b"\x00" + row.translate(tables[y * 8 // h]) for y in range(h))

    def chunk(tag, data):
        c = tag + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
    return base64.b64encode(png).decode("ascii")


def image_kind(b):
    if b.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if b.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if b[:4] == b"RIFF" and b[8:12] == b"WEBP":
        return "webp"
    if b[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def image_size(b):
    """(width, height) of a PNG (IHDR) or JPEG (SOFn), or None."""
    kind = image_kind(b)
    if kind == "png" and len(b) >= 24 and b[12:16] == b"IHDR":
        return struct.unpack(">II", b[16:24])
    if kind == "jpeg":
        i = 2
        while i + 9 < len(b):
            if b[i] != 0xFF:
                return None
            marker = b[i + 1]
            if marker == 0xFF:
                i += 1
                continue
            seglen = struct.unpack(">H", b[i + 2:i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", b[i + 5:i + 9])
                return w, h
            i += 2 + seglen
    return None


def clamp_side(v):
    return max(1, min(int(v), MAX_SIDE))


def parse_size(size, fallback):
    """OpenAI "WxH" (capped), or fallback for absent/"auto"; raises on nonsense."""
    if size is None or size == "auto":
        return fallback
    m = re.fullmatch(r"(\d{1,5})x(\d{1,5})", str(size))
    if not m:
        raise oai_error(400, "invalid size %r: expected WxH" % (size,))
    return clamp_side(m.group(1)), clamp_side(m.group(2))


def b64_bytes(text, what):
    """Decodes base64 (a data: prefix is skipped); raises ValueError naming what."""
    if text.startswith("data:"):
        comma = text.find(",")
        if comma < 0 or not text[:comma].endswith(";base64"):
            raise ValueError("%s is a data: URL without ;base64," % what)
        text = text[comma + 1:]
    try:
        return base64.b64decode(text)
    except (binascii.Error, ValueError) as e:
        raise ValueError("%s is not valid base64 (%s)" % (what, e)) from None


def data_url_bytes(url, what):
    """The bytes of a data:...;base64, URL; raises ValueError otherwise."""
    if not isinstance(url, str) or not url.startswith("data:"):
        raise ValueError("%s is not a data: URL (the stub fetches nothing)" % what)
    return b64_bytes(url, what)


# ---------------------------------------------------------------- vectors

def unit(v):
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v] if n > 0 else v


def hash_vector(data, dim):
    out = []
    i = 0
    while len(out) < dim:
        d = hashlib.sha256(data + i.to_bytes(4, "little")).digest()
        out += [struct.unpack("<I", d[j:j + 4])[0] / 2147483647.5 - 1.0 for j in range(0, 32, 4)]
        i += 1
    return out[:dim]


def text_vector(text, dim):
    """Bag of words: each lower-cased word adds +-1 at a hashed index, so texts
    sharing words point the same way."""
    v = [0.0] * dim
    for w in re.findall(r"\w+", text.lower()):
        d = hashlib.sha256(w.encode("utf-8")).digest()
        v[int.from_bytes(d[:4], "little") % dim] += 1.0 if d[4] & 1 else -1.0
    if not any(v):
        return unit(hash_vector(b"empty text", dim))
    return unit(v)


def image_vector(data, dim):
    return unit(hash_vector(hashlib.sha256(data).digest(), dim))


# ---------------------------------------------------------------- requests

def parse_multipart(body, ctype):
    """The parts of a multipart/form-data body: dicts with name, filename,
    type, data. Raises ValueError on a body that breaks the framing."""
    m = re.search(r'boundary=(?:"([^"]+)"|([^;\s]+))', ctype, re.I)
    if not m:
        raise ValueError("multipart Content-Type without a boundary")
    delim = b"--" + (m.group(1) or m.group(2)).encode("latin-1")
    pos = body.find(delim)
    if pos < 0:
        raise ValueError("multipart body without its boundary")
    pos += len(delim)
    parts = []
    while body[pos:pos + 2] != b"--":
        eol = body.find(b"\r\n", pos)
        end = body.find(b"\r\n" + delim, pos)
        if eol < 0 or end < 0:
            raise ValueError("multipart body is not terminated")
        raw = body[eol + 2:end]
        if raw.startswith(b"\r\n"):
            head, data = b"", raw[2:]
        else:
            hsep = raw.find(b"\r\n\r\n")
            if hsep < 0:
                raise ValueError("multipart part %d has no header end" % len(parts))
            head, data = raw[:hsep], raw[hsep + 4:]
        hdrs = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        disp = hdrs.get("content-disposition", "")

        def param(key, disp=disp):
            pm = re.search(r'(?:^|;)\s*%s="((?:[^"\\]|\\.)*)"' % key, disp) or \
                re.search(r'(?:^|;)\s*%s=([^;\s]*)' % key, disp)
            return pm.group(1).replace('\\"', '"') if pm else None
        parts.append({"name": param("name"), "filename": param("filename"),
                      "type": hdrs.get("content-type"), "data": data})
        pos = end + 2 + len(delim)
    return parts


class Request:
    """What a route sees: the parsed request plus its log sequence number."""

    def __init__(self, method, path, query, headers, body):
        self.method, self.path, self.query, self.headers, self.body = \
            method, path, query, headers, body
        self.seq = 0
        self.json = None
        self.parts = None
        self.parts_error = None
        ctype = headers.get("content-type", "")
        if ctype.lower().startswith("multipart/"):
            try:
                self.parts = parse_multipart(body, ctype)
            except ValueError as e:
                self.parts_error = str(e)
        elif body:
            try:
                self.json = json.loads(body)
            except ValueError:
                pass

    def log_entry(self, inflight, rule):
        e = {"seq": self.seq, "t": round(time.time(), 6), "method": self.method,
             "path": self.path, "query": self.query, "headers": self.headers,
             "body": None, "json": self.json, "inflight": inflight, "rule": rule}
        if self.parts is not None:
            e["parts"] = []
            for p in self.parts:
                text = None
                if p["filename"] is None:
                    try:
                        text = p["data"].decode("utf-8")
                    except UnicodeDecodeError:
                        pass
                e["parts"].append({"name": p["name"], "filename": p["filename"],
                                   "type": p["type"], "size": len(p["data"]),
                                   "sha256": hashlib.sha256(p["data"]).hexdigest(),
                                   "text": text})
        else:
            e["parts"] = None
            try:
                e["body"] = self.body.decode("utf-8") if self.body else None
            except UnicodeDecodeError:
                e["body_b64"] = base64.b64encode(self.body).decode("ascii")
        if self.parts_error:
            e["parts_error"] = self.parts_error
        return json.dumps(e, separators=(",", ":"))

    def need_json(self, error=oai_error):
        if not isinstance(self.json, dict):
            raise error(400, "the body of %s is not a JSON object" % self.path)
        return self.json


# ---------------------------------------------------------------- routes

def int_field(d, key, default, lo, hi, error=oai_error):
    v = d.get(key, default)
    if v is None:
        v = default
    if isinstance(v, str) and v.strip().lstrip("-").isdigit():
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise error(400, "%s must be an integer from %d to %d, got %r" % (key, lo, hi, v))
    return v


def words(text):
    return len(text.split())


def part_texts(content):
    """The text parts of a message content (string or part list)."""
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        return [p["text"] for p in content if isinstance(p, dict)
                and p.get("type") == "text" and isinstance(p.get("text"), str)]
    return []


def route_chat(st, req):
    d = req.need_json()
    msgs = d.get("messages")
    if not isinstance(msgs, list) or not msgs:
        raise oai_error(400, "messages must be a non-empty list")
    n = int_field(d, "n", 1, 1, 128)
    last_user, prompt_words = "", 0
    for i, m in enumerate(msgs):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str):
            raise oai_error(400, "messages[%d] is not an object with a role" % i)
        content = m.get("content")
        if isinstance(content, list):
            for p in content:
                if isinstance(p, dict) and p.get("type") == "image_url":
                    iu = p.get("image_url")
                    url = iu.get("url") if isinstance(iu, dict) else iu
                    try:
                        data_url_bytes(url, "image_url")
                    except ValueError:
                        raise oai_error(400, "invalid image input") from None
        texts = part_texts(content)
        prompt_words += sum(words(t) for t in texts)
        if m["role"] == "user":
            last_user = " ".join(texts)
    rf = d.get("response_format")
    if isinstance(rf, dict) and rf.get("type") in ("json_schema", "json_object"):
        content = '{"stub": true}'
    else:
        content = "stub reply: " + last_user[:60]
    choices = [{"index": i, "message": {"role": "assistant", "content": content},
                "finish_reason": "stop"} for i in range(n)]
    cw = words(content) * n
    return 200, {"id": "chatcmpl-stub-%d" % req.seq, "object": "chat.completion",
                 "created": CREATED, "model": d.get("model") or "stub-model", "choices": choices,
                 "usage": {"prompt_tokens": prompt_words, "completion_tokens": cw,
                           "total_tokens": prompt_words + cw}}


def images_reply(prompt, n, w, h, key):
    data = []
    for i in range(n):
        k = key if i == 0 else key + b"#%d" % i
        data.append({"b64_json": png_b64(w, h, k), "revised_prompt": prompt})
    return 200, {"created": CREATED, "data": data}


def route_generations(st, req):
    d = req.need_json()
    prompt = d.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        raise oai_error(400, "prompt is required")
    n = int_field(d, "n", 1, 1, 10)
    w, h = parse_size(d.get("size"), (DEFAULT_SIDE, DEFAULT_SIDE))
    return images_reply(prompt, n, w, h, prompt.encode("utf-8"))


def route_edits(st, req):
    if req.parts is None:
        raise oai_error(400, req.parts_error or "images/edits expects a multipart/form-data body")
    fields, images, mask = {}, [], None
    for p in req.parts:
        if p["name"] in ("image", "image[]"):
            images.append(p["data"])
        elif p["name"] == "mask":
            mask = p["data"]
        elif p["filename"] is None:
            fields[p["name"]] = p["data"].decode("utf-8", "replace")
    if not images:
        raise oai_error(400, "image is required (a file part named image or image[])")
    for i, im in enumerate(images):
        if image_kind(im) is None:
            raise oai_error(400, "image %d is not a PNG, JPEG, WebP or GIF file" % i)
    prompt = fields.get("prompt")
    if not prompt:
        raise oai_error(400, "prompt is required")
    if mask is not None:
        if image_kind(mask) != "png":
            raise oai_error(400, "mask must be a PNG file")
        isz = image_size(images[0])
        if isz is not None and image_size(mask) != isz:
            raise oai_error(400, "mask size %s differs from the image size %s"
                            % (image_size(mask), isz))
    n = int_field(fields, "n", 1, 1, 10)
    insz = image_size(images[0])
    fallback = (clamp_side(insz[0]), clamp_side(insz[1])) if insz else (DEFAULT_SIDE, DEFAULT_SIDE)
    w, h = parse_size(fields.get("size"), fallback)
    key = prompt.encode("utf-8") + hashlib.sha256(images[0]).digest()
    return images_reply(prompt, n, w, h, key)


def a1111_error(status, message):
    if status == 400:
        return ReplyError(422, {"detail": [{"loc": ["body"], "msg": message,
                                            "type": "value_error"}]})
    return ReplyError(status, {"detail": message})


def route_sdapi(st, req, img2img):
    d = req.need_json(a1111_error)
    init = None
    if img2img:
        imgs = d.get("init_images")
        if not isinstance(imgs, list) or not imgs:
            raise ReplyError(400, {"detail": "init_images missing"})
        for i, im in enumerate(imgs + ([d["mask"]] if d.get("mask") else [])):
            try:
                raw = b64_bytes(im, "image %d" % i) if isinstance(im, str) else b""
            except ValueError:
                raw = b""
            if image_kind(raw) is None:
                raise ReplyError(500, {"error": "HTTPException", "detail": "Invalid encoded image",
                                       "body": "", "errors": ""})
            if init is None:
                init = raw
    seed = int_field(d, "seed", -1, -1, 2 ** 32 - 1, a1111_error)
    if seed == -1:
        seed = 1234567
    count = int_field(d, "batch_size", 1, 1, 8, a1111_error) * \
        int_field(d, "n_iter", 1, 1, 8, a1111_error)
    insz = image_size(init) if init else None
    w = int_field(d, "width", insz[0] if insz else DEFAULT_SIDE, 1, 1 << 16, a1111_error)
    h = int_field(d, "height", insz[1] if insz else DEFAULT_SIDE, 1, 1 << 16, a1111_error)
    prompt = d.get("prompt") if isinstance(d.get("prompt"), str) else ""
    seeds = [seed + i for i in range(count)]
    images = []
    for s in seeds:
        key = ("%s|%d" % (prompt, s)).encode("utf-8")
        if init:
            key += hashlib.sha256(init).digest()
        images.append(png_b64(clamp_side(w), clamp_side(h), key))
    info = {"seed": seed, "all_seeds": seeds, "prompt": prompt, "infotexts": [prompt] * count,
            "sampler_name": d.get("sampler_name") or "Euler a", "steps": d.get("steps", 20),
            "cfg_scale": d.get("cfg_scale", 7.0),
            "denoising_strength": d.get("denoising_strength", 0.75 if img2img else 0),
            "width": clamp_side(w), "height": clamp_side(h), "sd_model_name": "stub-sd"}
    params = {k: v for k, v in d.items() if k not in ("init_images", "mask")}
    return 200, {"images": images, "parameters": params, "info": json.dumps(info)}


def embed_parts(content, what):
    """(kind, payload) items of a content-part list (or a plain string)."""
    if isinstance(content, str):
        return [("text", content)]
    if not isinstance(content, list) or not content:
        raise oai_error(400, "%s.content must be a string or a non-empty part list" % what)
    out = []
    for j, p in enumerate(content):
        t = p.get("type") if isinstance(p, dict) else None
        if t == "text" and isinstance(p.get("text"), str):
            out.append(("text", p["text"]))
        elif t == "image_url":
            iu = p.get("image_url")
            out.append(("image", iu.get("url") if isinstance(iu, dict) else iu))
        else:
            raise oai_error(400, "%s.content[%d] is neither a text nor an image_url part"
                            % (what, j))
    return out


def route_embeddings(st, req):
    d = req.need_json()
    dim = int_field(d, "dimensions", 0, 0, 4096) or st.embed_dim
    fmt = d.get("encoding_format") or "float"
    if fmt not in ("float", "base64"):
        raise oai_error(400, "encoding_format must be float or base64, got %r" % (fmt,))
    items = []
    if "messages" in d:
        msgs = d["messages"]
        if not isinstance(msgs, list) or not msgs:
            raise oai_error(400, "messages must be a non-empty list")
        one = []
        for i, m in enumerate(msgs):
            if not isinstance(m, dict):
                raise oai_error(400, "messages[%d] is not an object" % i)
            one += embed_parts(m.get("content"), "messages[%d]" % i)
        items.append(one)
    elif "input" in d:
        inp = d["input"]
        modality = d.get("modality") or "text"
        if modality not in ("text", "image"):
            raise oai_error(400, "modality %r is not served by the stub" % (modality,))
        if isinstance(inp, (str, dict)):
            inp = [inp]
        if not isinstance(inp, list) or not inp:
            raise oai_error(400, "input must be a string or a non-empty list")
        for i, x in enumerate(inp):
            if isinstance(x, str):
                items.append([(modality, x)])
            elif isinstance(x, dict) and "content" in x:
                items.append(embed_parts(x["content"], "input[%d]" % i))
            else:
                raise oai_error(400, "input[%d] is neither a string nor a {content} object" % i)
    else:
        raise oai_error(400, "input (or messages) is required")
    nimages = sum(1 for it in items for k, _ in it if k == "image")
    if nimages > MAX_IMAGE_ITEMS:
        raise oai_error(400, "%d images in one request; at most %d" % (nimages, MAX_IMAGE_ITEMS))
    data, tokens = [], 0
    for i, it in enumerate(items):
        acc = [0.0] * dim
        for kind, payload in it:
            if kind == "image":
                try:
                    raw = data_url_bytes(payload, "input[%d] image" % i)
                except ValueError as e:
                    raise oai_error(400, str(e)) from None
                if image_kind(raw) is None:
                    raise oai_error(400, "input[%d] image is not a PNG, JPEG, WebP or GIF" % i)
                v = image_vector(raw, dim)
                tokens += 1
            else:
                v = text_vector(payload, dim)
                tokens += words(payload)
            acc = [a + b for a, b in zip(acc, v)]
        vec = unit(acc)
        if fmt == "base64":
            vec = base64.b64encode(struct.pack("<%df" % dim, *vec)).decode("ascii")
        data.append({"object": "embedding", "embedding": vec, "index": i})
    return 200, {"object": "list", "data": data, "model": d.get("model") or "stub-model",
                 "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}


def kserve_error(status, message):
    return ReplyError(status, {"error": message})


def count_leaves(v):
    return sum(count_leaves(x) for x in v) if isinstance(v, list) else 1


def route_infer(st, req, model, version):
    doc = req.json
    hlen = req.headers.get("inference-header-content-length")
    if hlen is not None:
        try:
            doc = json.loads(req.body[:int(hlen)])
        except ValueError:
            doc = None
    if not isinstance(doc, dict):
        raise kserve_error(400, "infer body is not a JSON object")
    inputs = doc.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise kserve_error(400, "inputs must be a non-empty list")
    for i, t in enumerate(inputs):
        if not isinstance(t, dict) or not isinstance(t.get("name"), str) \
                or not isinstance(t.get("datatype"), str) or not isinstance(t.get("shape"), list) \
                or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0
                           for x in t["shape"]):
            raise kserve_error(400, "inputs[%d] needs name, datatype and an integer shape" % i)
        binary = isinstance(t.get("parameters"), dict) and "binary_data_size" in t["parameters"]
        if binary:
            continue
        if not isinstance(t.get("data"), list):
            raise kserve_error(400, "inputs[%d].data must be a list" % i)
        want = math.prod(t["shape"])
        if count_leaves(t["data"]) != want:
            raise kserve_error(400, "inputs[%d] has %d values for shape %s"
                               % (i, count_leaves(t["data"]), t["shape"]))
    return 200, {"model_name": model, "model_version": version or "1",
                 "id": doc.get("id") if isinstance(doc.get("id"), str) else "stub",
                 "outputs": [{"name": "probs", "shape": [1, 3], "datatype": "FP32",
                              "data": [0.7, 0.2, 0.1]}]}


def kserve_meta(model):
    return {"name": model, "versions": ["1"], "platform": "stub",
            "inputs": [{"name": "input", "datatype": "BYTES", "shape": [1]}],
            "outputs": [{"name": "probs", "datatype": "FP32", "shape": [1, 3]}]}


GET_ROUTES = {
    "/health": {"status": "ok"},
    "/models": {"object": "list", "data": [{"id": "stub-model", "object": "model"}]},
    "/v1/models": {"object": "list", "data": [{"id": "stub-model", "object": "model"}]},
    "/props": {"modalities": {"vision": True}},
    "/sdapi/v1/options": {"sd_model_checkpoint": "stub-sd"},
    "/api/version": {"version": "0.0.0-stub"},
    "/v2/health/ready": {},
    "/v2/health/live": {},
}


def default_reply(st, req):
    """(status, body) of the route's default reply; raises ReplyError for a refused request."""
    p = req.path
    if req.method == "POST":
        if p.endswith("/chat/completions"):
            return route_chat(st, req)
        if p.endswith("/images/generations"):
            return route_generations(st, req)
        if p.endswith("/images/edits"):
            return route_edits(st, req)
        if p in ("/sdapi/v1/txt2img", "/sdapi/v1/img2img"):
            return route_sdapi(st, req, p.endswith("img2img"))
        if p.endswith("/embeddings"):
            return route_embeddings(st, req)
        m = KSERVE_RE.match(p)
        if m and m.group(3) == "/infer":
            return route_infer(st, req, m.group(1), m.group(2))
    elif req.method == "GET":
        if p in GET_ROUTES:
            return 200, GET_ROUTES[p]
        m = KSERVE_RE.match(p)
        if m and m.group(3) == "/ready":
            return 200, {}
        if m and m.group(3) is None:
            return 200, kserve_meta(m.group(1))
    raise ReplyError(404, {"error": {"message": "no route %s %s" % (req.method, p),
                                     "type": "not_found_error"}})


# ---------------------------------------------------------------- state

class State:
    """Rules, log and counters, shared by the handler threads under one lock."""

    def __init__(self, log_path, latency_ms, embed_dim):
        self.lock = threading.Lock()
        self.latency = latency_ms / 1000.0
        self.embed_dim = embed_dim
        self.logf = open(log_path, "a", encoding="utf-8") if log_path else None
        self.rules = []        # [rule dict, remaining count or None]
        self.inflight = 0
        self.gen = 0
        self.reset()

    def reset(self):
        with self.lock:
            self.rules = []
            self.lines = []    # (seq, JSON text) of the logged requests
            self.seq = 0
            self.requests = 0
            self.peak = self.inflight  # requests still in flight keep counting
            self.gen += 1
            if self.logf:
                self.logf.seek(0)
                self.logf.truncate()

    def enter(self):
        with self.lock:
            self.inflight += 1
            self.peak = max(self.peak, self.inflight)

    def leave(self):
        with self.lock:
            self.inflight -= 1

    def admit(self, req):
        """Numbers the request and picks its rule (consuming one of its times).
        Returns (rule or None, rule index, inflight now, generation)."""
        with self.lock:
            self.seq += 1
            self.requests += 1
            req.seq = self.seq
            for i, slot in enumerate(self.rules):
                rule, left = slot
                if left == 0 or not rule_matches(rule, req):
                    continue
                if left is not None:
                    slot[1] = left - 1
                return rule, i, self.inflight, self.gen
            return None, None, self.inflight, self.gen

    def record(self, seq, line, gen):
        with self.lock:
            if gen != self.gen:
                return          # a reset came in between: the request belongs to the old log
            self.lines.append((seq, line))
            if self.logf:
                self.logf.write(line + "\n")
                self.logf.flush()

    def log_json(self, since):
        with self.lock:
            lines = sorted(x for x in self.lines if x[0] > since)
        return "[" + ",".join(line for _, line in lines) + "]"

    def stats(self):
        with self.lock:
            return {"requests": self.requests, "peak_inflight": self.peak,
                    "inflight": self.inflight, "rules_left": [r[1] for r in self.rules]}


def rule_matches(rule, req):
    path = rule["path"]
    if path.endswith("*"):
        if not req.path.startswith(path[:-1]):
            return False
    elif req.path != path:
        return False
    if "method" in rule and rule["method"].upper() != req.method:
        return False
    if "match" in rule and rule["match"].encode("utf-8") not in req.body:
        return False
    return True


def check_rules(doc):
    """The rule list of a /_stub/rules body; raises ValueError naming the first bad field."""
    if not isinstance(doc, list):
        raise ValueError("rules must be a JSON array")
    for i, r in enumerate(doc):
        if not isinstance(r, dict):
            raise ValueError("rule %d is not an object" % i)
        if not isinstance(r.get("path"), str) or not r["path"].startswith("/"):
            raise ValueError("rule %d needs a path starting with /" % i)
        for k, v in r.items():
            if k not in RULE_TYPES:
                raise ValueError("rule %d: unknown field %r" % (i, k))
            t = RULE_TYPES[k]
            if (isinstance(v, bool) and t is not bool and t is not object) or not isinstance(v, t):
                raise ValueError("rule %d: %s has the wrong type" % (i, k))
        for k in ("times", "oversize", "delay_ms"):
            if k in r and r[k] < 0:
                raise ValueError("rule %d: %s is negative" % (i, k))
        if "status" in r and not 100 <= r["status"] <= 599:
            raise ValueError("rule %d: status %d is not an HTTP status" % (i, r["status"]))
        if not all(isinstance(v, (str, int, float)) for v in r.get("headers", {}).values()):
            raise ValueError("rule %d: header values must be strings or numbers" % i)
    return doc


# ---------------------------------------------------------------- server

def reason(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Status"


def encode_body(body):
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mmda-stub"
    disable_nagle_algorithm = True
    counted = False     # this request is in the in-flight count

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        # http.server's own refusals (bad request line, oversized headers, no do_X).
        self.close_connection = True
        msg = message or reason(code)
        try:
            self.reply(code, {"error": {"message": msg, "type": "invalid_request_error"}})
        except OSError:
            pass

    def do_GET(self):
        self.handle_request()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def reply(self, status, body, headers=None, truncate=False):
        """Writes one whole reply in one write (no Nagle stall between head and body)."""
        data = encode_body(body)
        self.replied = True
        head = ["HTTP/1.1 %d %s" % (status, reason(status)), "Server: mmda-stub",
                "Content-Length: %d" % len(data)]
        ctype = False
        for k, v in (headers or {}).items():
            lk = k.lower()
            if lk in ("content-length", "transfer-encoding"):
                continue
            if lk == "content-type":
                ctype = True
            if lk == "connection" and str(v).lower() == "close":
                self.close_connection = True
                continue
            head.append("%s: %s" % (k, v))
        if not ctype:
            head.append("Content-Type: application/json")
        if truncate:
            self.close_connection = True
            data = data[:len(data) // 2]
        if self.close_connection:
            head.append("Connection: close")
        self.leave()
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data)

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise oai_error(400, "bad chunk size line %r" % line[:40]) from None
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise oai_error(413, "request body over %d bytes" % MAX_BODY)
                chunk = self.rfile.read(size)
                if len(chunk) < size:
                    raise oai_error(400, "chunked body ended early")
                chunks.append(chunk)
                self.rfile.readline(3)
        cl = self.headers.get("Content-Length")
        if cl is None:
            return b""
        try:
            n = int(cl)
        except ValueError:
            raise oai_error(400, "bad Content-Length %r" % cl) from None
        if n < 0:
            raise oai_error(400, "negative Content-Length")
        if n > MAX_BODY:
            raise oai_error(413, "request body over %d bytes" % MAX_BODY)
        body = self.rfile.read(n)
        if len(body) < n:
            raise oai_error(400, "body ended after %d of %d bytes" % (len(body), n))
        return body

    def leave(self):
        """Ends the request's in-flight time. Called just before its reply goes to
        the socket: once the client holds the reply it may start another request,
        possibly on another connection, and counting this one then would report a
        peak above the client's real concurrency."""
        if self.counted:
            self.counted = False
            self.server.st.leave()

    def handle_request(self):
        st = self.server.st
        self.replied = False
        path, _, query = self.path.partition("?")
        self.counted = not path.startswith("/_stub/")
        control = not self.counted
        if self.counted:
            st.enter()
        try:
            body = self.read_body()
            if control:
                self.control(st, path, query, body)
            else:
                self.serve(st, path, query, body)
        except ReplyError as e:
            self.close_connection = True
            if not self.replied:
                self.reply(e.status, e.body)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        except Exception as e:  # a stub bug must not kill the connection's thread silently
            self.close_connection = True
            if not self.replied:
                try:
                    self.reply(400, {"error": {"message": "stub: %s: %s" % (type(e).__name__, e),
                                               "type": "invalid_request_error"}})
                except OSError:
                    pass
        finally:
            self.leave()

    def serve(self, st, path, query, body):
        headers = {}
        for k, v in self.headers.items():
            k = k.lower()
            headers[k] = headers[k] + ", " + v if k in headers else v
        req = Request(self.command, path, query, headers, body)
        rule, index, inflight, gen = st.admit(req)
        st.record(req.seq, req.log_entry(inflight, index if rule is None
                                         else rule.get("name", index)), gen)
        if rule is None:
            if st.latency:
                time.sleep(st.latency)
            try:
                status, reply = default_reply(st, req)
            except ReplyError as e:
                status, reply = e.status, e.body
            self.reply(status, reply)
            return
        self.apply_rule(st, req, rule)

    def apply_rule(self, st, req, rule):
        status = rule.get("status")
        own = "body" in rule or rule.get("oversize") is not None or rule.get("malformed") \
            or (status is not None and status >= 400)
        delay = rule.get("delay_ms")
        delay = delay / 1000.0 if delay is not None else (0 if own or rule.get("drop")
                                                          else st.latency)
        if delay:
            time.sleep(delay)
        if rule.get("drop"):
            self.close_connection = True
            self.replied = True
            self.leave()
            return
        headers = rule.get("headers", {})
        if "oversize" in rule:
            self.send_oversize(status or 200, rule["oversize"], headers)
            return
        if "body" in rule:
            body = rule["body"]
        elif rule.get("malformed"):
            body = MALFORMED
        elif status is not None and status >= 400:
            body = {"error": {"message": "stub rule: status %d" % status, "type": "stub_error"}}
        else:
            try:
                dstatus, body = default_reply(st, req)
            except ReplyError as e:
                dstatus, body = e.status, e.body
            status = status or dstatus
        self.reply(status or 200, body, headers, truncate=bool(rule.get("truncate")))

    def send_oversize(self, status, n, headers):
        """An n-byte body, valid JSON when n allows, streamed so n may exceed memory."""
        self.replied = True
        head = ["HTTP/1.1 %d %s" % (status, reason(status)),
                "Server: mmda-stub", "Content-Length: %d" % n]
        head += ["%s: %s" % kv for kv in headers.items()
                 if kv[0].lower() not in ("content-length", "transfer-encoding")]
        if not any(k.lower() == "content-type" for k in headers):
            head.append("Content-Type: application/json")
        self.leave()
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        pre, post = (b'{"pad":"', b'"}') if n >= 10 else (b"", b"")
        left = n - len(pre) - len(post)
        self.wfile.write(pre)
        block = b"x" * 65536
        while left > 0:
            self.wfile.write(block[:min(left, len(block))])
            left -= len(block)
        self.wfile.write(post)

    def control(self, st, path, query, body):
        route = (self.command, path)
        if route == ("POST", "/_stub/rules"):
            try:
                rules = check_rules(json.loads(body or b"null"))
            except ValueError as e:
                raise ReplyError(400, {"error": "bad rules: %s" % e}) from None
            with st.lock:
                st.rules = [[r, r.get("times")] for r in rules]
            self.reply(200, {"rules": len(rules)})
        elif route == ("POST", "/_stub/reset"):
            st.reset()
            self.reply(200, {"ok": True})
        elif route == ("GET", "/_stub/log"):
            m = re.search(r"(?:^|&)since=(\d+)", query)
            self.reply(200, st.log_json(int(m.group(1)) if m else 0))
        elif route == ("GET", "/_stub/stats"):
            self.reply(200, st.stats())
        elif route == ("POST", "/_stub/quit"):
            self.close_connection = True
            self.reply(200, {"ok": True})
            threading.Thread(target=self.server.shutdown, daemon=True).start()
        else:
            raise ReplyError(404, {"error": "no control route %s %s" % route})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # A client that vanished mid-reply is normal in failure tests; say nothing.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description="Loopback model-server stub for mmda tests.")
    ap.add_argument("--port-file", help="write the bound port here once listening")
    ap.add_argument("--log", help="append one JSON line per request here")
    ap.add_argument("--latency-ms", type=float, default=0, help="delay of default replies")
    ap.add_argument("--embed-dim", type=int, default=16, help="embedding dimension")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    if a.latency_ms < 0 or not 1 <= a.embed_dim <= 4096:
        ap.error("--latency-ms must be >= 0 and --embed-dim from 1 to 4096")
    srv = Server((a.host, a.port), Handler)
    srv.st = State(a.log, a.latency_ms, a.embed_dim)

    def stop(signum, frame):
        threading.Thread(target=srv.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if a.port_file:
        tmp = "%s.tmp.%d" % (a.port_file, os.getpid())
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.replace(tmp, a.port_file)
    srv.serve_forever(poll_interval=0.05)
    srv.server_close()
    if srv.st.logf:
        srv.st.logf.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
