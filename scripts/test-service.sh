#!/usr/bin/env bash
# `serve` as the process a team leaves running: the outbox worker sends a campaign through a real
# SMTP server (aiosmtpd on 127.0.0.1, answering each DATA after a delay), SIGTERM midway stops it
# cleanly, a restart finishes the job, and every partner got exactly one invitation (except those
# reported uncertain); `check` passes; a backup taken while the worker sends restores to a database
# that passes `check`; a second signal exits at once and the next start reports what it recovered;
# the log is one JSON object per line with ids and never a token; the workspace shows each job.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug/partner-risk}
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do { kill -9 "$pid" && wait "$pid"; } 2>/dev/null; done; rm -rf "$WORK"; }
trap cleanup EXIT
export PARTNER_RISK_HOME=$PWD
source scripts/check.sh
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_smtp() { # start_smtp DIR ARGS... -> sets SMTP_PORT, SMTP_PID
    local dir=$1; shift
    mkdir -p "$dir"
    /usr/bin/python3 Tests/servers/smtp_server.py --host 127.0.0.1 --port 0 --outdir "$dir/out" --port-file "$dir/port" "$@" >/dev/null 2>&1 &
    SMTP_PID=$!; PIDS+=($SMTP_PID)
    for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
    SMTP_PORT=$(cat "$dir/port")
}
delivered() { [ -f "$1/out/log.jsonl" ] && wc -l < "$1/out/log.jsonl" || echo 0; }
start_serve() { # start_serve LOG ARGS... -> sets SERVE_PID, WEB_PORT
    local log=$1; shift
    WEB_PORT=$(free_port)
    $BIN serve --port "$WEB_PORT" "$@" > "$log" 2>&1 &
    SERVE_PID=$!; PIDS+=($SERVE_PID)
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$WEB_PORT/" && break; sleep 0.1; done
}
wait_exit() { # wait_exit PID SECONDS -> the exit code, or 999 if still running
    for _ in $(seq $(($2 * 10))); do kill -0 "$1" 2>/dev/null || { wait "$1"; return $?; }; sleep 0.1; done
    return 999
}

export PARTNER_RISK_DB="$WORK/db/partner-risk.sqlite"
mkdir -p "$WORK/db"
/usr/bin/python3 - "$WORK/p.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("name,email,country,sector,contact,language\n")
    for i in range(40):
        f.write(f"Partner {i:02d},p{i:02d}@partners.example.com,CA,highway-carrier,Contact {i},en\n")
PY
$BIN partners import "$WORK/p.csv" >/dev/null
ID=$($BIN campaign create --survey pip-partner-security --deadline 2099-12-31 --from "Acme Compliance <compliance@acme.example.com>" 2>/dev/null)

# 1. The outbox worker sends through SMTP; SIGTERM midway.
start_smtp "$WORK/smtp" --delay-ms 150
cat > "$WORK/db/partner-risk.yaml" <<YAML
officer: {name: Jeanne Roy, email: compliance@acme.example.com}
public_url: https://survey.acme.example
mail: {smtp: "smtp://127.0.0.1:$SMTP_PORT", tls: none, connections: 2}
service:
  outbox: {enabled: true, interval_seconds: 1}
  reminders: {enabled: true, offsets_days: [-7, -2, 3]}
  review_clock: {enabled: true}
YAML
check "config check accepts the service settings" $BIN config check
start_serve "$WORK/serve1.log" --log-format json
for _ in $(seq 200); do [ "$(delivered "$WORK/smtp")" -ge 8 ] && break; sleep 0.1; done
# A backup while the worker sends.
$BIN backup --out "$WORK/during.backup" > "$WORK/backup.out" 2>&1
BACKUP_RC=$?
kill -TERM "$SERVE_PID"
wait_exit "$SERVE_PID" 30; RC=$?
MIDWAY=$(delivered "$WORK/smtp")
check "SIGTERM midway: serve exits by itself (0) once its messages in flight are finished" [ "$RC" = 0 ]
check "... midway: some but not all 40 invitations went out ($MIDWAY)" bash -c "[ $MIDWAY -ge 8 ] && [ $MIDWAY -lt 40 ]"
check "... it logged the stop and a clean end" bash -c "grep -q 'stopping: no new work is taken' '$WORK/serve1.log' && grep -q 'stopped cleanly' '$WORK/serve1.log'"
check "... and closes the database cleanly: the WAL is written into the file and left empty" bash -c "[ ! -s '$PARTNER_RISK_DB-wal' ]"
check "... no message is left claimed (sending) after a graceful stop" bash -c "[ \"\$(sqlite3 '$PARTNER_RISK_DB' \"SELECT count(*) FROM mail_message WHERE state = 'sending'\")\" = 0 ]"
check "the backup taken while the worker sent restores to a database that passes check" bash -c \
    "[ $BACKUP_RC = 0 ] && '$BIN' restore '$WORK/during.backup' --db '$WORK/restored/db.sqlite' >/dev/null && '$BIN' check --db '$WORK/restored/db.sqlite' >/dev/null"

