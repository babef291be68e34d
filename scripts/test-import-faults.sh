#!/usr/bin/env bash
# `responses import` under faults, with the real binary on a real database: two imports of the
# same folder started at the same moment on one database (both succeed, every file stored once,
# as revision 1); the import killed with SIGKILL at several points (before, during and after the
# commit, during scoring) and run again on the same folder (every file stored once, no invitation
# with two revisions, every current complete response scored, the database intact); and a further
# run of the same folder stores nothing new. With TEST_PG=HOST:PORT (a PostgreSQL server whose user
# `partnerrisk` has the password in PARTNER_RISK_DB_PASSWORD; scripts/test-postgres.sh gives one)
# the same runs on PostgreSQL, each round on a copy of a template database.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${BIN:-.build/debug/partner-risk}")
N=${N:-400}                                 # partners invited; the demo leaves some silent
DELAYS=${DELAYS:-"0.05 0.2 0.5 1.0 scoring"} # "scoring": killed as soon as the responses are committed
WORK=$(mktemp -d)
RUNNING=()
cleanup() { for pid in "${RUNNING[@]}"; do kill -9 "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
export PARTNER_RISK_HOME=$PWD
source scripts/check.sh
cd "$WORK"
if [ -n "${TEST_PG:-}" ]; then
    export PGPASSWORD=$PARTNER_RISK_DB_PASSWORD
    psql_admin() { psql -qtA -h "${TEST_PG%:*}" -p "${TEST_PG#*:}" -U partnerrisk -d partnerrisk -c "$1" >/dev/null; }
    psql_admin "CREATE DATABASE faults_template"
    export PARTNER_RISK_DB="postgres://partnerrisk@$TEST_PG/faults_template"
else
    export PARTNER_RISK_DB="$WORK/db.sqlite"
fi
DB=$PARTNER_RISK_DB

# Setup (not checked): N partners invited, the demo partners' answer files written.
{ echo "name,email,country,sector"; for i in $(seq "$N"); do echo "Partner $i,p$i@faults.example.com,CA,highway-carrier"; done; } > "$WORK/p.csv"
"$BIN" partners import "$WORK/p.csv" >/dev/null
ID=$("$BIN" campaign create --survey pip-partner-security --deadline 2099-12-31 2>/dev/null)
"$BIN" campaign send "$ID" --drop "$WORK/outbox" >/dev/null
"$BIN" demo-respond --outbox "$WORK/outbox" --out "$WORK/answers" --seed 11 >/dev/null
# Files the binary creates are its owner's only: the database, and the outbox whose .eml files hold live links.
if [ -z "${TEST_PG:-}" ]; then
    MODES="$(stat -c %a "$DB") $(stat -c %a "$WORK/outbox") $(stat -c %a "$(ls "$WORK"/outbox/*.eml | head -1)")"
    check "the database is 0600, the outbox folder 0700 and its messages 0600 ($MODES)" [ "$MODES" = "600 700 600" ]
fi
# A partner name carrying a terminal escape sequence cannot forge `partners list` (shown as \x1B).
printf 'name,email,country,sector\n"Evil\033[2J\033[31mTRUSTED",evil@bench.example.com,CA,importer\n' > "$WORK/evil.csv"
"$BIN" partners import "$WORK/evil.csv" >/dev/null 2>&1 || true
LISTED=$("$BIN" partners list)
check "partners list shows an escape sequence in a name as text, never the raw ESC byte" \
    bash -c "grep -qF 'Evil\\x1B[2J' <<<\"\$1\" && ! grep -q \$'\\x1b' <<<\"\$1\"" _ "$LISTED"
rm -rf "$WORK/outbox"
F=$(find "$WORK/answers" -name '*.json' | wc -l)
echo "setup: $N partners invited, $F answer files"
# The database after the send, closed: each round starts from a copy of it.
if [ -n "${TEST_PG:-}" ]; then
    export PARTNER_RISK_DB="postgres://partnerrisk@$TEST_PG/faults"
    DB=$PARTNER_RISK_DB
    fresh_db() {
        rm -rf "$WORK/quarantine"
        psql_admin "DROP DATABASE IF EXISTS faults WITH (FORCE)"
        psql_admin "CREATE DATABASE faults TEMPLATE faults_template"
    }
    sql() { psql -qtA -h "${TEST_PG%:*}" -p "${TEST_PG#*:}" -U partnerrisk -d faults -c "$1" 2>&1 || true; }
    integrity() { "$BIN" check >/dev/null 2>&1 && echo ok || echo "partner-risk check failed"; }
else
    for s in "" -wal -shm; do if [ -e "$DB$s" ]; then cp "$DB$s" "$WORK/template.sqlite$s"; fi; done
    fresh_db() {
        rm -f "$DB" "$DB-wal" "$DB-shm"; rm -rf "$WORK/quarantine"
        for s in "" -wal -shm; do if [ -e "$WORK/template.sqlite$s" ]; then cp "$WORK/template.sqlite$s" "$DB$s"; fi; done
    }
    sql() { sqlite3 "$DB" "$1" 2>&1 || true; }
    integrity() { sql 'PRAGMA integrity_check'; }
fi
listed() { # the number of responses `responses list` shows
    "$BIN" responses list --format json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null || echo "?"
}
revisions() { # the distinct revision numbers `responses list` shows, e.g. "1"
    "$BIN" responses list --format json 2>/dev/null | python3 -c 'import json,sys; print(" ".join(str(r) for r in sorted({x["revision"] for x in json.load(sys.stdin)})))' 2>/dev/null || echo "?"
}
# summary FIELD FILE...: FIELD (accepted, revised, incomplete, duplicates, rejected) summed over
# the summary lines (the last stdout line) of the given import outputs; "?" when one has none.
summary() {
    python3 - "$@" <<'PY'
import re, sys
total = 0
for path in sys.argv[2:]:
    lines = open(path).read().strip().splitlines()
    m = re.fullmatch(r"accepted (\d+), revised (\d+), incomplete (\d+), duplicates (\d+), rejected (\d+).*", lines[-1] if lines else "")
    if not m:
        print("?"); sys.exit()
    total += int(m.group(["accepted", "revised", "incomplete", "duplicates", "rejected"].index(sys.argv[1]) + 1))
print(total)
PY
}
show_errors() { # an import's stderr, apart from the thank-you note, for the log
    local label=$1 file=$2
    if grep -qv '^queued .* thank-you message' "$file"; then
        echo "  $label stderr:"; grep -v '^queued .* thank-you message' "$file" | sed 's/^/    /'
    fi
}
UNSCORED="SELECT count(*) FROM response r JOIN invitation i ON i.id = r.invitation_id WHERE r.complete AND NOT EXISTS (SELECT 1 FROM score s WHERE s.partner_id = i.partner_id AND s.response_id = r.id)"
TWICE="SELECT count(*) FROM (SELECT invitation_id FROM response GROUP BY invitation_id HAVING count(*) > 1) AS twice"
THANKS="SELECT count(*) FROM mail_message WHERE kind = 'thank-you'"
RESCORED="SELECT count(*) FROM (SELECT response_id FROM score WHERE response_id IS NOT NULL GROUP BY response_id HAVING count(*) > 1) AS rescored"

# 1. Two imports of one folder at the same moment, on one database.
echo "--- two imports of one folder at once"
fresh_db
"$BIN" responses import "$WORK/answers" > "$WORK/a.out" 2> "$WORK/a.err" & A=$!
"$BIN" responses import "$WORK/answers" > "$WORK/b.out" 2> "$WORK/b.err" & B=$!
RUNNING=("$A" "$B")
RA=0; wait "$A" || RA=$?
RB=0; wait "$B" || RB=$?
RUNNING=()
echo "  first:  $(tail -1 "$WORK/a.out" 2>/dev/null) (exit $RA)"
echo "  second: $(tail -1 "$WORK/b.out" 2>/dev/null) (exit $RB)"
show_errors first "$WORK/a.err"; show_errors second "$WORK/b.err"
check "both concurrent imports exit 0 (exit $RA and $RB)" [ "$RA" = 0 -a "$RB" = 0 ]
STORED=$(listed)
check "$F files stored once between them (stored $STORED)" [ "$STORED" = "$F" ]
ACC=$(summary accepted "$WORK/a.out" "$WORK/b.out"); DUP=$(summary duplicates "$WORK/a.out" "$WORK/b.out")
check "their summaries add up to accepted $F and duplicates $F (accepted $ACC, duplicates $DUP)" [ "$ACC" = "$F" -a "$DUP" = "$F" ]
REVS=$(revisions)
check "every stored response is revision 1 (revisions: $REVS)" [ "$REVS" = 1 ]
MULTI=$(sql "$RESCORED")
check "each response is scored once, not by both imports ($MULTI have more than one score)" [ "$MULTI" = 0 ]
THX=$(sql "$THANKS")
check "one thank-you is queued per response ($THX for $F)" [ "$THX" = "$F" ]
# 3 (on this database). A third import of the folder stores nothing new.
"$BIN" responses import "$WORK/answers" > "$WORK/c.out" 2> "$WORK/c.err" || true
LINE=$(tail -1 "$WORK/c.out" 2>/dev/null || true)
check "a third import stores nothing new ($LINE)" [ "$(summary accepted "$WORK/c.out")/$(summary revised "$WORK/c.out")/$(summary duplicates "$WORK/c.out")" = "0/0/$F" ]

# 2. The import killed with SIGKILL at several points, then run again to completion.
COMPLETE=""
for DELAY in $DELAYS; do
    if [ "$DELAY" = scoring ]; then WHEN="as soon as responses are stored"; else WHEN="after $DELAY s"; fi
    echo "--- import killed (kill -9) $WHEN"
    fresh_db
    "$BIN" responses import "$WORK/answers" > "$WORK/k.out" 2> "$WORK/k.err" & P=$!
    RUNNING=("$P")
    if [ "$DELAY" = scoring ]; then # as soon as the responses are committed, while they are scored
        for _ in $(seq 2000); do
            kill -0 "$P" 2>/dev/null || break
            [ "$(sql 'SELECT count(*) FROM response' 2>/dev/null || echo 0)" -gt 0 ] 2>/dev/null && break
            sleep 0.005
        done
    else
        sleep "$DELAY"
    fi
    kill -9 "$P" 2>/dev/null || true
    RK=0; wait "$P" 2>/dev/null || RK=$?
    RUNNING=()
    BEFORE=$(sql 'SELECT count(*) FROM response'); SCORED=$(sql 'SELECT count(*) FROM score')
    UNSCORED_BEFORE=$(sql "$UNSCORED"); THX=$(sql "$THANKS")
    if [ "$RK" = 0 ]; then STAGE="after the import had finished"
    elif [ "$BEFORE" = 0 ]; then STAGE="before any response was committed"
    elif [ "$BEFORE" != "$F" ]; then STAGE="between response transactions ($BEFORE of $F stored)"
    elif [ "$UNSCORED_BEFORE" != 0 ]; then STAGE="after the responses were committed, before scoring finished ($SCORED scores written)"
    else STAGE="after scoring, before the process exited"
    fi
    echo "  kill landed $STAGE (exit $RK; $BEFORE responses, $THX thank-yous, $SCORED scores stored)"
    RR=0; "$BIN" responses import "$WORK/answers" > "$WORK/r.out" 2> "$WORK/r.err" || RR=$?
    echo "  rerun: $(tail -1 "$WORK/r.out" 2>/dev/null) (exit $RR)"
    show_errors rerun "$WORK/r.err"
    THX=$(sql "$THANKS")
    check "[$DELAY] one thank-you per response, none lost to the kill, none doubled ($THX for $F)" [ "$THX" = "$F" ]
    check "[$DELAY] the rerun exits 0 (exit $RR)" [ "$RR" = 0 ]
    STORED=$(listed)
    check "[$DELAY] $F responses stored (stored $STORED)" [ "$STORED" = "$F" ]
    T=$(sql "$TWICE")
    check "[$DELAY] no invitation has two revisions ($T have)" [ "$T" = 0 ]
    U=$(sql "$UNSCORED")
    check "[$DELAY] every current complete response has a score ($U without)" [ "$U" = 0 ]
    I=$(integrity)
    check "[$DELAY] the database checks out ($I)" [ "$I" = ok ]
    # 3. A third import of the folder stores nothing new.
    "$BIN" responses import "$WORK/answers" > "$WORK/c.out" 2> "$WORK/c.err" || true
    LINE=$(tail -1 "$WORK/c.out" 2>/dev/null || true)
    check "[$DELAY] a third import stores nothing new ($LINE)" [ "$(summary accepted "$WORK/c.out")/$(summary revised "$WORK/c.out")/$(summary duplicates "$WORK/c.out")" = "0/0/$F" ]
done

checks_passed
