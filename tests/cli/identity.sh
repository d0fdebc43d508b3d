# An original's identity: its image content and its text, not its path. Two
# folders with images/0001.png captioned "A photo." but different pixels are
# two pairs; the same pair named by several sources keeps every source.
. "$TOP/tests/lib.sh"
R=$(cd "$T" && pwd -P)
mkdir -p "$R/a/images" "$R/b/images" "$R/c/images"
cp "$SAMPLE/images/brick.png" "$R/a/images/0001.png"
cp "$SAMPLE/images/coins.png" "$R/b/images/0001.png"
cp "$SAMPLE/images/brick.png" "$R/c/images/0001.png"
for d in a b c; do
	printf '{"id": "%s1", "file_name": "images/0001.png", "text": "A photo."}\n' "$d" >"$R/$d/m.jsonl"
done
DB=$T/i.db

"$MMDA" import "$DB" "$R/a/m.jsonl" --json >"$T/o1"
"$MMDA" import "$DB" "$R/b/m.jsonl" --json >"$T/o2"
check other-pixels-other-pair [ "$(json_get "$T/o2" "d['imported'], d['existing']")" = "(1, 0)" ]
"$MMDA" import "$DB" "$R/b/m.jsonl" --json >"$T/o3"
check reimport-other-root-adds-nothing [ "$(json_get "$T/o3" "d['imported'], d['existing']")" = "(0, 1)" ]
"$MMDA" import "$DB" "$R/a/m.jsonl" --json >"$T/o4"
check reimport-first-adds-nothing [ "$(json_get "$T/o4" "d['imported'], d['existing']")" = "(0, 1)" ]
"$MMDA" import "$DB" "$R/c/m.jsonl" --json >"$T/o5"
check same-pixels-same-pair [ "$(json_get "$T/o5" "d['imported'], d['existing']")" = "(0, 1)" ]
"$MMDA" show "$DB" b1 --json >"$T/sb"
check second-image-kept [ "$(json_get "$T/sb" "d['image']")" = "$R/b/images/0001.png" ]
check second-image-named-by-content [ "$(json_get "$T/sb" "d['aug_id'] != '04496910a34a3fc3d67a7b274b1ece0595cf5d5c55cf20b21028ec78c02a63ea'")" = True ]
"$MMDA" show "$DB" c1 --json >"$T/sc"
check third-source-finds-first [ "$(json_get "$T/sc" "d['id'], d['key']")" = "(1, 'a1')" ]
check show-lists-every-source [ "$(json_get "$T/sc" "[(s['key'], s['source']) for s in d['sources']]")" = "[('a1', '$R/a/m.jsonl'), ('c1', '$R/c/m.jsonl')]" ]
"$MMDA" show "$DB" c1 >"$T/sc.txt"
check show-human-lists-sources grep -q "c1.*$R/c/m.jsonl" "$T/sc.txt"
check identity-integrity integrity "$DB"

# An unreadable second image is never merged into the first blind.
mkdir -p "$R/d"
printf '{"id": "d1", "file_name": "images/0001.png", "text": "A photo."}\n' >"$R/d/m.jsonl"
"$MMDA" import "$DB" "$R/d/m.jsonl" --json >"$T/o6"
check missing-image-not-merged [ "$(json_get "$T/o6" "d['imported'], d['existing']")" = "(1, 0)" ]
"$MMDA" import "$DB" "$R/d/m.jsonl" --json >"$T/o7"
check missing-image-reimport-nothing [ "$(json_get "$T/o7" "d['imported'], d['existing']")" = "(0, 1)" ]

