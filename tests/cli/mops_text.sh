# The text-producing model operators (rewrite, caption, counterfactual,
# instruct, vqa-gen) end to end against the loopback stub: the exact requests
# sent, the lineage stored, canned replies steering filters and CLIP checks,
# idempotent re-runs, hostile replies, and a rejected key that never leaks.
. "$TOP/tests/lib.sh"
. "$TOP/tests/http/stub.sh"
stub_start || { fail stub-start "the stub did not start"; exit 1; }

DB=$T/t.db
LOG=$T/log.json
SECRET=sk-h4-do-not-leak-0123456789
export H4_KEY="$SECRET"

# cfg FILE [KEY_ENV]: a config with a vision chat backend and a clip backend.
cfg() {
	cat >"$1" <<EOF
{ "defaults": { "retries": { "max": 0 } },
  "backends": [
    { "name": "chat", "kind": "openai-chat", "base_url": "$STUB_URL/v1", "model": "stub-llm",
      "api_key_env": "${2:-H4_NOKEY}", "vision": true,
      "quirks": { "max_tokens_field": "max_completion_tokens", "structured": "json_schema" } },
    { "name": "emb", "kind": "embeddings", "base_url": "$STUB_URL/v1", "model": "stub-clip" } ],
  "cache_dir": "off", "log": "$T/requests.log" }
EOF
}
cfg "$T/cfg.json"

# chat_body CONTENT [ID]: a chat completion carrying CONTENT (JSON text).
chat_body() {
	python3 -c 'import json,sys; print(json.dumps({"id": sys.argv[2], "object": "chat.completion",
"model": "stub-llm", "choices": [{"index": 0, "message": {"role": "assistant",
"content": sys.argv[1]}, "finish_reason": "stop"}]}))' "$1" "${2:-chatcmpl-canned}"
}
# chat_rule MATCH CONTENT [ID]: a rule answering chat requests whose body holds MATCH.
chat_rule() {
	printf '{"path": "/v1/chat/completions", "match": "%s", "body": %s}' "$1" \
	    "$(chat_body "$2" "${3:-chatcmpl-canned}")"
}
# emb_rule MATCH X Y: an embeddings reply of the 2-d vector (X, Y) for bodies holding MATCH.
emb_rule() {
	printf '{"path": "/v1/embeddings", "match": "%s", "body": {"object": "list", "model": "m", "data": [{"object": "embedding", "index": 0, "embedding": [%s, %s]}]}}' "$1" "$2" "$3"
}
aug() { "$MMDA" augment "$@" --config "$T/cfg.json" --json 2>>"$T/aug.err"; }
q() { sqlite3 "$DB" "$1"; }
# logq EXPR: a Python expression over the stub's request log `d` (fetched now).
logq() { stub_log "$LOG" && json_get "$LOG" "$1"; }
chats="[e['json'] for e in d if e['path'] == '/v1/chat/completions']"

"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null
C1=$(q "SELECT text FROM candidates WHERE src_key = 'astronaut-1'")

