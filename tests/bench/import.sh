#!/bin/sh
# make bench-import: mmda import of a generated 200,000-pair JSONL manifest,
# beside sqlite3's own .import of the same rows as CSV into a plain table, in
# the same run. Prints both rates and their ratio (goal: >= 0.5, issue 16). Each side
# runs 3 times on a fresh database; the best run of each counts.
set -eu
: "${MMDA:?}"
N=${N:-200000}
RUNS=${RUNS:-3}
W=$(mktemp -d "${TMPDIR:-/tmp}/mmda-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

python3 - "$W" "$N" <<'P'
import csv, hashlib, json, random, sys
w, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
words = ("a photo of the small red big dog cat on in with under near grass table "
         "street man woman child car tree sky blue green wooden old new two three").split()
with open(w + "/m.jsonl", "w") as j, open(w + "/m.csv", "w", newline="") as c, \
        open(w + "/h.csv", "w", newline="") as hc:
    out = csv.writer(c)
    out.writerow(["id", "file_name", "text"])
    hout = csv.writer(hc)
    for i in range(n):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(6, 24)))
        rec = {"id": "p%07d" % i, "file_name": "images/%03d/%07d.jpg" % (i % 1000, i),
               "text": text}
        j.write(json.dumps(rec) + "\n")
        out.writerow([rec["id"], rec["file_name"], text])
        h = hashlib.sha256((rec["file_name"] + "\0" + text).encode()).hexdigest()
        hout.writerow([h, rec["id"], rec["file_name"], text])
P

now() { date +%s.%N; }
best_mmda=999999
best_sql=999999
best_uniq=999999
i=0
while [ $i -lt "$RUNS" ]; do
	rm -f "$W"/a.db*
	t0=$(now)
	"$MMDA" import "$W/a.db" "$W/m.jsonl" >/dev/null
	t1=$(now)
	rm -f "$W"/b.db*
	t2=$(now)
	sqlite3 "$W/b.db" ".import --csv $W/m.csv pairs"
	t3=$(now)
	rm -f "$W"/c.db*
	t4=$(now)
	sqlite3 "$W/c.db" "CREATE TABLE pairs (aug_id TEXT UNIQUE, id TEXT, file_name TEXT, text TEXT)" \
	    ".import --csv $W/h.csv pairs"
	t5=$(now)
	best_uniq=$(echo "$t5 $t4 $best_uniq" | awk '{d=$1-$2; print (d<$3)?d:$3}')
	best_mmda=$(echo "$t1 $t0 $best_mmda" | awk '{d=$1-$2; print (d<$3)?d:$3}')
	best_sql=$(echo "$t3 $t2 $best_sql" | awk '{d=$1-$2; print (d<$3)?d:$3}')
	i=$((i + 1))
done
got=$(sqlite3 "$W/a.db" "SELECT count(*) FROM candidates")
ref=$(sqlite3 "$W/b.db" "SELECT count(*) FROM pairs")
[ "$got" -eq "$N" ] || { echo "bench-import: mmda imported $got of $N" >&2; exit 1; }
[ "$ref" -eq "$N" ] || { echo "bench-import: sqlite3 imported $ref of $N" >&2; exit 1; }
echo "$N $best_mmda $best_sql $best_uniq" | awk '{
	m = $1 / $2; s = $1 / $3; u = $1 / $4
	printf "bench-import: %d pairs\n", $1
	printf "  mmda import      %8.3f s  %9.0f pairs/s\n", $2, m
	printf "  sqlite3 .import  %8.3f s  %9.0f rows/s\n", $3, s
	printf "  ratio            %8.2f  (goal >= 0.50)\n", m / s
	printf "  for scale: sqlite3 .import into a table with a UNIQUE sha256-hex column\n"
	printf "  (what a content-hash de-duplication index costs SQLite itself):\n"
	printf "                   %8.3f s  %9.0f rows/s  (%.2f of plain)\n", $4, u, u / s
}'
# The summary line of make bench (tests/bench/all.sh): bench|figure|reference|ratio|goal|pass.
echo "$N $best_mmda $best_sql" | awk '{ r = ($1 / $2) / ($1 / $3); t = 1000000 * $2 / $1
	printf "BENCH import|%d pairs/s|sqlite3 .import %d rows/s|%.2f|>= 0.50|%s\n", $1 / $2, $1 / $3, r, (r >= 0.5 ? "pass" : "fail")
	printf "BENCH import|1M pairs at that rate %.2f s|-|%.2f|< 5 s|%s\n", t, t / 5, (t < 5 ? "pass" : "fail") }'
