#!/usr/bin/env bash
# End-to-end mail tests against a real SMTP server (Debian's aiosmtpd) on 127.0.0.1:
# STARTTLS + AUTH, 4xx/5xx classification, the French invitation's decoded headers, the personal
# link and the attachment, and the crash-safety guarantee (SIGKILL mid-send, rerun, no duplicates).
# With TEST_PG=HOST:PORT (a PostgreSQL server whose user partnerrisk can create databases, its
# password in PARTNER_RISK_DB_PASSWORD) every part runs on a PostgreSQL database of its own instead
# of a SQLite file, the workspace files in the part's folder (issue 20).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${BIN:-.build/debug/partner-risk}")
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done; rm -rf "$WORK"; }
trap cleanup EXIT
export PARTNER_RISK_HOME=$PWD
source scripts/check.sh
use_db() { # use_db PART: the part's database (a SQLite file in $WORK/PART, or a new PostgreSQL database)
    mkdir -p "$WORK/$1"
    export PART_DIR="$WORK/$1"
    if [ -z "${TEST_PG:-}" ]; then export PARTNER_RISK_DB="$WORK/$1/db.sqlite"; return; fi
    PGOPTIONS=--client-min-messages=warning PGPASSWORD=$PARTNER_RISK_DB_PASSWORD psql -q -h "${TEST_PG%:*}" -p "${TEST_PG#*:}" -U partnerrisk -d partnerrisk \
        -c "DROP DATABASE IF EXISTS smtp_$1" -c "CREATE DATABASE smtp_$1" >/dev/null
    export PARTNER_RISK_DB="postgres://partnerrisk@$TEST_PG/smtp_$1"
}
sql() { # sql QUERY: the rows of QUERY on the part's database, columns joined by | (as sqlite3 prints them)
    if [ -z "${TEST_PG:-}" ]; then sqlite3 "$PARTNER_RISK_DB" "$1"; return; fi
    PGPASSWORD=$PARTNER_RISK_DB_PASSWORD psql -qtA -h "${TEST_PG%:*}" -p "${TEST_PG#*:}" -U partnerrisk -d "${PARTNER_RISK_DB##*/}" -c "$1"
}
export -f sql
if [ -n "${TEST_PG:-}" ]; then  # on PostgreSQL the workspace files go in the working directory: the part's folder
    REAL_BIN=$BIN BIN=$WORK/partner-risk
    printf '#!/bin/sh\ncd "$PART_DIR" && exec "%s" "$@"\n' "$REAL_BIN" > "$BIN" && chmod 755 "$BIN"
fi
start_server() { # start_server DIR ARGS... -> sets PORT
    local dir=$1; shift
    /usr/bin/python3 Tests/servers/smtp_server.py --host 127.0.0.1 --port 0 --outdir "$dir/out" --port-file "$dir/port" "$@" >/dev/null 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
    PORT=$(cat "$dir/port")
}
bash Tests/servers/make_cert.sh "$WORK/cert" >/dev/null

# 1. STARTTLS + AUTH, one accepted French and English message, one 451, one 550.
use_db a
start_server "$WORK/a" --tls-cert "$WORK/cert/cert.pem" --tls-key "$WORK/cert/key.pem" --require-tls --auth sender:s3cret \
    --tempfail-rcpt-regex tempfail --reject-rcpt-regex reject
cat > "$WORK/a/p.csv" <<'CSV'
name,email,country,sector,contact,language
Transports Bélanger & Fils inc.,securite@belanger.example.ca,CA,highway-carrier,Émilie Gagné,fr
Acme Freight,ops@acme-freight.example.com,US,freight-forwarder,Bob Smith,en
Slow Mail Co,later@tempfail.example.com,US,importer,,en
Gone Ltd,nobody@reject.example.com,MX,warehouse,,en
CSV
$BIN partners import "$WORK/a/p.csv" >/dev/null
ID=$($BIN campaign create --survey pip-partner-security --deadline 2099-12-31 --from "Acme Compliance <compliance@acme.example.com>" 2>/dev/null)
# Links partners cannot open are refused before anything is sent: public_url unset, or a private address.
check "campaign send through SMTP refuses while public_url is unset, naming the setting" bash -c \
    "! PARTNER_RISK_SMTP_USER=sender PARTNER_RISK_SMTP_PASSWORD=s3cret $BIN campaign send $ID --smtp smtp://127.0.0.1:$PORT > '$WORK/a/refused.txt' 2>&1 \
     && grep -q 'public_url is not set' '$WORK/a/refused.txt' && grep -q -- '--allow-local-links' '$WORK/a/refused.txt'"
