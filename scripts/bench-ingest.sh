#!/usr/bin/env bash
# Benchmark: N answer files (about 70 answers each, from real invitations) imported, validated and
# scored into a fresh database; then the sqlite3 shell imports the same answers as CSV rows into an
# equivalent table. The two run in turn RUNS times (each into a fresh copy of its database, the copy
# not timed), so both meet the machine in the same state; prints the medians and the median of the
# pairs' ratios.
set -euo pipefail
BIN=${1:-.build/release/partner-risk}
N=${N:-10000}
RUNS=${RUNS:-5}
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
sqlite3 "$PARTNER_RISK_DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$PARTNER_RISK_DB" "$WORK/prepared.sqlite"
python3 - "$WORK/answers" "$WORK/rows.csv" <<'PY'
import json, os, sys, csv
with open(sys.argv[2], "w", newline="") as out:
    w = csv.writer(out)
    for i, name in enumerate(sorted(os.listdir(sys.argv[1]))):
        for q, v in json.load(open(os.path.join(sys.argv[1], name)))["answers"].items():
            w.writerow([i, q, json.dumps(v, ensure_ascii=False)])
PY
ROWS=$(wc -l < "$WORK/rows.csv")
t() { python3 -c 'import time; print(time.time())'; }
TIMES=()
for _ in $(seq "$RUNS"); do
    cp "$WORK/prepared.sqlite" "$PARTNER_RISK_DB" && rm -f "$PARTNER_RISK_DB-wal" "$PARTNER_RISK_DB-shm"
    s=$(t); "$BIN" responses import "$WORK/answers" > "$WORK/import.txt" 2>/dev/null; e=$(t)
    rm -f "$WORK/ref.sqlite"*
    sqlite3 "$WORK/ref.sqlite" "PRAGMA journal_mode=WAL; CREATE TABLE answer (response_id INTEGER NOT NULL, question_id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (response_id, question_id)) WITHOUT ROWID;" >/dev/null
    s2=$(t); sqlite3 "$WORK/ref.sqlite" ".mode csv" ".import $WORK/rows.csv answer"; e2=$(t)
    TIMES+=("$s $e $s2 $e2")
done
python3 - "$FILES" "$ROWS" "$WORK/import.txt" "${TIMES[@]}" <<'PY'
import statistics, sys
files, rows = int(sys.argv[1]), int(sys.argv[2])
runs = [tuple(map(float, r.split())) for r in sys.argv[4:]]
ours = statistics.median(e - s for s, e, _, _ in runs)
ref = statistics.median(e2 - s2 for _, _, s2, e2 in runs)
ratios = [(e2 - s2) / (e - s) for s, e, s2, e2 in runs]
print(open(sys.argv[3]).read().strip().splitlines()[-1])
print(f"bench-ingest: {len(runs)} runs of each, in turn; medians below")
print(f"bench-ingest: partner-risk responses import: {files} files ({rows} answers) validated, stored and scored in {ours:.2f} s = {files / ours:,.0f} responses/s")
print(f"bench-ingest: sqlite3 .import of the same {rows} answer rows: {ref:.2f} s = {files / ref:,.0f} responses/s")
print(f"bench-ingest: ratio = {statistics.median(ratios):.2f} (median of the pairs: " + ", ".join(f"{r:.2f}" for r in ratios) + "; target >= 0.75, issue 14)")
PY