# 2. Restart: the worker finishes; each partner has exactly one invitation.
start_serve "$WORK/serve2.log" --log-format json
for _ in $(seq 300); do [ "$(sqlite3 "$PARTNER_RISK_DB" "SELECT count(*) FROM mail_message WHERE state IN ('queued', 'sending', 'deferred')")" = 0 ] && break; sleep 0.1; done
sleep 0.5
# A partner opens their link while serve runs (the log must not show the token of the request path).
LINK=$(/usr/bin/python3 - "$WORK/smtp/out" <<'PY'
import email, email.policy, glob, re, sys
path = sorted(glob.glob(sys.argv[1] + "/*.eml"))[0]
text = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default).get_body(("plain",)).get_content()
print(re.search(r"/s/[A-Za-z0-9_-]{43}", text).group(0))
PY
)
check "a partner's link opens its form while the service runs (200)" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:$WEB_PORT$LINK')\" = 200 ]"
curl -s -c "$WORK/jar" -o "$WORK/login.html" "http://127.0.0.1:$WEB_PORT/officer/login"
printf 'correct horse battery staple\n' | $BIN officer add "Dana Roy" >/dev/null
CSRF=$(grep -o 'name="csrf" value="[^"]*"' "$WORK/login.html" | sed 's/.*value="//; s/"$//')
curl -s -b "$WORK/jar" -c "$WORK/jar" -o /dev/null --data-urlencode "csrf=$CSRF" --data-urlencode "name=Dana Roy" \
    --data-urlencode "password=correct horse battery staple" --data-urlencode "next=/officer/" "http://127.0.0.1:$WEB_PORT/officer/login"
curl -s -b "$WORK/jar" -o "$WORK/service.html" "http://127.0.0.1:$WEB_PORT/officer/service"
check "the workspace shows each job with its last run, what it did and its next run" bash -c \
    "grep -q 'id=\"job-outbox\"' '$WORK/service.html' && grep -q 'id=\"job-reminders\"' '$WORK/service.html' && grep -q 'id=\"job-review_clock\"' '$WORK/service.html' \
     && grep -A0 'id=\"job-outbox\"' '$WORK/service.html' | grep -q 'T[0-9][0-9]:[0-9][0-9]'"
