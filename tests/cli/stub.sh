# Self-test of the loopback model-server stub (tests/http/stub.py) that the
# backend tests lean on: every default route answers in the shape our reading
# of protocols.md gives, rules play errors and broken replies, the log keeps
# what the client sent, concurrency is counted, and the stub stops cleanly.
. "$TOP/tests/lib.sh"
. "$TOP/tests/http/stub.sh"

cat >"$T/checks.py" <<'PYEOF'
import base64, hashlib, http.client, json, math, os, socket, struct, sys, threading, time, zlib

PORT = int(os.environ["STUB_PORT"])


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def call(method, path, body=None, headers=None, timeout=10, conn=None):
    """(status, response, bytes) of one request; JSON-encodes dict/list bodies."""
    headers = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    c = conn or http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    c.request(method, path, body, headers)
    r = c.getresponse()
    data = r.read()
    if conn is None:
        c.close()
    return r.status, r, data


def ok(method, path, body=None, headers=None):
    st, _, data = call(method, path, body, headers)
    expect(st == 200, "%s %s: status %d: %s" % (method, path, st, data[:200]))
    return json.loads(data)


def reset():
    ok("POST", "/_stub/reset")


def rules(r):
    st, _, data = call("POST", "/_stub/rules", r)
    expect(st == 200, "rules refused: %s" % data)


def log():
    return ok("GET", "/_stub/log")


def png(w, h, rgb=(10, 20, 30)):
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def png_size(b64):
    b = base64.b64decode(b64)
    expect(b.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG")
    zlib.decompress(b[b.index(b"IDAT") + 4:])   # the pixel data must inflate
    return struct.unpack(">II", b[16:24])


def data_url(b):
    return "data:image/png;base64," + base64.b64encode(b).decode()


def multipart(fields):
    """fields: (name, filename or None, type or None, bytes) -> (body, content type)."""
    bnd = "stubtestboundary42"
    out = b""
    for name, fn, typ, data in fields:
        out += b"--" + bnd.encode() + b"\r\n"
        disp = 'form-data; name="%s"' % name + ('; filename="%s"' % fn if fn else "")
        out += ("Content-Disposition: %s\r\n" % disp).encode()
        if typ:
            out += ("Content-Type: %s\r\n" % typ).encode()
        out += b"\r\n" + data + b"\r\n"
    out += b"--" + bnd.encode() + b"--\r\n"
    return out, "multipart/form-data; boundary=" + bnd


def dot(a, b):
    return sum(x * y for x, y in zip(a, b))


def t_probes():
    expect(ok("GET", "/health") == {"status": "ok"}, "/health")
    for p in ("/models", "/v1/models"):
        expect(ok("GET", p)["data"][0]["id"] == "stub-model", p)
    expect(ok("GET", "/props")["modalities"]["vision"] is True, "/props")
    expect(ok("GET", "/sdapi/v1/options")["sd_model_checkpoint"] == "stub-sd", "options")
    st, _, data = call("GET", "/no/such/route")
    expect(st == 404 and json.loads(data)["error"]["type"] == "not_found_error", "404")


def t_chat():
    reset()
    text = "Rewrite this caption: a small brown dog runs across a wide green field at dawn"
    req = {"model": "m1", "n": 3, "messages": [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": text},
                                     {"type": "image_url",
                                      "image_url": {"url": data_url(png(2, 2))}}]}]}
    d = ok("POST", "/v1/chat/completions", req)
    expect(d["object"] == "chat.completion" and d["model"] == "m1", "object/model")
    expect(d["id"] == "chatcmpl-stub-1", "id %s" % d["id"])
    expect(len(d["choices"]) == 3 and [c["index"] for c in d["choices"]] == [0, 1, 2], "n")
    c = d["choices"][0]
    expect(c["message"] == {"role": "assistant", "content": "stub reply: " + text[:60]}, c)
    expect(c["finish_reason"] == "stop", "finish_reason")
    expect(set(d["usage"]) == {"prompt_tokens", "completion_tokens", "total_tokens"}, "usage")
    d = ok("POST", "/chat/completions", {"messages": [{"role": "user", "content": "hi"}]})
    expect(d["choices"][0]["message"]["content"] == "stub reply: hi", "plain string content")


def t_chat_json_mode():
    for rf in ({"type": "json_object"},
               {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}}):
        d = ok("POST", "/v1/chat/completions",
               {"model": "m", "response_format": rf,
                "messages": [{"role": "user", "content": "x"}]})
        expect(json.loads(d["choices"][0]["message"]["content"]) == {"stub": True}, rf)


