#!/usr/bin/env bash
# Benchmark: the web server under wrk on loopback, with the demo data scaled to N partners (100,000
# by default, scored): the officer's ranking page (first page, signed-in cookie), a partner page of
# the workspace and a partner's form page, each for DURATION seconds with the same connections and
# threads; then nginx (started on loopback) serves the saved HTML of the same three pages as static
# files under the same wrk load; requests/s, latency percentiles and the ratios are printed.
# Targets (issue 18): ranking page p99 under 100 ms; partner form at least 0.25x nginx static.
set -euo pipefail
BIN=${1:-.build/release/partner-risk}
N=${N:-100000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
WORK=$(mktemp -d)
SERVER=""
NGINX_PID=""
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
export PARTNER_RISK_DB="$WORK/bench.sqlite" PARTNER_RISK_HOME=$PWD
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
echo "seeding $N partners with scored responses (not timed)..."
"$BIN" bench-seed --partners "$N" >/dev/null
"$BIN" rescore --all >/dev/null
printf 'correct horse battery staple\n' | "$BIN" officer add "Bench Officer" >/dev/null
# A partner's personal link: one more partner, invited alone (tag bench-form), its mail in a drop folder.
printf 'name,email,country,sector,tags\nBench Form Partner,form@bench.example.com,CA,importer,bench-form\n' > "$WORK/form.csv"
"$BIN" partners import "$WORK/form.csv" >/dev/null 2>&1
FORM_CAMPAIGN=$("$BIN" campaign create --survey pip-partner-security --tag bench-form --deadline 2099-12-31 --from "Bench <bench@bench.example.com>" 2>/dev/null)
"$BIN" campaign send "$FORM_CAMPAIGN" --drop "$WORK/drop" >/dev/null
LINK=$(grep -aho '/s/[A-Za-z0-9_-]\{43\}' "$WORK"/drop/*.eml | sort -u | head -1 || true)
PORT=$(free_port)
"$BIN" serve --port "$PORT" --drop "$WORK/thanks" > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
BASE="http://127.0.0.1:$PORT"
curl -s -c "$WORK/jar" -o "$WORK/login.html" "$BASE/officer/login"
CSRF=$(grep -o 'name="csrf" value="[^"]*"' "$WORK/login.html" | sed 's/.*value="//; s/"$//')
curl -s -b "$WORK/jar" -c "$WORK/jar" -o /dev/null --data-urlencode "csrf=$CSRF" --data-urlencode "name=Bench Officer" \
    --data-urlencode "password=correct horse battery staple" "$BASE/officer/login"
COOKIE="pr_officer=$(awk '$6 == "pr_officer" { print $7 }' "$WORK/jar")"
PARTNER=$("$BIN" ranking --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["partner_id"])')
# The pages, saved for nginx (and warming the server's ranking once, as a first visit would).
mkdir -p "$WORK/www/officer/partners" "$WORK/www/s"
curl -s -H "Cookie: $COOKIE" -o "$WORK/www/officer/index.html" "$BASE/officer/"
curl -s -H "Cookie: $COOKIE" -o "$WORK/www/officer/partners/$PARTNER.html" "$BASE/officer/partners/$PARTNER"
curl -s -o "$WORK/www/s/form.html" "$BASE$LINK"
grep -q 'id="count">'"$N"'<' "$WORK/www/officer/index.html" || { echo "bench-web: the ranking page does not list $N partners"; exit 1; }
grep -q 'name="csrf"' "$WORK/www/s/form.html" || { echo "bench-web: the form page did not load"; exit 1; }
chmod 755 "$WORK" && chmod -R a+rX "$WORK/www"
NGINX_PORT=$(free_port)
cat > "$WORK/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
daemon off;
events { worker_connections 1024; }
http {
    access_log off;
    default_type text/html;
    keepalive_requests 1000000;
    client_body_temp_path $WORK/nginx-body; proxy_temp_path $WORK/nginx-proxy; fastcgi_temp_path $WORK/nginx-fcgi;
    uwsgi_temp_path $WORK/nginx-uwsgi; scgi_temp_path $WORK/nginx-scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/www;
        location = /officer/ { try_files /officer/index.html =404; }
        location /officer/partners/ { try_files \$uri.html =404; }
        location /s/ { try_files /s/form.html =404; }
    }
}
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK" > "$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/officer/" && break; sleep 0.1; done
# nginx's workers run as another user: they must be able to read the saved pages, and each page
# must come back whole (a 403 page is small and fast, and would make a meaningless reference).
for pair in "officer/|officer/index.html" "officer/partners/$PARTNER|officer/partners/$PARTNER.html" "s/form|s/form.html"; do
    url=${pair%%|*} file="$WORK/www/${pair#*|}"
    got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$NGINX_PORT/$url")
    [ "$got" = "200 $(wc -c < "$file")" ] || { echo "bench-web: nginx answered /$url with $got, not 200 and the saved page's $(wc -c < "$file") bytes"; exit 1; }
done
load() { # load NAME URL [COOKIE]: wrk's summary, one line: requests/s p50 p99 (ms)
    local args=(-t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency)
    [ -n "${3:-}" ] && args+=(-H "Cookie: $3")
    wrk "${args[@]}" "$2" > "$WORK/wrk-$1.txt"
    python3 - "$WORK/wrk-$1.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\b" % re.escape(label), text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{rps:.0f} {ms('50%'):.2f} {ms('99%'):.2f} {errors.group(1) if errors else 0}")
PY
}
echo "wrk: $CONNECTIONS connections, 2 threads, ${DURATION} s per page, loopback; $N partners"
RANK=$(load ranking "$BASE/officer/" "$COOKIE")
PAGE=$(load partner "$BASE/officer/partners/$PARTNER" "$COOKIE")
FORM=$(load form "$BASE$LINK")
S_RANK=$(load s-ranking "http://127.0.0.1:$NGINX_PORT/officer/")
S_PAGE=$(load s-partner "http://127.0.0.1:$NGINX_PORT/officer/partners/$PARTNER")
S_FORM=$(load s-form "http://127.0.0.1:$NGINX_PORT/s/form")
python3 - "$RANK" "$PAGE" "$FORM" "$S_RANK" "$S_PAGE" "$S_FORM" <<'PY'
import sys
names = ["ranking page (first page, signed in)", "partner page (workspace)", "partner form page"]
ours, static = [list(map(float, a.split())) for a in sys.argv[1:4]], [list(map(float, a.split())) for a in sys.argv[4:7]]
for name, (rps, p50, p99, bad), (srps, sp50, sp99, sbad) in zip(names, ours, static):
    print(f"bench-web: {name}: {rps:,.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms{'' if not bad else f', {int(bad)} non-2xx'}; "
          f"nginx static: {srps:,.0f} req/s, p99 {sp99:.1f} ms{'' if not sbad else f', {int(sbad)} non-2xx'}; ratio {rps / srps:.3f}x")
if any(bad for *_, bad in ours + static):
    sys.exit("bench-web: some answers were not 2xx or 3xx; the figures above are not comparable")
print(f"bench-web: ranking p99 {ours[0][2]:.1f} ms (target under 100 ms): {'met' if ours[0][2] < 100 else 'NOT met'}")
print(f"bench-web: partner form {ours[2][0] / static[2][0]:.3f}x nginx (target at least 0.25x): {'met' if ours[2][0] / static[2][0] >= 0.25 else 'NOT met'}")
PY
