# mmda import, stats and show on the sample set and on hostile manifests.
. "$TOP/tests/lib.sh"
DB=$T/a.db

"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" --json >"$T/out" 2>"$T/err"
check sample-imports [ "$(json_get "$T/out" "d['imported'], d['skipped'], len(d['errors'])")" = "(17, 0, 0)" ]
check json-only-on-stdout one_json "$T/out"
"$MMDA" import "$DB" "$SAMPLE/captions.jsonl" --json >"$T/out2"
check reimport-adds-nothing [ "$(json_get "$T/out2" "d['imported'], d['existing']")" = "(0, 17)" ]
"$MMDA" stats "$DB" --json >"$T/stats"
check stats-counts [ "$(json_get "$T/stats" "d['originals'], d['images'], d['candidates'], d['by_op']")" = "(17, 15, 17, {'original': 17})" ]
check stats-human sh -c "'$MMDA' stats '$DB' | grep -q '^originals   17'"

"$MMDA" show "$DB" chelsea-2 --json >"$T/show"
check show-by-key [ "$(json_get "$T/show" "d['text'], d['op'], d['width']")" = "('一只绿眼睛的虎斑猫的特写。', 'original', None)" ]
AUG=$(json_get "$T/show" "d['aug_id']")
PREFIX=$(echo "$AUG" | cut -c1-10)
"$MMDA" show "$DB" "$PREFIX" --json >"$T/show2"
check show-by-augid-prefix [ "$(json_get "$T/show2" "d['aug_id']")" = "$AUG" ]
"$MMDA" show "$DB" 1 --image-out "$T/one.png" >/dev/null
check show-image-out python3 -c "
import struct,sys
b=open('$T/one.png','rb').read()
assert b[:8]==b'\x89PNG\r\n\x1a\n'
w,h=struct.unpack('>II',b[16:24]); assert (w,h)==(512,512),(w,h)"
"$MMDA" show "$DB" nosuch >/dev/null 2>"$T/err"; rc=$?
check show-missing-exit-1 [ $rc -eq 1 ]
check show-missing-says-why grep -q "nosuch: no candidate" "$T/err"
check integrity-after-import integrity "$DB"

# --verify opens every image: the sample's truncated JPEG is named and skipped.
mkdir -p "$T/v/images"
cp "$SAMPLE/images/horse.png" "$SAMPLE/images/truncated.jpg" "$T/v/images/"
cat >"$T/v/m.jsonl" <<J
{"id": "h", "file_name": "images/horse.png", "text": "a horse"}
{"id": "t", "file_name": "images/truncated.jpg", "text": "cut off"}
{"id": "m", "file_name": "images/missing.png", "text": "not there"}
J
"$MMDA" import "$T/v.db" "$T/v/m.jsonl" --verify --json >"$T/out" 2>/dev/null
check verify-skips-bad-images [ "$(json_get "$T/out" "d['imported'], d['skipped'], [e['line'] for e in d['errors']]")" = "(1, 2, [2, 3])" ]
check verify-names-truncated [ "$(json_get "$T/out" "'truncated.jpg' in d['errors'][0]['reason']")" = True ]
"$MMDA" show "$T/v.db" h --json >"$T/show"
check verify-records-size [ "$(json_get "$T/show" "d['width'], d['height']")" = "(400, 328)" ]

