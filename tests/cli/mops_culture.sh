# CultureMixup's code-switching end to end: a concept map file at the three
# tiers (concept, phrase, word), distances and the nearest pick, a bad map
# named by line, the LLM fallback against the loopback stub (the request
# sent, the analogies kept, hostile replies), and the review screen's line
# of mappings.
. "$TOP/tests/lib.sh"
. "$TOP/tests/http/stub.sh"
stub_start || { fail stub-start "the stub did not start"; exit 1; }

DB=$T/c.db
LOG=$T/log.json
stub_chat_cfg "$T/cfg.json"
chat_rule() { stub_chat_rule "$1" "$2" chatcmpl-cs; }
q() { sqlite3 "$DB" "$1"; }
chats="[e['json'] for e in d if e['path'] == '/v1/chat/completions']"

mkdir -p "$T/p"
cp "$SAMPLE/images/coffee.png" "$SAMPLE/images/astronaut.png" "$SAMPLE/images/chelsea.png" "$T/p/"
printf '%s\n' '{"id": "d", "file_name": "coffee.png", "text": "A plate of jiaozi and a cup of oolong tea on a table."}' \
	'{"id": "q", "file_name": "astronaut.png", "text": "A woman in a red qipao."}' \
	'{"id": "n", "file_name": "chelsea.png", "text": "A tabby cat."}' >"$T/p/m.jsonl"
"$MMDA" import "$DB" "$T/p/m.jsonl" >/dev/null
cat >"$T/map.csv" <<'CSV'
source,target,distance,level
jiaozi,dumpling,1
jiaozi,ravioli,2
oolong tea,black tea,1
oolong,tea,2
# code-switch dictionary rows
a plate of,a dish of,1,phrase
cup	mug	1	word
CSV
"$MMDA" augment "$DB" --op code-switch --set map="$T/map.csv" --seed 1 --json >"$T/out" 2>"$T/err"
check map-creates [ "$(json_get "$T/out" "len(d['created']), d['unchanged'], d['failed']")" = "(3, 6, [])" ]
level_text() { q "SELECT text FROM candidates WHERE op = 'code-switch' AND json_extract(params, '\$.level') = '$1' AND seed = ${2:-1}"; }
check concept-level [ "$(level_text concept)" = "A plate of dumpling and a cup of black tea on a table." ]
check phrase-level-capital [ "$(level_text phrase)" = "A dish of jiaozi and a cup of oolong tea on a table." ]
check word-level-tsv [ "$(level_text word)" = "A plate of jiaozi and a mug of oolong tea on a table." ]
check concept-meta [ "$(q "SELECT json_extract(meta, '\$.switches') || '|' || json_extract(meta, '\$.code_switch[0].mapped_by') || '|' || json_extract(params, '\$.distances') FROM candidates WHERE op = 'code-switch' AND json_extract(params, '\$.level') = 'concept'")" = "jiaozi -> dumpling (concept, distance 1); oolong tea -> black tea (concept, distance 1)|map|[1,1]" ]
check no-backend-used [ "$(q "SELECT count(*) FROM candidates WHERE op = 'code-switch' AND backend IS NOT NULL")" = 0 ]
"$MMDA" augment "$DB" --op code-switch --set map="$T/map.csv" --set level=concept --set max_distance=0 --seed 2 --json >"$T/out"
check max-distance [ "$(json_get "$T/out" "len(d['created']), d['unchanged']")" = "(0, 3)" ]
printf 'jiaozi,ravioli,2\n' >"$T/far.csv"
"$MMDA" augment "$DB" --op code-switch --set map="$T/far.csv" --set level=concept --seed 3 --json >"$T/out"
check chosen-distance-stored [ "$(q "SELECT json_extract(meta, '\$.code_switch[0].distance') || '|' || text FROM candidates WHERE op = 'code-switch' AND seed = 3")" = "2|A plate of ravioli and a cup of oolong tea on a table." ]
printf 'jiaozi,dumpling,1\nqipao,dress,far\n' >"$T/bad.csv"
"$MMDA" augment "$DB" --op code-switch --set map="$T/bad.csv" --seed 4 >/dev/null 2>"$T/err"
check bad-map-line [ "$(grep -c 'bad.csv:2: the distance is not a whole number' "$T/err")" = 1 ]
"$MMDA" augment "$DB" --op code-switch --seed 4 >/dev/null 2>"$T/err"
check needs-map-or-concepts [ "$(grep -c 'needs map=FILE' "$T/err")" = 1 ]

