# Trust boundaries over HTTP (issue 13): a key a server echoes in a successful reply, a
# malformed 200 reply, two servers that share a model name, and one server that serves other
# weights under the same name. Against the loopback stub.
. "$TOP/tests/lib.sh"
. "$TOP/tests/http/stub.sh"
stub_start || { fail stub-start "the stub did not start"; exit 1; }
KEY=sk-echo-5d4c3b2a19f8
export MMDA_TEST_ECHO_KEY=$KEY
cfg() { # FILE BASE_URL: one chat backend with a key, a shared cache and log
	cat >"$1" <<J
{ "backends": [ { "name": "llm", "kind": "openai-chat", "base_url": "$2", "model": "local",
                  "api_key_env": "MMDA_TEST_ECHO_KEY" } ],
  "roles": { "llm": "llm" }, "cache_dir": "$T/cache", "log": "$T/http.log" }
J
}
cfg "$T/a.json" "$STUB_URL/v1"
cfg "$T/b.json" "http://localhost:$STUB_PORT/v1"
reply() { # CONTENT: a chat completion whose id and text echo the key
	printf '{"id":"chatcmpl-%s","object":"chat.completion","created":1,"model":"local","choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}]}' "$KEY" "$1"
}
body=$(reply "a tabby cat $KEY sits on a red mat" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')

# 5. The key echoed in a 200 reply reaches neither the database, the cache nor an export.
DB=$T/k.db
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null
stub_rules "[{\"path\":\"/v1/chat/completions\",\"body\":$body}]"
"$MMDA" augment "$DB" --op rewrite --set k=1 --limit 2 --config "$T/a.json" --json >"$T/k.out" 2>"$T/k.err"
check echo-created [ "$(json_get "$T/k.out" "len(d['created'])")" = 2 ]
check echo-redacted-in-db [ "$(sqlite3 "$DB" "SELECT count(*) FROM candidates WHERE op = 'rewrite' AND text LIKE '%***%' AND response_id LIKE '%***%'")" = 2 ]
sqlite3 "$DB" .dump >"$T/dump"
check echo-key-not-in-db [ "$(grep -c "$KEY" "$T/dump")" = 0 ]
check echo-key-not-in-cache [ -z "$(grep -rl "$KEY" "$T/cache" 2>/dev/null)" ]
for id in $(sqlite3 "$DB" "SELECT id FROM candidates WHERE op = 'rewrite'"); do
	"$MMDA" decide "$DB" "$id" accept --annotator a >/dev/null
done
"$MMDA" export "$DB" --format jsonl --out "$T/x" >/dev/null 2>&1
check echo-exported [ "$(wc -l <"$T/x/pairs.jsonl")" -eq 2 ]
check echo-key-not-in-export [ "$(grep -c "$KEY" "$T/x/pairs.jsonl")" = 0 ]
check echo-key-not-in-log [ "$(grep -c "$KEY" "$T/http.log" "$T/k.err" | grep -vc ':0$')" = 0 ]

# 6. A malformed 200 reply fails its item and is not cached: the next run asks again.
M=$T/m.db
"$MMDA" import "$M" "$SAMPLE/captions.jsonl" >/dev/null
rm -rf "$T/cache"
stub_reset
stub_rules '[{"path":"/v1/chat/completions","malformed":true}]'
"$MMDA" augment "$M" --op rewrite --set k=1 --limit 1 --seed 7 --config "$T/a.json" --json >"$T/m1.out" 2>/dev/null
check malformed-not-created [ "$(json_get "$T/m1.out" "len(d['created'])")" = 0 ]
check malformed-not-cached [ -z "$(find "$T/cache" -type f 2>/dev/null)" ]
stub_reset
"$MMDA" augment "$M" --op rewrite --set k=1 --limit 1 --seed 7 --config "$T/a.json" --json >"$T/m2.out" 2>/dev/null
stub_log "$T/m2.log" post
check malformed-asked-again [ "$(json_get "$T/m2.log" "len(d)")" = 1 ]
check malformed-then-created [ "$(json_get "$T/m2.out" "len(d['created'])")" = 1 ]
# A cached reply that stopped parsing (an older mmda kept one) is dropped after one miss.
f=$(find "$T/cache" -type f | head -n 1)
python3 - "$f" <<'P'
import hashlib, sys
body = b'{"not": "a chat reply"}'
open(sys.argv[1], "wb").write(b"mmda-http-cache 1\n%d\n%s\n" % (len(body), hashlib.sha256(body).hexdigest().encode()) + body)
P
"$MMDA" import "$T/m3.db" "$SAMPLE/captions.jsonl" >/dev/null
"$MMDA" augment "$T/m3.db" --op rewrite --set k=1 --limit 1 --seed 7 --config "$T/a.json" >/dev/null 2>&1
check bad-cached-dropped [ ! -e "$f" ]

# 7. Two servers that share a model name ("local") do not share replies.
for n in s1 s2; do "$MMDA" import "$T/$n.db" "$SAMPLE/captions.jsonl" >/dev/null; done
stub_reset
"$MMDA" augment "$T/s1.db" --op rewrite --set k=1 --limit 2 --seed 3 --config "$T/a.json" >/dev/null 2>&1
stub_reset
"$MMDA" augment "$T/s2.db" --op rewrite --set k=1 --limit 2 --seed 3 --config "$T/b.json" >/dev/null 2>&1
stub_log "$T/s2.log" post
check other-server-not-cached [ "$(json_get "$T/s2.log" "len(d)")" = 2 ]
stub_reset
"$MMDA" augment "$T/s2.db" --op rewrite --set k=1 --limit 2 --seed 3 --config "$T/a.json" >/dev/null 2>&1
"$MMDA" import "$T/s3.db" "$SAMPLE/captions.jsonl" >/dev/null
"$MMDA" augment "$T/s3.db" --op rewrite --set k=1 --limit 2 --seed 3 --config "$T/b.json" >/dev/null 2>&1
stub_log "$T/s3.log" post
check same-server-cached [ "$(json_get "$T/s3.log" "len(d)")" = 0 ]
# One server, one URL, one configured name: when what it reports it serves changes (other
# weights behind the alias), its replies are not served from the cache; when it reports the
# first again, they are.
served() { # ID: /v1/models names this model (llama.cpp style: one entry)
	stub_reset
	stub_rules "[{\"path\":\"/v1/models\",\"body\":{\"object\":\"list\",\"data\":[{\"id\":\"$1\",\"object\":\"model\"}]}}]"
}
for n in w1 w2 w3; do "$MMDA" import "$T/$n.db" "$SAMPLE/captions.jsonl" >/dev/null; done
served weights-a
"$MMDA" augment "$T/w1.db" --op rewrite --set k=1 --limit 2 --seed 5 --config "$T/a.json" >/dev/null 2>&1
stub_log "$T/w1.log" post
check served-model-first-asks [ "$(json_get "$T/w1.log" "len(d)")" = 2 ]
served weights-b
"$MMDA" augment "$T/w2.db" --op rewrite --set k=1 --limit 2 --seed 5 --config "$T/a.json" >/dev/null 2>&1
stub_log "$T/w2.log" post
check served-model-changed-not-cached [ "$(json_get "$T/w2.log" "len(d)")" = 2 ]
served weights-a
"$MMDA" augment "$T/w3.db" --op rewrite --set k=1 --limit 2 --seed 5 --config "$T/a.json" >/dev/null 2>&1
stub_log "$T/w3.log" post
check served-model-same-cached [ "$(json_get "$T/w3.log" "len(d)")" = 0 ]

# 10. A cancelled batch records as done only what came to an end (it said 12/12 with 0 stored).
C=$T/cancel.db
"$MMDA" import "$C" "$SAMPLE/captions.jsonl" >/dev/null
stub_reset
stub_rules '[{"path":"/v1/chat/completions","delay_ms":4000}]'
"$MMDA" augment "$C" --op rewrite --set k=1 --limit 4 --seed 11 --config "$T/a.json" --json >"$T/c.out" 2>/dev/null &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid; rc=$?
check cancel-exit-1 [ $rc -eq 1 ]
check cancel-job-done-is-stored [ "$(sqlite3 "$C" "SELECT state || ' ' || done FROM jobs")" = "cancelled $(sqlite3 "$C" "SELECT count(*) FROM candidates WHERE op = 'rewrite'")" ]

# A cancel while the server is still loading its model (503 on its readiness route) ends the
# batch at once, not after the backoff pause under way (0.5, 1, 2 s, then 4 s from 3.5 s on).
L=$T/load.db
"$MMDA" import "$L" "$SAMPLE/captions.jsonl" >/dev/null
stub_reset
stub_rules '[{"path":"/v1/models","status":503}]'
"$MMDA" augment "$L" --op rewrite --set k=1 --limit 1 --config "$T/a.json" --json >"$T/l.out" 2>"$T/l.err" &
pid=$!
sleep 4
start=$(date +%s%N)
kill -INT $pid
wait $pid; rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check loading-cancel-within-1s [ $ms -le 1000 ]
check loading-cancel-exit-1 [ $rc -eq 1 ]
check loading-cancel-recorded [ "$(sqlite3 "$L" "SELECT state FROM jobs")" = cancelled ]

# Three identical runs at once: "created" adds up to the rows that exist, not three times them.
P=$T/par.db
"$MMDA" import "$P" "$SAMPLE/captions.jsonl" >/dev/null
pids=
for i in 1 2 3; do "$MMDA" augment "$P" --op hflip --json >"$T/p$i.out" 2>/dev/null & pids="$pids $!"; done
for p in $pids; do wait $p; done
sum=$(for i in 1 2 3; do json_get "$T/p$i.out" "len(d['created'])"; done | awk '{s += $1} END {print s}')
check concurrent-created-counted-once [ "$sum" = "$(sqlite3 "$P" "SELECT count(*) FROM candidates WHERE op = 'hflip'")" ]
stub_stop
