# The reasoning-data model operators end to end against the loopback stub:
# T-SciQ rationales (a ScienceQA import, QA-CoT and QA-PCoT requests, the
# answer-consistency mark and its metric, hostile replies, the per-skill
# mixing policy of tune --mix-rationales).
. "$TOP/tests/lib.sh"
. "$TOP/tests/http/stub.sh"
stub_start || { fail stub-start "the stub did not start"; exit 1; }

DB=$T/r.db
LOG=$T/log.json
stub_chat_cfg "$T/cfg.json" true
chat_rule() { stub_chat_rule "$@"; }
aug() { "$MMDA" augment "$@" --config "$T/cfg.json" --json 2>>"$T/aug.err"; }
q() { sqlite3 "$DB" "$1"; }
logq() { stub_log "$LOG" && json_get "$LOG" "$1"; }
chats="[e['json'] for e in d if e['path'] == '/v1/chat/completions']"

# ---- a ScienceQA problems.json: two problems with images, one text-only ----
mkdir -p "$T/sqa/images/train/11" "$T/sqa/images/val/12"
cp "$SAMPLE/images/coffee.png" "$T/sqa/images/train/11/image.png"
cp "$SAMPLE/images/chelsea.png" "$T/sqa/images/val/12/image.png"
cat >"$T/sqa/problems.json" <<'JSON'
{
  "11": { "question": "Will these magnets attract or repel each other?",
          "choices": ["repel", "attract"], "answer": 1,
          "hint": "Two magnets are placed as shown.", "image": "image.png",
          "task": "closed choice", "skill": "Identify magnets that attract or repel",
          "split": "train", "lecture": "not imported", "solution": "not imported" },
  "12": { "question": "Which animal's feet are adapted for climbing?",
          "choices": ["cat", "fish", "snail"], "answer": 0, "hint": "",
          "image": "image.png", "skill": "Animal adaptations: feet", "split": "val" },
  "13": { "question": "What is the capital of France?", "choices": ["Paris", "Rome"],
          "answer": 0, "hint": "", "image": null, "skill": "Capitals", "split": "test" }
}
JSON
"$MMDA" import "$DB" "$T/sqa/problems.json" --json >"$T/imp"
check sqa-import [ "$(json_get "$T/imp" "d['imported'], [e['reason'] for e in d['errors']]")" = "(2, ['no image: text-only problem'])" ]
check sqa-meta [ "$(q "SELECT text || '|' || json_extract(meta, '\$.answer') || '|' || json_extract(meta, '\$.choices[1]') || '|' || json_extract(meta, '\$.skill') || '|' || (json_extract(meta, '\$.lecture') IS NULL) FROM candidates WHERE src_key = '11'")" = "Will these magnets attract or repel each other?|1|attract|Identify magnets that attract or repel|1" ]
check sqa-image-path [ "$(q "SELECT image_path FROM candidates WHERE src_key = '12'")" = "images/val/12/image.png" ]
printf '{"1": {"question": "q?", "choices": ["a", "b"], "answer": 5, "image": "i.png"}}\n' >"$T/bad.json"
"$MMDA" import "$T/bad.db" "$T/bad.json" --json >"$T/imp"
check sqa-bad-answer [ "$(json_get "$T/imp" "d['imported'], 'is not the index of a choice' in d['errors'][0]['reason']")" = "(0, True)" ]