kill -TERM "$SERVE_PID"; wait_exit "$SERVE_PID" 30
UNCERTAIN=$(sqlite3 "$PARTNER_RISK_DB" "SELECT count(*) FROM mail_message WHERE state = 'uncertain'")
check "after the restart every partner got exactly one invitation (uncertain: $UNCERTAIN)" /usr/bin/python3 - "$WORK/smtp/out/log.jsonl" "$PARTNER_RISK_DB" <<'PY'
import collections, json, sqlite3, sys
counts = collections.Counter(json.loads(l)["rcpt_tos"][0] for l in open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
uncertain = {r[0] for r in db.execute("SELECT recipient FROM mail_message WHERE state = 'uncertain'")}
expected = {f"p{i:02d}@partners.example.com" for i in range(40)}
assert set(counts) | uncertain == expected, (sorted(expected - set(counts) - uncertain))
assert all(n == 1 for n in counts.values()), [k for k, n in counts.items() if n != 1]
sent = {r[0] for r in db.execute("SELECT recipient FROM mail_message WHERE state = 'sent'")}
assert sent == set(counts), "sent in the database but not received, or the reverse"
PY
check "partner-risk check passes after the stops" $BIN check
check "the JSON log: one object per line, with time, level, message, and the campaign id on send lines" /usr/bin/python3 - "$WORK/serve1.log" "$WORK/serve2.log" "$ID" <<'PY'
import json, sys
lines = [l for f in sys.argv[1:3] for l in open(f) if l.strip()]
events = [json.loads(l) for l in lines]
assert all({"time", "level", "message"} <= set(e) for e in events), events
sends = [e for e in events if e.get("job") == "outbox"]
assert sends and any(f"campaign {sys.argv[3]}:" in e["message"] for e in sends), sends
PY
check "... and never a link token" /usr/bin/python3 - "$WORK/smtp/out" "$WORK/serve1.log" "$WORK/serve2.log" <<'PY'
import glob, re, sys
import email, email.policy
tokens = set()
for path in glob.glob(sys.argv[1] + "/*.eml"):
    text = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default).get_body(("plain",)).get_content()
    tokens |= set(re.findall(r"/s/([A-Za-z0-9_-]{43})", text))
assert len(tokens) >= 30, len(tokens)
logs = open(sys.argv[2]).read() + open(sys.argv[3]).read()
assert not any(t in logs for t in tokens)
PY

# 3. A second signal exits at once; the next start reports what it recovered.
{ kill -9 "$SMTP_PID" && wait "$SMTP_PID"; } 2>/dev/null
start_smtp "$WORK/slow" --delay-ms 20000
cat > "$WORK/db/partner-risk.yaml" <<YAML
public_url: https://survey.acme.example
mail: {smtp: "smtp://127.0.0.1:$SMTP_PORT", tls: none, connections: 1, timeout: 60}
service:
  outbox: {enabled: true, interval_seconds: 1}
YAML
$BIN invitations reissue 1 > "$WORK/reissue.out" 2>&1 || cat "$WORK/reissue.out"
start_serve "$WORK/serve3.log"
for _ in $(seq 100); do [ "$(sqlite3 "$PARTNER_RISK_DB" "SELECT count(*) FROM mail_message WHERE state = 'sending'")" = 1 ] && break; sleep 0.1; done
kill -TERM "$SERVE_PID"; sleep 0.5; kill -TERM "$SERVE_PID"
wait_exit "$SERVE_PID" 3; RC=$?
check "a second SIGTERM exits at once (130) while a send waits for the server" [ "$RC" = 130 ]
check "... saying messages in flight are reported uncertain at the next start" grep -q "second signal: exiting now" "$WORK/serve3.log"
printf 'service: {outbox: {enabled: false}}\n' > "$WORK/db/partner-risk.yaml"
start_serve "$WORK/serve4.log"
kill -TERM "$SERVE_PID"; wait_exit "$SERVE_PID" 10
check "the next start reports the interrupted message as uncertain, without a manual step" \
    grep -q "recovered: campaign $ID: 1 message(s) were being sent when the last run stopped; now uncertain" "$WORK/serve4.log"

# 4. The mailbox poller reads replies from a real Dovecot mailbox; the screening watcher imports a
#    list file dropped in its folder, once (a restart does not import it again).
mkdir -p "$WORK/m/lists" && chmod 755 "$WORK" "$WORK/m"   # Dovecot as root delivers as user mail
IMAP_PORT=$(free_port)
if bash Tests/servers/dovecot.sh start "$WORK/m/imap" "$IMAP_PORT" officer 'imap s3cret' >/dev/null 2>&1; then
    export PARTNER_RISK_DB="$WORK/m/db.sqlite"
    { head -4 Surveys/samples/partners.csv; echo "Golden Crescent Exchange Co.,gold@ae.example.com,AE,customs-broker,,en"; } > "$WORK/m/p.csv"
    $BIN partners import "$WORK/m/p.csv" >/dev/null 2>&1
    MID=$($BIN campaign create --survey pip-partner-security --deadline 2099-12-31 2>/dev/null)
    $BIN campaign send "$MID" --drop "$WORK/m/outbox" >/dev/null
    $BIN demo-respond --outbox "$WORK/m/outbox" --out "$WORK/m/answers" --seed 3 >/dev/null
    /usr/bin/python3 - "$WORK/m" <<'PY'