# ---- rewrite (LaCLIP) ----
aug "$DB" --op rewrite --seed 5 --limit 2 --set k=2 >"$T/out"
check rewrite-creates [ "$(json_get "$T/out" "len(d['created']), d['failed'], d['filtered']")" = "(4, [], 0)" ]
row=$(q "SELECT c.backend, c.model, c.prompt = '$C1', c.response_id LIKE 'chatcmpl-stub-%',
	c.seed, json_extract(c.params, '\$.sample'), json_extract(c.params, '\$.request_seed') > 0,
	json_array_length(c.params, '\$.examples_used') FROM candidates c JOIN lineage l ON l.child = c.id
	JOIN candidates p ON p.id = l.parent WHERE c.op = 'rewrite' AND p.src_key = 'astronaut-1'
	ORDER BY c.id LIMIT 1")
check rewrite-lineage [ "$row" = "llm=chat|stub-llm|1|1|5|0|1|3" ]
logq "$chats[0]" >/dev/null
check rewrite-sampling [ "$(json_get "$LOG" "[(r['temperature'], r['top_p'], r['max_completion_tokens'], 'max_tokens' in r) for r in $chats][0]")" = "(0.9, 0.95, 77, False)" ]
check rewrite-few-shot-turns [ "$(json_get "$LOG" "[[m['role'] for m in r['messages']] for r in $chats][0]")" = "['system', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user']" ]
check rewrite-query-last [ "$(json_get "$LOG" "sorted(r['messages'][-1]['content'] for r in $chats)[0] == '''$C1'''")" = True ]
seeds_sent=$(json_get "$LOG" "sorted(r['seed'] for r in $chats)")
seeds_kept=$(q "SELECT json_group_array(s) FROM (SELECT json_extract(params, '\$.request_seed') AS s FROM candidates WHERE op = 'rewrite' ORDER BY s)" | tr -d ' ')
check rewrite-seeds-sent [ "$(echo "$seeds_sent" | tr -d ' ')" = "$seeds_kept" ]
aug "$DB" --op rewrite --seed 5 --limit 2 --set k=2 >"$T/out"
check rewrite-rerun-existing [ "$(json_get "$T/out" "len(d['created']), d['existing']")" = "(0, 4)" ]

# A one-word reply is filtered; a hostile one is cleaned before it is stored.
stub_reset
stub_rules "[$(chat_rule "white helmet" "Helmet.")]"
aug "$DB" --op rewrite --seed 6 --limit 2 --set k=1 >"$T/out"
check rewrite-min-words-filtered [ "$(json_get "$T/out" "len(d['created']), d['filtered'], 'fewer than 2 words' in str(d['filtered_reasons'])")" = "(1, 1, True)" ]
stub_rules "[$(chat_rule "" "$(printf 'Sure! Here is the rewrite:\n\n"\033[31mAn orange-suited\a astronaut \302\233grins by a flag."\nextra')")]"
aug "$DB" --op rewrite --seed 7 --limit 1 --set k=1 >"$T/out"
check rewrite-cleaned [ "$(q "SELECT text FROM candidates WHERE op = 'rewrite' AND seed = 7")" = "[31mAn orange-suited astronaut grins by a flag." ]

# An examples file: its pairs are the turns; a bad line names file:line.
printf '# mine\nA cat on a mat. => On a mat sits a cat.\n\nA red car. => A car painted red.\n' >"$T/ex.txt"
stub_reset
aug "$DB" --op rewrite --seed 8 --limit 1 --set k=1 --set shots=2 --set "examples=$T/ex.txt" >"$T/out"
check rewrite-examples-file [ "$(logq "sorted(m['content'] for r in $chats for m in r['messages'] if m['role'] == 'assistant')")" = "['A car painted red.', 'On a mat sits a cat.']" ]
printf 'A => B\nno arrow\n' >"$T/bad.txt"
"$MMDA" augment "$DB" --op rewrite --seed 8 --limit 1 --set "examples=$T/bad.txt" \
    --config "$T/cfg.json" >"$T/out" 2>"$T/err"; rc=$?
check rewrite-examples-bad-line sh -c "[ $rc -ne 0 ] && grep -q 'bad.txt:2: want' '$T/err'"

# A body that is not JSON, or a null content, fails the item with the reason.
stub_reset
stub_rules '[{"path": "/v1/chat/completions", "malformed": true}]'
aug "$DB" --op rewrite --seed 12 --limit 1 --set k=1 >"$T/out"
check rewrite-malformed-fails [ "$(json_get "$T/out" "len(d['failed']), 'malformed JSON' in d['failed'][0]['reason']")" = "(1, True)" ]
stub_rules '[{"path": "/v1/chat/completions", "body": {"id": "x", "choices": [{"index": 0, "message": {"role": "assistant", "content": null}}]}}]'
aug "$DB" --op rewrite --seed 12 --limit 1 --set k=1 >"$T/out"
check rewrite-null-content-fails [ "$(json_get "$T/out" "len(d['failed']), 'content is null' in d['failed'][0]['reason']")" = "(1, True)" ]

# ---- caption ----
stub_reset
aug "$DB" --op caption --seed 1 --limit 2 >"$T/out"
check caption-creates [ "$(json_get "$T/out" "len(d['created']), d['failed']")" = "(2, [])" ]
check caption-lineage [ "$(q "SELECT count(*) FROM candidates WHERE op = 'caption' AND backend = 'vlm=chat' AND model = 'stub-llm' AND prompt LIKE 'Write one factual sentence%' AND response_id LIKE 'chatcmpl-stub-%' AND seed = 1 AND json_extract(params, '\$.sample') = 0 AND text LIKE 'stub reply:%'")" = 2 ]
check caption-image-part [ "$(logq "all(p['image_url']['url'].startswith('data:image/png;base64,') for r in $chats for p in r['messages'][-1]['content'] if p['type'] == 'image_url') and len($chats) == 2")" = True ]
check caption-png-decodes [ "$(json_get "$LOG" "__import__('base64').b64decode([p['image_url']['url'].split(',', 1)[1] for r in $chats for p in r['messages'][-1]['content'] if p['type'] == 'image_url'][0])[:4] == b'\x89PNG'")" = True ]
check caption-request [ "$(json_get "$LOG" "[(r['temperature'], r['max_completion_tokens'], r['seed'] > 0, 'top_p' in r) for r in $chats][0]")" = "(0.2, 77, True, False)" ]
aug "$DB" --op caption --seed 1 --limit 2 >"$T/out"
check caption-rerun-existing [ "$(json_get "$T/out" "len(d['created']), d['existing']")" = "(0, 2)" ]

# ---- vqa-gen (SelTDA) ----
stub_reset
stub_rules "[$(chat_rule "" "Question: What is the person holding? Answer: A white helmet." chatcmpl-vqa)]"
aug "$DB" --op vqa-gen --seed 1 --limit 1 >"$T/out"
check vqa-creates [ "$(json_get "$T/out" "len(d['created'])")" = 1 ]
ID=$(json_get "$T/out" "d['created'][0]")
check vqa-meta [ "$(q "SELECT json_extract(meta, '\$.question') || '|' || json_extract(meta, '\$.answer') || '|' || json_extract(meta, '\$.answer_type') || '|' || json_extract(meta, '\$.conversations[0].from') || '|' || json_extract(meta, '\$.conversations[1].value') FROM candidates WHERE id = $ID")" = "What is the person holding?|A white helmet|other|human|A white helmet" ]
check vqa-image-token [ "$(q "SELECT json_extract(meta, '\$.conversations[0].value') = char(60) || 'image>' || char(10) || 'What is the person holding?' FROM candidates WHERE id = $ID")" = 1 ]
check vqa-text-lineage [ "$(q "SELECT text, backend, response_id, json_extract(params, '\$.sample') FROM candidates WHERE id = $ID")" = "What is the person holding? A white helmet|vlm=chat|chatcmpl-vqa|0" ]
check vqa-lineage-rest [ "$(q "SELECT model, prompt LIKE 'Look at the image and write one question%', seed, json_extract(params, '\$.request_seed') > 0 FROM candidates WHERE id = $ID")" = "stub-llm|1|1|1" ]
aug "$DB" --op vqa-gen --seed 1 --limit 1 >"$T/out"
check vqa-rerun-existing [ "$(json_get "$T/out" "len(d['created']), d['existing']")" = "(0, 1)" ]
check vqa-request [ "$(logq "[(r['top_p'], r['temperature'], r['max_completion_tokens'], [p['type'] for p in r['messages'][-1]['content']]) for r in $chats][0]")" = "(0.9, 1, 64, ['text', 'image_url'])" ]
stub_rules "[$(chat_rule "" "Question: Is it day? Answer: yes and no")]"
aug "$DB" --op vqa-gen --seed 2 --limit 1 >"$T/out"
check vqa-yes-no-filtered [ "$(json_get "$T/out" "d['filtered'], 'yes and no' in str(d['filtered_reasons'])")" = "(1, True)" ]
stub_reset
aug "$DB" --op vqa-gen --seed 3 --limit 1 >"$T/out"
check vqa-unparsable-filtered [ "$(json_get "$T/out" "d['filtered'], 'unparsable' in str(d['filtered_reasons']), d['failed']")" = "(1, True, [])" ]

# ---- counterfactual (CFT-CLIP) with a clip backend and canned vectors ----
mkdir -p "$T/p"
cp "$SAMPLE/images/astronaut.png" "$SAMPLE/images/coffee.png" "$T/p/"
printf '%s\n' '{"id": "o", "file_name": "astronaut.png", "text": "Barack Obama greets Angela Merkel in Berlin."}' \
	'{"id": "b", "file_name": "coffee.png", "text": "A wooden boat rests on a calm lake."}' >"$T/p/m.jsonl"
"$MMDA" import "$T/cf.db" "$T/p/m.jsonl" >/dev/null
CF='{"replacements": [{"from": "Barack Obama", "to": "Joe Biden"}], "caption": "Joe Biden greets Angela Merkel in Berlin."}'
cf_rules() {
	stub_rules "[$(chat_rule "Caption: Barack Obama" "$CF"), $(chat_rule "Caption: A wooden boat" '{"replacements": [], "caption": ""}'),
	$(emb_rule "data:image/png" 1 0), $(emb_rule "Barack Obama" 0.8 0.6), $(emb_rule "Joe Biden" "$1" "$2")]"
}
stub_reset
cf_rules 0.3 0.954
aug "$T/cf.db" --op counterfactual --seed 1 >"$T/out"
check cf-kept-and-unchanged [ "$(json_get "$T/out" "len(d['created']), d['unchanged'], d['filtered'], d['failed']")" = "(1, 1, 0, [])" ]
check cf-meta [ "$(sqlite3 "$T/cf.db" "SELECT text, json_extract(meta, '\$.negative'), json_extract(meta, '\$.replaced[0].to'), json_extract(meta, '\$.clip_before'), json_extract(meta, '\$.clip_after'), backend, model FROM candidates WHERE op = 'counterfactual'")" = "Joe Biden greets Angela Merkel in Berlin.|1|Joe Biden|0.8|0.3|llm=chat,clip=emb|llm=stub-llm,clip=stub-clip" ]
check cf-lineage [ "$(sqlite3 "$T/cf.db" "SELECT prompt, response_id, seed, json_extract(params, '\$.attempts_used'), json_extract(params, '\$.check') FROM candidates WHERE op = 'counterfactual'")" = "$(printf 'Entity types: person\nCaption: Barack Obama greets Angela Merkel in Berlin.|chatcmpl-canned|1|1|auto')" ]
# The export says which pairs are hard negatives, and what the model was asked.
"$MMDA" export "$T/cf.db" --format jsonl --select all --out "$T/cfx" >/dev/null
check cf-export-negative [ "$(python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; c=[x for x in r if x["op"] == "counterfactual"]; print(len(c), all(x["meta"]["negative"] is True and x["prompt"].startswith("Entity types") for x in c), all(x["meta"] is None or "negative" not in x["meta"] for x in r if x["op"] == "original"))' "$T/cfx/pairs.jsonl")" = "1 True True" ]
# The review screen marks it, so an annotator judges it as a negative.
printf 'goto %s\ndump-screen %s\nquit\n' "$(sqlite3 "$T/cf.db" "SELECT id FROM candidates WHERE op = 'counterfactual'")" "$T/cfscreen" >"$T/cfscript"
MMDA_SCRIPT="$T/cfscript" COLUMNS=100 LINES=30 TERM=xterm-256color "$MMDA" review "$T/cf.db" --renderer none >/dev/null 2>&1
check cf-review-marked grep -q 'counterfactual  HARD NEGATIVE' "$T/cfscreen"
check cf-embeddings-sent [ "$(logq "len([e for e in d if e['path'] == '/v1/embeddings'])")" = 3 ]
check cf-schema-asked [ "$(json_get "$LOG" "[r['response_format']['type'] for r in $chats]")" = "['json_schema', 'json_schema']" ]
aug "$T/cf.db" --op counterfactual --seed 1 >"$T/out"
check cf-rerun-existing [ "$(json_get "$T/out" "len(d['created']), d['existing'], d['unchanged']")" = "(0, 1, 1)" ]
stub_reset
cf_rules 0.9 0.436
aug "$T/cf.db" --op counterfactual --seed 2 --set attempts=2 >"$T/out"
check cf-similarity-rose-filtered [ "$(json_get "$T/out" "len(d['created']), d['filtered'], 'CLIP similarity did not drop (0.80 -> 0.90)' in str(d['filtered_reasons'])")" = "(0, 1, True)" ]
check cf-retried-with-new-seed [ "$(logq "sorted({r['seed'] for r in $chats if 'Caption: Barack' in r['messages'][-1]['content']}).__len__()")" = 2 ]
# Without a clip backend: check=on refuses the batch, auto keeps results unchecked.
printf '{"backends": [{"name": "chat", "kind": "openai-chat", "base_url": "%s/v1", "model": "stub-llm"}], "cache_dir": "off"}' \
    "$STUB_URL" >"$T/noclip.json"