def t_chat_refusals():
    for url in ("http://example.com/a.png", "iVBORw0KGgo=", {"url": "file:///a.png"}):
        iu = url if isinstance(url, dict) else {"url": url}
        st, _, data = call("POST", "/v1/chat/completions", {"model": "m", "messages": [
            {"role": "user", "content": [{"type": "image_url", "image_url": iu}]}]})
        expect(st == 400 and json.loads(data)["error"]["message"] == "invalid image input", url)
    st, _, data = call("POST", "/v1/chat/completions", b"{not json",
                       {"Content-Type": "application/json"})
    expect(st == 400 and "error" in json.loads(data), "non-JSON body")
    st, _, data = call("POST", "/v1/chat/completions", {"model": "m"})
    expect(st == 400, "missing messages")


def t_images_generations():
    d = ok("POST", "/v1/images/generations", {"prompt": "a red cube", "n": 2, "size": "32x16"})
    expect(len(d["data"]) == 2 and d["data"][0]["revised_prompt"] == "a red cube", "n")
    expect(all(png_size(x["b64_json"]) == (32, 16) for x in d["data"]), "size")
    other = ok("POST", "/v1/images/generations", {"prompt": "a blue ball"})
    expect(png_size(other["data"][0]["b64_json"]) == (64, 64), "default size")
    expect(other["data"][0]["b64_json"] != d["data"][0]["b64_json"], "prompts differ")
    again = ok("POST", "/v1/images/generations", {"prompt": "a red cube", "size": "32x16"})
    expect(again["data"][0]["b64_json"] == d["data"][0]["b64_json"], "deterministic")
    big = ok("POST", "/v1/images/generations", {"prompt": "x", "size": "1024x1536"})
    expect(png_size(big["data"][0]["b64_json"]) == (512, 512), "cap 512")
    st, _, _ = call("POST", "/v1/images/generations", {"n": 1})
    expect(st == 400, "missing prompt")


def t_images_edits():
    body, ctype = multipart([("image[]", "a.png", "image/png", png(20, 10)),
                             ("mask", "m.png", "image/png", png(20, 10, (0, 0, 0))),
                             ("prompt", None, None, "make it snow".encode()),
                             ("n", None, None, b"2")])
    d = ok("POST", "/v1/images/edits", body, {"Content-Type": ctype})
    expect(len(d["data"]) == 2, "n")
    expect(png_size(d["data"][0]["b64_json"]) == (20, 10), "size from the input image")
    expect(d["data"][0]["revised_prompt"] == "make it snow", "revised_prompt")
    body, ctype = multipart([("image", "a.png", "image/png", png(20, 10)),
                             ("prompt", None, None, b"p"), ("size", None, None, b"16x8")])
    d = ok("POST", "/v1/images/edits", body, {"Content-Type": ctype})
    expect(png_size(d["data"][0]["b64_json"]) == (16, 8), "size field")
    for fields in ([("prompt", None, None, b"p")],
                   [("image", "a.png", "image/png", png(20, 10)),
                    ("mask", "m.png", "image/png", png(8, 8)), ("prompt", None, None, b"p")]):
        body, ctype = multipart(fields)
        st, _, _ = call("POST", "/v1/images/edits", body, {"Content-Type": ctype})
        expect(st == 400, "refused: %s" % [f[0] for f in fields])


def t_sdapi():
    d = ok("POST", "/sdapi/v1/txt2img", {"prompt": "a cat", "width": 24, "height": 40,
                                         "steps": 5, "seed": -1})
    expect(isinstance(d["info"], str), "info is a string")
    info = json.loads(d["info"])
    expect(info["seed"] == 1234567 and info["all_seeds"] == [1234567], info)
    expect(info["sd_model_name"] == "stub-sd" and info["steps"] == 5, info)
    for k in ("sampler_name", "cfg_scale", "denoising_strength"):
        expect(k in info, k)
    expect(not d["images"][0].startswith("data:") and png_size(d["images"][0]) == (24, 40), "png")
    expect(d["parameters"]["prompt"] == "a cat", "parameters echo")
    expect(json.loads(ok("POST", "/sdapi/v1/txt2img", {"seed": 42})["info"])["seed"] == 42, "seed")
    d = ok("POST", "/sdapi/v1/img2img", {"prompt": "p", "denoising_strength": 0.4,
                                         "init_images": [data_url(png(30, 12))]})
    expect(png_size(d["images"][0]) == (30, 12), "init image size")
    expect("init_images" not in d["parameters"], "echo without images")
    expect(json.loads(d["info"])["denoising_strength"] == 0.4, "strength")
    st, _, data = call("POST", "/sdapi/v1/img2img", {"prompt": "p"})
    expect(st == 400 and json.loads(data) == {"detail": "init_images missing"}, "no init")


