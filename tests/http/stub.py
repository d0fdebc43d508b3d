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
Standard library only: the CI machine has nothing else. The default replies
live in stub_replies.py, beside this file."""

import argparse
import base64
import hashlib
import http
import json
import os
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The sibling module, found beside this file whatever the working directory;
# no __pycache__ is written into the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from stub_replies import ReplyError, default_reply, oai_error, parse_multipart  # noqa: E402
# Re-exported: tests/cli/mops_image.sh checks pixels with stub.png_b64.
from stub_replies import png_b64  # noqa: E402,F401

MAX_BODY = 256 << 20      # refuse larger request bodies with 413
MALFORMED = b'{"id": "stub", "choices": [ this is not JSON'
RULE_TYPES = {
    "path": str, "method": str, "match": str, "times": int, "status": int, "headers": dict,
    "delay_ms": (int, float), "truncate": bool, "oversize": int, "malformed": bool,
    "drop": bool, "name": str, "body": object,
}


# ---------------------------------------------------------------- requests

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
