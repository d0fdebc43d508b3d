# The image-making model operators end to end against the loopback stub:
# t2i (a1111 and openai-images, with and without an LLM prompt rewrite),
# alia (domains from a file, from the VLM + LLM, from the project setting;
# img2img and instruction edits; the semantic filter) and inpaint-attr
# (typed boxes and COCO instances; a1111 and openai-images masks). Checks
# the exact requests in the stub's log, the stored pixels and lineage,
# failures and quality rejections, re-runs and database integrity.
. "$TOP/tests/lib.sh"
. "$TOP/tests/http/stub.sh"
stub_start || { fail stub-start; exit 1; }

# decode() of tests/http/png.py reads the masks and pixels back.
# pyq EXPR FILE...: evaluates EXPR with decode() and json loaded; files are in sys.argv[1:].
pyq() { e=$1; shift; python3 -c "import base64, json, sys; sys.path[:0] = ['$T', '$TOP/tests/http']; from png import decode; print($e)" "$@"; }

cat >"$T/cfg.json" <<EOF
{ "cache_dir": "off",
  "backends": [
    { "name": "chat", "kind": "openai-chat", "base_url": "$STUB_URL/v1", "model": "qwen-vl",
      "vision": true, "max_concurrency": 4 },
    { "name": "sd", "kind": "a1111", "base_url": "$STUB_URL", "max_concurrency": 2 },
    { "name": "oai", "kind": "openai-images", "base_url": "$STUB_URL/v1", "model": "gpt-image-1",
      "max_concurrency": 2, "quirks": { "mask_style": "alpha", "response_format": true } },
    { "name": "clip", "kind": "embeddings", "base_url": "$STUB_URL/v1", "model": "clip-b32" } ],
  "roles": { "llm": "chat", "vlm": "chat", "image": "sd", "clip": "clip" } }
EOF
CFG="--config $T/cfg.json"
ID1="An astronaut in an orange spacesuit smiles in front of an American flag, with a space shuttle model on the right"
ID2="Portrait of a smiling female astronaut holding a white helmet"
aug() { db=$1; shift; "$MMDA" augment "$db" "$@" $CFG --json >"$T/out" 2>"$T/err"; }
q() { sqlite3 "$1" "$2"; }
# chat_rule MATCH CONTENT: a rule answering chat requests whose body holds MATCH with CONTENT.
chat_rule() {
	python3 -c 'import json, sys; print(json.dumps({"path": "/v1/chat/completions", "match": sys.argv[1], "body": {"id": "chatcmpl-" + sys.argv[3], "object": "chat.completion", "model": "qwen-vl", "choices": [{"index": 0, "message": {"role": "assistant", "content": sys.argv[2]}, "finish_reason": "stop"}]}}))' "$1" "$2" "${3:-canned}"
}

# ---- t2i on a1111 ----
DB=$T/t.db
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null
aug "$DB" --op t2i --seed 5 --limit 2 --set k=2 --set width=320 --set height=256
check t2i-creates [ "$(json_get "$T/out" "len(d['created']), d['failed']")" = "(4, [])" ]
check t2i-lineage [ "$(q "$DB" "SELECT count(*) FROM candidates WHERE op = 't2i' AND backend = 'image=sd' AND model = 'sd' AND response_id IS NULL AND seed = 5 AND width = 320 AND height = 256 AND object IS NOT NULL")" = 4 ]
check t2i-prompt-is-caption [ "$(q "$DB" "SELECT count(*) FROM candidates c JOIN lineage l ON l.child = c.id JOIN candidates p ON p.id = l.parent WHERE c.op = 't2i' AND c.prompt = p.text AND c.text = p.text")" = 4 ]
check t2i-variants [ "$(q "$DB" "SELECT group_concat(json_extract(params, '$.sample'), ',') FROM (SELECT params FROM candidates WHERE op = 't2i' ORDER BY json_extract(params, '$.sample'))")" = "0,0,1,1" ]
stub_log "$T/log.json" post
ID=$(json_get "$T/out" "d['created'][0]")
"$MMDA" show "$DB" "$ID" --json >"$T/show"
check t2i-request [ "$(pyq "[(e['json']['prompt'], e['json']['seed'], e['json']['width'], e['json']['height'], e['json']['cfg_scale']) for e in json.load(open(sys.argv[1])) if e['path'] == '/sdapi/v1/txt2img' and e['json']['seed'] == json.load(open(sys.argv[2]))['params']['request_seed']]" "$T/log.json" "$T/show")" = "[('$ID1.', $(json_get "$T/show" "d['params']['request_seed']"), 320, 256, 7.5)]" ]
check t2i-seeds [ "$(json_get "$T/show" "d['params']['seed'] == d['params']['request_seed'], d['params']['prompt_rewritten']")" = "(True, False)" ]
check t2i-object-file [ -f "$(json_get "$T/show" "d['image']")" ]
# The stored pixels are the stub's picture for this prompt and seed.
check t2i-stub-pixels [ "$(pyq "decode(open(json.load(open(sys.argv[1]))['image'], 'rb').read()) == decode(base64.b64decode(__import__('stub').png_b64(320, 256, ('%s|%d' % (json.load(open(sys.argv[1]))['prompt'], json.load(open(sys.argv[1]))['params']['request_seed'])).encode())))" "$T/show")" = True ]
aug "$DB" --op t2i --seed 5 --limit 2 --set k=2 --set width=320 --set height=256
check t2i-rerun-nothing-new [ "$(json_get "$T/out" "len(d['created']), d['existing']")" = "(0, 4)" ]

