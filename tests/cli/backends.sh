# mmda backends and the CLIP metrics, against the loopback stub server.
. "$TOP/tests/lib.sh"
. "$TOP/tests/http/stub.sh"
stub_start || { fail stub-start "the stub did not start"; exit 1; }
DB=$T/b.db
KEY=sk-test-9f8e7d6c5b4a
export MMDA_TEST_CLIP_KEY=$KEY
cat >"$T/cfg.json" <<EOF
{
  "backends": [
    { "name": "llm", "kind": "openai-chat", "base_url": "$STUB_URL/v1", "model": "stub-llm" },
    { "name": "clip", "kind": "embeddings", "base_url": "$STUB_URL", "model": "stub-clip-b32",
      "api_key_env": "MMDA_TEST_CLIP_KEY", "max_concurrency": 4,
      "quirks": { "image_style": "modality-field", "max_batch_images": 8 } },
    { "name": "fleet", "kind": "openai-chat", "model": "stub-llm",
      "base_urls": ["$STUB_URL/v1", "http://127.0.0.1:1/v1"] }
  ],
  "roles": { "llm": "llm", "clip": "clip" },
  "cache_dir": "$T/cache",
  "log": "$T/http.log"
}
EOF

# Listing: kinds, roles, where the key lives, never the key.
"$MMDA" backends --config "$T/cfg.json" --json >"$T/list" 2>"$T/err"
check list-json [ "$(json_get "$T/list" "[(b['name'], b['kind']) for b in d['backends']]")" = "[('llm', 'openai-chat'), ('clip', 'embeddings'), ('fleet', 'openai-chat')]" ]
check list-roles [ "$(json_get "$T/list" "[b['roles'] for b in d['backends']]")" = "[['llm'], ['clip'], []]" ]
check list-key-env [ "$(json_get "$T/list" "(d['backends'][1]['key_env'], d['backends'][1]['key_set'])")" = "('MMDA_TEST_CLIP_KEY', True)" ]
check list-no-key [ "$(grep -c "$KEY" "$T/list" "$T/err")" = "$(printf '%s:0\n%s:0' "$T/list" "$T/err")" ]
"$MMDA" backends --config "$T/cfg.json" >"$T/text"
check list-text [ "$(grep -c 'MMDA_TEST_CLIP_KEY set' "$T/text")" = 1 ]

# --check: one GET per URL; the dead fleet member fails the run.
"$MMDA" backends --config "$T/cfg.json" --check --json >"$T/chk" 2>/dev/null
rc=$?
check check-exit-1 [ "$rc" = 1 ]
check check-results [ "$(json_get "$T/chk" "[[c['ok'] for c in b['check']] for b in d['backends']]")" = "[[True], [True], [True, False]]" ]
check check-urls [ "$(json_get "$T/chk" "d['backends'][1]['check'][0]['url'].endswith('/models')")" = True ]
python3 -c '
import json, sys
c = json.load(sys.stdin); c["backends"] = c["backends"][:2]; c["cache_dir"] = "off"
json.dump(c, open(sys.argv[1], "w"))' "$T/cfg2.json" <"$T/cfg.json"
"$MMDA" backends --config "$T/cfg2.json" --check >"$T/chk2"
check check-ok [ $? = 0 ] && check check-ok-text [ "$(grep -c " ok 200 " "$T/chk2")" = 2 ]

# --try: one small real request per backend, in its own shape, parsed.
cat >"$T/all.json" <<EOF
{ "backends": [
    { "name": "vlm", "kind": "openai-chat", "base_url": "$STUB_URL/v1", "model": "stub-vlm",
      "vision": true, "quirks": { "max_tokens_field": "max_completion_tokens" } },
    { "name": "img", "kind": "openai-images", "base_url": "$STUB_URL/v1", "model": "stub-img" },
    { "name": "sd", "kind": "a1111", "base_url": "$STUB_URL" },
    { "name": "clip", "kind": "embeddings", "base_url": "$STUB_URL", "model": "stub-clip" },
    { "name": "cls", "kind": "kserve-v2", "base_url": "$STUB_URL", "model": "resnet",
      "io": { "output_name": "probs", "labels": ["cat", "dog", "bird"] } } ],
  "cache_dir": "$T/trycache" }
