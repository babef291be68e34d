#!/usr/bin/env bash
# Benchmark (issue 20): the same import of N answer files and the same rescore on SQLite and on a
# private PostgreSQL server (Debian's postgresql, initdb into a temporary folder, 127.0.0.1 only,
# stopped at the end), in one run; then 4 importers at once on PostgreSQL (the answer files split in
# four) beside one SQLite process importing them all. Both databases start from the same prepared
# database (moved onto PostgreSQL with migrate-store), so the links in the answer files fit both.
# Both stores run with the same durability (see below) on the same files, in the same run.
set -euo pipefail
BIN=$(realpath "${1:-.build/release/partner-risk}")
N=${N:-5000}
ROOT=$PWD
WORK=$(mktemp -d)
chmod 755 "$WORK"   # as root the server runs as another user, which must reach its folder
cleanup() { bash "$ROOT/Tests/servers/postgres.sh" stop "$WORK/pg" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
export PARTNER_RISK_HOME=$ROOT PARTNER_RISK_DB_PASSWORD=bench-secret
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bash "$ROOT/Tests/servers/postgres.sh" start "$WORK/pg" "$PORT" bench-secret > "$WORK/pg-start.log" 2>&1 ||
    { cat "$WORK/pg-start.log"; echo "bench-pg: the PostgreSQL server did not start"; exit 1; }
psql_admin() { PGPASSWORD=bench-secret psql -q -h 127.0.0.1 -p "$PORT" -U partnerrisk -d partnerrisk "$@"; }
# The same durability as the SQLite store (WAL, synchronous=NORMAL: a commit does not wait for the
# disk, but the files are synced and never torn): the test server's fsync=off and
# full_page_writes=off would favour PostgreSQL, so they are turned back on for the benchmark.
psql_admin -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET full_page_writes = on" -c "ALTER SYSTEM SET synchronous_commit = off" \
    -c "SELECT pg_reload_conf()" >/dev/null
url() { echo "postgres://partnerrisk@127.0.0.1:$PORT/$1"; }
t() { /usr/bin/python3 -c 'import time; print(time.time())'; }

cd "$WORK"
echo "bench-pg: preparing $N invitations and answer files (not timed)..."
{ echo "name,email,country,sector"; for i in $(seq "$N"); do echo "Partner $i,p$i@bench.example.com,CA,highway-carrier"; done; } > p.csv
"$BIN" partners import p.csv --db base.sqlite >/dev/null
ID=$("$BIN" campaign create --db base.sqlite --survey pip-partner-security --deadline 2099-12-31 2>/dev/null)
"$BIN" campaign send "$ID" --db base.sqlite --drop outbox >/dev/null
"$BIN" demo-respond --outbox outbox --out answers --seed 11 >/dev/null
rm -rf outbox
FILES=$(ls answers | wc -l)
mkdir -p part1 part2 part3 part4
i=0; for f in answers/*; do i=$((i + 1)); ln -s "$WORK/$f" "part$(( (i % 4) + 1 ))/"; done
for db in one four; do
    psql_admin -c "CREATE DATABASE $db"
    "$BIN" migrate-store --from base.sqlite --to "$(url $db)" > "migrate-$db.out"
done
cp base.sqlite one.sqlite
for suffix in -wal -shm; do [ -f "base.sqlite$suffix" ] && cp "base.sqlite$suffix" "one.sqlite$suffix"; done

echo "bench-pg: importing $FILES answer files into each store..."
s=$(t); "$BIN" responses import answers --db one.sqlite > import-sqlite.out; e=$(t); SQLITE_IMPORT=$(/usr/bin/python3 -c "print($e - $s)")
s=$(t); "$BIN" responses import answers --db "$(url one)" > import-pg.out; e=$(t); PG_IMPORT=$(/usr/bin/python3 -c "print($e - $s)")
s=$(t); "$BIN" rescore --all --db one.sqlite > rescore-sqlite.out; e=$(t); SQLITE_RESCORE=$(/usr/bin/python3 -c "print($e - $s)")
s=$(t); "$BIN" rescore --all --db "$(url one)" > rescore-pg.out; e=$(t); PG_RESCORE=$(/usr/bin/python3 -c "print($e - $s)")
s=$(t)
for part in 1 2 3 4; do "$BIN" responses import "part$part" --db "$(url four)" > "import-four-$part.out" & done
wait
e=$(t); PG_FOUR=$(/usr/bin/python3 -c "print($e - $s)")

# The two stores must agree: the same responses accepted, the same ranking.
"$BIN" ranking --db one.sqlite --format json > ranking-sqlite.json
"$BIN" ranking --db "$(url one)" --format json > ranking-pg.json
"$BIN" ranking --db "$(url four)" --format json > ranking-four.json
/usr/bin/python3 - "$FILES" "$SQLITE_IMPORT" "$PG_IMPORT" "$SQLITE_RESCORE" "$PG_RESCORE" "$PG_FOUR" <<'PY'
import json, sys
files = int(sys.argv[1]); lite_import, pg_import, lite_rescore, pg_rescore, pg_four = map(float, sys.argv[2:7])
a, b, c = (json.load(open(f)) for f in ("ranking-sqlite.json", "ranking-pg.json", "ranking-four.json"))
key = lambda rows: sorted((r["partner_id"], r["overall_risk"], r["tier"]) for r in rows)
same = key(a) == key(b) == key(c) and sum(r["overall_risk"] is not None for r in a) == files
print(f"bench-pg: responses import of {files} files: SQLite {lite_import:.2f} s = {files/lite_import:,.0f} responses/s; "
      f"PostgreSQL {pg_import:.2f} s = {files/pg_import:,.0f} responses/s; PostgreSQL/SQLite time {pg_import/lite_import:.2f}x (target <= 2x)")
print(f"bench-pg: rescore --all of {files} responses: SQLite {lite_rescore:.2f} s; PostgreSQL {pg_rescore:.2f} s; "
      f"PostgreSQL/SQLite time {pg_rescore/lite_rescore:.2f}x (target <= 2x)")
print(f"bench-pg: 4 importers at once on PostgreSQL: {pg_four:.2f} s = {files/pg_four:,.0f} responses/s in total, "
      f"{(files/pg_four)/(files/lite_import):.2f}x one SQLite process (target > 1x)")
print(f"bench-pg: the three databases rank the same {files} scored partners: {'yes' if same else 'NO'}")
sys.exit(0 if same else 1)
PY