# ---- t2i on openai-images, then with an LLM rewrite ----
stub_reset
aug "$DB" --op t2i --seed 6 --limit 1 --set image=oai --set width=256 --set height=256
check t2i-oai-creates [ "$(json_get "$T/out" "len(d['created'])")" = 1 ]
stub_log "$T/log.json" post
check t2i-oai-request [ "$(json_get "$T/log.json" "[(e['path'], e['json']['size'], e['json']['response_format'], e['json']['model'], e['json']['prompt']) for e in d]")" = "[('/v1/images/generations', '256x256', 'b64_json', 'gpt-image-1', '$ID1.')]" ]
check t2i-oai-lineage [ "$(q "$DB" "SELECT backend || '|' || model || '|' || width FROM candidates WHERE op = 't2i' AND seed = 6")" = "image=oai|gpt-image-1|256" ]
stub_reset
stub_rules "[$(chat_rule "text-to-image diffusion model" 'Prompt: "A detailed photo of a smiling astronaut in an orange suit before a flag, soft light."' rw)]"
aug "$DB" --op t2i --seed 7 --limit 1 --set rewrite=true
stub_log "$T/log.json" post
check t2i-rewrite-sent [ "$(json_get "$T/log.json" "[e['json']['prompt'] for e in d if e['path'] == '/sdapi/v1/txt2img']")" = "['A detailed photo of a smiling astronaut in an orange suit before a flag, soft light.']" ]
check t2i-rewrite-chat [ "$(json_get "$T/log.json" "[(e['json']['messages'][1]['content'], e['json']['temperature']) for e in d if e['path'] == '/v1/chat/completions']")" = "[('$ID1.', 0.7)]" ]
check t2i-rewrite-lineage [ "$(q "$DB" "SELECT backend || '|' || model || '|' || json_extract(params, '$.prompt_rewritten') || '|' || text FROM candidates WHERE op = 't2i' AND seed = 7")" = "llm=chat,image=sd|llm=qwen-vl,image=sd|1|$ID1." ]
check t2i-rewrite-llm-in-id [ "$(q "$DB" "SELECT json_extract(params, '$.llm_model') FROM candidates WHERE op = 't2i' AND seed = 7")" = qwen-vl ]

# ---- t2i failures: a refused request, a garbage reply ----
stub_reset
stub_rules '[{"path": "/sdapi/v1/txt2img", "status": 401, "body": {"detail": "Not authenticated"}}]'
aug "$DB" --op t2i --seed 8 --limit 2
check t2i-401-listed [ "$(json_get "$T/out" "len(d['created']), len(d['failed']), all('Not authenticated' in f['reason'] for f in d['failed'])")" = "(0, 2, True)" ]
stub_rules '[{"path": "/sdapi/v1/txt2img", "malformed": true}]'
aug "$DB" --op t2i --seed 9 --limit 1
check t2i-garbage-fails [ "$(json_get "$T/out" "len(d['created']), len(d['failed']), 'backend sd' in d['failed'][0]['reason']")" = "(0, 1, True)" ]
check t2i-integrity integrity "$DB"

