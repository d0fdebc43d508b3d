# Two-parent ops (mixgen, cutmix): a partner never shows the pair's own
# image (the same file, or the same bytes under another name), over 20
# seeds on a sample where images repeat; and each op draws its partner
# from its own stream, so one seed does not give both ops the same pairs.
. "$TOP/tests/lib.sh"
DB=$T/p.db
mkdir -p "$T/data/images"
cp "$SAMPLE"/images/*.png "$SAMPLE"/images/*.jpg "$T/data/images/"
# chelsea twice more under another name: three pairs of one picture.
cp "$SAMPLE/images/chelsea.png" "$T/data/images/chelsea-copy.png"
cp "$SAMPLE/captions.jsonl" "$T/data/captions.jsonl"
printf '%s\n' '{"id": "chelsea-3", "file_name": "images/chelsea-copy.png", "text": "A cat looks up."}' \
    '{"id": "coffee-2", "file_name": "images/coffee.png", "text": "Coffee on a table."}' \
    '{"id": "gone-1", "file_name": "images/gone.png", "text": "An image deleted since."}' \
    '{"id": "junk-1", "file_name": "images/junk.png", "text": "Bytes that are no image."}' >>"$T/data/captions.jsonl"
head -c 3000 /dev/urandom >"$T/data/images/junk.png"
"$MMDA" import "$DB" "$T/data/captions.jsonl" >/dev/null
GONE=$(sqlite3 "$DB" "SELECT id FROM candidates WHERE src_key = 'gone-1'")
JUNK=$(sqlite3 "$DB" "SELECT id FROM candidates WHERE src_key = 'junk-1'")
: >"$T/failed"
for s in $(seq 1 20); do
	for op in mixgen cutmix; do
		"$MMDA" augment "$DB" --op $op --seed "$s" --json >"$T/out" 2>/dev/null
		json_get "$T/out" "' '.join(str(f['id']) for f in d['failed'])" >>"$T/failed"
	done
done
# The picture each original shows, by content: the copy is chelsea.png.
PIC="replace(p.image_path, 'chelsea-copy', 'chelsea')"
QIC="replace(q.image_path, 'chelsea-copy', 'chelsea')"
PAIRS="FROM candidates c JOIN lineage a ON a.child = c.id AND a.slot = 0
    JOIN lineage b ON b.child = c.id AND b.slot = 1
    JOIN candidates p ON p.id = a.parent JOIN candidates q ON q.id = b.parent"
check made-pairs [ "$(sqlite3 "$DB" "SELECT count(*) $PAIRS WHERE c.op IN ('mixgen', 'cutmix')")" -gt 600 ]
check never-same-image [ "$(sqlite3 "$DB" "SELECT count(*) $PAIRS WHERE c.op IN ('mixgen', 'cutmix') AND $PIC = $QIC")" = 0 ]
# An image that cannot be read is never drawn as a partner (it could only fail).
check never-unreadable-partner [ "$(tr ' ' '\n' <"$T/failed" | grep -v '^$' | sort -un | tr '\n' ' ')" = "$(printf '%s\n' "$GONE" "$JUNK" | sort -n | tr '\n' ' ')" ]
# Passing one over is said, once a batch, with why; another partner is drawn.
"$MMDA" import "$T/q.db" "$T/data/captions.jsonl" >/dev/null
"$MMDA" augment "$T/q.db" --op mixgen --seed 99 --json >"$T/skips" 2>/dev/null
check partner-skips-listed [ "$(json_get "$T/skips" "sorted(s['id'] for s in d['partner_skips'])")" = "$(printf '[%s, %s]' $(printf '%s\n' "$GONE" "$JUNK" | sort -n))" ]
check partner-skip-says-why [ "$(json_get "$T/skips" "all(s['reason'] for s in d['partner_skips'])")" = True ]
check partner-skips-others-made [ "$(json_get "$T/skips" "len(d['created'])")" -ge 17 ]
# With one seed, mixgen and cutmix pick the same partner for an original
# only by chance (about 1 in 17), not always.
SAME=$(sqlite3 "$DB" "SELECT count(*) FROM
    (SELECT a.parent AS o, b.parent AS q, c.seed AS s $PAIRS WHERE c.op = 'mixgen') m JOIN
    (SELECT a.parent AS o, b.parent AS q, c.seed AS s $PAIRS WHERE c.op = 'cutmix') x
    ON m.o = x.o AND m.s = x.s AND m.q = x.q")
check own-streams [ "$SAME" -lt 60 ]
# A partner named on the command line that shows the same image is refused.
"$MMDA" augment "$DB" --op mixgen --seed 99 --set partner=chelsea-1 --json >"$T/out" 2>"$T/err"
check named-same-image [ "$(json_get "$T/out" "sorted(f['reason'].split(':')[0] for f in d['failed'] if f['id'] not in ($GONE, $JUNK))")" = "['a pair cannot be mixed with itself', 'the partner shows the same image', 'the partner shows the same image']" ]