# ---- QA-CoT ----
stub_rules "[$(chat_rule "magnets attract" "Opposite poles face each other.\nOpposite poles pull together.\nAnswer: (B) attract" chatcmpl-r1), $(chat_rule "climbing" "A cat has sharp claws that grip bark.\nFish and snails do not climb trees.\nAnswer: (B) fish" chatcmpl-r2)]"
aug "$DB" --op rationale --seed 1 >"$T/out"
check cot-creates [ "$(json_get "$T/out" "len(d['created']), d['failed'], d['unchanged']")" = "(2, [], 0)" ]
check cot-request [ "$(logq "sorted((r['model'], r['temperature'], r['max_tokens'], [m['role'] for m in r['messages']]) for r in $chats)[0]")" = "('stub-llm', 0, 512, ['system', 'user'])" ]
check cot-system [ "$(json_get "$LOG" "all(r['messages'][0]['content'].startswith('You are a science teacher writing worked explanations') and 'Answer: (X) option' in r['messages'][0]['content'] for r in $chats)")" = True ]
check cot-problem-block [ "$(json_get "$LOG" "[r['messages'][1]['content'] for r in $chats if 'magnets' in r['messages'][1]['content']][0]")" = "Question: Will these magnets attract or repel each other?
Context: Two magnets are placed as shown.
Options: (A) repel (B) attract
Correct Answer: (B) attract" ]
check cot-context-na [ "$(json_get "$LOG" "[r['messages'][1]['content'].split(chr(10))[1] for r in $chats if 'climbing' in r['messages'][1]['content']][0]")" = "Context: N/A" ]
R1=$(q "SELECT c.id FROM candidates c JOIN lineage l ON l.child = c.id JOIN candidates p ON p.id = l.parent WHERE c.op = 'rationale' AND p.src_key = '11'")
R2=$(q "SELECT c.id FROM candidates c JOIN lineage l ON l.child = c.id JOIN candidates p ON p.id = l.parent WHERE c.op = 'rationale' AND p.src_key = '12'")
check cot-consistent [ "$(q "SELECT json_extract(meta, '\$.mode') || '|' || json_extract(meta, '\$.final_answer') || '|' || json_extract(meta, '\$.answer_consistent') || '|' || response_id || '|' || backend FROM candidates WHERE id = $R1")" = "cot|(B) attract|1|chatcmpl-r1|llm=chat" ]
check cot-inconsistent-kept [ "$(q "SELECT json_extract(meta, '\$.final_answer') || '|' || json_extract(meta, '\$.answer_consistent') || '|' || json_extract(meta, '\$.answer') FROM candidates WHERE id = $R2")" = "(B) fish|0|cat" ]
check cot-text-and-turns [ "$(q "SELECT text = 'Opposite poles face each other. Opposite poles pull together. Answer: (B) attract', json_extract(meta, '\$.conversations[1].value') = 'Opposite poles face each other.' || char(10) || 'Opposite poles pull together.' || char(10) || 'Answer: (B) attract', json_extract(meta, '\$.conversations[0].value') LIKE char(60) || 'image>' || char(10) || 'Question: Will%', json_extract(meta, '\$.conversations[0].value') NOT LIKE '%Correct Answer%' FROM candidates WHERE id = $R1")" = "1|1|1|1" ]
"$MMDA" score "$DB" --metric rationale_consistent --json >"$T/sc"
check metric-values [ "$(q "SELECT group_concat(value, ',') FROM (SELECT value FROM scores WHERE metric = 'rationale_consistent' ORDER BY candidate)")" = "1.0,0.0" ]
"$MMDA" threshold "$DB" rationale_consistent --min 1 >/dev/null
"$MMDA" stats "$DB" --json >"$T/st"
# The threshold's default scope is the caption ops: of the rationales only the
# consistent one passes; the two imported problems are outside it and pass.
check metric-threshold-keeps-consistent [ "$(json_get "$T/st" "d['passing']")" = 3 ]
"$MMDA" metrics --json >"$T/metrics"
check metric-listed [ "$(json_get "$T/metrics" "[(m['needs'], m['keep']) for m in d if m['name'] == 'rationale_consistent']")" = "[(\"the op's meta\", 'above')]" ]
aug "$DB" --op rationale --seed 1 >"$T/out"
check cot-rerun-existing [ "$(json_get "$T/out" "len(d['created']), d['existing']")" = "(0, 2)" ]

# Hostile and empty replies: a clear failure, nothing stored, no escape kept.
stub_reset
stub_rules "[$(chat_rule "" "$(printf '\033[31mAnswer: B\a')")]"
aug "$DB" --op rationale --seed 2 >"$T/out"
check hostile-fails [ "$(json_get "$T/out" "len(d['created']), len(d['failed']), all('no reasoning' in f['reason'] for f in d['failed'])")" = "(0, 2, True)" ]
check hostile-nothing-stored [ "$(q "SELECT count(*) FROM candidates WHERE op = 'rationale' AND seed = 2")" = 0 ]
check hostile-reason-clean [ "$(json_get "$T/out" "any(chr(27) in f['reason'] or chr(7) in f['reason'] for f in d['failed'])")" = False ]

# ---- vqa-gen pairs are problems too (open answers) ----
"$MMDA" import "$T/v.db" "$SAMPLE/captions.jsonl" >/dev/null
stub_reset
stub_rules "[$(chat_rule "" "Question: What is the person holding? Answer: A white helmet.")]"
aug "$T/v.db" --op vqa-gen --seed 1 --limit 1 >/dev/null
stub_reset
stub_rules "[$(chat_rule "" "The astronaut holds her helmet under one arm.\nSo the answer is a white helmet.")]"
aug "$T/v.db" --op rationale --seed 1 >"$T/out"
check vqa-parent [ "$(json_get "$T/out" "len(d['created']), d['failed']")" = "(1, [])" ]
check vqa-open-answer [ "$(sqlite3 "$T/v.db" "SELECT json_extract(c.meta, '\$.skill') || '|' || json_extract(c.meta, '\$.answer_consistent') || '|' || p.op FROM candidates c JOIN lineage l ON l.child = c.id JOIN candidates p ON p.id = l.parent WHERE c.op = 'rationale'")" = "other|1|vqa-gen" ]
check vqa-open-block [ "$(logq "[r['messages'][1]['content'] for r in $chats][0]")" = "Question: What is the person holding?
Context: N/A
Correct Answer: A white helmet" ]

# ---- QA-PCoT: a lecture and a plan per skill, then plan-following rationales ----
stub_reset
stub_rules "[$(chat_rule "one sentence of general background" "Magnets pull on iron and on the opposite pole of other magnets.\nMore text." chatcmpl-lec), $(chat_rule "step-by-step plan" "Here is the plan:\n1. Find the poles that face each other.\n2) Decide whether they differ.\nStep 3: Name the answer." chatcmpl-plan), $(chat_rule "Carry out the plan" "1. The poles facing are N and S.\n2. They differ.\n3. So they attract.\nAnswer: (B)" chatcmpl-pc)]"
aug "$DB" --op rationale --seed 3 --set mode=pcot --set demos=1 >"$T/out"
check pcot-creates [ "$(json_get "$T/out" "len(d['created']), d['failed']")" = "(2, [])" ]
logq "0" >/dev/null
check pcot-request-count [ "$(json_get "$LOG" "len($chats)")" = 6 ]
check pcot-lecture-request [ "$(json_get "$LOG" "[(r['temperature'], r['max_tokens'], r['messages'][1]['content'].startswith('Skill: Identify magnets that attract or repel' + chr(10) + chr(10) + 'Example 1:' + chr(10) + 'Question: Will'), 'Example 2' in r['messages'][1]['content']) for r in $chats if 'background knowledge' in r['messages'][0]['content']][0]")" = "(0, 512, True, False)" ]
check pcot-plan-request [ "$(json_get "$LOG" "[r['messages'][1]['content'].endswith('Lecture: Magnets pull on iron and on the opposite pole of other magnets.') for r in $chats if 'step-by-step plan' in r['messages'][0]['content']]")" = "[True, True]" ]
check pcot-rationale-request [ "$(json_get "$LOG" "[r['messages'][1]['content'].split(chr(10) + chr(10))[0] for r in $chats if 'Carry out the plan' in r['messages'][0]['content'] and 'Question: Will these magnets' in r['messages'][1]['content']][0]")" = "Skill: Identify magnets that attract or repel
Lecture: Magnets pull on iron and on the opposite pole of other magnets.
Plan:
1. Find the poles that face each other.
2. Decide whether they differ.
3. Name the answer." ]
P1=$(q "SELECT c.id FROM candidates c JOIN lineage l ON l.child = c.id JOIN candidates p ON p.id = l.parent WHERE c.op = 'rationale' AND c.seed = 3 AND p.src_key = '11'")
P2=$(q "SELECT c.id FROM candidates c JOIN lineage l ON l.child = c.id JOIN candidates p ON p.id = l.parent WHERE c.op = 'rationale' AND c.seed = 3 AND p.src_key = '12'")
check pcot-meta [ "$(q "SELECT json_extract(meta, '\$.mode') || '|' || json_extract(meta, '\$.answer_consistent') || '|' || json_extract(meta, '\$.plan') || '|' || json_extract(params, '\$.mode_used') FROM candidates WHERE id = $P1")" = "pcot|1|1. Find the poles that face each other.
2. Decide whether they differ.
3. Name the answer.|pcot" ]
check pcot-wrong-letter [ "$(q "SELECT json_extract(meta, '\$.answer_consistent') FROM candidates WHERE id = $P2")" = 0 ]
stub_reset
stub_rules "[$(chat_rule "one sentence of general background" "Sure.")]"
aug "$DB" --op rationale --seed 4 --set mode=pcot >"$T/out" 2>>"$T/aug.err"
check pcot-bad-lecture [ $? -ne 0 ] && check pcot-bad-lecture-said [ "$(grep -c 'no lecture in the reply' "$T/aug.err")" -ge 1 ]
check pcot-bad-lecture-nothing [ "$(q "SELECT count(*) FROM candidates WHERE op = 'rationale' AND seed = 4")" = 0 ]

# ---- the mixing policy: magnets reviewed in both modes, PCoT wins there ----
"$MMDA" tune "$DB" --mix-rationales >"$T/mix"
check mix-none-yet [ "$(grep -c 'no reviewed rationales' "$T/mix")" = 1 ]
"$MMDA" decide "$DB" "$R1" reject --annotator ann >/dev/null
"$MMDA" decide "$DB" "$P1" accept --annotator ann >/dev/null
"$MMDA" decide "$DB" "$R2" reject --annotator ann >/dev/null
"$MMDA" tune "$DB" --mix-rationales --json >"$T/mix"
check mix-json [ "$(json_get "$T/mix" "[(s['skill'], s['problems'], s['cot_errors'], s['pcot_errors'], s['choice']) for s in d['skills']]")" = "[('Animal adaptations: feet', 0, 0, 0, None), ('Identify magnets that attract or repel', 1, 1, 0, 'pcot')]" ]
"$MMDA" tune "$DB" --mix-rationales >"$T/mix"
check mix-prints-choice [ "$(grep -c '^Identify magnets that attract or repel  *1  *1  *0  pcot$' "$T/mix")" = 1 ]
check mix-setting [ "$(q "SELECT value FROM meta WHERE key = 'rationale.mix'")" = '{"Identify magnets that attract or repel":"pcot"}' ]
stub_reset
stub_rules "[$(chat_rule "one sentence of general background" "Magnets pull on iron and on the opposite pole of other magnets."), $(chat_rule "step-by-step plan" "1. Find the poles."), $(chat_rule "" "Some words of reasoning here.\nAnswer: (A)")]"
aug "$DB" --op rationale --seed 5 --set mode=mix >"$T/out"
check mix-mode-per-skill [ "$(q "SELECT group_concat(json_extract(c.meta, '\$.mode'), ',') FROM (SELECT c.meta FROM candidates c JOIN lineage l ON l.child = c.id JOIN candidates p ON p.id = l.parent WHERE c.op = 'rationale' AND c.seed = 5 ORDER BY p.src_key) c")" = "pcot,cot" ]
check mix-lecture-only-for-pcot [ "$(logq "len([r for r in $chats if 'background knowledge' in r['messages'][0]['content']])")" = 1 ]
"$MMDA" init "$T/empty.db" >/dev/null
"$MMDA" import "$T/empty.db" "$T/sqa/problems.json" >/dev/null 2>&1
aug "$T/empty.db" --op rationale --set mode=mix >"$T/out"
check mix-needs-tune [ $? -ne 0 ] && check mix-needs-tune-said [ "$(grep -c 'run mmda tune DB --mix-rationales first' "$T/aug.err")" -ge 1 ]

# ---- the full-text screen: the problem above the rationale, scrollable ----
printf 'goto %s\nfull-text\ndump-screen %s\ntext-down\ndump-screen %s\nfull-text\ndump-screen %s\nquit\n' "$R2" "$T/full" "$T/full2" "$T/back" >"$T/script"
MMDA_SCRIPT="$T/script" COLUMNS=100 LINES=24 TERM=xterm-256color "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check full-text-problem [ "$(grep -c -e '^ Question: Which animal.s feet are adapted for climbing?' -e '^ Options:  (A) cat  (B) fish  (C) snail' -e '^ Gold:     (A) cat' -e '^ Reached:  (DIFFERS from gold) (B) fish' -e '^ Rationale (cot):' -e '^   A cat has sharp claws that grip bark.' "$T/full")" = 6 ]
check full-text-title [ "$(grep -c "full text   lines 1-.* j/k PgUp/PgDn scroll, v or q back" "$T/full")" = 1 ]
check full-text-scrolls [ "$(grep -c '^ Question:' "$T/full2"; grep -c 'lines 2-' "$T/full2")" = "$(printf '0\n1')" ]
check full-text-back [ "$(grep -c 'AUGMENTED  #' "$T/back")" = 1 ]

check integrity integrity "$DB"
stub_stop
