#!/usr/bin/env bash
# The store contract tests against a real PostgreSQL server (Debian's postgresql, a private
# cluster made by Tests/servers/postgres.sh on 127.0.0.1, stopped at the end) beside SQLite:
# every repository the PostgreSQL store implements must behave as the SQLite store's (issue 20).
set -uo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
chmod 755 "$WORK"   # run as root, the server runs as another user, which must reach its folder
cleanup() { bash Tests/servers/postgres.sh stop "$WORK/pg" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
[ -n "${KEEP_LOG:-}" ] && trap 'cp "$WORK/swift-test.log" "$KEEP_LOG"; cleanup' EXIT
source scripts/check.sh
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if ! bash Tests/servers/postgres.sh start "$WORK/pg" "$PORT" test-secret > "$WORK/start.log" 2>&1; then
    cat "$WORK/start.log"; tail -20 "$WORK/pg/postgres.log" 2>/dev/null
    echo "FAIL the test PostgreSQL server did not start"; exit 1
fi
export PARTNER_RISK_TEST_PG_PORT=$PORT PARTNER_RISK_TEST_PG_PASSWORD=test-secret
swift test --skip-build --filter "StoreContractTests|StoreParityTests|PostgresMigrationTests|DatabaseLocationTests" > "$WORK/swift-test.log" 2>&1
RC=$?
check "the store contract tests pass on SQLite and PostgreSQL (swift test exit $RC)" [ "$RC" = 0 ]
CONTRACTS=$(cat Tests/PartnerRiskTests/StoreContract*.swift | grep -c '@Test(arguments: StoreKind.available)')
check "... each of the $CONTRACTS contract tests ran on both stores" bash -c "[ \$(grep -c 'with 2 test cases passed' '$WORK/swift-test.log') = $CONTRACTS ]"
check "... both stores rank the same answers the same (parity test ran)" grep -q "Test theSameAnswersRankTheSameOnBothStores() passed" "$WORK/swift-test.log"
check "... doctor names the PostgreSQL store and its version (test ran)" grep -q "Test doctorSaysWhichStoreIsInUseAndItsVersion() passed" "$WORK/swift-test.log"
check "... and the PostgreSQL migrations tests ran (not skipped)" bash -c "grep -q 'Test openingTheDatabaseAgainAppliesNothingTwiceAndTheAuditTrailIsAppendOnly() passed' '$WORK/swift-test.log' && grep -q 'Test fourProcessesOpeningAnEmptyDatabaseAtOnceApplyEachMigrationOnce() passed' '$WORK/swift-test.log'"
check "the server listens on 127.0.0.1 only (::1 refused)" /usr/bin/python3 - "$PORT" <<'PY'
import socket, sys
port = int(sys.argv[1])
socket.create_connection(("127.0.0.1", port), 2).close()
try:
    socket.create_connection(("::1", port), 2).close()
    sys.exit("::1 accepted a connection")
except OSError:
    pass
PY

# The real binary on both stores: the demo's flow (import, campaign, send to the mail drop, the
# demo's partners answer, import, reminders, ranking) with `--db` a SQLite file and with `--db`
# a postgres:// URL, the password only in PARTNER_RISK_DB_PASSWORD. Same answers, same ranking.
BIN=$PWD/.build/debug/partner-risk
export PARTNER_RISK_HOME=$PWD
PG_URL="postgres://partnerrisk@127.0.0.1:$PORT/cli_flow"
PGPASSWORD=test-secret psql -q -h 127.0.0.1 -p "$PORT" -U partnerrisk -d partnerrisk -c "CREATE DATABASE cli_flow" >/dev/null
flow() { # flow FOLDER DB: run the demo's flow in FOLDER (the working directory) on DB
    mkdir -p "$1" && cd "$1" || return 1
    "$BIN" partners import "$PARTNER_RISK_HOME/Surveys/samples/partners.csv" --db "$2" > import.out 2>&1 &&
    ID=$("$BIN" campaign create --db "$2" --survey pip-partner-security --deadline 2026-12-31 --from "Acme <compliance@acme.example.com>" 2>campaign.err) &&
    "$BIN" campaign send "$ID" --db "$2" --drop outbox > send.out 2>&1 &&
    "$BIN" demo-respond --outbox outbox --out answers --seed 7 > respond.out 2>&1 &&
    "$BIN" responses import answers --db "$2" > responses.out 2>&1 &&
    "$BIN" campaign remind "$ID" --db "$2" --max-reminders 2 --min-days 0 > remind.out 2>&1 &&
    "$BIN" campaign send "$ID" --db "$2" --drop outbox >> send.out 2>&1 &&
    "$BIN" ranking --db "$2" --as-of 2027-03-01 --format json > ranking.json 2>ranking.err &&
    "$BIN" campaign status "$ID" --db "$2" > status.out 2>&1 &&
    "$BIN" doctor --db "$2" > doctor.out 2>&1
    local rc=$?
    cd - >/dev/null
    return $rc
}
export PARTNER_RISK_DB_PASSWORD=test-secret
check "the demo's flow runs with --db a SQLite file" flow "$WORK/sqlite-flow" "$WORK/sqlite-flow/partner-risk.sqlite"
check "... and with --db $PG_URL (password from PARTNER_RISK_DB_PASSWORD)" flow "$WORK/pg-flow" "$PG_URL"
check "... every partner answered or not is in both rankings, and they are the same" /usr/bin/python3 - "$WORK/sqlite-flow/ranking.json" "$WORK/pg-flow/ranking.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
if len(a) != 40 or not any(r["overall_risk"] is not None for r in a): sys.exit(f"unexpected SQLite ranking: {len(a)} rows")
if a != b:
    for x, y in zip(a, b):
        if x != y: sys.exit(f"first difference:\n{x}\n{y}")
    sys.exit(f"{len(a)} rows vs {len(b)}")
PY
check "... the campaign status reads the same" cmp -s "$WORK/sqlite-flow/status.out" "$WORK/pg-flow/status.out"
check "... the mail drop, answers and quarantine of the PostgreSQL run are in its working directory" \
    bash -c "[ \$(ls '$WORK/pg-flow/outbox' | wc -l) -ge 40 ] && [ -d '$WORK/pg-flow/answers' ] && [ -f '$WORK/pg-flow/link.key' ]"
check "... doctor names the store: PostgreSQL with its version, no password" \
    bash -c "grep -q '^ok   store: PostgreSQL 1' '$WORK/pg-flow/doctor.out' && grep -q '^ok   store: SQLite 3' '$WORK/sqlite-flow/doctor.out' && ! grep -rq test-secret '$WORK/pg-flow'"
unset PARTNER_RISK_DB_PASSWORD
"$BIN" ranking --db "$PG_URL" > "$WORK/nopass.out" 2>&1; NOPASS=$?
check "without the password the command fails (exit $NOPASS) naming PARTNER_RISK_DB_PASSWORD" \
    bash -c "[ $NOPASS = 1 ] && grep -q PARTNER_RISK_DB_PASSWORD '$WORK/nopass.out'"
"$BIN" ranking --db "postgres://partnerrisk:test-secret@127.0.0.1:$PORT/cli_flow" > "$WORK/inurl.out" 2>&1; INURL=$?
check "a password in the URL is refused (exit $INURL) without being repeated" bash -c "[ $INURL = 2 ] && ! grep -q test-secret '$WORK/inurl.out'"
export PARTNER_RISK_DB_PASSWORD=test-secret

# migrate-store: the SQLite flow's database (with a corrective action closed on a document) moved
# onto an empty PostgreSQL database: every table checked, the same ranking, the document and the
# link key along, and the moved database takes new rows; a second run into it is refused.
(cd "$WORK/sqlite-flow" && printf '%%PDF-1.4\n%% seal audit\n%%%%EOF\n' > seal-audit.pdf &&
    "$BIN" actions add 1 --db partner-risk.sqlite --finding F6_seal_audits --due 2027-01-31 --owner Yard > /dev/null &&
    "$BIN" actions close 1 --db partner-risk.sqlite --note "audit seen" --evidence seal-audit.pdf > /dev/null &&
    "$BIN" ranking --db partner-risk.sqlite --as-of 2027-03-01 --format json > ranking-before-move.json)
PGPASSWORD=test-secret psql -q -h 127.0.0.1 -p "$PORT" -U partnerrisk -d partnerrisk -c "CREATE DATABASE moved" >/dev/null
MOVED="postgres://partnerrisk@127.0.0.1:$PORT/moved"
mkdir -p "$WORK/moved"
(cd "$WORK/moved" && "$BIN" migrate-store --from "$WORK/sqlite-flow/partner-risk.sqlite" --to "$MOVED" > migrate.out 2>&1); MIGRATE_RC=$?
check "migrate-store copies the SQLite database (exit $MIGRATE_RC) and checks every table" \
    bash -c "[ $MIGRATE_RC = 0 ] && grep -q 'every table checked' '$WORK/moved/migrate.out' && ! grep -q DIFFERS '$WORK/moved/migrate.out' && grep -Eq '^response +36 ' '$WORK/moved/migrate.out'"
(cd "$WORK/moved" && "$BIN" ranking --db "$MOVED" --as-of 2027-03-01 --format json > ranking.json 2>&1)
check "... ranking --format json is identical before and after the move" cmp -s "$WORK/sqlite-flow/ranking-before-move.json" "$WORK/moved/ranking.json"
check "... the closing document is in the new workspace's evidence folder with its SHA-256, and the link key came along" bash -c \
    "SHA=\$(sha256sum '$WORK/sqlite-flow/seal-audit.pdf' | cut -c1-64) && cmp -s '$WORK/sqlite-flow/seal-audit.pdf' '$WORK/moved/evidence/'\${SHA:0:2}/\$SHA && cmp -s '$WORK/sqlite-flow/link.key' '$WORK/moved/link.key'"
(cd "$WORK/moved" && printf 'name,email,country,sector\nNew Carrier,new@carrier.example.com,CA,highway-carrier\n' > new.csv &&
    "$BIN" partners import new.csv --db "$MOVED" > more.out 2>&1 &&
    "$BIN" campaign remind 1 --db "$MOVED" --max-reminders 3 --min-days 0 --drop outbox >> more.out 2>&1)
check "... the moved database takes new rows (ids past the copied ones): a new partner, a third reminder to the 4 silent ones" \
    bash -c "grep -q 'created 1,' '$WORK/moved/more.out' && grep -q 'sent 4,' '$WORK/moved/more.out'"
(cd "$WORK/moved" && "$BIN" migrate-store --from "$WORK/sqlite-flow/partner-risk.sqlite" --to "$MOVED" > again.out 2>&1); AGAIN_RC=$?
check "... a second migrate-store into the same database is refused (exit $AGAIN_RC): it is not empty" \
    bash -c "[ $AGAIN_RC = 2 ] && grep -q 'already holds data' '$WORK/moved/again.out'"
# A copy that fails midway (a value that fits no column, in a table near the end) keeps nothing:
# the target is as empty as before, and a good copy into it then succeeds.
cp "$WORK/sqlite-flow/partner-risk.sqlite" "$WORK/broken.sqlite"
sqlite3 "$WORK/broken.sqlite" "UPDATE current_score SET flag_count = 'many' WHERE partner_id = (SELECT max(partner_id) FROM current_score)"
PGPASSWORD=test-secret psql -q -h 127.0.0.1 -p "$PORT" -U partnerrisk -d partnerrisk -c "CREATE DATABASE half" >/dev/null
HALF="postgres://partnerrisk@127.0.0.1:$PORT/half"
(cd "$WORK/moved" && "$BIN" migrate-store --from "$WORK/broken.sqlite" --to "$HALF" > half.out 2>&1); HALF_RC=$?
HALF_ROWS=$(PGPASSWORD=test-secret psql -qtA -h 127.0.0.1 -p "$PORT" -U partnerrisk -d half -c "SELECT (SELECT count(*) FROM partner) + (SELECT count(*) FROM response) + (SELECT count(*) FROM score)")
check "a migrate-store that fails midway (exit $HALF_RC, naming current_score.flag_count) leaves the target empty ($HALF_ROWS rows)" \
    bash -c "[ $HALF_RC = 1 ] && grep -q 'current_score.flag_count' '$WORK/moved/half.out' && [ '$HALF_ROWS' = 0 ]"
(cd "$WORK/moved" && "$BIN" migrate-store --from "$WORK/sqlite-flow/partner-risk.sqlite" --to "$HALF" > half-again.out 2>&1)
check "... and a good copy into it then succeeds" grep -q 'every table checked' "$WORK/moved/half-again.out"

# backup, restore and check on PostgreSQL: the same backup file as from SQLite (one consistent
# snapshot), restored into a SQLite file and into an empty PostgreSQL database, the same ranking.
(cd "$WORK/moved" && "$BIN" check --db "$MOVED" > check.out 2>&1); CHECK_RC=$?
check "check on PostgreSQL (exit $CHECK_RC) names the server and checks the evidence folder" \
    bash -c "[ $CHECK_RC = 0 ] && grep -q '^ok   integrity: PostgreSQL 1' '$WORK/moved/check.out' && grep -q '^ok   evidence: ' '$WORK/moved/check.out'"
(cd "$WORK/moved" && "$BIN" ranking --db "$MOVED" --as-of 2027-03-01 --format json > ranking-at-backup.json 2>&1 &&
    "$BIN" backup --db "$MOVED" --out "$WORK/moved.prbak" > backup.out 2>&1); BACKUP_RC=$?
check "backup from PostgreSQL writes one backup file (exit $BACKUP_RC), readable by its owner only, no scratch left" \
    bash -c "[ $BACKUP_RC = 0 ] && [ \$(stat -c %a '$WORK/moved.prbak') = 600 ] && [ -z \"\$(ls -A '$WORK' | grep '^.partner-risk-')\" ]"
"$BIN" restore "$WORK/moved.prbak" --db "$WORK/from-pg/partner-risk.sqlite" > "$WORK/restore-sqlite.out" 2>&1 &&
    "$BIN" ranking --db "$WORK/from-pg/partner-risk.sqlite" --as-of 2027-03-01 --format json > "$WORK/from-pg/ranking.json" 2>&1
check "... restored into a SQLite file it passes check and ranks as at the backup" \
    bash -c "'$BIN' check --db '$WORK/from-pg/partner-risk.sqlite' >/dev/null && cmp -s '$WORK/moved/ranking-at-backup.json' '$WORK/from-pg/ranking.json'"
# A backup taken while another process writes (a full rescore) is one consistent snapshot.
(cd "$WORK/moved" && for _ in 1 2 3; do "$BIN" rescore --all --db "$MOVED" >/dev/null 2>&1; done) & RESCORING=$!
sleep 0.3
(cd "$WORK/moved" && "$BIN" backup --db "$MOVED" --out "$WORK/during.prbak" > during.out 2>&1); DURING_RC=$?
wait $RESCORING
"$BIN" restore "$WORK/during.prbak" --db "$WORK/during/partner-risk.sqlite" > /dev/null 2>&1 &&
    "$BIN" check --db "$WORK/during/partner-risk.sqlite" > "$WORK/during-check.out" 2>&1; DURING_CHECK=$?
check "... a backup taken while a rescore writes (exit $DURING_RC) restores to a database that passes check (exit $DURING_CHECK), one ranking row per partner" \
    bash -c "[ $DURING_RC = 0 ] && [ $DURING_CHECK = 0 ] && '$BIN' ranking --db '$WORK/during/partner-risk.sqlite' --as-of 2027-03-01 --format json | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); ids=[x[\"partner_id\"] for x in r]; n=len(json.load(open(\"$WORK/moved/ranking-at-backup.json\"))); sys.exit(0 if len(ids)==len(set(ids))==n else 1)'"
PGPASSWORD=test-secret psql -q -h 127.0.0.1 -p "$PORT" -U partnerrisk -d partnerrisk -c "CREATE DATABASE restored" >/dev/null
RESTORED="postgres://partnerrisk@127.0.0.1:$PORT/restored"
mkdir -p "$WORK/restored"
(cd "$WORK/restored" && "$BIN" restore "$WORK/moved.prbak" --db "$RESTORED" > restore.out 2>&1 &&
    "$BIN" ranking --db "$RESTORED" --as-of 2027-03-01 --format json > ranking.json 2>&1)
check "... restored into an empty PostgreSQL database it ranks as at the backup" cmp -s "$WORK/moved/ranking-at-backup.json" "$WORK/restored/ranking.json"
(cd "$WORK/restored" && "$BIN" restore "$WORK/moved.prbak" --db "$RESTORED" > again.out 2>&1); AGAIN_RC=$?
(cd "$WORK/restored" && "$BIN" restore "$WORK/moved.prbak" --db "$RESTORED" --force > force.out 2>&1); FORCE_RC=$?
check "... a restore into a database that holds data is refused (exit $AGAIN_RC), --force too (exit $FORCE_RC)" \
    bash -c "[ $AGAIN_RC = 2 ] && [ $FORCE_RC = 2 ] && grep -q 'already holds data' '$WORK/restored/again.out' && grep -q 'empty' '$WORK/restored/force.out'"

# The partner web form end to end (scripts/test-web.sh) on a PostgreSQL database: the personal
# link, CSRF, a submission stored, scored and screened, the thank-you, reissue and revoke, sign-in.
PGPASSWORD=test-secret psql -q -h 127.0.0.1 -p "$PORT" -U partnerrisk -d partnerrisk -c "CREATE DATABASE web_form" >/dev/null
TEST_DB="postgres://partnerrisk@127.0.0.1:$PORT/web_form" BIN="$BIN" bash scripts/test-web.sh > "$WORK/web.out" 2>&1; WEB_RC=$?
check "scripts/test-web.sh passes on PostgreSQL too (exit $WEB_RC: $(tail -1 "$WORK/web.out"))" bash -c "[ $WEB_RC = 0 ] && grep -q ' passed, 0 failed' '$WORK/web.out'"

# `responses import` under faults (scripts/test-import-faults.sh) on PostgreSQL: two imports of one
# folder at once, and kill -9 at five points followed by a rerun.
TEST_PG="127.0.0.1:$PORT" BIN="$BIN" N=200 bash scripts/test-import-faults.sh > "$WORK/faults.out" 2>&1; FAULTS_RC=$?
check "scripts/test-import-faults.sh passes on PostgreSQL too (exit $FAULTS_RC: $(tail -1 "$WORK/faults.out"))" bash -c "[ $FAULTS_RC = 0 ] && grep -q ' passed, 0 failed' '$WORK/faults.out'"

# The mail scripts (scripts/test-smtp.sh) on PostgreSQL: SMTP with STARTTLS and AUTH, deferred,
# failed and uncertain messages, kill -9 mid-send and two sends at once, and replies fetched from a
# real Dovecot mailbox over IMAP (duplicates, quarantine, a stripped reply released whole).
TEST_PG="127.0.0.1:$PORT" PARTNER_RISK_DB_PASSWORD=test-secret BIN="$BIN" bash scripts/test-smtp.sh > "$WORK/smtp.out" 2>&1; SMTP_RC=$?
check "scripts/test-smtp.sh (SMTP and IMAP) passes on PostgreSQL too (exit $SMTP_RC: $(tail -1 "$WORK/smtp.out"))" bash -c "[ $SMTP_RC = 0 ] && grep -q ' passed, 0 failed' '$WORK/smtp.out'"

# Two `serve` instances on one PostgreSQL database, each in its own folder as on two machines
# behind a load balancer, both with the outbox worker on: every partner gets one invitation, and
# a link mailed by one instance opens on the other.
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
SERVE_PIDS=()
stop_serves() { for pid in "${SERVE_PIDS[@]}" ${SMTP_PID:-}; do kill -TERM "$pid" 2>/dev/null; done; wait 2>/dev/null; }
trap 'stop_serves; [ -n "${KEEP_LOG:-}" ] && cp "$WORK/swift-test.log" "$KEEP_LOG"; cleanup' EXIT
mkdir -p "$WORK/smtp"
/usr/bin/python3 Tests/servers/smtp_server.py --host 127.0.0.1 --port 0 --outdir "$WORK/smtp/out" --port-file "$WORK/smtp/port" --delay-ms 60 >/dev/null 2>&1 &
SMTP_PID=$!
for _ in $(seq 100); do [ -s "$WORK/smtp/port" ] && break; sleep 0.1; done
PGPASSWORD=test-secret psql -q -h 127.0.0.1 -p "$PORT" -U partnerrisk -d partnerrisk -c "CREATE DATABASE two_serves" >/dev/null
export PARTNER_RISK_DB="postgres://partnerrisk@127.0.0.1:$PORT/two_serves"
/usr/bin/python3 - "$WORK/p40.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("name,email,country,sector,contact,language\n")
    for i in range(40):
        f.write(f"Partner {i:02d},p{i:02d}@partners.example.com,CA,highway-carrier,Contact {i},en\n")
PY
"$BIN" partners import "$WORK/p40.csv" >/dev/null
CAMPAIGN=$("$BIN" campaign create --survey pip-partner-security --deadline 2099-12-31 --from "Acme <compliance@acme.example.com>" 2>/dev/null)
WEB=()
for instance in a b; do
    mkdir -p "$WORK/serve-$instance"
    cat > "$WORK/serve-$instance/partner-risk.yaml" <<YAML
public_url: https://survey.acme.example
mail: {smtp: "smtp://127.0.0.1:$(cat "$WORK/smtp/port")", tls: none, connections: 2}
service:
  outbox: {enabled: true, interval_seconds: 1}
YAML
    PORT_WEB=$(free_port); WEB+=("$PORT_WEB")
    (cd "$WORK/serve-$instance" && exec "$BIN" serve --port "$PORT_WEB" > serve.log 2>&1) &
    SERVE_PIDS+=($!)
done
pending() { PGPASSWORD=test-secret psql -qtA -h 127.0.0.1 -p "$PORT" -U partnerrisk -d two_serves -c "SELECT count(*) FROM mail_message WHERE state IN ('queued', 'sending', 'deferred')"; }
for _ in $(seq 600); do [ "$(pending)" = 0 ] && break; sleep 0.1; done
sleep 1
check "two serve instances with the outbox worker on one PostgreSQL database: every partner got exactly one invitation" \
    /usr/bin/python3 - "$WORK/smtp/out/log.jsonl" <<'PY'
import collections, json, sys
counts = collections.Counter(r for line in open(sys.argv[1]) for r in json.loads(line)["rcpt_tos"])
if len(counts) != 40 or set(counts.values()) != {1}:
    sys.exit(f"{len(counts)} recipients, {sum(counts.values())} messages: {[a for a, n in counts.items() if n > 1]}")
PY
check "... both instances sent some of them (the claims were shared, not one instance doing all)" \
    bash -c "grep -q 'sent [1-9]' '$WORK/serve-a/serve.log' && grep -q 'sent [1-9]' '$WORK/serve-b/serve.log'"
LINK_PATH=$(/usr/bin/python3 - "$WORK/smtp/out" <<'PY'
import email, email.policy, glob, re, sys
for path in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    text = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default).get_body(("plain",)).get_content()
    print(re.search(r"/s/[A-Za-z0-9_-]{43}", text).group(0))
PY
)
OPENED=0
for path in $LINK_PATH; do
    for web in "${WEB[@]}"; do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$web$path")" = 200 ] && OPENED=$((OPENED + 1))
    done