check "... and refuses a public_url on a private network" bash -c \
    "PARTNER_RISK_PUBLIC_URL=http://192.168.1.20:8080 $BIN campaign send $ID --smtp smtp://127.0.0.1:$PORT > '$WORK/a/private.txt' 2>&1; \
     [ \$? -ne 0 ] && grep -q 'private network address' '$WORK/a/private.txt'"
check "... having sent nothing" bash -c "[ ! -s '$WORK/a/out/log.jsonl' ]"
PARTNER_RISK_SMTP_USER=sender PARTNER_RISK_SMTP_PASSWORD=s3cret PARTNER_RISK_SMTP_CA="$WORK/cert/cert.pem" \
    PARTNER_RISK_PUBLIC_URL=https://survey.acme.example $BIN campaign send "$ID" --smtp "smtp://127.0.0.1:$PORT" > "$WORK/a/send.txt" 2>&1
STATUS=$($BIN campaign status "$ID")
check "send over STARTTLS+AUTH: 2 sent, 1 deferred (451), 1 failed (550)" grep -q "sent 2, deferred 1, failed 1" <<<"$STATUS"
check "status shows the server's 550 reply" grep -q "failed .*nobody@reject.example.com.*550" <<<"$STATUS"
check "status shows the server's 451 reply" grep -q "deferred .*later@tempfail.example.com.*451" <<<"$STATUS"
check "the stored reply is the RCPT's own, enhanced status code included (not the reply to QUIT)" \
    bash -c "sql \"SELECT last_reply FROM mail_message WHERE recipient = 'nobody@reject.example.com'\" | grep -q '^550 5.1.1 No such user'"
check "the password is never printed" bash -c "! grep -q s3cret '$WORK/a/send.txt'"
sql "SELECT token_hash FROM invitation_token" > "$WORK/a/hashes"
check "server got the French invitation: decoded subject, names, link, attachment with token" /usr/bin/python3 - "$WORK/a/out" "$WORK/a/hashes" <<'PY'
import email, email.policy, json, sys, re, hashlib
out, db = sys.argv[1], sys.argv[2]
log = [json.loads(l) for l in open(out + "/log.jsonl")]
assert sorted(r["rcpt_tos"][0] for r in log) == ["ops@acme-freight.example.com", "securite@belanger.example.ca"], log
assert all(r["tls"] and r["auth_user"] == "sender" for r in log), log
fr = next(r for r in log if r["rcpt_tos"] == ["securite@belanger.example.ca"])
msg = email.message_from_bytes(open(out + "/" + fr["file"], "rb").read(), policy=email.policy.default)
assert "sécurité" in str(msg["Subject"]), msg["Subject"]
assert str(msg["To"]) == "Émilie Gagné <securite@belanger.example.ca>", msg["To"]
assert msg["Bcc"] is None
text = msg.get_body(("plain",)).get_content(); html = msg.get_body(("html",)).get_content()
assert "Bonjour Émilie Gagné" in text
link = re.search(r"https://survey\.acme\.example/s/([A-Za-z0-9_-]{40,})", text)
assert link and link.group(0) in html
token = link.group(1)
att = [p for p in msg.iter_attachments()]
assert len(att) == 1 and att[0].get_filename().endswith(".html")
assert token in att[0].get_content()
hashes = open(db).read().split()
assert hashlib.sha256(token.encode()).hexdigest() in hashes and token not in hashes
PY

# From here on the links point to this machine on purpose (a test, not partners).
export PARTNER_RISK_ALLOW_LOCAL_LINKS=1

# 2. TLS required but the server offers no STARTTLS: nothing is sent in plain text.
use_db b
start_server "$WORK/b"
$BIN partners import "$WORK/a/p.csv" >/dev/null
ID=$($BIN campaign create --survey pip-partner-security --deadline 2099-12-31 2>/dev/null)
$BIN campaign send "$ID" --smtp "smtp://127.0.0.1:$PORT" >/dev/null 2>&1
check "--tls required refuses a server without STARTTLS" bash -c "[ ! -s '$WORK/b/out/log.jsonl' ] && $BIN campaign status $ID | grep -q 'deferred 4'"

