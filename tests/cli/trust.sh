# Trust boundaries (issue 13): hostile merge sources, symlinks out of a root,
# FIFOs and devices where images should be. Every fixture is made here.
. "$TOP/tests/lib.sh"
TO="timeout 20"   # a hang is a failure, not a stuck suite

# A project whose images live under $R, with one file outside it.
R=$T/root; O=$T/outside
mkdir -p "$R/img" "$O"
cp "$SAMPLE/images/horse.png" "$R/img/ok.png"
cp "$SAMPLE/images/chelsea.png" "$O/secret.png"
ln -s ../outside/secret.png "$R/link.png"
ln -s / "$R/dir"
OREL=$(printf '%s' "$O" | sed 's|^/||')

# 3. Symlinks that leave the root are refused on import, with or without --verify.
cat >"$R/m.jsonl" <<J
{"id": "ok", "file_name": "img/ok.png", "text": "a horse"}
{"id": "link", "file_name": "link.png", "text": "a link out"}
{"id": "dir", "file_name": "dir/$OREL/secret.png", "text": "through a link to /"}
J
for v in "" --verify; do
	"$MMDA" import "$T/c$v.db" "$R/m.jsonl" $v --json >"$T/out" 2>/dev/null
	check "symlink-out-refused$v" [ "$(json_get "$T/out" "d['imported'], d['skipped'], [e['key'] for e in d['errors']]")" = "(1, 2, ['link', 'dir'])" ]
	check "symlink-out-says-why$v" [ "$(json_get "$T/out" "all('outside the root' in e['reason'] for e in d['errors'])")" = True ]
done
# A link made after the import (or by a merged row): show and export refuse it too.
DB=$T/c.db
"$MMDA" decide "$DB" 1 accept --annotator a >/dev/null
mv "$R/img/ok.png" "$R/img/ok.real"
ln -s "$O/secret.png" "$R/img/ok.png"
$TO "$MMDA" show "$DB" 1 --image-out "$T/s.png" >/dev/null 2>"$T/err"; rc=$?
check show-symlink-out-refused sh -c "[ $rc -eq 1 ] && [ ! -e '$T/s.png' ] && grep -q 'outside the root' '$T/err'"
$TO "$MMDA" export "$DB" --format jsonl --out "$T/x1" >/dev/null 2>"$T/err"
check export-symlink-out-left-out sh -c "[ ! -e '$T/x1/images' ] || [ -z \"\$(ls '$T/x1/images')\" ]"
check export-symlink-out-named grep -q 'outside the root' "$T/err"
rm "$R/img/ok.png"; mv "$R/img/ok.real" "$R/img/ok.png"

# 4. FIFOs and devices where a file should be: refused at once, never waited on.
mkfifo "$R/img/fifo.png" "$R/fifo.jsonl"
ln -s /dev/zero "$R/img/zero.png"
cat >"$R/s.jsonl" <<J
{"id": "ok", "file_name": "img/ok.png", "text": "a horse"}
{"id": "fifo", "file_name": "img/fifo.png", "text": "a pipe"}
{"id": "zero", "file_name": "img/zero.png", "text": "endless zeros"}
J
$TO "$MMDA" import "$T/s.db" "$R/s.jsonl" --verify --json >"$T/out" 2>/dev/null; rc=$?
check verify-fifo-no-hang [ $rc -eq 0 ]
check verify-fifo-device-refused [ "$(json_get "$T/out" "d['imported'], [e['key'] for e in d['errors']]")" = "(1, ['fifo', 'zero'])" ]
# /dev/zero is outside any root, so the link is refused before it is opened.
check verify-fifo-says-why [ "$(json_get "$T/out" "'FIFO' in d['errors'][0]['reason'] and 'resolves to /dev/zero' in d['errors'][1]['reason']")" = True ]
$TO "$MMDA" import "$T/f.db" "$R/fifo.jsonl" >/dev/null 2>"$T/err"; rc=$?
check manifest-fifo-refused sh -c "[ $rc -eq 1 ] && grep -q 'not a regular file' '$T/err'"
# Imported without --verify, then reviewed, shown, exported, augmented, scored.
cat >"$R/n.jsonl" <<J
{"id": "ok", "file_name": "img/ok.png", "text": "a horse"}
{"id": "fifo", "file_name": "img/fifo.png", "text": "a pipe"}
{"id": "zero", "file_name": "img/z.png", "text": "endless zeros"}
J
cp "$R/img/ok.png" "$R/img/z.png"
"$MMDA" import "$T/n.db" "$R/n.jsonl" >/dev/null 2>&1
rm "$R/img/z.png"; ln -s /dev/zero "$R/img/z.png"
for i in 1 2 3; do "$MMDA" decide "$T/n.db" $i accept --annotator a >/dev/null; done
$TO "$MMDA" show "$T/n.db" 2 --image-out "$T/f.png" >/dev/null 2>"$T/err"; rc=$?
check show-fifo-refused sh -c "[ $rc -eq 1 ] && grep -q 'FIFO' '$T/err'"
$TO "$MMDA" show "$T/n.db" 3 --image-out "$T/z.png" >/dev/null 2>"$T/err"; rc=$?
check show-dev-zero-refused sh -c "[ $rc -eq 1 ] && grep -q 'resolves to /dev/zero' '$T/err'"
$TO "$MMDA" export "$T/n.db" --format jsonl --out "$T/x2" --json >"$T/out" 2>/dev/null; rc=$?
check export-fifo-no-hang [ $rc -eq 0 ]
check export-fifo-left-out [ "$(wc -l <"$T/x2/pairs.jsonl")" -eq 1 ]
$TO "$MMDA" export "$T/n.db" --format wds --out "$T/x3" >/dev/null 2>&1; rc=$?
check export-wds-fifo-no-hang [ $rc -ne 124 ]
$TO "$MMDA" augment "$T/n.db" --op hflip --json >"$T/out" 2>/dev/null; rc=$?
check augment-fifo-no-hang [ $rc -ne 124 ]
check augment-fifo-failed [ "$(json_get "$T/out" "sorted(f['id'] for f in d['failed'])")" = "[2, 3]" ]
$TO "$MMDA" score "$T/n.db" --metric pixel_std --json >/dev/null 2>&1; rc=$?
check score-fifo-no-hang [ $rc -ne 124 ]
check integrity-after-fifos integrity "$T/n.db"

