# SPDX-License-Identifier: MIT
# Shell helpers for tests/cli suites that need the loopback model-server stub
# (tests/http/stub.py). Source after tests/lib.sh:
#
#   . "$TOP/tests/lib.sh"; . "$TOP/tests/http/stub.sh"
#   stub_start [LATENCY_MS]   # exports STUB_URL STUB_PORT STUB_LOG STUB_PID STUB_DIR
#   stub_rules '[{"path":"/v1/chat/completions","times":1,"status":503}]'
#   ... run mmda against "$STUB_URL/v1" ...
#   stub_log "$T/log.json"    # GET /_stub/log: a JSON array of the logged requests
#   stub_stats "$T/stats.json"
#   stub_reset                # forget rules, log and counters
#   stub_stop                 # suites must call it at the end
#
# stub_start sets an EXIT/INT/TERM trap that stops the stub, so a suite that
# dies early leaves no server behind; a suite with its own trap must call
# stub_stop in it. Control calls go through python3's urllib because the curl
# command-line tool may be missing. One stub per shell at a time.
# shellcheck shell=sh

# _stub_call METHOD PATH [BODY]: prints the reply body; fails on a non-2xx status.
_stub_call() {
	python3 - "$STUB_URL" "$1" "$2" "${3-}" <<'PYEOF'
import sys, urllib.error, urllib.request
url, method, path, body = sys.argv[1:5]
data = body.encode() if method == "POST" else None
req = urllib.request.Request(url + path, data=data, method=method,
                             headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    sys.stderr.write("stub %s %s: HTTP %d %s\n" % (method, path, e.code, e.read().decode()))
    sys.exit(1)
except OSError as e:
    sys.stderr.write("stub %s %s: %s\n" % (method, path, e))
    sys.exit(1)
PYEOF
}

_stub_cleanup() {
	if [ -n "${STUB_PID:-}" ]; then
		kill -TERM "$STUB_PID" 2>/dev/null
		wait "$STUB_PID" 2>/dev/null
		STUB_PID=
	fi
}

# stub_start [LATENCY_MS]: starts the stub in the background and waits (10 s at
# most) until it listens. Returns 1 with a message on stderr when it does not.
stub_start() {
	STUB_DIR=$(mktemp -d "${T:-${TMPDIR:-/tmp}}/stub.XXXXXX") || return 1
	STUB_LOG=$STUB_DIR/log.jsonl
	python3 "${STUB_PY:-$TOP/tests/http/stub.py}" --port-file "$STUB_DIR/port" \
	    --log "$STUB_LOG" --latency-ms "${1:-0}" 2>"$STUB_DIR/stderr" &
	STUB_PID=$!
	trap '_stub_cleanup' EXIT
	trap '_stub_cleanup; exit 130' INT
	trap '_stub_cleanup; exit 143' TERM
	_i=0
	while [ ! -s "$STUB_DIR/port" ]; do
		_i=$((_i + 1))
		if [ $_i -gt 200 ] || ! kill -0 "$STUB_PID" 2>/dev/null; then
			echo "stub_start: the stub did not start:" >&2
			cat "$STUB_DIR/stderr" >&2
			_stub_cleanup
			return 1
		fi
		sleep 0.05
	done
	STUB_PORT=$(cat "$STUB_DIR/port")
	STUB_URL=http://127.0.0.1:$STUB_PORT
	export STUB_URL STUB_PORT STUB_LOG STUB_PID STUB_DIR
}

# stub_stop: asks the stub to quit (SIGTERM when it does not answer) and reaps it.
# Returns the stub's exit status.
stub_stop() {
	[ -n "${STUB_PID:-}" ] || return 0
	_stub_call POST /_stub/quit >/dev/null 2>&1 || kill -TERM "$STUB_PID" 2>/dev/null
	wait "$STUB_PID"
	_rc=$?
	STUB_PID=
	trap - EXIT INT TERM
	return $_rc
}

# stub_rules 'JSON ARRAY': replaces the stub's rules.
stub_rules() { _stub_call POST /_stub/rules "$1" >/dev/null; }
# stub_reset: clears rules, the request log and the counters.
stub_reset() { _stub_call POST /_stub/reset >/dev/null; }
# stub_log FILE: writes the request log (a JSON array) to FILE.
# With "post", only the POSTs: the work, without mmda's health probes before a batch.
stub_log() {
	if [ "${2:-}" = post ]; then
		_stub_call GET /_stub/log | python3 -c 'import json, sys
print(json.dumps([r for r in json.load(sys.stdin) if r["method"] == "POST"]))' >"$1"
	else
		_stub_call GET /_stub/log >"$1"
	fi
}
# stub_stats FILE: writes {"requests","peak_inflight","inflight","rules_left"} to FILE.
stub_stats() { _stub_call GET /_stub/stats >"$1"; }

# stub_chat_cfg FILE [VISION]: a backends config with one openai-chat backend "chat"
# (model stub-llm, "vision": VISION, default false) on the stub, no retries, no cache.
stub_chat_cfg() {
	cat >"$1" <<CFG
{ "defaults": { "retries": { "max": 0 } },
  "backends": [
    { "name": "chat", "kind": "openai-chat", "base_url": "$STUB_URL/v1", "model": "stub-llm",
      "vision": ${2:-false} } ],
  "cache_dir": "off" }
CFG
}

# stub_chat_rule MATCH CONTENT [ID]: a rule answering chat requests whose body holds
# MATCH ("" matches all) with a completion carrying CONTENT, where \n is a line break.
stub_chat_rule() {
	python3 -c 'import json,sys; print(json.dumps({"path": "/v1/chat/completions",
"match": sys.argv[1], "body": {"id": sys.argv[3], "object": "chat.completion",
"model": "stub-llm", "choices": [{"index": 0, "message": {"role": "assistant",
"content": sys.argv[2].replace("\\n", "\n")}, "finish_reason": "stop"}]}}))' \
	    "$1" "$2" "${3:-chatcmpl-canned}"
}
