# GPT4Tools' tool-use instructions end to end against the loopback stub: the
# request (model, temperature, max_tokens, the image name, caption, boxes
# and tool list in the prompt), the calls kept and refused (misspelt names
# mapped back, unknown tools, missing arguments, other image names, exact
# repeats), the Thought/Action conversation with no-tool samples, the
# LLaVA export, a tools file, and hostile replies.
. "$TOP/tests/lib.sh"
. "$TOP/tests/http/stub.sh"
stub_start || { fail stub-start "the stub did not start"; exit 1; }

DB=$T/t.db
LOG=$T/log.json
stub_chat_cfg "$T/cfg.json"
# reply_rule CONTENT: every chat request gets CONTENT (\n is a line break).
reply_rule() { printf '[%s]' "$(stub_chat_rule "" "$1" chatcmpl-tools)"; }
q() { sqlite3 "$DB" "$1"; }
aug() { "$MMDA" augment "$@" --config "$T/cfg.json" --json 2>>"$T/aug.err"; }
chats="[e['json'] for e in d if e['path'] == '/v1/chat/completions']"

mkdir -p "$T/coco"
cp "$SAMPLE/images/chelsea.png" "$T/coco/"
printf '%s' '{"images": [{"id": 7, "file_name": "chelsea.png"}], "annotations": [{"id": 1, "image_id": 7, "caption": "A tabby cat looks at the camera."}]}' >"$T/coco/captions.json"
printf '%s' '{"images": [{"id": 7, "width": 451, "height": 300}], "categories": [{"id": 17, "name": "cat"}], "annotations": [{"id": 5, "image_id": 7, "category_id": 17, "bbox": [45.1, 30, 225.5, 240]}]}' >"$T/inst.json"
"$MMDA" import "$DB" "$T/coco/captions.json" --verify >/dev/null
printf '%s\n' '[{"instruction": "Name three primary colours.", "input": "", "output": "Red, yellow and blue."},
 {"instruction": "Translate to French:", "input": "good morning", "output": "Bonjour."}]' >"$T/alpaca.json"

