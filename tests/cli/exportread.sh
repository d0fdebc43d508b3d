# Every export format loaded by an independent reader written here from the
# format's public description (not from mmda's writers), over a project where
# a COCO file and a LLaVA file name the same images, one image has three
# captions, and augmentations live in the object store.
. "$TOP/tests/lib.sh"
R=$(cd "$T" && pwd -P)
mkdir -p "$R/d/images"
cp "$SAMPLE/images/chelsea.png" "$SAMPLE/images/coffee.png" "$SAMPLE/images/brick.png" "$R/d/images/"
cat >"$R/d/coco.json" <<'J'
{"images": [{"id": 101, "file_name": "images/chelsea.png"}, {"id": 102, "file_name": "images/coffee.png"},
            {"id": 103, "file_name": "images/brick.png"}],
 "annotations": [{"id": 1, "image_id": 101, "caption": "A cat."},
                 {"id": 2, "image_id": 101, "caption": "A tabby cat with green eyes."},
                 {"id": 3, "image_id": 101, "caption": "A close-up of a cat."},
                 {"id": 4, "image_id": 102, "caption": "A cup of coffee."},
                 {"id": 5, "image_id": 103, "caption": "A brick wall."}]}
J
cat >"$R/d/llava.json" <<'J'
[{"id": "llava-chelsea", "image": "images/chelsea.png",
  "conversations": [{"from": "human", "value": "<image>\nWhat is this?"}, {"from": "gpt", "value": "A cat."}]},
 {"id": "llava-coffee", "image": "images/coffee.png",
  "conversations": [{"from": "human", "value": "What is in the cup?"}, {"from": "gpt", "value": "A cup of coffee."}]}]
J
# A relative database path: object-store paths must still come out absolute.
cd "$R" || exit 1
"$MMDA" import p.db d/coco.json --json >"$T/i1"
"$MMDA" import p.db d/llava.json --json >"$T/i2"
check llava-over-coco-existing [ "$(json_get "$T/i2" "d['imported'], d['existing']")" = "(0, 2)" ]
"$MMDA" show p.db llava-chelsea --json >"$T/s1"
check show-by-second-source-key [ "$(json_get "$T/s1" "d['key'], [s['format'] for s in d['sources']]")" = "('1', ['coco', 'llava'])" ]
"$MMDA" augment p.db --op hflip --limit 3 >/dev/null
"$MMDA" augment p.db --op grayscale --limit 1 >/dev/null
"$MMDA" show p.db 6 --json >"$T/s6"
check show-object-image-absolute python3 -c "
import json, os; p = json.load(open('$T/s6'))['image']
assert os.path.isabs(p) and os.path.isfile(p), p"
NSEL=$(sqlite3 p.db "SELECT count(*) FROM candidates")

for f in jsonl imagefolder coco llava wds csv dj; do
	"$MMDA" export p.db --format $f --select all --out "out-$f" >/dev/null 2>"$T/err-$f"
done
"$MMDA" export p.db --format coco --select all --images ref --out out-coco-ref >/dev/null
"$MMDA" export p.db --format jsonl --select all --images ref --out out-ref >/dev/null

READ=$T/read.py
cat >"$READ" <<'P'
import csv, hashlib, io, json, os, sys, tarfile
from PIL import Image
fmt, d, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def sha(p): return hashlib.sha256(open(p, "rb").read()).hexdigest()
def opens(p):
    with Image.open(p) as im:
        im.load()
        return im.size
if fmt == "coco":
    # COCO captions: "images" [{id, file_name, width, height}], "annotations"
    # [{id, image_id, caption}]; ids unique, every image_id names an image.
    doc = json.load(open(os.path.join(d, "captions.json")))
    imgs, anns = doc["images"], doc["annotations"]
    ids = [i["id"] for i in imgs]
    assert len(set(ids)) == len(ids), "image ids repeat"
    assert len(set(a["id"] for a in anns)) == len(anns), "annotation ids repeat"
    files = [i["file_name"] for i in imgs]
    assert len(set(files)) == len(files), "one file, several image entries"
    paths = [f if os.path.isabs(f) else os.path.join(d, f) for f in files]
    digests = [sha(p) for p in paths]
    assert len(set(digests)) == len(digests), "one picture, several image entries"
    for i, p in zip(imgs, paths):
        assert (i["width"], i["height"]) == opens(p), (i, opens(p))
    assert all(a["image_id"] in set(ids) for a in anns), "dangling image_id"
    assert len(anns) == n, (len(anns), n)
    if not os.path.isabs(files[0]):
        on_disk = sorted(os.listdir(os.path.join(d, "images")))
        assert on_disk == sorted(os.path.basename(f) for f in files), "files not written once"
    print(len(imgs), len(anns), sorted((i.get("coco_id"), len([a for a in anns if a["image_id"] == i["id"]])) for i in imgs if "coco_id" in i),
          sorted(a["coco_id"] for a in anns if "coco_id" in a))
elif fmt == "imagefolder":
    # Hugging Face ImageFolder: metadata.jsonl, file_name relative to the folder.
    rows = [json.loads(l) for l in open(os.path.join(d, "metadata.jsonl"))]
    for r in rows:
        assert not os.path.isabs(r["file_name"]) and opens(os.path.join(d, r["file_name"]))
        assert isinstance(r["text"], str) and r["text"]
    print(len(rows))