# ---- alia: domains from a file, img2img on a1111 ----
stub_reset
DB=$T/a.db
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null
printf '# my domains\nin a snowy forest\n\n  at night under street lights  \n' >"$T/dom.txt"
aug "$DB" --op alia --seed 1 --limit 2 --set domains_file="$T/dom.txt" --set filter=false
check alia-file-creates [ "$(json_get "$T/out" "len(d['created']), d['failed']")" = "(4, [])" ]
check alia-file-note grep -q "2 domains read from $T/dom.txt" "$T/err"
stub_log "$T/log.json" post
check alia-no-chat [ "$(json_get "$T/log.json" "sorted(set(e['path'] for e in d))")" = "['/sdapi/v1/img2img']" ]
check alia-img2img-request [ "$(json_get "$T/log.json" "sorted(set((e['json']['denoising_strength'], e['json']['cfg_scale'], e['json']['width'], e['json']['height'], e['json']['init_images'][0][:4]) for e in d))")" = "[(0.5, 7.5, 512, 512, 'iVBO')]" ]
check alia-img2img-prompts [ "$(json_get "$T/log.json" "sorted(e['json']['prompt'] for e in d)")" = "['$ID1, at night under street lights', '$ID1, in a snowy forest', '$ID2, at night under street lights', '$ID2, in a snowy forest']" ]
check alia-init-is-parent [ "$(pyq "set(decode(base64.b64decode(e['json']['init_images'][0]))[:2] for e in json.load(open(sys.argv[1])))" "$T/log.json")" = "{(512, 512)}" ]
check alia-lineage [ "$(q "$DB" "SELECT count(*) FROM candidates c JOIN lineage l ON l.child = c.id JOIN candidates p ON p.id = l.parent WHERE c.op = 'alia' AND c.backend = 'vlm=chat,llm=chat,image=sd' AND c.model = 'vlm=qwen-vl,llm=qwen-vl,image=sd' AND c.text = p.text AND c.prompt LIKE '%, ' || json_extract(c.params, '$.domain') AND json_extract(c.params, '$.edit') = 0 AND json_extract(c.params, '$.request_seed') = json_extract(c.params, '$.seed')")" = 4 ]
aug "$DB" --op alia --seed 1 --limit 2 --set domains_file="$T/dom.txt" --set filter=false
check alia-rerun-nothing-new [ "$(json_get "$T/out" "len(d['created']), d['existing']")" = "(0, 4)" ]
printf 'fine\nbad \001 byte\n' >"$T/bad.txt"
aug "$DB" --op alia --limit 1 --set domains_file="$T/bad.txt"; rc=$?
check alia-bad-file-line [ $rc -ne 0 ] && check alia-bad-file-says grep -q "$T/bad.txt:2: bad UTF-8 or a control byte" "$T/err"

# ---- alia: img2img cannot run on openai-images; an instruction edit can ----
aug "$DB" --op alia --limit 1 --set domains_file="$T/dom.txt" --set image=oai; rc=$?
check alia-oai-img2img-refused [ $rc -ne 0 ] && check alia-oai-img2img-says grep -q "use mode=edit or an a1111 backend" "$T/err"
stub_reset
aug "$DB" --op alia --seed 2 --limit 1 --set domains_file="$T/dom.txt" --set image=oai --set mode=edit --set filter=false
check alia-edit-creates [ "$(json_get "$T/out" "len(d['created'])")" = 2 ]
stub_log "$T/log.json" post
check alia-edit-parts [ "$(json_get "$T/log.json" "sorted(set(tuple(p['name'] for p in e['parts']) for e in d))")" = "[('image', 'prompt', 'model', 'n', 'response_format', 'seed', 'guidance_scale')]" ]
check alia-edit-prompts [ "$(json_get "$T/log.json" "sorted(p['text'] for e in d for p in e['parts'] if p['name'] == 'prompt')")" = "['put it at night under street lights', 'put it in a snowy forest']" ]