EOF
stub_reset
"$MMDA" backends --config "$T/all.json" --try --json >"$T/try" 2>"$T/err"
rc=$?
check try-vision-role [ "$(json_get "$T/try" "d['backends'][0]['roles']")" = "['llm', 'vlm']" ]
check try-all-ok [ "$rc:$(json_get "$T/try" "[b['try']['ok'] for b in d['backends']]")" = "0:[True, True, True, True, True]" ]
check try-details [ "$(json_get "$T/try" "[b['try']['detail'].split(' ')[0] for b in d['backends']]")" = "['stub-vlm', 'a', 'a', '16', '3']" ]
check try-kserve-label [ "$(json_get "$T/try" "d['backends'][4]['try']['detail']")" = "3 classes, top cat (0.70)" ]
stub_log "$T/trylog" post
check try-shapes [ "$(json_get "$T/trylog" "[r['path'] for r in d]")" = "['/v1/chat/completions', '/v1/images/generations', '/sdapi/v1/txt2img', '/embeddings', '/embeddings', '/v2/models/resnet/infer']" ]
check try-vision-image [ "$(json_get "$T/trylog" "d[0]['json']['messages'][-1]['content'][1]['image_url']['url'][:22] + ' ' + str(d[0]['json']['max_completion_tokens'])")" = "data:image/png;base64, 16" ]
# A wrong quirk shows up now, with the server's words, and exit status 1.
stub_rules '[{"path":"/v1/chat/completions","match":"max_completion_tokens","status":400,"body":{"error":{"message":"Unrecognized request argument: max_completion_tokens","type":"invalid_request_error"}}}]'
"$MMDA" backends --config "$T/all.json" --try >"$T/try2" 2>"$T/err"
check try-fails-exit [ $? = 1 ]
check try-fails-says [ "$(grep -c 'try: FAILED .*400: Unrecognized request argument: max_completion_tokens' "$T/try2")" = 1 ]
# Not served from or kept in the cache: a try is about the server now.
check try-no-cache [ -z "$(find "$T/trycache" -type f 2>/dev/null)" ]

# No config anywhere, and a bad one.
mkdir -p "$T/empty"
(cd "$T/empty" && env -u MMDA_CONFIG HOME="$T/empty" XDG_CONFIG_HOME= "$MMDA" backends) >/dev/null 2>"$T/err"
check no-config [ $? = 1 ] && check no-config-says [ "$(grep -c 'no backends configured' "$T/err")" = 1 ]
printf '{"backends":[{"name":"x","kind":"openai-chatt","base_url":"http://a"}]}' >"$T/bad.json"
"$MMDA" backends --config "$T/bad.json" 2>"$T/err"
check bad-config [ $? = 1 ] && check bad-config-names [ "$(grep -c 'bad.json: backends\[0\].kind' "$T/err")" = 1 ]
MMDA_CONFIG=$T/cfg2.json "$MMDA" backends --json >"$T/env" 2>/dev/null
check env-config [ "$(json_get "$T/env" "d['config'].endswith('cfg2.json')")" = True ]