elif fmt == "llava":
    # LLaVA: a JSON list of {id, image, conversations [{from, value}]}; the
    # image goes where the one "<image>" of the first human turn is.
    rows = json.load(open(os.path.join(d, "llava.json")))
    for r in rows:
        turns = r["conversations"]
        human = [t for t in turns if t["from"] == "human"]
        assert human and turns[0]["from"] == "human", r
        assert human[0]["value"].count("<image>") == 1, r
        assert all("<image>" not in t["value"] for t in turns[1:]), r
        opens(os.path.join(d, r["image"]))
    print(len(rows), [r["conversations"][0]["value"] for r in rows if r["conversations"][0]["value"] != "<image>\nDescribe the image."])
elif fmt == "wds":
    # WebDataset: tar members named KEY.EXT, a sample's members adjacent, in order.
    keys, last = [], None
    for name in sorted(x for x in os.listdir(d) if x.endswith(".tar")):
        with tarfile.open(os.path.join(d, name)) as t:
            groups = {}
            for m in t.getmembers():
                key, ext = m.name.split(".", 1)
                if key != last:
                    assert key not in groups, "members of %s not together" % key
                    keys.append(key); last = key; groups[key] = {}
                groups[key][ext] = t.extractfile(m).read()
            for key, g in groups.items():
                img = [e for e in g if e in ("jpg", "png", "webp", "gif")]
                assert len(img) == 1 and "txt" in g and "json" in g, (key, list(g))
                Image.open(io.BytesIO(g[img[0]])).load()
                assert json.loads(g["json"])["text"] == g["txt"].decode()
    assert keys == sorted(keys), "keys out of order"
    print(len(keys))
elif fmt == "dj":
    # Data-Juicer: "text" with one <__dj__image> token per entry of "images".
    rows = [json.loads(l) for l in open(os.path.join(d, "data_juicer.jsonl"))]
    for r in rows:
        assert r["text"].count("<__dj__image>") == len(r["images"]), r
        for p in r["images"]:
            opens(os.path.join(d, p))
    print(len(rows))
elif fmt == "csv":
    rows = list(csv.DictReader(open(os.path.join(d, "pairs.csv"), newline="")))
    print(len(rows))
elif fmt == "ref":
    rows = [json.loads(l) for l in open(os.path.join(d, "pairs.jsonl"))]
    exts = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
    for r in rows:
        p = r["image"]
        assert os.path.isabs(p), p
        with Image.open(p) as im:
            assert os.path.splitext(p)[1] == exts[im.format], p
    print(len(rows))
elif fmt == "jsonl":
    rows = [json.loads(l) for l in open(os.path.join(d, "pairs.jsonl"))]
    for r in rows:
        opens(os.path.join(d, r["image"]))
    print(len(rows))
P
PY=/usr/bin/python3 # Debian's, which has python3-pil (make deps)
rd() { $PY "$READ" "$1" "$2" "$NSEL" 2>&1; }
# 5 originals over 3 pictures; hflip of the first 3 (the three captions of the
# cat: one flipped picture) and grayscale of the first: 5 distinct images, 9
# captions.
check coco-reader [ "$(rd coco out-coco)" = "5 9 [(101, 3), (102, 1), (103, 1)] [1, 2, 3, 4, 5]" ]
check coco-reader-ref [ "$(rd coco out-coco-ref)" = "5 9 [(101, 3), (102, 1), (103, 1)] [1, 2, 3, 4, 5]" ]
check imagefolder-reader [ "$(rd imagefolder out-imagefolder)" = "$NSEL" ]
check llava-reader [ "$(rd llava out-llava)" = "$NSEL ['<image>\\nWhat is this?', '<image>\\nWhat is in the cup?']" ]
check wds-reader [ "$(rd wds out-wds)" = "$NSEL" ]
check dj-reader [ "$(rd dj out-dj)" = "$NSEL" ]
check csv-reader [ "$(rd csv out-csv)" = "$NSEL" ]
check jsonl-reader [ "$(rd jsonl out-jsonl)" = "$NSEL" ]
check ref-absolute-with-extension [ "$(rd ref out-ref)" = "$NSEL" ]

# An export into a folder whose parent is missing names that folder, not a temp one.
"$MMDA" export p.db --format jsonl --out "$R/nope/gold" >/dev/null 2>"$T/err"; rc=$?
check export-missing-parent-exit-1 [ $rc -eq 1 ]
check export-missing-parent-names-it grep -q "$R/nope/gold: .*$R/nope does not exist" "$T/err"
check export-no-temp-name-leaks sh -c "! grep -q 'mmda-tmp' '$T/err'"
check export-reader-integrity integrity p.db

# Numbers print in the shortest form that reads back exactly; the stored form
# that aug_ids hash stays as it was, so re-running adds nothing.
"$MMDA" augment p.db --op synonym --limit 1 --json >"$T/syn"
SYN=$(json_get "$T/syn" "d['created'][0]")
"$MMDA" show p.db "$SYN" --json >"$T/ssyn"
check show-json-params-shortest grep -q '"aug_p":0.3,' "$T/ssyn"
"$MMDA" show p.db "$SYN" >"$T/ssyn.txt"
check show-params-shortest grep -q '"aug_p":0.3,' "$T/ssyn.txt"
"$MMDA" export p.db --format jsonl --select all --out out-num >/dev/null
check export-params-shortest sh -c "grep -q '\"aug_p\":0.3,' out-num/pairs.jsonl && ! grep -q '0.2999999' out-num/pairs.jsonl"
"$MMDA" augment p.db --op synonym --limit 1 --json >"$T/syn2"
check params-identity-stable [ "$(json_get "$T/syn2" "len(d['created']), d['existing']")" = "(0, 1)" ]