# A hostile manifest: every bad line is reported with its line and skipped.
H=$T/hostile.jsonl
WORDS=$(python3 -c "print(' '.join(['word']*3000))")
{
	printf '%s\n' '{"id": "ok-1", "file_name": "images/a.jpg", "text": "a fine caption"}'
	printf '%s\n' '{"id": "broken", "file_name": "images/b.jpg", "text": "unterminated'
	printf '%s\n' '{"id": "esc", "file_name": "images/c.jpg", "text": "red \u001b[2J\u001b]0;owned\u0007 cat"}'
	printf '%s\n' '{"id": "trav", "file_name": "../../etc/passwd", "text": "escape the root"}'
	printf '{"id": "latin1", "file_name": "images/d.jpg", "text": "caf\351"}\n'
	printf '{"id": "long", "file_name": "images/e.jpg", "text": "%s"}\n' "$WORDS"
	printf '%s\n' '{"id": "nul", "file_name": "images/f.jpg", "text": "a\u0000b"}'
	printf '%s\n' '{"id": "noimg", "text": "no image field"}'
	printf '%s\n' '{"id": "ok-1", "file_name": "images/z.jpg", "text": "same id, other pair"}'
	printf '%s\n' '{"id": "cjk", "file_name": "images/g.jpg", "text": "一只猫 🐱 and emoji"}'
	printf '%s\n' '{"id": "abs", "file_name": "/etc/shadow", "text": "absolute outside"}'
} >"$H"
"$MMDA" import "$T/h.db" "$H" --json >"$T/out" 2>"$T/err"; rc=$?
check hostile-exit-0 [ $rc -eq 0 ]
check hostile-counts [ "$(json_get "$T/out" "d['imported'], d['skipped']")" = "(4, 7)" ]
check hostile-lines [ "$(json_get "$T/out" "sorted(e.get('line') for e in d['errors'])")" = "[2, 4, 5, 7, 8, 9, 11]" ]
check hostile-reasons python3 -c "
import json
d=json.load(open('$T/out'))
r={e['line']:e['reason'] for e in d['errors']}
assert 'JSON' in r[2] or 'json' in r[2], r[2]
assert 'outside' in r[4], r[4]
assert 'UTF-8' in r[5], r[5]
assert 'NUL' in r[7], r[7]
assert 'image' in r[8], r[8]
assert 'duplicate id' in r[9], r[9]
assert 'outside' in r[11], r[11]"
"$MMDA" import "$T/h2.db" "$H" >"$T/out" 2>"$T/err"
check hostile-human-stderr-names-lines sh -c "grep -q 'hostile.jsonl:2' '$T/err' && grep -q 'hostile.jsonl:9' '$T/err'"
"$MMDA" show "$T/h.db" esc >"$T/show" 2>&1
check escape-kept-in-db [ "$(sqlite3 "$T/h.db" "SELECT hex(text) FROM candidates WHERE src_key='esc'" | grep -c 1B5B324A)" = 1 ]
check escape-never-printed no_esc "$T/show"
check escape-shown-visibly grep -q 'red .e\[2J' "$T/show"
"$MMDA" show "$T/h.db" esc --json >"$T/showj"
check escape-json-roundtrip [ "$(json_get "$T/showj" "d['text']")" = "$(printf 'red \033[2J\033]0;owned\007 cat')" ]
check long-caption-kept [ "$(sqlite3 "$T/h.db" "SELECT length(text) FROM candidates WHERE src_key='long'")" = 14999 ]
check integrity-after-hostile integrity "$T/h.db"

# --strict: the first bad record is fatal and nothing of the source is kept.
"$MMDA" import "$T/s.db" "$H" --strict --json >"$T/out" 2>"$T/err"; rc=$?
check strict-exit-1 [ $rc -eq 1 ]
check strict-keeps-nothing [ "$("$MMDA" stats "$T/s.db" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["candidates"])')" = 0 ]
check strict-names-line grep -q "hostile.jsonl:2" "$T/err"

# An unreadable source is reported; the other sources still import.
"$MMDA" import "$T/m.db" "$T/nonexistent.jsonl" "$SAMPLE/captions.jsonl" --json >"$T/out" 2>"$T/err"; rc=$?
check missing-source-exit-1 [ $rc -eq 1 ]
check missing-source-others-import [ "$(json_get "$T/out" "d['imported'], d['errors'][0]['source'].endswith('nonexistent.jsonl')")" = "(17, True)" ]

# --root resolves paths elsewhere; a root that does not exist is an error.
mkdir -p "$T/r"
cp "$SAMPLE/captions.jsonl" "$T/r/m.jsonl"
"$MMDA" import "$T/r.db" "$T/r/m.jsonl" --root "$SAMPLE" --verify --json >"$T/out" 2>/dev/null
check root-option [ "$(json_get "$T/out" "d['imported']")" = 17 ]
"$MMDA" import "$T/r2.db" "$T/r/m.jsonl" --root "$T/nope" >/dev/null 2>&1; rc=$?
check root-missing-exit-1 [ $rc -eq 1 ]