# A database from before content identity (schema 4, frozen) upgrades in
# place: its aug_ids stay, its decisions stay, and the collision is gone.
sqlite3 "$T/old.db" <"$TOP/tests/data/schema-v1.sql"
sed "s|@ROOT@|$R/a|g" "$TOP/tests/data/schema-v4.sql" | sqlite3 "$T/old.db"
"$MMDA" import "$T/old.db" "$R/a/m.jsonl" --json >"$T/u1"
check old-db-reimport-adds-nothing [ "$(json_get "$T/u1" "d['imported'], d['existing']")" = "(0, 1)" ]
check old-db-upgraded [ "$(sqlite3 "$T/old.db" 'PRAGMA user_version')" = 6 ]
"$MMDA" import "$T/old.db" "$R/b/m.jsonl" --json >"$T/u2"
check old-db-other-pixels-other-pair [ "$(json_get "$T/u2" "d['imported'], d['existing']")" = "(1, 0)" ]
"$MMDA" show "$T/old.db" a1 --json >"$T/su"
check old-db-keeps-id-and-decision [ "$(json_get "$T/su" "d['aug_id'][:8], [x['answer'] for x in d['decisions']]")" = "('04496910', ['accept'])" ]
check old-db-integrity integrity "$T/old.db"

# WebDataset shards: members are hashed at import, so two shards with the same
# member name and caption but other bytes are two pairs.
mkdir -p "$R/w1" "$R/w2"
cp "$SAMPLE/images/brick.png" "$R/w1/0001.png"
cp "$SAMPLE/images/coins.png" "$R/w2/0001.png"
for w in w1 w2; do
	printf 'A photo.' >"$R/$w/0001.txt"
	(cd "$R/$w" && tar -cf ../s.tar 0001.png 0001.txt && mkdir -p t && mv ../s.tar t/s.tar)
done
"$MMDA" import "$T/w.db" "$R/w1/t/s.tar" --json >/dev/null
"$MMDA" import "$T/w.db" "$R/w2/t/s.tar" --json >"$T/ow2"
check wds-other-bytes-other-pair [ "$(json_get "$T/ow2" "d['imported'], d['existing']")" = "(1, 0)" ]
"$MMDA" import "$T/w.db" "$R/w1/t/s.tar" --json >"$T/ow3"
check wds-reimport-adds-nothing [ "$(json_get "$T/ow3" "d['imported'], d['existing']")" = "(0, 1)" ]

# A merge carries every source: a second database that met the same pairs from
# other sources adds them, and merging twice adds nothing.
"$MMDA" import "$T/j.db" "$R/c/m.jsonl" >/dev/null
"$MMDA" import "$T/j.db" "$R/b/m.jsonl" >/dev/null
"$MMDA" merge "$DB" "$T/j.db" --trust-roots --json >"$T/mg"
check merge-same-pairs-existing [ "$(json_get "$T/mg" "d['candidates'], d['existing']")" = "(0, 2)" ]
"$MMDA" merge "$DB" "$T/j.db" --json >/dev/null
check merge-keeps-sources-once [ "$(sqlite3 "$DB" 'SELECT count(*) FROM original_sources')" = 1 ]
"$MMDA" import "$T/k.db" "$R/c/m.jsonl" >/dev/null
"$MMDA" merge "$T/k.db" "$DB" --trust-roots --json >/dev/null
"$MMDA" show "$T/k.db" a1 --json >"$T/sk"
check merge-brings-further-sources [ "$(json_get "$T/sk" "[s['key'] for s in d['sources']]")" = "['c1', 'a1']" ]
check merge-integrity integrity "$T/k.db"

# Two hosts that each imported a different picture first under one path and
# caption hold one aug_id for two pairs: the merge refuses, saying so.
"$MMDA" import "$T/h1.db" "$R/b/m.jsonl" >/dev/null
"$MMDA" import "$T/h2.db" "$R/a/m.jsonl" >/dev/null
"$MMDA" merge "$T/h1.db" "$T/h2.db" --trust-roots >/dev/null 2>"$T/mh"; rc=$?
check merge-other-image-refused [ $rc -eq 1 ]
check merge-other-image-says-why grep -q "share an aug_id (path and caption) but not their image" "$T/mh"
check merge-other-image-nothing-merged [ "$(sqlite3 "$T/h1.db" 'SELECT count(*) FROM candidates')" = 1 ]
