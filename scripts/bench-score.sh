#!/usr/bin/env bash
# Benchmark: score and rank N partners' complete responses (~70 answers each) from the database.
set -euo pipefail
BIN=${1:-.build/release/partner-risk}
N=${N:-100000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export PARTNER_RISK_DB="$WORK/bench.sqlite" PARTNER_RISK_HOME=$PWD
echo "seeding $N partners with responses (not timed)..."
"$BIN" bench-seed --partners "$N" >/dev/null
t() { python3 -c 'import time; print(time.time())'; }
s=$(t); "$BIN" rescore --all; e=$(t)
s2=$(t); "$BIN" ranking --format json > "$WORK/ranking.json"; e2=$(t)
# The ranking query alone (the same SQL the command runs), through the sqlite3 shell.
QUERY="SELECT s.id, s.partner_id, s.overall_risk, s.tier, s.knockout, s.worst_categories, s.flag_count, s.headline, r.received_at
       FROM score s JOIN (SELECT max(id) AS id FROM score GROUP BY partner_id) latest ON latest.id = s.id
       JOIN partner p ON p.id = s.partner_id AND p.active = 1 LEFT JOIN response r ON r.id = s.response_id
       ORDER BY s.overall_risk DESC;"
sqlite3 "$PARTNER_RISK_DB" "$QUERY" > /dev/null
s3=$(t); sqlite3 "$PARTNER_RISK_DB" "$QUERY" > /dev/null; e3=$(t)
python3 - "$s" "$e" "$s2" "$e2" "$N" "$WORK/ranking.json" "$s3" "$e3" <<'PY'
import sys, json
s, e, s2, e2, n = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
s3, e3 = float(sys.argv[7]), float(sys.argv[8])
rows = len(json.load(open(sys.argv[6])))
print(f"bench-score: rescore --all of {n} responses in {e-s:.2f} s = {n/(e-s):,.0f} partners/s (target: under 10 s)")
print(f"bench-score: ranking query alone (sqlite3 shell, warm) {(e3-s3)*1000:.0f} ms (target: under 200 ms)")
print(f"bench-score: ranking command for {rows} partners (JSON out) in {(e2-s2)*1000:.0f} ms")
PY