# 1-2. A merge source is someone else's file: every row that names a file is checked.
DST=$T/dst.db
"$MMDA" import "$DST" "$R/m.jsonl" >/dev/null 2>&1
NEWAUG=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
hostile() { # NAME SQL: a copy of DST, bent by SQL, with a new aug_id so it would be merged
	cp "$DST" "$T/$1.db"
	sqlite3 "$T/$1.db" "UPDATE candidates SET aug_id = '$NEWAUG'; $2"
}
refused_merge() { # NAME WHY [FLAGS]: merge refused with WHY, DST unchanged
	before=$(sqlite3 "$DST" "SELECT count(*) FROM candidates")
	$TO "$MMDA" merge "$DST" "$T/$1.db" $3 >/dev/null 2>"$T/err"; rc=$?
	after=$(sqlite3 "$DST" "SELECT count(*) FROM candidates")
	[ $rc -eq 1 ] && grep -q "$2" "$T/err" && grep -q "$1.db" "$T/err" && [ "$before" = "$after" ]
}
hostile shorthash "INSERT INTO objects VALUES ('a', 'png', 1, 1, 1, 0)"
check merge-short-hash-refused refused_merge shorthash "object row \"a\" is not a SHA-256 name"
hostile dothash "INSERT INTO objects VALUES ('../../..', 'png', 1, 1, 1, 0);
	UPDATE candidates SET object = '../../..', root_id = NULL, image_path = NULL"
check merge-dotdot-hash-refused refused_merge dothash "is not a SHA-256 name"
hostile upper "UPDATE candidates SET object = upper('$NEWAUG'), root_id = NULL, image_path = NULL"
check merge-uppercase-hash-refused refused_merge upper "is not a SHA-256 name"
hostile dotdot "UPDATE candidates SET image_path = '../outside/secret.png'"
check merge-dotdot-path-refused refused_merge dotdot "is not a plain path relative to its root"
hostile abspath "UPDATE candidates SET image_path = '/etc/passwd'"
check merge-absolute-path-refused refused_merge abspath "is not a plain path relative to its root"
hostile linkrow "UPDATE candidates SET image_path = 'link.png'"
check merge-symlink-path-refused refused_merge linkrow "outside the root"
hostile slashroot "INSERT INTO roots (path) VALUES ('/');
	UPDATE candidates SET root_id = (SELECT id FROM roots WHERE path = '/'), image_path = '$OREL/secret.png'"