# ---- alia: domains made by the VLM and the LLM, kept in the project ----
stub_reset
DB=$T/g.db
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null
stub_rules "[$(chat_rule "Write one short sentence" "Caption: A picture of something on a table." cap), $(chat_rule "List at most 2 short" 'Here are the domains:
1. in a snowy forest.
2) "at night under street lights"
3. In a snowy forest' dom)]"
aug "$DB" --op alia --seed 3 --limit 1 --set sample=3 --set domains=2 --set domains_file="$T/gen.txt" --set filter=false
check alia-gen-creates [ "$(json_get "$T/out" "len(d['created'])")" = 2 ]
check alia-gen-file [ "$(cat "$T/gen.txt")" = "in a snowy forest
at night under street lights" ]
check alia-gen-setting [ "$(q "$DB" "SELECT value FROM meta WHERE key = 'alia.domains'")" = '["in a snowy forest","at night under street lights"]' ]
check alia-gen-note grep -q "2 domains written to $T/gen.txt; edit and re-run" "$T/err"
stub_log "$T/log.json" post
check alia-gen-captions [ "$(json_get "$T/log.json" "[(e['json']['messages'][0]['content'][1]['image_url']['url'][:22], e['json']['temperature']) for e in d if 'Write one short' in (e['body'] or '')]")" = "[('data:image/png;base64,', 0), ('data:image/png;base64,', 0), ('data:image/png;base64,', 0)]" ]
check alia-gen-dedup [ "$(json_get "$T/log.json" "[e['json']['messages'][1]['content'].count('- A picture of something on a table.') for e in d if 'List at most' in (e['body'] or '')]")" = "[1]" ]
# The next batch reads the setting: no model is asked for domains again.
stub_reset
aug "$DB" --op alia --seed 4 --limit 1 --set filter=false
stub_log "$T/log.json" post
check alia-setting-reused [ "$(json_get "$T/out" "len(d['created'])"),$(json_get "$T/log.json" "len([e for e in d if 'chat' in e['path']])")" = "2,0" ]
check alia-setting-note grep -q "2 domains from the project setting alia.domains" "$T/err"

# ---- alia: the semantic filter drops the edit closer to a negative prompt ----
stub_reset
DB=$T/s.db
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null
emb() { python3 -c 'import json, sys; print(json.dumps({"path": "/v1/embeddings", "match": sys.argv[1], "body": {"object": "list", "model": "clip-b32", "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(json.loads(sys.argv[2]))]}}))' "$1" "$2"; }
stub_rules "[$(emb "An astronaut in an orange" '[[1,0,0],[0,1,0],[0,0,1]]'), $(emb "Portrait of a smiling" '[[0,1,0],[1,0,0],[0,0,1]]'), $(emb "data:image/png" '[[1,0,0]]')]"
aug "$DB" --op alia --seed 1 --limit 2 --set domains_file="$T/dom.txt" --set negatives="a painting|a cartoon"
check alia-semantic-counts [ "$(json_get "$T/out" "len(d['created']), d['filtered'], d['failed']")" = "(2, 2, [])" ]
check alia-semantic-reason [ "$(json_get "$T/out" "sorted(set(f['reason'] for f in d['filtered_reasons']))")" = "[\"semantic filter: closest prompt is 'a painting' (p=1.00)\"]" ]
check alia-semantic-kept [ "$(q "$DB" "SELECT count(*) FROM candidates WHERE op = 'alia' AND json_extract(params, '$.semantic.top') = 'caption' AND json_extract(params, '$.semantic.p') > 0.99 AND backend = 'vlm=chat,llm=chat,image=sd,clip=clip' AND text LIKE 'An astronaut in an orange%'")" = 2 ]
stub_log "$T/log.json" post
check alia-semantic-texts [ "$(json_get "$T/log.json" "sorted(set(tuple(e['json']['input']) for e in d if e['path'] == '/v1/embeddings' and e['json'].get('modality') == 'text'))")" = "[('$ID1', 'a painting', 'a cartoon'), ('$ID2', 'a painting', 'a cartoon')]" ]
check alia-integrity integrity "$DB"

# ---- alia: the confidence filter (a classifier, no clip backend) ----
python3 - "$T/cfg.json" "$T/cfg2.json" "$STUB_URL" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["backends"] = [b for b in c["backends"] if b["name"] != "clip"] + [
    {"name": "cls", "kind": "kserve-v2", "base_url": sys.argv[3], "model": "resnet50",
     "io": {"input_name": "input", "output_name": "probs", "datatype": "BYTES",
            "labels": ["cat", "dog", "bird"]}}]
del c["roles"]["clip"]
json.dump(c, open(sys.argv[2], "w"))
PY
stub_reset
printf 'in a snowy forest\n' >"$T/one.txt"
probs() { echo "{\"path\": \"/v2/models/*\", \"times\": 1, \"body\": {\"model_name\": \"resnet50\", \"outputs\": [{\"name\": \"probs\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": $1}]}}"; }
stub_rules "[$(probs '[0.9, 0.05, 0.05]'), $(probs '[0.97, 0.02, 0.01]'), $(probs '[0.9, 0.05, 0.05]'), $(probs '[0.1, 0.8, 0.1]')]"
"$MMDA" augment "$DB" --op alia --seed 5 --limit 1 --set domains_file="$T/one.txt" --config "$T/cfg2.json" --json >"$T/out" 2>"$T/err"
check alia-too-easy [ "$(json_get "$T/out" "d['filtered'], d['filtered_reasons'][0]['reason']")" = "(1, 'too easy: unchanged class confidence 0.97')" ]
check alia-no-clip-note grep -q "semantic filter off: no clip backend" "$T/err"
"$MMDA" augment "$DB" --op alia --seed 6 --limit 1 --set domains_file="$T/one.txt" --config "$T/cfg2.json" --json >"$T/out" 2>"$T/err"
check alia-mislabeled [ "$(json_get "$T/out" "d['filtered'], d['filtered_reasons'][0]['reason']")" = "(1, \"likely mislabeled: 'dog' (p=0.80) instead of 'cat'\")" ]
# The stub's default answer (0.7 for cat on both) fires neither rule; the reading is kept.
stub_reset
"$MMDA" augment "$DB" --op alia --seed 7 --limit 1 --set domains_file="$T/one.txt" --config "$T/cfg2.json" --json >"$T/out" 2>"$T/err"
check alia-confidence-kept [ "$(q "$DB" "SELECT json_extract(params, '$.confidence.label') || json_extract(params, '$.confidence.p') || '|' || backend FROM candidates WHERE id = $(json_get "$T/out" "d['created'][0]")")" = "cat0.7|vlm=chat,llm=chat,image=sd,classifier=cls" ]
stub_log "$T/log.json" post
check alia-classify-both [ "$(json_get "$T/log.json" "len([e for e in d if e['path'] == '/v2/models/resnet50/infer'])")" = 2 ]