REPLY='Here are the instructions:
1. Find where the cat is in example.jpg, [Detect the Given Object, example.jpg, cat]
2. What would this scene look like drawn by hand?, [Sketch Detection On Image, example.jpg]
3. "Make the cat wear a tiny hat", [instruct image using text, example.jpg, put a hat, a small one, on the cat]
4. Show me the depth of the room, [Predict Depht On Image, example.jpg]
5. Find the cat, [Detect the Given Object, other.png, cat]
6. Paint the wall blue, [Repaint The Wall, example.jpg, blue]
7. Remove the cat, [Remove Something From The Photo, example.jpg]
8. Find where the cat is in example.jpg, [Segment the Given Object, example.jpg, cat]
9. Draw a cat in space, [Generate Image From User Input Text, a cat floating in space]'
stub_rules "$(reply_rule "$REPLY")"
aug "$DB" --op tool-instruct --seed 1 --set "instances=$T/inst.json" --set "negatives=$T/alpaca.json" >"$T/out"
check creates [ "$(json_get "$T/out" "len(d['created']), d['failed'], d['filtered']")" = "(1, [], 0)" ]
ID=$(json_get "$T/out" "d['created'][0]")
stub_log "$LOG"
check request-shape [ "$(json_get "$LOG" "[(r['model'], r['temperature'], r['max_tokens'], [m['role'] for m in r['messages']], r['messages'][0]['content'].startswith('You write training data for an assistant that uses visual tools')) for r in $chats]")" = "[('stub-llm', 0.7, 2048, ['system', 'user'], True)]" ]
check prompt-context [ "$(json_get "$LOG" "[r['messages'][1]['content'].split(chr(10))[:5] for r in $chats][0]")" = "['Image: example.jpg', 'Caption: A tabby cat looks at the camera.', 'Objects:', 'cat: [0.100, 0.100, 0.600, 0.900]', 'Tools:']" ]
check prompt-tools [ "$(json_get "$LOG" "[(len([l for l in u.split(chr(10)) if l.startswith('- ')]), '- Detect the Given Object: finds the boxes of an object in the image; arguments: image_path, object' in u) for u in [r['messages'][1]['content'] for r in $chats]][0]")" = "(22, True)" ]
calls=$(q "SELECT json_extract(meta, '\$.tool_calls') FROM candidates WHERE id = $ID")
check calls-kept [ "$(printf '%s\n' "$calls" | python3 -c "import json,sys; print([(c['tool'], c['arguments'], c['misspelt']) for c in json.load(sys.stdin)])")" = "[('Detect the Given Object', ['example.jpg', 'cat'], False), ('Sketch Detection On Image', ['example.jpg'], False), ('Instruct Image Using Text', ['example.jpg', 'put a hat, a small one, on the cat'], False), ('Predict Depth On Image', ['example.jpg'], True), ('Generate Image From User Input Text', ['a cat floating in space'], False)]" ]
check instruction-unquoted [ "$(printf '%s\n' "$calls" | python3 -c "import json,sys; print(json.load(sys.stdin)[2]['instruction'])")" = "Make the cat wear a tiny hat" ]
check refused [ "$(q "SELECT json_extract(meta, '\$.rejected') FROM candidates WHERE id = $ID" | python3 -c "import json,sys; print([r.split(':')[0] for r in json.load(sys.stdin)])")" = "['an image argument other than example.jpg', 'unknown tool \"Repaint The Wall\"', 'too few arguments for \"Remove Something From The Photo\"']" ]
check duplicate-dropped [ "$(q "SELECT json_extract(meta, '\$.duplicates') || '|' || json_extract(params, '\$.calls') || '|' || json_extract(params, '\$.refused') FROM candidates WHERE id = $ID")" = "1|5|3" ]
conv=$(q "SELECT json_extract(meta, '\$.conversations') FROM candidates WHERE id = $ID")
check conversation-size [ "$(printf '%s\n' "$conv" | python3 -c "import json,sys; c=json.load(sys.stdin); print(len(c), [t['from'] for t in c[:2]], sum(t['value'].startswith('Thought: Do I need to use a tool? Yes') for t in c), sum(t['value'].startswith('Thought: Do I need to use a tool? No') for t in c))")" = "20 ['human', 'gpt'] 5 5" ]
check conversation-image-token [ "$(printf '%s\n' "$conv" | python3 -c "import json,sys; c=json.load(sys.stdin); print(c[0]['value'].startswith('<image>\n'), sum('<image>' in t['value'] for t in c))")" = "True 1" ]
check conversation-call-turn [ "$(printf '%s\n' "$conv" | python3 -c "import json,sys; c=json.load(sys.stdin); print([t['value'] for t in c if 'Action: Detect the Given Object' in t['value']][0])")" = "Thought: Do I need to use a tool? Yes
Action: Detect the Given Object
Action Input: example.jpg, cat
Observation:" ]
check conversation-negative-turn [ "$(printf '%s\n' "$conv" | python3 -c "import json,sys; c=json.load(sys.stdin); print(sorted(set(t['value'] for t in c if 'No' in t['value'] and t['from'] == 'gpt')))")" != "[]" ]
check negative-input-joined [ "$(printf '%s\n' "$conv" | python3 -c "import json,sys; c=json.load(sys.stdin); print(all(t['value'].replace('<image>\n', '') in ('Name three primary colours.', 'Translate to French:\ngood morning') for i, t in enumerate(c) if t['from'] == 'human' and c[i + 1]['value'].startswith('Thought: Do I need to use a tool? No')))")" = True ]
check text-and-lineage [ "$(q "SELECT substr(text, 1, instr(text, ' | ') + 6) || '|' || backend || '|' || response_id || '|' || (prompt LIKE 'Image: example.jpg%') FROM candidates WHERE id = $ID")" = "Find where the cat is in example.jpg [Detect the Given Object: example.jpg, cat] | What|llm=chat|chatcmpl-tools|1" ]
"$MMDA" export "$DB" --format llava --select all --out "$T/llava" >/dev/null 2>"$T/err"
check export-llava [ "$(json_get "$T/llava/llava.json" "[len(r['conversations']) for r in d if any('Action:' in t['value'] for t in r['conversations'])]")" = "[20]" ]
printf 'goto %s\nfull-text\ndump-screen %s\nquit\n' "$ID" "$T/full" >"$T/script"
MMDA_SCRIPT="$T/script" COLUMNS=120 LINES=40 TERM=xterm-256color "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check full-text-fields [ "$(grep -c -e '^ 3. Make the cat wear a tiny hat$' -e '^    Tool:      Instruct Image Using Text$' -e '^    Arguments: example.jpg | put a hat, a small one, on the cat$' -e '^    (the reply misspelt' -e '^ Refused:$' "$T/full")" = 5 ]
aug "$DB" --op tool-instruct --seed 1 --set "instances=$T/inst.json" --set "negatives=$T/alpaca.json" >"$T/out"
check rerun-existing [ "$(json_get "$T/out" "len(d['created']), d['existing']")" = "(0, 1)" ]

# A tools file of its own; bad lines named.
printf '# my tools\nZoom Into Region: enlarges part of the image, image_path, region\nCount Objects: counts things, image_path, object\n' >"$T/tools.txt"
stub_reset
stub_rules "$(reply_rule "How many cats are there?, [Count Objects, example.jpg, cat]\nZoom in on the eyes, [Zoom Into Region, example.jpg]")"
aug "$DB" --op tool-instruct --seed 2 --set "tools=$T/tools.txt" >"$T/out"
check tools-file [ "$(q "SELECT json_extract(meta, '\$.tool_calls[0].tool') || '|' || json_array_length(meta, '\$.tool_calls') || '|' || json_array_length(meta, '\$.rejected') || '|' || json_extract(meta, '\$.negatives') FROM candidates WHERE op = 'tool-instruct' AND seed = 2")" = "Count Objects|1|1|0" ]
stub_log "$LOG"
check tools-file-prompt [ "$(json_get "$LOG" "[r['messages'][1]['content'].split('Tools:' + chr(10))[1] for r in $chats][0]")" = "- Zoom Into Region: enlarges part of the image; arguments: image_path, region
- Count Objects: counts things; arguments: image_path, object" ]
printf 'Zoom Into Region enlarges part of the image\n' >"$T/bad-tools.txt"
aug "$DB" --op tool-instruct --seed 3 --set "tools=$T/bad-tools.txt" >/dev/null
check tools-file-bad [ "$(grep -c 'bad-tools.txt:1: no "name:" in front' "$T/aug.err")" = 1 ]

# Hostile and useless replies: filtered with the reason, nothing stored, no escape kept.
stub_reset
stub_rules "$(reply_rule "$(printf 'Sure!\033[2J\nI cannot help with that.\a')")"
aug "$DB" --op tool-instruct --seed 4 >"$T/out"
check hostile-filtered [ "$(json_get "$T/out" "len(d['created']), d['filtered'], 'no \"instruction, [tool, arguments]\" line' in str(d['filtered_reasons'])")" = "(0, 1, True)" ]
check hostile-no-escape [ "$(json_get "$T/out" "any(chr(27) in str(r) or chr(7) in str(r) for r in d['filtered_reasons'])")" = False ]
stub_rules "$(reply_rule "Do it, [Launch Missiles, example.jpg]")"
aug "$DB" --op tool-instruct --seed 5 >"$T/out"
check all-refused-filtered [ "$(json_get "$T/out" "d['filtered'], 'unknown tool' in str(d['filtered_reasons'])")" = "(1, True)" ]
check nothing-stored [ "$(q "SELECT count(*) FROM candidates WHERE op = 'tool-instruct' AND seed IN (4, 5)")" = 0 ]

check integrity integrity "$DB"
stub_stop