check merge-unknown-root-refused refused_merge slashroot "root / is not a folder this database knows.*--trust-roots"
hostile relroot "UPDATE roots SET path = 'here'"
check merge-relative-root-refused refused_merge relroot "is not an absolute folder" --trust-roots
check integrity-after-merges integrity "$DST"
# With --trust-roots the operator vouches for the folder; the paths are still checked when read.
$TO "$MMDA" merge "$DST" "$T/slashroot.db" --trust-roots --json >"$T/out" 2>/dev/null
check merge-trust-roots [ "$(json_get "$T/out" "d['candidates']")" = 1 ]

# 8. Generated objects follow the umask like the database (mkstemp made them 0600).
(umask 022; "$MMDA" augment "$DST" --op hflip --limit 1 >/dev/null 2>&1)
OBJ=$(find "$DST.objects" -type f ! -name '.tmp.*' | head -n 1)
check object-mode-follows-umask [ -n "$OBJ" ] && check object-mode-644 [ "$(stat -c %a "$OBJ")" = 644 ]

# 10. Export to a symlinked folder writes where the link points (it did all the work, then
# failed with "Not a directory"); a dangling link is refused before any work.
mkdir "$T/realout"; ln -s realout "$T/linkout"; ln -s nowhere "$T/deadout"
"$MMDA" export "$DST" --format jsonl --select all --out "$T/linkout" >/dev/null 2>"$T/err"; rc=$?
check export-symlinked-dir sh -c "[ $rc -eq 0 ] && [ -L '$T/linkout' ] && [ -s '$T/realout/pairs.jsonl' ]"
"$MMDA" export "$DST" --format jsonl --select all --out "$T/deadout" >/dev/null 2>"$T/err"; rc=$?
check export-dangling-link-refused sh -c "[ $rc -eq 1 ] && grep -q 'leads nowhere' '$T/err'"

# 9. Format tokens in captions: dj and llava have no escape for them, so an item whose caption
# holds one is left out of that format and named (jsonl keeps it as it is).
mkdir -p "$T/tok"
cp "$SAMPLE/images/horse.png" "$T/tok/a.png"; cp "$SAMPLE/images/chelsea.png" "$T/tok/b.png"
cp "$SAMPLE/images/coffee.png" "$T/tok/c.png"
cat >"$T/tok/m.jsonl" <<'J'
{"id": "plain", "file_name": "a.png", "text": "a horse in a field"}
{"id": "dj", "file_name": "b.png", "text": "a cat <__dj__image> sleeping"}
{"id": "llava", "file_name": "c.png", "text": "a cup <image> of coffee"}
J
TD=$T/tok.db
"$MMDA" import "$TD" "$T/tok/m.jsonl" >/dev/null
"$MMDA" export "$TD" --format dj --select all --out "$T/xdj" >/dev/null 2>"$T/err"
check dj-token-left-out [ "$(wc -l <"$T/xdj/data_juicer.jsonl")" -eq 2 ]
check dj-token-named grep -q 'candidate 2.*holds <__dj__image>' "$T/err"
"$MMDA" import "$T/rt.db" "$T/xdj/data_juicer.jsonl" --json >"$T/out" 2>/dev/null
check dj-export-reimports [ "$(json_get "$T/out" "d['imported'], d['skipped']")" = "(2, 0)" ]
"$MMDA" export "$TD" --format llava --select all --out "$T/xll" >/dev/null 2>"$T/err"
check llava-one-image-token-each [ "$(python3 -c "
import json, sys
d = json.load(open('$T/xll/llava.json'))
print(len(d), all(sum(t['value'].count('<image>') for t in r['conversations']) == 1 for r in d))")" = "2 True" ]
check llava-token-named grep -q 'candidate 3.*holds <image>' "$T/err"
"$MMDA" export "$TD" --format jsonl --select all --out "$T/xjl" >/dev/null 2>&1
check jsonl-keeps-tokens [ "$(wc -l <"$T/xjl/pairs.jsonl")" -eq 3 ]

# 3. The object store is contained too: a link planted in DB.objects is not followed out.
O1=$(sqlite3 "$DST" "SELECT object FROM candidates WHERE object IS NOT NULL LIMIT 1")
OID=$(sqlite3 "$DST" "SELECT id FROM candidates WHERE object = '$O1' LIMIT 1")
OF="$DST.objects/$(echo "$O1" | cut -c1-2)/$(echo "$O1" | cut -c3-)"
rm "$OF"; ln -s "$O/secret.png" "$OF"
"$MMDA" show "$DST" "$OID" --image-out "$T/o.png" >/dev/null 2>"$T/err"; rc=$?
check object-symlink-out-refused sh -c "[ $rc -eq 1 ] && [ ! -e '$T/o.png' ] && grep -q 'outside the root' '$T/err'"
