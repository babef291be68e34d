#!/usr/bin/env bash
# Benchmark: N invitations (real message with its offline answer file) sent by PartnerRisk into
# postfix's smtp-sink on 127.0.0.1, then the same number of same-size messages by smtp-source with
# the same number of connections into the same sink, each reusing its connection for every
# message (`-d`), as PartnerRisk does. Prints both rates and their ratio.
set -euo pipefail
export PARTNER_RISK_ALLOW_LOCAL_LINKS=1  # the links point to this machine: a benchmark, not partners
BIN=${1:-.build/debug/partner-risk}
N=${N:-5000}
CONNECTIONS=${CONNECTIONS:-2}
WORK=$(mktemp -d)
SINK_PID=""
trap '[ -n "$SINK_PID" ] && kill $SINK_PID 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SINK_USER=()
[ "$(id -u)" -eq 0 ] && SINK_USER=(-u nobody)
/usr/sbin/smtp-sink "${SINK_USER[@]}" -c 127.0.0.1:$PORT 256 >/dev/null &
SINK_PID=$!
sleep 0.5
export PARTNER_RISK_DB="$WORK/bench.sqlite" PARTNER_RISK_HOME=$PWD
{ echo "name,email,country,sector,language"; for i in $(seq "$N"); do echo "Partner $i,p$i@bench.example.com,CA,highway-carrier,en"; done; } > "$WORK/p.csv"
"$BIN" partners import "$WORK/p.csv" >/dev/null
ID=$("$BIN" campaign create --survey pip-partner-security --deadline 2099-12-31 2>/dev/null)
start=$(date +%s.%N)
"$BIN" campaign send "$ID" --smtp "smtp://127.0.0.1:$PORT" --tls none --connections "$CONNECTIONS" >/dev/null
end=$(date +%s.%N)
SENT=$("$BIN" campaign status "$ID" | grep -o 'sent [0-9]*' | head -1 | awk '{print $2}')
# The size of one real invitation, for smtp-source.
printf 'name,email,country,sector\nSize Probe,probe@bench.example.com,CA,highway-carrier\n' > "$WORK/probe.csv"
PARTNER_RISK_DB="$WORK/probe.sqlite" "$BIN" partners import "$WORK/probe.csv" >/dev/null
PROBE=$(PARTNER_RISK_DB="$WORK/probe.sqlite" "$BIN" campaign create --survey pip-partner-security --deadline 2099-12-31 2>/dev/null)
PARTNER_RISK_DB="$WORK/probe.sqlite" "$BIN" campaign send "$PROBE" --drop "$WORK/drop" >/dev/null
SIZE=$(stat -c %s "$(ls "$WORK"/drop/probe* | head -1)")
s2=$(date +%s.%N)
/usr/sbin/smtp-source -c -d -s "$CONNECTIONS" -m "$N" -l "$SIZE" -f bench@bench.example.com -t sink@bench.example.com 127.0.0.1:$PORT >/dev/null
e2=$(date +%s.%N)
python3 - "$start" "$end" "$s2" "$e2" "$N" "$SENT" "$SIZE" "$CONNECTIONS" <<'PY'
import sys
s, e, s2, e2 = map(float, sys.argv[1:5]); n, sent, size, conns = map(int, sys.argv[5:9])
ours, ref = sent / (e - s), n / (e2 - s2)
print(f"bench-send: {n} messages of {size} bytes, {conns} connections, into smtp-sink on 127.0.0.1")
print(f"  partner-risk campaign send: {sent} accepted in {e-s:.2f} s = {ours:,.0f} msg/s")
print(f"  smtp-source -d (reference, connections reused): {n} sent in {e2-s2:.2f} s = {ref:,.0f} msg/s")
print(f"  ratio partner-risk / smtp-source = {ours/ref:.2f} (target >= 0.5)")
PY