"$MMDA" augment "$T/cf.db" --op counterfactual --seed 4 --set check=on --config "$T/noclip.json" \
    >"$T/out" 2>"$T/err"; rc=$?
check cf-check-on-needs-clip sh -c "[ $rc -ne 0 ] && grep -q 'no backend for role clip' '$T/err'"
stub_reset
cf_rules 0.9 0.436
"$MMDA" augment "$T/cf.db" --op counterfactual --seed 4 --config "$T/noclip.json" --json \
    >"$T/out" 2>"$T/err"
check cf-auto-without-clip [ "$(json_get "$T/out" "len(d['created'])")/$(grep -c 'without the CLIP similarity check' "$T/err")" = 1/1 ]
check cf-unchecked-meta [ "$(sqlite3 "$T/cf.db" "SELECT json_extract(meta, '\$.clip_before') IS NULL, backend FROM candidates WHERE op = 'counterfactual' AND seed = 4")" = "1|llm=chat" ]
check cf-no-embeddings-unchecked [ "$(logq "len([e for e in d if e['path'] == '/v1/embeddings'])")" = 0 ]
stub_reset
stub_rules "[$(chat_rule "" "I cannot help with that.")]"
aug "$T/cf.db" --op counterfactual --seed 3 --set check=off --set attempts=1 >"$T/out"
check cf-garbage-fails [ "$(json_get "$T/out" "len(d['failed']), 'no JSON object' in d['failed'][0]['reason']")" = "(2, True)" ]

