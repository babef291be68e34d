#!/usr/bin/env bash
# Benchmark: N answer files (about 70 answers each, from real invitations) imported, validated and
# scored into a fresh database; then the sqlite3 shell imports the same answers as CSV rows into an
# equivalent table. Prints both rates and their ratio.
set -euo pipefail
BIN=${1:-.build/release/partner-risk}
N=${N:-10000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export PARTNER_RISK_DB="$WORK/bench.sqlite" PARTNER_RISK_HOME=$PWD
{ echo "name,email,country,sector"; for i in $(seq "$N"); do echo "Partner $i,p$i@bench.example.com,CA,highway-carrier"; done; } > "$WORK/p.csv"
echo "preparing $N invitations and answer files (not timed)..."
"$BIN" partners import "$WORK/p.csv" >/dev/null
ID=$("$BIN" campaign create --survey pip-partner-security --deadline 2099-12-31 2>/dev/null)
"$BIN" campaign send "$ID" --drop "$WORK/outbox" >/dev/null
"$BIN" demo-respond --outbox "$WORK/outbox" --out "$WORK/answers" --seed 11 >/dev/null
rm -rf "$WORK/outbox"
FILES=$(ls "$WORK/answers" | wc -l)
t() { python3 -c 'import time; print(time.time())'; }
s=$(t); "$BIN" responses import "$WORK/answers" > "$WORK/import.txt"; e=$(t)
python3 - "$WORK/answers" "$WORK/rows.csv" <<'PY'
import json, os, sys, csv
with open(sys.argv[2], "w", newline="") as out:
    w = csv.writer(out)
    for i, name in enumerate(sorted(os.listdir(sys.argv[1]))):
        for q, v in json.load(open(os.path.join(sys.argv[1], name)))["answers"].items():
            w.writerow([i, q, json.dumps(v, ensure_ascii=False)])
PY
ROWS=$(wc -l < "$WORK/rows.csv")
sqlite3 "$WORK/ref.sqlite" "PRAGMA journal_mode=WAL; CREATE TABLE answer (response_id INTEGER NOT NULL, question_id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (response_id, question_id)) WITHOUT ROWID;" >/dev/null
s2=$(t); sqlite3 "$WORK/ref.sqlite" ".mode csv" ".import $WORK/rows.csv answer"; e2=$(t)
python3 - "$s" "$e" "$s2" "$e2" "$FILES" "$ROWS" "$WORK/import.txt" <<'PY'
import sys
s, e, s2, e2 = map(float, sys.argv[1:5]); files, rows = int(sys.argv[5]), int(sys.argv[6])
ours, ref = files / (e - s), files / (e2 - s2)
print(open(sys.argv[7]).read().strip().splitlines()[-1])
print(f"bench-ingest: partner-risk responses import: {files} files ({rows} answers) validated, stored and scored in {e-s:.2f} s = {ours:,.0f} responses/s")
print(f"bench-ingest: sqlite3 .import of the same {rows} answer rows: {e2-s2:.2f} s = {ref:,.0f} responses/s")
print(f"bench-ingest: ratio = {ours/ref:.2f} (target >= 0.75, issue 14)")
PY
