# Every import format end to end through the real binary, on real images,
# detected automatically; WebDataset images land in the object store.
. "$TOP/tests/lib.sh"
D=$T/ds
mkdir -p "$D/images" "$D/folder/sub"
for f in chelsea.png coffee.png horse.png rocket.jpg; do cp "$SAMPLE/images/$f" "$D/images/"; done

cat >"$D/pairs.csv" <<'C'
id,file_name,caption
c1,images/chelsea.png,"A tabby cat, close up"
c2,images/coffee.png,"A cup of ""espresso""
on a red saucer"
c3,images/missing.png,not there
C
cat >"$D/coco.json" <<'J'
{"images": [{"id": 1, "file_name": "images/chelsea.png"}, {"id": 2, "file_name": "images/horse.png"}],
 "annotations": [{"id": 10, "image_id": 1, "caption": "a cat"}, {"id": 11, "image_id": 1, "caption": "a tabby"},
                 {"id": 12, "image_id": 2, "caption": "a horse"}, {"id": 13, "image_id": 9, "caption": "dangling"}]}
J
cat >"$D/llava.json" <<'J'
[{"id": "l1", "image": "images/rocket.jpg", "conversations": [{"from": "human", "value": "<image>\nWhat is this?"}, {"from": "gpt", "value": "A rocket on its pad."}]},
 {"id": "l2", "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "text only"}]}]
J
cat >"$D/dj.jsonl" <<'J'
{"id": "d1", "text": "<__dj__image> a horse <|__dj__eoc|> <__dj__image> a coffee <|__dj__eoc|>", "images": ["images/horse.png", "images/coffee.png"]}
{"id": "d2", "text": "<__dj__image> two tokens <__dj__image>", "images": ["images/horse.png"]}
J
cp "$SAMPLE/images/coins.png" "$D/folder/coins.png"
printf 'old coins\nsilver coins on black\n' >"$D/folder/coins.txt"
cp "$SAMPLE/images/text.png" "$D/folder/sub/notes.png"
printf 'handwritten notes\n' >"$D/folder/sub/notes.txt"
cp "$SAMPLE/images/brick.png" "$D/folder/nocaption.png"
python3 - "$D" "$SAMPLE/images" <<'P'
import io, json, sys, tarfile
d, img = sys.argv[1], sys.argv[2]
with tarfile.open(d + "/shard-000000.tar", "w", format=tarfile.USTAR_FORMAT) as t:
    def add(name, data):
        i = tarfile.TarInfo(name); i.size = len(data); i.mtime = 0
        t.addfile(i, io.BytesIO(data))
    add("s/0001.png", open(img + "/horse.png", "rb").read())
    add("s/0001.txt", b"a horse from a shard\n")
    add("s/0002.jpg", open(img + "/rocket.jpg", "rb").read())
    add("s/0002.json", json.dumps({"caption": "a rocket from a shard"}).encode())
    add("s/0003.txt", b"caption without image\n")
    add("s/0004.png", b"not really a png")
    add("s/0004.txt", b"broken image\n")
P

imp() { "$MMDA" import "$T/f.db" "$@" --json >"$T/out" 2>"$T/err"; }
imp "$D/pairs.csv"
check csv [ "$(json_get "$T/out" "d['imported'], d['skipped']")" = "(3, 0)" ]
imp "$D/pairs.csv" --verify
check csv-verify-existing [ "$(json_get "$T/out" "d['imported'], d['existing'], d['skipped']")" = "(0, 2, 1)" ]
"$MMDA" show "$T/f.db" c2 --json >"$T/show"
check csv-multiline-caption [ "$(json_get "$T/show" "repr(d['text'])")" = "'A cup of \"espresso\"\\non a red saucer'" ]
imp "$D/coco.json"
check coco [ "$(json_get "$T/out" "d['imported'], d['skipped']")" = "(3, 1)" ]
imp "$D/llava.json"
check llava [ "$(json_get "$T/out" "d['imported'], d['skipped'], 'text-only' in d['errors'][0]['reason'] or 'image' in d['errors'][0]['reason']")" = "(1, 1, True)" ]
"$MMDA" show "$T/f.db" l1 --json >"$T/show"
check llava-keeps-conversation [ "$(json_get "$T/show" "d['text'], len(d['meta']['conversations'])")" = "('A rocket on its pad.', 2)" ]
imp "$D/dj.jsonl"
# "a horse" on horse.png came in already from COCO: the same pair is not stored twice.
check dj [ "$(json_get "$T/out" "d['imported'], d['existing'], d['skipped']")" = "(1, 1, 1)" ]
imp "$D/folder"
check dir [ "$(json_get "$T/out" "d['imported'], d['skipped']")" = "(3, 1)" ]
check dir-names-missing-sidecar grep -q "nocaption" "$T/out"
imp "$D/shard-000000.tar"
check wds [ "$(json_get "$T/out" "d['imported'], d['skipped']")" = "(2, 2)" ]
"$MMDA" show "$T/f.db" s/0002 --json >"$T/show"
check wds-object-store [ "$(json_get "$T/show" "d['object'] is not None and d['image'].startswith('$T/f.db.objects/')")" = True ]
check wds-object-size [ "$(json_get "$T/show" "d['width'], d['height']")" = "(640, 427)" ]
"$MMDA" show "$T/f.db" s/0002 --image-out "$T/rocket.png" >/dev/null
check wds-image-out python3 -c "
import struct
b=open('$T/rocket.png','rb').read()
assert struct.unpack('>II',b[16:24])==(640,427)"
imp "$D/shard-000000.tar"
check wds-reimport-nothing-new [ "$(json_get "$T/out" "d['imported'], d['existing']")" = "(0, 2)" ]
"$MMDA" import "$T/g.db" "$D/pairs.csv" --format coco --json >"$T/out" 2>"$T/err"; rc=$?
check forced-wrong-format-fails [ $rc -eq 1 ]
"$MMDA" stats "$T/f.db" --json >"$T/s"
check all-formats-total [ "$(json_get "$T/s" "d['originals']")" = 13 ]
check integrity-after-formats integrity "$T/f.db"