# 3. A 451 defers; a connection dropped after DATA is uncertain (the server may have it). The next
#    run (back-off 0) delivers the deferred one once; the uncertain one goes only with --resend-uncertain.
use_db d
start_server "$WORK/d" --tempfail-rcpt-regex tempfail --tempfail-times 1 --drop-after-data-regex dropme --drop-times 1
printf 'name,email,country,sector\nSlow,later@tempfail.example.com,US,importer\nFlaky,x@dropme.example.com,US,importer\nFine,fine@fine.example.com,US,importer\n' > "$WORK/d/p.csv"
$BIN partners import "$WORK/d/p.csv" >/dev/null
printf 'mail:\n  retry_base_seconds: 0\n' > "$WORK/d/partner-risk.yaml"
ID=$($BIN campaign create --survey pip-partner-security --deadline 2099-12-31 2>/dev/null)
$BIN campaign send "$ID" --smtp "smtp://127.0.0.1:$PORT" --tls none --connections 1 >/dev/null 2>&1
check "a 451 is deferred, a connection dropped after DATA is uncertain, the rest sent" bash -c "$BIN campaign status $ID | grep -q 'sent 1, deferred 1' && $BIN campaign status $ID | grep -q 'uncertain 1'"
$BIN campaign send "$ID" --smtp "smtp://127.0.0.1:$PORT" --tls none >/dev/null 2>&1
$BIN campaign send "$ID" --smtp "smtp://127.0.0.1:$PORT" --tls none --resend-uncertain >/dev/null 2>&1
check "the retry and --resend-uncertain deliver both, each exactly once" /usr/bin/python3 - "$WORK/d/out/log.jsonl" <<'PY'
import json, sys, collections
counts = collections.Counter(json.loads(l)["rcpt_tos"][0] for l in open(sys.argv[1]))
assert counts == {"later@tempfail.example.com": 1, "x@dropme.example.com": 1, "fine@fine.example.com": 1}, counts
PY

# 3b. A slow server that answers 250 only after our timeout: the message is uncertain, not sent
#     again by itself, and the next message goes over a fresh connection (no stale reply read).
use_db s
start_server "$WORK/s" --delay-ms 2500
printf 'name,email,country,sector\nOne,one@slow.example.com,US,importer\nTwo,two@slow.example.com,US,importer\n' > "$WORK/s/p.csv"
$BIN partners import "$WORK/s/p.csv" >/dev/null
printf 'mail:\n  timeout: 1\n  retry_base_seconds: 0\n' > "$WORK/s/partner-risk.yaml"
ID=$($BIN campaign create --survey pip-partner-security --deadline 2099-12-31 2>/dev/null)
$BIN campaign send "$ID" --smtp "smtp://127.0.0.1:$PORT" --tls none --connections 1 > "$WORK/s/send.txt" 2>&1
sleep 3
$BIN campaign send "$ID" --smtp "smtp://127.0.0.1:$PORT" --tls none --connections 1 >/dev/null 2>&1
sleep 3
sql "SELECT recipient, state FROM mail_message" > "$WORK/s/states"
check "a reply after the timeout leaves both messages uncertain; the rerun sends neither again (one copy each at the server)" /usr/bin/python3 - "$WORK/s/out/log.jsonl" "$WORK/s/states" <<'PY'
import json, sys, collections
counts = collections.Counter(json.loads(l)["rcpt_tos"][0] for l in open(sys.argv[1]))
assert counts == {"one@slow.example.com": 1, "two@slow.example.com": 1}, counts
states = dict(line.split("|") for line in open(sys.argv[2]).read().split())
assert set(states.values()) == {"uncertain"}, states
PY