def t_embeddings():
    d = ok("POST", "/embeddings", {"model": "clip", "input": [
        "a dog on the grass", "A DOG on the beach", "quantum chromodynamics lecture"]})
    expect(d["object"] == "list" and d["model"] == "clip" and "usage" in d, "envelope")
    v = [x["embedding"] for x in d["data"]]
    expect([x["index"] for x in d["data"]] == [0, 1, 2] and len(v[0]) == 16, "indexes, dim")
    expect(all(abs(dot(x, x) - 1) < 1e-9 for x in v), "unit vectors")
    expect(dot(v[0], v[1]) > dot(v[0], v[2]), "shared words are closer")
    img = ok("POST", "/v1/embeddings", {"input": [data_url(png(4, 4))], "modality": "image"})
    iv = img["data"][0]["embedding"]
    expect(abs(dot(iv, iv) - 1) < 1e-9, "image unit vector")
    b = ok("POST", "/v1/embeddings", {"input": [data_url(png(4, 4))], "modality": "image",
                                      "encoding_format": "base64"})
    fl = struct.unpack("<16f", base64.b64decode(b["data"][0]["embedding"]))
    expect(all(abs(x - y) < 1e-6 for x, y in zip(fl, iv)), "base64 float32")
    vl = ok("POST", "/v1/embeddings", {"messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": data_url(png(4, 4))}}]}]})
    expect(len(vl["data"]) == 1 and vl["data"][0]["embedding"] == iv, "vLLM messages style")
    lc = ok("POST", "/v1/embeddings", {"input": [
        {"content": [{"type": "image_url", "image_url": {"url": data_url(png(4, 4))}}]},
        {"content": [{"type": "text", "text": "a dog on the grass"}]}]})
    expect(lc["data"][0]["embedding"] == iv and lc["data"][1]["embedding"] == v[0], "llama.cpp")
    st, _, _ = call("POST", "/v1/embeddings", {"input": [data_url(png(1, 1))] * 33,
                                               "modality": "image"})
    expect(st == 400, "33 images refused")
    st, _, _ = call("POST", "/v1/embeddings", {"input": ["http://x/a.png"], "modality": "image"})
    expect(st == 400, "URL image refused")


def t_kserve():
    expect(ok("GET", "/v2/health/ready") == {}, "ready")
    m = ok("GET", "/v2/models/clf")
    expect(m["name"] == "clf" and m["inputs"][0]["datatype"] == "BYTES", m)
    for p in ("/v2/models/clf/infer", "/v2/models/clf/versions/1/infer"):
        d = ok("POST", p, {"id": "r7", "inputs": [{"name": "input", "datatype": "BYTES",
                                                   "shape": [1], "data": ["eA=="]}]})
        expect(d["id"] == "r7" and d["model_name"] == "clf", d)
        expect(d["outputs"][0]["data"] == [0.7, 0.2, 0.1] and d["outputs"][0]["shape"] == [1, 3], d)
    for bad in (b"nope", json.dumps({"inputs": []}).encode(),
                json.dumps({"inputs": [{"name": "input", "datatype": "FP32", "shape": [2],
                                        "data": [1.0]}]}).encode()):
        st, _, data = call("POST", "/v2/models/clf/infer", bad)
        expect(st == 400 and isinstance(json.loads(data)["error"], str), bad)


def t_rule_times_retry_after():
    reset()
    rules([{"path": "/v1/chat/completions", "times": 2, "status": 429,
            "headers": {"Retry-After": "1"},
            "body": {"error": {"message": "slow down", "type": "rate_limit_exceeded"}}}])
    req = {"model": "m", "messages": [{"role": "user", "content": "x"}]}
    got = []
    for _ in range(3):
        st, r, data = call("POST", "/v1/chat/completions", req)
        got.append((st, r.getheader("Retry-After"), json.loads(data)))
    expect([g[0] for g in got] == [429, 429, 200], [g[0] for g in got])
    expect(got[0][1] == "1" and got[0][2]["error"]["message"] == "slow down", got[0])
    expect(ok("GET", "/_stub/stats")["rules_left"] == [0], "times used up")
    expect([e["rule"] for e in log()] == [0, 0, None], "log names the rule")


def t_rule_delay():
    rules([{"path": "/health", "delay_ms": 300}])
    t = time.time()
    d = ok("GET", "/health")
    expect(time.time() - t >= 0.29 and d == {"status": "ok"}, "delayed default reply")


