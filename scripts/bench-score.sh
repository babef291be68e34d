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
python3 - "$s" "$e" "$s2" "$e2" "$N" "$WORK/ranking.json" <<'PY'
import sys, json
s, e, s2, e2, n = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
rows = len(json.load(open(sys.argv[6])))
print(f"bench-score: rescore --all of {n} responses in {e-s:.2f} s = {n/(e-s):,.0f} partners/s (target: under 10 s)")
print(f"bench-score: ranking of {rows} partners (whole command, JSON out) in {(e2-s2)*1000:.0f} ms (target: query under 200 ms)")
PY
