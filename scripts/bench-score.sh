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
QUERY="SELECT c.score_id AS id, c.partner_id, c.response_id, c.overall_risk, c.base_risk, c.country_multiplier, c.tier, c.knockout,
              c.non_response, c.computed_at, c.worst_categories, c.flag_count, c.headline, c.reviewed_at AS received_at,
              c.headline_text_id
       FROM current_score c WHERE c.active = 1
       ORDER BY c.overall_risk DESC;"
# Timed twice: stepping through every row and reading every column (what the ranking command's
# database work is), and printing all rows as text (which adds the shell's formatting).
STEP="SELECT count(*), max(id), max(partner_id), max(response_id), max(overall_risk), max(base_risk), max(country_multiplier),
             max(tier), max(knockout), max(non_response), max(computed_at), max(worst_categories), max(flag_count),
             max(headline), max(received_at), max(headline_text_id) FROM (${QUERY%;});"
# sqlite3's own timer ("Run Time: real S") covers the statement only, not starting the shell.
run_time() { printf '.timer on\n%s\n' "$1" | sqlite3 "$PARTNER_RISK_DB" | sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' | tail -1; }
run_time "$STEP" > /dev/null
STEP_S=$(run_time "$STEP")
PRINT_S=$(run_time "$QUERY")
python3 - "$s" "$e" "$s2" "$e2" "$N" "$WORK/ranking.json" "$STEP_S" "$PRINT_S" <<'PY'
import sys, json
s, e, s2, e2, n = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
step, printed = float(sys.argv[7]), float(sys.argv[8])
rows = len(json.load(open(sys.argv[6])))
print(f"bench-score: rescore --all of {n} responses in {e-s:.2f} s = {n/(e-s):,.0f} partners/s (target: under 10 s)")
print(f"bench-score: ranking query alone, every row and column read (sqlite3 shell, warm) {step*1000:.0f} ms (target: under 200 ms)")
print(f"bench-score: the same query printing all {n} rows as text (sqlite3 shell) {printed*1000:.0f} ms")
print(f"bench-score: ranking command for {rows} partners (JSON out) in {(e2-s2)*1000:.0f} ms")
PY