# CLIP metrics: every candidate's image and caption embedded, cosine and CLIPScore stored
# with the model beside them.
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null
N=$(sqlite3 "$DB" "SELECT count(*) FROM candidates")
stub_reset
"$MMDA" score "$DB" --config "$T/cfg2.json" --metric image_text_similarity --metric clip_score --json >"$T/sc" 2>"$T/err"
check clip-computed [ "$(json_get "$T/sc" "(d['computed'], d['failed'])")" = "($((2 * N)), [])" ]
check clip-model [ "$(sqlite3 "$DB" "SELECT DISTINCT model FROM scores WHERE metric IN ('clip_score', 'image_text_similarity')")" = stub-clip-b32 ]
check clipscore-formula [ "$(sqlite3 "$DB" "SELECT count(*) FROM scores a JOIN scores b ON a.candidate = b.candidate WHERE a.metric = 'image_text_similarity' AND b.metric = 'clip_score' AND abs(b.value - 2.5 * max(a.value, 0)) < 1e-9")" = "$N" ]
check cos-range [ "$(sqlite3 "$DB" "SELECT count(*) FROM scores WHERE metric = 'image_text_similarity' AND value BETWEEN -1 AND 1")" = "$N" ]
stub_log "$T/log1" post
check clip-batched [ "$(json_get "$T/log1" "sorted(set(len(r['json']['input']) for r in d if r['json'].get('modality') == 'image'))[-1] <= 8")" = True ]
check clip-data-urls [ "$(json_get "$T/log1" "all(i.startswith('data:image/png;base64,') for r in d if r['json'].get('modality') == 'image' for i in r['json']['input'])")" = True ]
check clip-bearer-sent [ "$(json_get "$T/log1" "all(r['headers'].get('authorization') == 'Bearer $KEY' for r in d)")" = True ]
"$MMDA" show "$DB" 1 --json >"$T/show"
check show-score-model [ "$(json_get "$T/show" "d['score_models']['clip_score']")" = stub-clip-b32 ]
"$MMDA" show "$DB" 1 | grep -q 'clip_score .*(stub-clip-b32)'
check show-text-model [ $? = 0 ]
# A re-run sends nothing: unchanged inputs are not asked again.
stub_reset
"$MMDA" score "$DB" --config "$T/cfg2.json" --metric clip_score --json >"$T/sc2"
check clip-unchanged [ "$(json_get "$T/sc2" "(d['computed'], d['unchanged'])")" = "(0, $N)" ]
stub_log "$T/log2" post
check clip-rerun-silent [ "$(json_get "$T/log2" "len(d)")" = 0 ]
"$MMDA" threshold "$DB" clip_score --min 0.01 --json >"$T/thr"
check clip-threshold [ "$(json_get "$T/thr" "d['passing'] >= 0")" = True ]
# A refused key: every candidate fails with the server's reason, nothing is stored.
sqlite3 "$DB" "DELETE FROM scores WHERE metric = 'image_text_similarity'"
stub_rules '[{"path":"/embeddings","status":401,"body":{"error":{"message":"Invalid API Key","type":"authentication_error"}}}]'
"$MMDA" score "$DB" --config "$T/cfg2.json" --metric image_text_similarity --json >"$T/sc3" 2>"$T/err3"
check clip-401-failed [ "$(json_get "$T/sc3" "len(d['failed']) == $N and 'Invalid API Key' in d['failed'][0]['reason']")" = True ]
stub_log "$T/log3" post
check clip-401-no-retry [ "$(json_get "$T/log3" "len(d) == ($N + 7) // 8")" = True ]
check clip-401-stored-nothing [ "$(sqlite3 "$DB" "SELECT count(*) FROM scores WHERE metric = 'image_text_similarity'")" = 0 ]
# The key is nowhere: database, log, stderr.
sqlite3 "$DB" .dump >"$T/dump"
check key-not-in-db [ "$(grep -c "$KEY" "$T/dump")" = 0 ]
check key-not-in-log [ -s "$T/http.log" ] && check key-not-in-log2 [ "$(grep -c "$KEY" "$T/http.log")" = 0 ]
check key-not-in-stderr [ "$(cat "$T/err" "$T/err3" | grep -c "$KEY")" = 0 ]
check db-integrity integrity "$DB"

# Before a batch each backend it needs is asked whether it is up: a server that is down fails
# the batch at once with its reason; one still loading its model (503) is waited for.
printf '{"backends":[{"name":"dead","kind":"openai-chat","base_url":"http://127.0.0.1:1/v1","model":"m"}]}' >"$T/dead.json"
start=$(date +%s)
"$MMDA" augment "$DB" --op rewrite --config "$T/dead.json" --json >"$T/dead.out" 2>"$T/dead.err"
rc=$?
check down-fails-batch [ "$rc" = 1 ] && check down-says-why [ "$(grep -c 'backend dead is not answering' "$T/dead.err")" = 1 ]
check down-fails-fast [ $(($(date +%s) - start)) -lt 10 ]
check down-nothing-stored [ "$(sqlite3 "$DB" "SELECT count(*) FROM candidates WHERE op = 'rewrite'")" = 0 ]
stub_reset
stub_rules '[{"path":"/v1/models","times":2,"status":503,"body":{"error":{"message":"Loading model","type":"unavailable_error"}}}]'
"$MMDA" augment "$DB" --op rewrite --set k=1 --limit 1 --seed 5 --config "$T/cfg2.json" --json >"$T/load.out" 2>"$T/load.err"
check loading-waited [ "$(json_get "$T/load.out" "len(d['created'])")" = 1 ]
stub_log "$T/log4"
check loading-probed [ "$(json_get "$T/log4" "[r['method'] + ' ' + r['path'] for r in d]")" = "['GET /v1/models', 'GET /v1/models', 'GET /v1/models', 'POST /v1/chat/completions']" ]

# The disk cache: the same batch on a fresh database sends no request (the replies are kept
# under the hash of each request), and the log says so.
for n in c1 c2; do "$MMDA" import "$T/$n.db" "$SAMPLE/captions.jsonl" >/dev/null; done
stub_reset
"$MMDA" augment "$T/c1.db" --op rewrite --set k=2 --limit 3 --config "$T/cfg.json" --json >"$T/c1.out"
stub_log "$T/log5" post
check cache-first-run [ "$(json_get "$T/c1.out" "len(d['created'])"):$(json_get "$T/log5" "len(d)")" = 6:6 ]
stub_reset
"$MMDA" augment "$T/c2.db" --op rewrite --set k=2 --limit 3 --config "$T/cfg.json" --json >"$T/c2.out"
stub_log "$T/log6" post
check cache-rerun-free [ "$(json_get "$T/c2.out" "len(d['created'])"):$(json_get "$T/log6" "len(d)")" = 6:0 ]
check cache-same-texts [ "$(sqlite3 "$T/c1.db" "SELECT group_concat(text, '|') FROM (SELECT text FROM candidates WHERE op = 'rewrite' ORDER BY aug_id)")" = "$(sqlite3 "$T/c2.db" "SELECT group_concat(text, '|') FROM (SELECT text FROM candidates WHERE op = 'rewrite' ORDER BY aug_id)")" ]
check cache-logged [ "$(grep -c 'cache=hit' "$T/http.log")" -ge 6 ]

# The review screen runs a model-backed op in the background, with the config it was given.
{ printf 'goto 1\naugment\n'; i=0; while [ $i -lt 13 ]; do echo aug-next-op; i=$((i + 1)); done
  printf 'dump-screen %s\nset k=1\nrun\nwait\ndump-screen %s\nquit\n' "$T/tui1" "$T/tui2"; } >"$T/script"
stub_reset
MMDA_SCRIPT="$T/script" COLUMNS=100 LINES=30 TERM=xterm-256color "$MMDA" review "$DB" --renderer none \
    --config "$T/cfg2.json" >/dev/null 2>"$T/tuierr"
check tui-model-op-picked grep -q '> rewrite' "$T/tui1"
check tui-model-op-ran grep -q 'rewrite: created 1' "$T/tui2"
check tui-model-op-lineage [ "$(sqlite3 "$DB" "SELECT count(*) FROM candidates WHERE op = 'rewrite' AND seed = 0 AND backend = 'llm=llm' AND model = 'stub-llm' AND prompt IS NOT NULL")" = 1 ]
# A long model batch started from the review screen stops when asked (X) or on quit,
# without waiting for the server: requests in flight are cut short, what is stored stays.
stub_reset
stub_rules '[{"path":"/v1/chat/completions","delay_ms":3000}]'
{ printf 'augment\n'; i=0; while [ $i -lt 13 ]; do echo aug-next-op; i=$((i + 1)); done
  printf 'set k=4\nrun-all\ncancel\nwait\ndump-screen %s\nquit\nquit\n' "$T/tui3"; } >"$T/script2"
start=$(date +%s)
MMDA_SCRIPT="$T/script2" COLUMNS=100 LINES=30 TERM=xterm-256color "$MMDA" review "$DB" --renderer none \
    --config "$T/cfg2.json" >/dev/null 2>&1
check tui-cancel-fast [ $(($(date +%s) - start)) -lt 8 ]
check tui-cancel-says grep -q 'rewrite: cancelled; created 0' "$T/tui3"
check tui-cancel-job [ "$(sqlite3 "$DB" "SELECT state FROM jobs WHERE kind = 'augment' ORDER BY id DESC LIMIT 1")" = cancelled ]
# A cancel that lands while the batch is still asking whether the model is up (before any
# task runs) is a cancel too, not a failure: the status says so and the job is recorded.
# (Seen once in CI: the cut-short readiness probe read as a failed batch, and no job was kept.)
stub_reset
stub_rules '[{"path":"/v1/models","delay_ms":3000}]'
jobs0=$(sqlite3 "$DB" "SELECT coalesce(max(id), 0) FROM jobs")
{ printf 'augment\n'; i=0; while [ $i -lt 13 ]; do echo aug-next-op; i=$((i + 1)); done
  printf 'set k=2\nrun-all\nwait 1000\ncancel\nwait\ndump-screen %s\nquit\nquit\n' "$T/tui5"; } >"$T/script5"
start=$(date +%s)
MMDA_SCRIPT="$T/script5" COLUMNS=100 LINES=30 TERM=xterm-256color "$MMDA" review "$DB" --renderer none \
    --config "$T/cfg2.json" >/dev/null 2>&1
check tui-cancel-probe-fast [ $(($(date +%s) - start)) -lt 8 ]
check tui-cancel-probe-says grep -q 'rewrite: cancelled; created 0' "$T/tui5"
check tui-cancel-probe-job [ "$(sqlite3 "$DB" "SELECT count(*) || ':' || max(state) FROM jobs WHERE kind = 'augment' AND id > $jobs0")" = 1:cancelled ]
{ printf 'augment\n'; i=0; while [ $i -lt 13 ]; do echo aug-next-op; i=$((i + 1)); done
  printf 'set k=3\nrun-all\nquit\nquit\n'; } >"$T/script3"
start=$(date +%s)
MMDA_SCRIPT="$T/script3" COLUMNS=100 LINES=30 TERM=xterm-256color "$MMDA" review "$DB" --renderer none \
    --config "$T/cfg2.json" >/dev/null 2>&1
check tui-quit-cancels-fast [ $(($(date +%s) - start)) -lt 8 ]
check tui-quit-integrity integrity "$DB"

# Ctrl-C on a model batch: it stops at once, cleanly; the same command finishes it.
"$MMDA" import "$T/i.db" "$SAMPLE/captions.jsonl" >/dev/null
stub_reset
stub_rules '[{"path":"/v1/chat/completions","delay_ms":4000}]'
start=$(date +%s)
"$MMDA" augment "$T/i.db" --op rewrite --set k=4 --config "$T/cfg2.json" --json >"$T/int.out" 2>"$T/int.err" &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
check sigint-exit [ "$rc" = 1 ] && check sigint-fast [ $(($(date +%s) - start)) -lt 4 ]
check sigint-says grep -q 'interrupted: what is stored stays' "$T/int.err"
check sigint-one-json one_json "$T/int.out"
check sigint-job-cancelled [ "$(sqlite3 "$T/i.db" "SELECT state FROM jobs ORDER BY id DESC LIMIT 1")" = cancelled ]
check sigint-integrity integrity "$T/i.db"
stub_reset
"$MMDA" augment "$T/i.db" --op rewrite --set k=4 --config "$T/cfg2.json" --json >"$T/int2.out"
check sigint-rerun-finishes [ "$(sqlite3 "$T/i.db" "SELECT count(*) FROM candidates WHERE op = 'rewrite'"):$(sqlite3 "$T/i.db" "SELECT state FROM jobs ORDER BY id DESC LIMIT 1")" = "$((4 * $(sqlite3 "$T/i.db" "SELECT count(*) FROM candidates WHERE op = 'original'"))):done" ]

# image_pair_similarity: the candidate's image against its parent's, from the same backend;
# a caption op kept its parent's image (1 without a request); originals have no parent.
"$MMDA" augment "$DB" --op hflip --limit 4 >/dev/null
stub_reset
"$MMDA" score "$DB" --config "$T/cfg2.json" --metric image_pair_similarity --json >"$T/ps" 2>"$T/err"
NR=$(sqlite3 "$DB" "SELECT count(*) FROM candidates WHERE op = 'rewrite'")
check pair-computed [ "$(json_get "$T/ps" "(d['computed'], d['skipped'], d['failed'])")" = "($((NR + 4)), $N, [])" ]
check pair-caption-op-is-1 [ "$(sqlite3 "$DB" "SELECT count(*) FROM scores s JOIN candidates c ON c.id = s.candidate WHERE c.op = 'rewrite' AND s.metric = 'image_pair_similarity' AND s.value = 1.0")" = "$NR" ]
check pair-hflip-range [ "$(sqlite3 "$DB" "SELECT count(*) FROM scores s JOIN candidates c ON c.id = s.candidate WHERE c.op = 'hflip' AND s.metric = 'image_pair_similarity' AND s.value BETWEEN -1 AND 1 AND s.model = 'stub-clip-b32'")" = 4 ]
stub_log "$T/plog" post
check pair-only-images [ "$(json_get "$T/plog" "sorted(set(r['json'].get('modality') for r in d))")" = "['image']" ]
check pair-eight-images [ "$(json_get "$T/plog" "sum(len(r['json']['input']) for r in d)")" = 8 ]
"$MMDA" score "$DB" --config "$T/cfg2.json" --metric image_pair_similarity --json >"$T/ps2"
check pair-unchanged [ "$(json_get "$T/ps2" "(d['computed'], d['unchanged'])")" = "(0, $((NR + 4)))" ]

# On a short terminal the operator list scrolls to keep the chosen one in view.
{ printf 'augment\n'; i=0; while [ $i -lt 20 ]; do echo aug-next-op; i=$((i + 1)); done
  printf 'dump-screen %s\nquit\nquit\n' "$T/tui4"; } >"$T/script4"
MMDA_SCRIPT="$T/script4" COLUMNS=100 LINES=24 TERM=xterm-256color "$MMDA" review "$DB" --renderer none \
    >/dev/null 2>&1
check tui-op-list-scrolls grep -q '> vqa-gen' "$T/tui4"
check tui-op-needs-roles grep -q 'needs vlm' "$T/tui4"

stub_stop