import glob, os, sys
from email.message import EmailMessage
base = sys.argv[1]
answer = sorted(glob.glob(base + "/answers/*.json"))[0]
m = EmailMessage()
m["From"] = "partner@example.com"; m["To"] = "compliance@example.com"; m["Subject"] = "RE: security survey"
m["Message-ID"] = "<poller-1@example.com>"
m.set_content("Our answers are attached.")
m.add_attachment(open(answer, "rb").read(), maintype="application", subtype="json", filename=os.path.basename(answer))
open(base + "/reply.eml", "wb").write(bytes(m))
PY
    bash Tests/servers/dovecot.sh deliver "$WORK/m/imap" officer "$WORK/m/reply.eml" >/dev/null 2>&1
    cp Tests/PartnerRiskTests/Fixtures/sanctions/un-consolidated.xml "$WORK/m/lists/"
    touch -d '1 minute ago' "$WORK/m/lists/un-consolidated.xml"
    cat > "$WORK/m/partner-risk.yaml" <<YAML
imap: {url: "imap://127.0.0.1:$IMAP_PORT/INBOX", tls: none, move_to: Processed}
service:
  mailbox: {enabled: true, interval_minutes: 5}
  screening: {enabled: true, folder: "$WORK/m/lists", interval_seconds: 1}
YAML
    export PARTNER_RISK_IMAP_USER=officer PARTNER_RISK_IMAP_PASSWORD='imap s3cret'
    start_serve "$WORK/serve5.log"
    for _ in $(seq 150); do
        [ "$(sqlite3 "$PARTNER_RISK_DB" "SELECT count(*) FROM response")" = 1 ] && [ "$(sqlite3 "$PARTNER_RISK_DB" "SELECT count(*) FROM screening_hit")" -ge 1 ] && break
        sleep 0.1
    done
    kill -TERM "$SERVE_PID"; wait_exit "$SERVE_PID" 10
    check "the mailbox poller read the reply at start: its answers are stored and scored" bash -c \
        "[ \"\$(sqlite3 '$PARTNER_RISK_DB' 'SELECT count(*) FROM response r JOIN current_score s ON s.partner_id = (SELECT partner_id FROM invitation WHERE id = r.invitation_id)')\" = 1 ]"
    check "... and logged it as one line of the mailbox job" grep -q "\[job=mailbox\] 1 new message(s)" "$WORK/serve5.log"
    check "the screening watcher imported the list dropped in its folder and found the partner on it" bash -c \
        "grep -q '\[job=screening\] un-consolidated.xml: un-consolidated' '$WORK/serve5.log' && sqlite3 '$PARTNER_RISK_DB' 'SELECT partner_id FROM screening_hit' | grep -q ."
    VERSIONS=$(sqlite3 "$PARTNER_RISK_DB" "SELECT count(*) FROM screening_list_version")
    start_serve "$WORK/serve6.log"
    sleep 2.5
    kill -TERM "$SERVE_PID"; wait_exit "$SERVE_PID" 10
    check "... and after a restart does not import the same file again" bash -c \
        "[ \"\$(sqlite3 '$PARTNER_RISK_DB' 'SELECT count(*) FROM screening_list_version')\" = $VERSIONS ] && ! grep -q 'job=screening' '$WORK/serve6.log'"
    bash Tests/servers/dovecot.sh stop "$WORK/m/imap" >/dev/null 2>&1
    unset PARTNER_RISK_IMAP_USER PARTNER_RISK_IMAP_PASSWORD
    export PARTNER_RISK_DB="$WORK/db/partner-risk.sqlite"
else
    FAILED=$((FAILED + 1)); echo "FAIL dovecot did not start"; tail -5 "$WORK/m/imap/dovecot.log" 2>/dev/null
fi

# 5. Long commands show a progress line on a terminal (a pseudo-terminal from `script`), none otherwise.
/usr/bin/python3 - "$WORK/big.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("name,email,country,sector\n")
    for i in range(30000):
        f.write(f"Carrier {i},c{i}@carriers.example.com,CA,highway-carrier\n")
