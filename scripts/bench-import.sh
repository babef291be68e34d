#!/usr/bin/env bash
# Benchmark: import 50,000 generated partners into a fresh database, twice (create, then unchanged).
set -euo pipefail
BIN=${1:-.build/release/partner-risk}
N=${N:-50000}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
python3 - "$DIR/partners.csv" "$N" <<'PY'
import sys, random
path, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
sectors = ["importer","exporter","manufacturer","highway-carrier","rail-carrier","marine-carrier","air-carrier","customs-broker","warehouse","freight-forwarder","courier"]
countries = ["CA","US","MX","DE","CN","VN","IN","TR","KE","BG"]
with open(path, "w", encoding="utf-8") as f:
    f.write("name,email,country,sector,contact,language,tags,external_id,trusted_trader\n")
    for i in range(n):
        f.write(f"\"Partner {i}, Inc.\",p{i}@bench.example.com,{random.choice(countries)},{random.choice(sectors)},Contact {i},{random.choice(['en','fr'])},bench;t{i%10},B-{i},\n")
PY
export PARTNER_RISK_DB="$DIR/bench.sqlite"
"$BIN" doctor > /dev/null
for run in first re-import; do
    start=$(date +%s.%N)
    "$BIN" partners import "$DIR/partners.csv" > "$DIR/out.txt"
    end=$(date +%s.%N)
    python3 -c "import sys; s=float(sys.argv[1]); e=float(sys.argv[2]); n=int(sys.argv[3]); print(f'bench-import ({sys.argv[4]}): {n} partners in {e-s:.2f} s = {n/(e-s):,.0f} partners/s')" "$start" "$end" "$N" "$run"
    cat "$DIR/out.txt"
done