# 4. Kill -9 in the middle of a send; the rerun completes; nobody gets a second copy.
use_db c
start_server "$WORK/c" --delay-ms 150
{ echo "name,email,country,sector"; for i in $(seq 30); do echo "Partner $i,p$i@kill.example.com,CA,importer"; done; } > "$WORK/c/p.csv"
$BIN partners import "$WORK/c/p.csv" >/dev/null
ID=$($BIN campaign create --survey pip-partner-security --deadline 2099-12-31 2>/dev/null)
$BIN campaign send "$ID" --smtp "smtp://127.0.0.1:$PORT" --tls none --connections 2 >/dev/null 2>&1 &
CHILD=$!
for _ in $(seq 300); do [ -f "$WORK/c/out/log.jsonl" ] && [ "$(wc -l < "$WORK/c/out/log.jsonl")" -ge 8 ] && break; sleep 0.05; done
kill -9 $CHILD; wait $CHILD 2>/dev/null
BEFORE=$(wc -l < "$WORK/c/out/log.jsonl")
$BIN campaign send "$ID" --smtp "smtp://127.0.0.1:$PORT" --tls none --connections 2 >/dev/null 2>&1
check "the kill happened mid-campaign ($BEFORE of 30 delivered)" test "$BEFORE" -ge 8 -a "$BEFORE" -lt 30
sql "SELECT recipient, state FROM mail_message" > "$WORK/c/states"
check "after the rerun: every partner exactly once, except at most one uncertain per connection" /usr/bin/python3 - "$WORK/c/out/log.jsonl" "$WORK/c/states" <<'PY'
import json, sys, collections
counts = collections.Counter(json.loads(l)["rcpt_tos"][0] for l in open(sys.argv[1]))
states = dict(line.split("|") for line in open(sys.argv[2]).read().split())
uncertain = [r for r, s in states.items() if s == "uncertain"]
assert len(uncertain) <= 2, uncertain
assert sum(1 for s in states.values() if s == "sent") + len(uncertain) == 30, states
for i in range(1, 31):
    r = f"p{i}@kill.example.com"
    assert counts[r] <= 1 if r in uncertain else counts[r] == 1, (r, counts[r])
PY
$BIN campaign send "$ID" --smtp "smtp://127.0.0.1:$PORT" --tls none --resend-uncertain >/dev/null 2>&1
check "--resend-uncertain sends the uncertain ones; all 30 sent" bash -c "$BIN campaign status $ID | grep -q 'sent 30'"

# 4b. Two `campaign send` of one campaign started at once: each partner gets one copy.
use_db t
start_server "$WORK/t" --delay-ms 20
{ echo "name,email,country,sector"; for i in $(seq 30); do echo "Partner $i,p$i@twice.example.com,CA,importer"; done; } > "$WORK/t/p.csv"
$BIN partners import "$WORK/t/p.csv" >/dev/null
ID=$($BIN campaign create --survey pip-partner-security --deadline 2099-12-31 2>/dev/null)
$BIN campaign send "$ID" --smtp "smtp://127.0.0.1:$PORT" --tls none --connections 2 > "$WORK/t/one.txt" 2>&1 &
ONE=$!
$BIN campaign send "$ID" --smtp "smtp://127.0.0.1:$PORT" --tls none --connections 2 > "$WORK/t/two.txt" 2>&1
wait $ONE
sql "SELECT state FROM mail_message" > "$WORK/t/states"
check "two sends at once: every partner exactly once, all 30 sent, none uncertain" /usr/bin/python3 - "$WORK/t/out/log.jsonl" "$WORK/t/states" <<'PY'
import json, sys, collections
counts = collections.Counter(json.loads(l)["rcpt_tos"][0] for l in open(sys.argv[1]))
assert len(counts) == 30 and set(counts.values()) == {1}, counts
states = collections.Counter(open(sys.argv[2]).read().split())
assert states == {"sent": 30}, states
PY

# 5. Replies in a real Dovecot mailbox: fetch over IMAP twice, nothing ingested twice, junk quarantined.
mkdir -p "$WORK/e" && chmod 755 "$WORK" "$WORK/e"   # Dovecot as root delivers as user mail, which must reach the folder
IMAP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if bash Tests/servers/dovecot.sh start "$WORK/e/imap" "$IMAP_PORT" officer 'imap s3cret' >/dev/null 2>&1; then
    use_db e
    head -7 Surveys/samples/partners.csv > "$WORK/e/p.csv"
    $BIN partners import "$WORK/e/p.csv" >/dev/null
    ID=$($BIN campaign create --survey pip-partner-security --deadline 2099-12-31 2>/dev/null)
    $BIN campaign send "$ID" --drop "$WORK/e/outbox" >/dev/null
    $BIN demo-respond --outbox "$WORK/e/outbox" --out "$WORK/e/answers" --seed 3 >/dev/null
    /usr/bin/python3 - "$WORK/e" <<'PY'