# ---- the LLM fallback for a concept the map lacks ----
"$MMDA" augment "$DB" --op code-switch --set map="$T/map.csv" --set concepts=qipao --seed 5 >/dev/null 2>"$T/err"
check fallback-needs-config [ "$(grep -c '"qipao" is not in the map, and mapping it needs an llm backend' "$T/err")" = 1 ]
stub_rules "[$(chat_rule "qipao" "Here are some:\n1. evening gown\n2. Cocktail dress.\n- qipao\nA long dress that is often worn at formal events")]"
"$MMDA" augment "$DB" --op code-switch --set map="$T/map.csv" --set concepts=qipao,jiaozi --set level=concept --seed 5 --config "$T/cfg.json" --json >"$T/out" 2>"$T/err"
check fallback-creates [ "$(json_get "$T/out" "len(d['created']), d['failed']")" = "(2, [])" ]
stub_log "$LOG"
check fallback-one-request [ "$(json_get "$LOG" "len($chats)")" = 1 ]
check fallback-request [ "$(json_get "$LOG" "[(r['model'], r['temperature'], r['max_tokens'], r['messages'][0]['content'], len(r['messages'])) for r in $chats][0]")" = "('stub-llm', 0, 150, 'You are a helpful assistant.', 2)" ]
check fallback-prompt [ "$(json_get "$LOG" "[('up to 10' in u, 'Western culture' in u, '\"qipao\"' in u, 'no explanations' in u) for u in [r['messages'][1]['content'] for r in $chats]][0]")" = "(True, True, True, True)" ]
check fallback-analogy [ "$(q "SELECT text IN ('A woman in a red evening gown.', 'A woman in a red Cocktail dress.') || '|' || json_extract(meta, '\$.code_switch[0].mapped_by') || '|' || json_extract(meta, '\$.code_switch[0].distance') FROM candidates WHERE op = 'code-switch' AND seed = 5 AND text LIKE 'A woman%'")" = "1|llm|1" ]
stub_reset
stub_rules "[$(chat_rule "qipao" "$(printf '\033[31m\a\nHere are the concepts:')")]"
"$MMDA" augment "$DB" --op code-switch --set concepts=qipao --seed 6 --config "$T/cfg.json" >/dev/null 2>"$T/err"
check hostile-fallback-fails [ "$(grep -c 'no analogous concepts for "qipao"' "$T/err")" = 1 ]
check hostile-nothing-stored [ "$(q "SELECT count(*) FROM candidates WHERE op = 'code-switch' AND seed = 6")" = 0 ]
check hostile-no-escape [ "$(has_esc "$T/err" && echo leaked || echo clean)" = clean ]

# ---- the review screen names each mapping ----
ID=$(q "SELECT id FROM candidates WHERE op = 'code-switch' AND json_extract(params, '\$.level') = 'concept' AND seed = 1")
printf 'goto %s\ndump-screen %s\nquit\n' "$ID" "$T/screen" >"$T/script"
MMDA_SCRIPT="$T/script" COLUMNS=160 LINES=40 TERM=xterm-256color "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check review-switched-line grep -q 'switched: jiaozi -> dumpling (concept, distance 1); oolong tea -> black' "$T/screen"