# ---- inpaint-attr: a typed box on a1111 ----
stub_reset
DB=$T/i.db
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" >/dev/null
ATTR='{"attribute": "glossy red", "negative_attribute": "matte blue", "caption": "An astronaut in a glossy red helmet smiles in front of an American flag.", "negative_caption": "An astronaut in a matte blue helmet smiles in front of an American flag."}'
stub_rules "[$(chat_rule "Object: helmet" "Here you go: $ATTR" attr)]"
aug "$DB" --op inpaint-attr --seed 1 --limit 1 --set box=100,120,50,40 --set object=helmet
check inpaint-creates [ "$(json_get "$T/out" "len(d['created']), d['failed']")" = "(1, [])" ]
ID=$(json_get "$T/out" "d['created'][0]")
"$MMDA" show "$DB" "$ID" --json >"$T/show"
check inpaint-meta [ "$(json_get "$T/show" "d['meta']['object'], d['meta']['box'], d['meta']['mask_box'], d['meta']['attribute'], d['meta']['negative_attribute'], d['meta']['negative_caption']")" = "('helmet', [100, 120, 50, 40], [92, 112, 66, 56], 'glossy red', 'matte blue', 'An astronaut in a matte blue helmet smiles in front of an American flag.')" ]
check inpaint-lineage [ "$(json_get "$T/show" "d['text'], d['backend'], d['model'], d['prompt'], d['width'], d['height']")" = "('An astronaut in a glossy red helmet smiles in front of an American flag.', 'llm=chat,image=sd', 'llm=qwen-vl,image=sd', 'glossy red helmet', 512, 512)" ]
printf 'goto %s\ndump-screen %s\nquit\n' "$ID" "$T/inscreen" >"$T/inscript"
MMDA_SCRIPT="$T/inscript" COLUMNS=160 LINES=40 TERM=xterm-256color "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check inpaint-review-negative grep -q 'negative: An astronaut in a matte blue helmet' "$T/inscreen"
stub_log "$T/log.json" post
check inpaint-a1111-request [ "$(json_get "$T/log.json" "[(e['json']['prompt'], e['json']['inpainting_fill'], e['json']['mask_blur'], e['json']['denoising_strength'], e['json']['cfg_scale'], e['json']['inpainting_mask_invert']) for e in d if e['path'] == '/sdapi/v1/img2img']")" = "[('glossy red helmet', 1, 4, 0.75, 7.5, 0)]" ]
# The mask is white exactly over the dilated box.
check inpaint-mask-pixels [ "$(pyq "[(w, h, set((x >= 92 and x < 158 and y >= 112 and y < 168) == (r[x * ch] == 255) and r[x * ch] in (0, 255) for y, r in enumerate(rows) for x in range(w))) for e in json.load(open(sys.argv[1])) if e['path'] == '/sdapi/v1/img2img' for (w, h, ch, rows) in [decode(base64.b64decode(e['json']['mask']))]]" "$T/log.json")" = "[(512, 512, {True})]" ]
check inpaint-chat [ "$(json_get "$T/log.json" "[e['json']['messages'][1]['content'] for e in d if 'chat' in e['path']]")" = "['Caption: $ID1.\\nObject: helmet']" ]
aug "$DB" --op inpaint-attr --seed 1 --limit 1 --set box=100,120,50,40 --set object=helmet
check inpaint-rerun-nothing-new [ "$(json_get "$T/out" "len(d['created']), d['existing']")" = "(0, 1)" ]