def t_rule_truncate():
    rules([{"path": "/v1/chat/completions", "truncate": True}])
    try:
        call("POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": "x"}]})
    except http.client.IncompleteRead:
        return
    raise AssertionError("the truncated body was read whole")


def t_rule_oversize_malformed():
    rules([{"path": "/a", "oversize": 100000}, {"path": "/b", "malformed": True}])
    st, _, data = call("GET", "/a")
    expect(st == 200 and len(data) == 100000 and json.loads(data), "oversize")
    st, _, data = call("GET", "/b")
    expect(st == 200, "malformed status")
    try:
        json.loads(data)
    except ValueError:
        return
    raise AssertionError("malformed body parsed")


def t_rule_drop():
    rules([{"path": "/health", "times": 1, "drop": True}])
    try:
        call("GET", "/health")
    except (http.client.RemoteDisconnected, ConnectionError):
        expect(ok("GET", "/health") == {"status": "ok"}, "next one served")
        return
    raise AssertionError("got a reply")


def t_rule_matching():
    reset()
    rules([{"path": "/v1/*", "method": "POST", "match": '"seed": 7', "status": 503,
            "name": "seed7"},
           {"path": "/health", "method": "POST", "status": 500},
           {"path": "/props", "body": "plain text", "headers": {"Content-Type": "text/plain"}}])
    st7, _, _ = call("POST", "/v1/chat/completions", {"seed": 7, "messages": [
        {"role": "user", "content": "x"}]})
    st8, _, _ = call("POST", "/v1/chat/completions", {"seed": 8, "messages": [
        {"role": "user", "content": "x"}]})
    expect((st7, st8) == (503, 200), (st7, st8))
    expect(ok("GET", "/health") == {"status": "ok"}, "method filter")
    st, r, data = call("GET", "/props")
    expect(data == b"plain text" and r.getheader("Content-Type") == "text/plain", data)
    expect(log()[0]["rule"] == "seed7", "rule name logged")
    for bad in ([{"path": "/x", "colour": 1}], [{"path": "x"}], {"path": "/x"},
                [{"path": "/x", "times": "2"}], [{"path": "/x", "status": 42}]):
        st, _, _ = call("POST", "/_stub/rules", bad)
        expect(st == 400, "bad rules accepted: %s" % bad)


def t_log_request():
    reset()
    ok("POST", "/v1/chat/completions?api_key=k1",
       {"model": "m", "messages": [{"role": "user", "content": "x"}]},
       {"Authorization": "Bearer sk-test", "X-Extra": "1"})
    e = log()[0]
    expect(e["seq"] == 1 and e["method"] == "POST" and e["path"] == "/v1/chat/completions", e)
    expect(e["query"] == "api_key=k1", e["query"])
    expect(e["headers"]["authorization"] == "Bearer sk-test" and e["headers"]["x-extra"] == "1",
           e["headers"])
    expect(e["json"]["model"] == "m" and json.loads(e["body"]) == e["json"], "body and json")
    expect(e["inflight"] == 1 and isinstance(e["t"], float), e)
    with open(os.environ["STUB_LOG"]) as f:
        lines = [json.loads(x) for x in f]
    expect(len(lines) == 1 and lines[0]["seq"] == 1, "JSONL file")


def t_log_multipart():
    reset()
    image = png(6, 6)
    body, ctype = multipart([("image[]", "a.png", "image/png", image),
                             ("image[]", "b.png", "image/png", png(6, 6, (1, 2, 3))),
                             ("mask", "mask.png", "image/png", png(6, 6, (0, 0, 0))),
                             ("prompt", None, None, "add a hat".encode()),
                             ("model", None, None, b"gpt-image-1")])
    ok("POST", "/v1/images/edits", body, {"Content-Type": ctype})
    e = log()[0]
    expect(e["headers"]["content-type"] == ctype and e["body"] is None, "headers")
    parts = e["parts"]
    expect([p["name"] for p in parts] == ["image[]", "image[]", "mask", "prompt", "model"], parts)
    p0 = parts[0]
    expect(p0["filename"] == "a.png" and p0["type"] == "image/png" and p0["size"] == len(image)
           and p0["sha256"] == hashlib.sha256(image).hexdigest() and p0["text"] is None, p0)
    expect(parts[3]["text"] == "add a hat" and parts[3]["filename"] is None, parts[3])