# ---- concept-mix: a picture of the counterpart pasted over the concept's box ----
mkdir -p "$T/cc/dumpling" "$T/cc/black tea" "$T/cc/unmapped"
# pyq EXPR FILE...: EXPR with decode() and solid() of tests/http/png.py; files in sys.argv[1:].
pyq() { e=$1; shift; python3 -c "import sys; sys.path[:0] = ['$TOP/tests/http']; from png import decode, solid; print($e)" "$@"; }
pyq "solid(sys.argv[1] + '/dumpling/a.png', 8, 8, (255, 0, 0)), solid(sys.argv[1] + '/black tea/b.png', 8, 8, (0, 0, 255)), solid(sys.argv[1] + '/unmapped/c.png', 8, 8, (0, 255, 0))" "$T/cc" >/dev/null
"$MMDA" augment "$DB" --op concept-mix --set map="$T/map.csv" --set concepts="$T/cc" --set box=10,12,40,30 --seed 1 --json >"$T/out" 2>"$T/err"
check mix-creates [ "$(json_get "$T/out" "len(d['created']), d['unchanged'], d['failed']")" = "(1, 2, [])" ]
MID=$(json_get "$T/out" "d['created'][0]")
"$MMDA" show "$DB" "$MID" --json >"$T/show"
check mix-one-concept-switched [ "$(json_get "$T/show" "d['text']")" = "A plate of dumpling and a cup of oolong tea on a table." ]
check mix-lineage [ "$(json_get "$T/show" "d['params']['box'], d['params']['concept_image'], d['params']['alpha'], d['params']['distance'], d['meta']['code_switch'][0]['to']")" = "([10, 12, 40, 30], 'dumpling/a.png', 0.5, 1, 'dumpling')" ]
PARENT=$(q "SELECT image_path FROM candidates WHERE src_key = 'd'")
check mix-pixels [ "$(pyq "[(a[:3] == b[:3], all(a[3][y][x] == b[3][y][x] for y in range(a[1]) for x in range(a[0] * a[2]) if not (10 <= x // a[2] < 50 and 12 <= y < 42)), all(abs(b[3][y][x * a[2] + k] - round(0.5 * (255, 0, 0)[k] + 0.5 * a[3][y][x * a[2] + k])) <= 1 for x in range(10, 50) for y in range(12, 42) for k in range(3))) for a, b in [(decode(open(sys.argv[1], 'rb').read()), decode(open(sys.argv[2], 'rb').read()))]][0]" "$T/p/$PARENT" "$(json_get "$T/show" "d['image']")")" = "(True, True, True)" ]
"$MMDA" replay "$DB" "$MID" >/dev/null 2>"$T/err"
check mix-replay-refused [ "$(grep -c 'plans its batch from files' "$T/err")" = 1 ]
rm -rf "$T/cc/dumpling" "$T/cc/black tea"
"$MMDA" augment "$DB" --op concept-mix --set map="$T/map.csv" --set concepts="$T/cc" --set box=10,12,40,30 --seed 2 >/dev/null 2>"$T/err"
check mix-no-pictures [ "$(grep -c 'no counterpart of .* has a folder of images' "$T/err")" = 1 ]
"$MMDA" augment "$DB" --op concept-mix --set map="$T/map.csv" --seed 2 >/dev/null 2>"$T/err"
check mix-needs-folder [ "$(grep -c 'needs map=FILE .* and concepts=DIR' "$T/err")" = 1 ]
printf 'goto %s\ndump-screen %s\nquit\n' "$MID" "$T/screen2" >"$T/script"
MMDA_SCRIPT="$T/script" COLUMNS=160 LINES=40 TERM=xterm-256color "$MMDA" review "$DB" --renderer none >/dev/null 2>&1
check mix-review-line grep -q 'switched: jiaozi -> dumpling (concept image dumpling/a.png, distance 1)' "$T/screen2"

check integrity integrity "$DB"
stub_stop