# ---- inpaint-attr on openai-images: multipart, an RGBA mask (transparent = edit) ----
stub_reset
RGBA='IHDR\u0000\u0000\u0002\u0000\u0000\u0000\u0002\u0000\b\u0006'
stub_rules "[$(chat_rule "Object: helmet" "$ATTR" attr), {\"path\": \"/v1/images/edits\", \"match\": \"$RGBA\", \"name\": \"rgba-mask\"}]"
aug "$DB" --op inpaint-attr --seed 2 --limit 1 --set box=100,120,50,40 --set object=helmet --set image=oai
check inpaint-oai-creates [ "$(json_get "$T/out" "len(d['created'])")" = 1 ]
stub_log "$T/log.json" post
check inpaint-oai-parts [ "$(json_get "$T/log.json" "[([p['name'] for p in e['parts']][:3], [p['text'] for p in e['parts'] if p['name'] == 'prompt'], e['rule']) for e in d if e['path'] == '/v1/images/edits']")" = "[(['image', 'mask', 'prompt'], ['glossy red helmet'], 'rgba-mask')]" ]
check inpaint-oai-meta [ "$(q "$DB" "SELECT json_extract(meta, '$.negative_caption') FROM candidates WHERE op = 'inpaint-attr' AND backend = 'llm=chat,image=oai'")" = "An astronaut in a matte blue helmet smiles in front of an American flag." ]

# ---- inpaint-attr: quality rejections and garbage ----
stub_reset
stub_rules "[$(chat_rule "Object: helmet" '{"attribute": "red", "negative_attribute": "Red", "caption": "a red helmet", "negative_caption": "a Red helmet!"}' same)]"
aug "$DB" --op inpaint-attr --seed 3 --limit 1 --set box=100,120,50,40 --set object=helmet
check inpaint-same-filtered [ "$(json_get "$T/out" "len(d['created']), d['filtered'], 'are the same' in d['filtered_reasons'][0]['reason']")" = "(0, 1, True)" ]
stub_rules "[$(chat_rule "Object: helmet" 'I cannot help with that.' junk)]"
aug "$DB" --op inpaint-attr --seed 4 --limit 1 --set box=100,120,50,40 --set object=helmet
check inpaint-garbage-fails [ "$(json_get "$T/out" "len(d['created']), 'holds no JSON object' in d['failed'][0]['reason']")" = "(0, True)" ]
aug "$DB" --op inpaint-attr --set box=1,2,3; rc=$?
check inpaint-bad-box [ $rc -ne 0 ] && check inpaint-bad-box-says grep -q "box=1,2,3: want x,y,w,h" "$T/err"
aug "$DB" --op inpaint-attr --limit 2
check inpaint-no-box-unchanged [ "$(json_get "$T/out" "len(d['created']), d['unchanged']")" = "(0, 2)" ]
check inpaint-integrity integrity "$DB"