done
check "... each of the 40 links opens the form on both instances ($OPENED of 80)" [ "$OPENED" = 80 ]
printf 'correct horse battery staple\n' | "$BIN" officer add "Dana Roy" >/dev/null 2>&1
check "... failed sign-ins count on both instances: after 5 wrong passwords spread over both, even the right one is refused on either" \
    /usr/bin/python3 - "${WEB[0]}" "${WEB[1]}" <<'PY'
import re, sys, urllib.error, urllib.parse, urllib.request
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args): return None
def attempt(port, password):
    # The cookies are Secure (public_url is https), so they are carried by hand over plain HTTP.
    login = urllib.request.urlopen(f"http://127.0.0.1:{port}/officer/login")
    cookie = re.search(r"pr_officer_login=([^;]+)", login.headers["Set-Cookie"]).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', login.read().decode()).group(1)
    data = urllib.parse.urlencode({"csrf": csrf, "name": "Dana Roy", "password": password}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/officer/login", data, {"Cookie": f"pr_officer_login={cookie}"})
    try:
        return urllib.request.build_opener(NoRedirect()).open(request).status
    except urllib.error.HTTPError as e:
        return e.code
a, b = sys.argv[1:3]
if attempt(a, "correct horse battery staple") != 303: sys.exit("the right password did not sign in at first")
wrong = [attempt(p, "wrong password!!") for p in (a, b, a, b, a)]
if wrong != [401] * 5: sys.exit(f"wrong passwords answered {wrong}")
after = [attempt(a, "correct horse battery staple"), attempt(b, "correct horse battery staple")]
if after != [429, 429]: sys.exit(f"after five failures the right password answered {after}")
PY
check "... and neither log shows the database password" bash -c "! grep -q test-secret '$WORK/serve-a/serve.log' '$WORK/serve-b/serve.log'"
stop_serves; SERVE_PIDS=()
unset PARTNER_RISK_DB
unset PARTNER_RISK_DB_PASSWORD
checks_passed || { grep -E "✘|error" "$WORK/swift-test.log" | head -20; for f in "$WORK"/*-flow/*.out "$WORK"/*-flow/*.err; do echo "== $f"; tail -5 "$f"; done; exit 1; }