def t_chunked_body():
    reset()
    body = json.dumps({"input": "chunked words"}).encode()
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    c.request("POST", "/v1/embeddings", iter([body[:7], body[7:]]),
              {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
              encode_chunked=True)
    r = c.getresponse()
    expect(r.status == 200 and len(json.loads(r.read())["data"]) == 1, "reply")
    expect(log()[0]["json"] == {"input": "chunked words"}, "logged body")


def t_bad_requests():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
    data = s.recv(65536)
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    expect(head.startswith(b"HTTP/1.1 400") and "error" in json.loads(body), data[:200])
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    s.sendall(b"POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{}")
    s.shutdown(socket.SHUT_WR)
    expect(s.recv(65536).startswith(b"HTTP/1.1 400"), "short body")
    s.close()
    body, _ = multipart([("prompt", None, None, b"p")])
    st, _, _ = call("POST", "/v1/images/edits", body[:-10],
                    {"Content-Type": "multipart/form-data; boundary=stubtestboundary42"})
    expect(st == 400, "cut multipart")
    expect(ok("GET", "/health") == {"status": "ok"}, "still serving")


def t_keepalive():
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    call("GET", "/health", conn=c)
    sock = c.sock
    st, r, _ = call("GET", "/v1/models", conn=c)
    expect(st == 200 and c.sock is sock, "the connection was reused")
    c.close()


def t_peak_inflight():
    reset()
    rules([{"path": "/health", "delay_ms": 300}])
    t = time.time()
    ths = [threading.Thread(target=ok, args=("GET", "/health")) for _ in range(8)]
    [x.start() for x in ths]
    [x.join() for x in ths]
    s = ok("GET", "/_stub/stats")
    expect(s["peak_inflight"] == 8 and s["inflight"] == 0 and s["requests"] == 8, s)
    expect(time.time() - t < 1.0, "served in parallel")


def t_latency_throughput():
    t = time.time()
    ok("GET", "/health")
    expect(time.time() - t >= 0.095, "--latency-ms")
    total, conc, lock, done = 160, 16, threading.Lock(), [0]

    def worker():
        c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        while True:
            with lock:
                if done[0] >= total:
                    return
                done[0] += 1
            st, _, _ = call("POST", "/v1/chat/completions",
                            {"messages": [{"role": "user", "content": "x"}]}, conn=c)
            expect(st == 200, st)
    t = time.time()
    ths = [threading.Thread(target=worker) for _ in range(conc)]
    [x.start() for x in ths]
    [x.join() for x in ths]
    rate = total / (time.time() - t)
    print("%.0f requests/s at 16 x 100 ms" % rate, file=sys.stderr)
    expect(rate >= 100, "only %.0f requests/s" % rate)


try:
    globals()["t_" + sys.argv[1]]()
except Exception as e:
    print("%s: %s: %s" % (sys.argv[1], type(e).__name__, e), file=sys.stderr)
    sys.exit(1)
PYEOF

t() { check "$1" python3 "$T/checks.py" "$1"; }

check start stub_start
check port-file [ "$STUB_URL" = "http://127.0.0.1:$(cat "$STUB_DIR/port")" ]
for c in probes chat chat_json_mode chat_refusals images_generations images_edits sdapi \
    embeddings kserve rule_times_retry_after rule_delay rule_truncate rule_oversize_malformed \
    rule_drop rule_matching log_request log_multipart chunked_body bad_requests keepalive \
    peak_inflight; do
	t $c
done
helpers() {
	stub_reset && stub_rules '[{"path":"/x","status":418}]' && stub_stats "$T/stats.json" &&
	    stub_log "$T/log.json" && stub_reset && stub_stats "$T/stats2.json"
}
check shell-helpers helpers
check shell-helpers-stats [ "$(json_get "$T/stats.json" 'd["rules_left"]')" = "[None]" ]
check shell-helpers-log [ "$(json_get "$T/log.json" 'len(d)')" = 0 ]
check shell-helpers-reset [ "$(json_get "$T/stats2.json" 'd["rules_left"]')" = "[]" ]
refused() { ! stub_rules '[{"path":1}]' 2>/dev/null; }
check shell-helpers-refuse refused
pid=$STUB_PID
check quit stub_stop
check quit-gone sh -c "! kill -0 $pid 2>/dev/null"

check latency-start stub_start 100
t latency_throughput
check latency-stop stub_stop

# SIGTERM: a clean exit with status 0.
python3 "$TOP/tests/http/stub.py" --port-file "$T/tport" &
pid=$!
i=0
while [ ! -s "$T/tport" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM $pid
wait $pid
check sigterm-exit-0 [ $? -eq 0 ]