# ---- inpaint-attr: boxes from a COCO instances file ----
stub_reset
D=$T/coco
mkdir -p "$D/images"
cp "$SAMPLE/images/chelsea.png" "$SAMPLE/images/coffee.png" "$D/images/"
cat >"$D/captions.json" <<'J'
{"images": [{"id": 139, "file_name": "images/chelsea.png"}, {"id": 285, "file_name": "images/coffee.png"}],
 "annotations": [{"id": 1, "image_id": 139, "caption": "A tabby cat looking at the camera."},
                 {"id": 2, "image_id": 285, "caption": "A cup of coffee on a saucer."}]}
J
cat >"$D/instances.json" <<'J'
{"categories": [{"id": 17, "name": "cat"}, {"id": 47, "name": "cup"}],
 "annotations": [{"image_id": 139, "category_id": 17, "bbox": [10, 10, 20, 20], "iscrowd": 0},
                 {"image_id": 139, "category_id": 17, "bbox": [100.5, 50, 200, 150], "iscrowd": 0},
                 {"image_id": 285, "category_id": 47, "bbox": [300, 100, 120, 90]},
                 {"image_id": 285, "category_id": 99, "bbox": [1, 1, 5, 5]}]}
J
DB=$T/c.db
"$MMDA" import "$DB" "$D/captions.json" >/dev/null
stub_rules "[$(chat_rule "Object: cat" '{"attribute": "grey striped", "negative_attribute": "white spotted", "caption": "A grey striped tabby cat looking at the camera.", "negative_caption": "A white spotted tabby cat looking at the camera."}' c1), $(chat_rule "Object: cup" '{"attribute": "ceramic white", "negative_attribute": "metal black", "caption": "A ceramic white cup of coffee on a saucer.", "negative_caption": "A metal black cup of coffee on a saucer."}' c2)]"
aug "$DB" --op inpaint-attr --seed 1 --set instances="$D/instances.json" --set dilate=0
check coco-creates [ "$(json_get "$T/out" "len(d['created']), d['failed']")" = "(2, [])" ]
check coco-note grep -q "instances.json: 3 boxes read, 1 unusable annotations skipped" "$T/err"
check coco-largest-box [ "$(q "$DB" "SELECT group_concat(json_extract(meta, '$.object') || json_extract(meta, '$.box'), ' ') FROM (SELECT meta FROM candidates WHERE op = 'inpaint-attr' ORDER BY id)")" = "cat[100,50,201,150] cup[300,100,120,90]" ]
check coco-sizes [ "$(q "$DB" "SELECT group_concat(width || 'x' || height, ' ') FROM (SELECT width, height FROM candidates WHERE op = 'inpaint-attr' ORDER BY id)")" = "451x300 600x400" ]
stub_log "$T/log.json" post
check coco-a1111-grid [ "$(json_get "$T/log.json" "sorted((e['json']['width'], e['json']['height']) for e in d if e['path'] == '/sdapi/v1/img2img')")" = "[(448, 304), (600, 400)]" ]
aug "$DB" --op inpaint-attr --seed 1 --set instances="$D/instances.json" --set dilate=0
check coco-rerun-nothing-new [ "$(json_get "$T/out" "len(d['created']), d['existing']")" = "(0, 2)" ]
echo '{"annotations": [], "categories": [{"id": "x", "name": "cat"}]}' >"$D/bad.json"
aug "$DB" --op inpaint-attr --set instances="$D/bad.json"; rc=$?
check coco-bad-file [ $rc -ne 0 ] && check coco-bad-file-says grep -q "bad.json: categories\[0\]: id is not a whole number" "$T/err"
check coco-integrity integrity "$DB"

stub_stop