import sys, os, json, glob
from email.message import EmailMessage
base = sys.argv[1]
files = sorted(glob.glob(base + "/answers/*.json"))
def reply(name, attachment=None, data=None, msgid=None):
    m = EmailMessage()
    m["From"] = "partner@example.com"; m["To"] = "compliance@example.com"; m["Subject"] = "RE: security survey"
    m["Message-ID"] = msgid or f"<{name}@example.com>"
    m.set_content("Please find our answers attached.")
    if attachment:
        m.add_attachment(data, maintype="application", subtype="json", filename=attachment)
    open(f"{base}/{name}.eml", "wb").write(bytes(m))
good = open(files[0], "rb").read()
reply("good", os.path.basename(files[0]), good)
reply("junk")
tampered = json.loads(good); tampered["token"] = "A" * 43
reply("tampered", "answers.json", json.dumps(tampered).encode())
reply("good-again", os.path.basename(files[0]), good, msgid="<good@example.com>")
# A second partner's reply that a mail gateway stripped of its attachments, and the same message
# (same Message-ID) released later whole, with a PDF beside the answer file.
reply("stripped", msgid="<second@example.com>")
m = EmailMessage()
m["From"] = "partner2@example.com"; m["To"] = "compliance@example.com"; m["Subject"] = "RE: security survey"
m["Message-ID"] = "<second@example.com>"
m.set_content("Please find our answers and our seal certificate attached.")
m.add_attachment(open(files[1], "rb").read(), maintype="application", subtype="json", filename=os.path.basename(files[1]))
m.add_attachment(b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n", maintype="application", subtype="pdf", filename="seal certificate.pdf")
open(f"{base}/released.eml", "wb").write(bytes(m))
PY
    for m in good junk tampered good-again stripped; do bash Tests/servers/dovecot.sh deliver "$WORK/e/imap" officer "$WORK/e/$m.eml" >/dev/null 2>&1; done
    export PARTNER_RISK_IMAP_USER=officer PARTNER_RISK_IMAP_PASSWORD='imap s3cret'
    FIRST=$($BIN responses fetch --imap "imap://127.0.0.1:$IMAP_PORT/INBOX" --tls none --move-to Processed 2>&1)
    SECOND=$($BIN responses fetch --imap "imap://127.0.0.1:$IMAP_PORT/INBOX" --tls none 2>&1)
    check "IMAP fetch: 1 accepted, 3 quarantined, 1 duplicate Message-ID skipped" grep -q "4 new message(s), 1 already seen by Message-ID; accepted 1, revised 0, incomplete 0, duplicates 0, rejected 3" <<<"$FIRST"
    check "IMAP fetch twice ingests nothing twice (INBOX emptied by --move-to)" grep -q "0 new message(s)" <<<"$SECOND"
    check "the accepted reply's thank-you is queued and said so on standard error" grep -q "queued 1 thank-you message(s)" <<<"$FIRST"
    check "the junk and the tampered reply are listed with their reasons" bash -c "$BIN responses rejected | grep -q 'no answer file' && $BIN responses rejected | grep -q 'token matches no invitation'"
    check "the processed messages are in the Processed mailbox" bash -c "curl -s 'imap://127.0.0.1:$IMAP_PORT/Processed' -u 'officer:imap s3cret' -X 'UID SEARCH ALL' --max-time 10 | grep -q 'SEARCH 1 2 3 4 5'"
    check "a message seen once is not re-read: responses list shows one revision" bash -c "[ \$($BIN responses list --format csv | wc -l) -eq 2 ]"
    bash Tests/servers/dovecot.sh deliver "$WORK/e/imap" officer "$WORK/e/released.eml" >/dev/null 2>&1
    THIRD=$($BIN responses fetch --imap "imap://127.0.0.1:$IMAP_PORT/INBOX" --tls none 2>&1)
    check "a stripped reply released whole (same Message-ID) is read, not skipped: its answers and its PDF are kept" \
        grep -q "1 new message(s), 0 already seen by Message-ID; accepted 1, revised 0, incomplete 0, duplicates 0, rejected 0, evidence 1" <<<"$THIRD"
    check "the PDF is evidence of that partner, not yet assigned to a question" \
        bash -c "[ \"\$(sql \"SELECT original_name, coalesce(question_id, 'unassigned'), channel FROM evidence\")\" = 'seal certificate.pdf|unassigned|imap' ]"
    bash Tests/servers/dovecot.sh stop "$WORK/e/imap" >/dev/null 2>&1
else
    FAILED=$((FAILED + 1)); echo "FAIL dovecot did not start"; cat "$WORK/e/imap/dovecot.log" 2>/dev/null | tail -5
fi

checks_passed