PY
PARTNER_RISK_DB="$WORK/big/db.sqlite" script -qec "$BIN partners import '$WORK/big.csv'" /dev/null > "$WORK/big.tty" 2>&1
check "partners import on a terminal shows count, rate and time left, and ends the line with the time it took" bash -c \
    "grep -a -q 'importing partners: [0-9,]* of 30,000 ([0-9]*%), [0-9,]*/s, about' '$WORK/big.tty' && grep -a -q 'importing partners: 30,000 of 30,000 (100%)' '$WORK/big.tty'"
PARTNER_RISK_DB="$WORK/big/db2.sqlite" $BIN partners import "$WORK/big.csv" > "$WORK/big.out" 2> "$WORK/big.err"
check "... and stays quiet when its output is not a terminal" bash -c "! grep -q 'importing partners' '$WORK/big.err' '$WORK/big.out'"

# 6. A config the service cannot work with is refused before it starts.
printf 'service:\n  outbox: {enabled: true}\n' > "$WORK/db/partner-risk.yaml"
OUT=$($BIN serve --port "$(free_port)" --smtp "smtp://127.0.0.1:$SMTP_PORT" --tls none 2>&1); RC=$?
check "serve refuses to start the outbox worker while public_url is unset, naming the setting" bash -c "[ $RC != 0 ] && grep -q 'public_url is not set' <<<'$OUT'"
printf 'public_url: https://survey.acme.example\nservice:\n  outbox: {enabeld: true}\n' > "$WORK/db/partner-risk.yaml"
OUT=$($BIN serve --port "$(free_port)" 2>&1); RC=$?
check "serve refuses to start on settings config check finds wrong, naming the line" bash -c "[ $RC != 0 ] && grep -q 'partner-risk.yaml:3:.*service.outbox.enabeld. is not a setting' <<<'$OUT'"
printf 'service:\n  outbox: {enabled: yes, interval_seconds: soon}\n' > "$WORK/db/partner-risk.yaml"
OUT=$($BIN config check 2>&1); RC=$?
check "config check names the line of a bad service value" bash -c "[ $RC != 0 ] && grep -q 'partner-risk.yaml:2:.*service.outbox.interval_seconds' <<<'$OUT'"
# 7. The systemd unit in deploy/: systemd accepts it, and its ExecStart runs with this binary.
UNIT="$WORK/partner-risk.service"
sed "s#/opt/partner-risk/bin/partner-risk#$(realpath "$BIN")#g" deploy/partner-risk.service > "$UNIT"
if command -v systemd-analyze >/dev/null; then
    check "systemd-analyze verify accepts deploy/partner-risk.service" bash -c "systemd-analyze verify '$UNIT' 2>&1 | grep -v 'not executable' | { ! grep -qi 'error\|invalid\|unknown'; }"
fi
EXEC=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$UNIT" | sed 's/^ExecStart=//; s/\\$//' | tr '\n' ' ')
WEB_PORT=$(free_port)
mkdir -p "$WORK/unit"
EXEC=${EXEC/--port 8080/--port $WEB_PORT}
PARTNER_RISK_DB="$WORK/unit/db.sqlite" bash -c "exec $EXEC" > "$WORK/unit.log" 2>&1 &
SERVE_PID=$!; PIDS+=($SERVE_PID)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$WEB_PORT/" && break; sleep 0.1; done
kill -TERM "$SERVE_PID"; wait_exit "$SERVE_PID" 10; RC=$?
check "the unit's ExecStart serves with this binary and stops cleanly on SIGTERM (its KillSignal)" bash -c \
    "[ $RC = 0 ] && grep -q '\"message\":\"partner form on http://127.0.0.1:$WEB_PORT (links use https://survey.acme.example.com)' '$WORK/unit.log'"

# 8. --log-level: less important events are left out.
start_serve "$WORK/quiet.log" --log-level warning
kill -TERM "$SERVE_PID"; wait_exit "$SERVE_PID" 10
check "--log-level warning leaves out the notices" bash -c "[ -f '$WORK/quiet.log' ] && ! grep -q 'notice' '$WORK/quiet.log'"
checks_passed || { for f in "$WORK"/serve*.log; do echo "--- $f"; tail -15 "$f"; done; exit 1; }