# ---- instruct (LLaVA) with COCO boxes ----
mkdir -p "$T/coco"
cp "$SAMPLE/images/chelsea.png" "$T/coco/"
printf '%s' '{"images": [{"id": 7, "file_name": "chelsea.png"}], "annotations": [{"id": 1, "image_id": 7, "caption": "A tabby cat looks at the camera."}]}' >"$T/coco/captions.json"
printf '%s' '{"images": [{"id": 7, "width": 451, "height": 300}], "categories": [{"id": 17, "name": "cat"}], "annotations": [{"id": 5, "image_id": 7, "category_id": 17, "bbox": [45.1, 30, 225.5, 240]}]}' >"$T/inst.json"
"$MMDA" import "$T/in.db" "$T/coco/captions.json" --verify >/dev/null
stub_reset
stub_rules "[$(chat_rule "Write a conversation" "$(printf 'Question:\nWhat animal is shown?\nAnswer:\nA tabby cat.\n===\nQuestion:\nWhat colour are its eyes?\nAnswer:\nGreen.')"),
	$(chat_rule "Write a detailed description" "A tabby cat fills most of the picture and looks straight ahead."),
	$(chat_rule "Write one challenging question" "Question: Why might the cat stare at the camera? Answer: It is curious about the device.")]"
"$MMDA" augment "$T/in.db" --op instruct --seed 1 --set "instances=$T/inst.json" --config "$T/cfg.json" --json >"$T/out"
check instruct-three-types [ "$(json_get "$T/out" "len(d['created']), d['failed']")" = "(3, [])" ]
iq() { sqlite3 "$T/in.db" "$1"; }
check instruct-types-stored [ "$(iq "SELECT group_concat(json_extract(meta, '\$.instruct_type'), ',') FROM (SELECT meta FROM candidates WHERE op = 'instruct' ORDER BY json_extract(meta, '\$.instruct_type'))")" = "conversation,detail,reasoning" ]
check instruct-conversation-meta [ "$(iq "SELECT json_array_length(meta, '\$.conversations'), json_extract(meta, '\$.conversations[0].value') = char(60) || 'image>' || char(10) || 'What animal is shown?', json_extract(meta, '\$.conversations[3].value'), text FROM candidates WHERE json_extract(meta, '\$.instruct_type') = 'conversation'")" = "4|1|Green.|Q: What animal is shown? A: A tabby cat. Q: What colour are its eyes? A: Green." ]
check instruct-detail-turns [ "$(iq "SELECT json_array_length(meta, '\$.conversations'), substr(json_extract(meta, '\$.conversations[0].value'), 1, 8) = char(60) || 'image>' || char(10), length(json_extract(meta, '\$.conversations[0].value')) > 20, json_extract(meta, '\$.conversations[1].value') FROM candidates WHERE json_extract(meta, '\$.instruct_type') = 'detail'")" = "2|1|1|A tabby cat fills most of the picture and looks straight ahead." ]
check instruct-lineage [ "$(iq "SELECT count(*) FROM candidates WHERE op = 'instruct' AND backend = 'llm=chat' AND model = 'stub-llm' AND prompt LIKE 'Captions:%' AND response_id = 'chatcmpl-canned' AND seed = 1 AND json_extract(params, '\$.type') IS NOT NULL")" = 3 ]
check instruct-boxes-normalised [ "$(logq "[r['messages'][-1]['content'] for r in $chats if 'detailed description' in r['messages'][0]['content']][0].split(chr(10))[-1]")" = "cat: [0.100, 0.100, 0.600, 0.900]" ]
check instruct-conversation-captions-only [ "$(json_get "$LOG" "[r['messages'][-1]['content'] for r in $chats if 'Write a conversation' in r['messages'][0]['content']][0]")" = "$(printf 'Captions:\nA tabby cat looks at the camera.')" ]
"$MMDA" export "$T/in.db" --format llava --select all --out "$T/llava" >/dev/null 2>"$T/err"
check instruct-export-llava [ "$(json_get "$T/llava/llava.json" "any(any(t['value'] == 'What colour are its eyes?' for t in it['conversations']) for it in d)")" = True ]
"$MMDA" augment "$T/in.db" --op instruct --seed 1 --set "instances=$T/inst.json" --config "$T/cfg.json" --json >"$T/out"
check instruct-rerun-existing [ "$(json_get "$T/out" "len(d['created']), d['existing']")" = "(0, 3)" ]
stub_reset
"$MMDA" augment "$T/in.db" --op instruct --seed 2 --set type=conversation --config "$T/cfg.json" --json >"$T/out" 2>"$T/err"
check instruct-garbage-fails [ "$(json_get "$T/out" "len(d['failed']), 'cannot read a conversation from the reply: \"stub reply:' in d['failed'][0]['reason']")" = "(1, True)" ]
# Boxes need the parent's size: without --verify the import records none, so it is read
# from the image's header.
"$MMDA" import "$T/in2.db" "$T/coco/captions.json" >/dev/null
stub_rules "[$(chat_rule "Write a detailed description" "A cat.")]"
"$MMDA" augment "$T/in2.db" --op instruct --seed 1 --set type=detail --set "instances=$T/inst.json" \
    --config "$T/cfg.json" --json >"$T/out" 2>"$T/err"
