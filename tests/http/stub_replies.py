# SPDX-License-Identifier: MIT
"""The default replies of the loopback model-server stub (see README.md).

stub.py, the server, calls default_reply() for every request that no rule
takes over. Each reply is a pure function of the request, in our reading of
each protocol in the shared reference (protocols.md): OpenAI chat
completions and images generations/edits, A1111 sdapi, the three image
styles of /embeddings, KServe v2, and the small GET probes. Also here: the
PNG, base64 and multipart helpers those routes need, and ReplyError, the
refusal both modules raise. Standard library only; imports nothing from
stub.py."""

import base64
import binascii
import hashlib
import json
import math
import re
import struct
import zlib
from functools import lru_cache

MAX_SIDE = 512            # generated images are at most this wide and high
DEFAULT_SIDE = 64
MAX_IMAGE_ITEMS = 32      # Infinity's per-request image limit
CREATED = 1700000000      # fixed, so replies stay deterministic
KSERVE_RE = re.compile(r"^/v2/models/([^/]+)(?:/versions/([^/]+))?(/infer|/ready)?$")


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


# ---------------------------------------------------------------- multipart

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
