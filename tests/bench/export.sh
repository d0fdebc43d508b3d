#!/bin/sh
# make bench-export: 100,000 candidates exported to jsonl and wds, candidates
# per second and peak memory, beside a plain `cp -r` of the same image bytes
# (the floor), in one run.
set -eu
: "${MMDA:?}"
N=${N:-100000}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/mmda-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
python3 - "$W" "$N" "$TOP/tests/data/img/rgb.png" <<'P'
import json, os, shutil, sys
w, n, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(w + "/src/img")
data = open(src, "rb").read()
with open(w + "/src/m.jsonl", "w") as f:
    for i in range(n):
        name = "img/%07d.png" % i
        with open(w + "/src/" + name, "wb") as g:
            g.write(data)
        f.write(json.dumps({"id": "p%d" % i, "file_name": name, "text": "pair number %d" % i}) + "\n")
P
"$MMDA" import "$W/a.db" "$W/src/m.jsonl" >/dev/null
run() { # label, command... -> "seconds peak_kib"
	python3 - "$@" <<'P'
import resource, subprocess, sys, time
t0 = time.monotonic()
subprocess.run(sys.argv[2:], check=True, stdout=subprocess.DEVNULL)
dt = time.monotonic() - t0
print("%.3f %d" % (dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
P
}
sync
floor=$(run cp cp -r "$W/src/img" "$W/floor")
jsonl=$(run jsonl "$MMDA" export "$W/a.db" --format jsonl --select all --out "$W/out-jsonl")
wds=$(run wds "$MMDA" export "$W/a.db" --format wds --select all --out "$W/out-wds")
echo "$N $floor $jsonl $wds" | awk '{
	printf "bench-export: %d candidates of small PNGs, --select all\n", $1
	printf "  cp -r of the images   %7.3f s  %9.0f files/s\n", $2, $1 / $2
	printf "  export jsonl (copy)   %7.3f s  %9.0f cand/s  %.2fx the floor  peak %d KiB\n", $4, $1 / $4, $4 / $2, $5
	printf "  export wds            %7.3f s  %9.0f cand/s  %.2fx the floor  peak %d KiB\n", $6, $1 / $6, $6 / $2, $7
}'
# The summary lines of make bench (tests/bench/all.sh): bench|figure|reference|ratio|goal|pass.
echo "$floor $jsonl $wds" | awk '{
	printf "BENCH export|jsonl %.3f s|cp -r %.3f s|%.2f|<= 1.50|%s\n", $3, $1, $3 / $1, ($3 / $1 <= 1.5 ? "pass" : "fail")
	printf "BENCH export|wds %.3f s|cp -r %.3f s|%.2f|<= 1.50|%s\n", $5, $1, $5 / $1, ($5 / $1 <= 1.5 ? "pass" : "fail")
	printf "BENCH export|jsonl peak RSS %d MB|-|%.2f|< 64 MB|%s\n", $4 / 1024, $4 / 65536, ($4 < 65536 ? "pass" : "fail")
	printf "BENCH export|wds peak RSS %d MB|-|%.2f|< 64 MB|%s\n", $6 / 1024, $6 / 65536, ($6 < 65536 ? "pass" : "fail") }'