check instruct-size-from-header [ "$(sqlite3 "$T/in2.db" "SELECT json_extract(params, '\$.boxes'), json_extract(params, '\$.boxes_unsized'), instr(prompt, 'Objects:') > 0 FROM candidates WHERE op = 'instruct'")" = "1||1" ]
check instruct-integrity integrity "$T/in.db"

# ---- a rejected key: the server's message, and the key nowhere ----
cfg "$T/cfg401.json" H4_KEY
stub_reset
stub_rules '[{"path": "/v1/chat/completions", "status": 401, "body": {"error": {"message": "Invalid API Key provided", "type": "invalid_request_error"}}}]'
"$MMDA" augment "$DB" --op rewrite --seed 11 --limit 1 --set k=1 --config "$T/cfg401.json" --json >"$T/out" 2>"$T/err"
check key-401-fails-item [ "$(json_get "$T/out" "len(d['failed']), 'Invalid API Key provided' in d['failed'][0]['reason'], len(d['created'])")" = "(1, True, 0)" ]
check key-was-sent [ "$(logq "[e['headers'].get('authorization') for e in d][0] == 'Bearer $SECRET'")" = True ]
check key-not-in-db [ "$(sqlite3 "$DB" .dump | grep -c "$SECRET")" = 0 ]
check key-not-in-stderr [ "$(grep -c "$SECRET" "$T/err")" = 0 ]
check key-not-in-json [ "$(grep -c "$SECRET" "$T/out")" = 0 ]
check request-log-written [ -s "$T/requests.log" ]
check key-not-in-request-log [ "$(grep -c "$SECRET" "$T/requests.log")" = 0 ]
check db-integrity integrity "$DB"
check cf-integrity integrity "$T/cf.db"
stub_stop
