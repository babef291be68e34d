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
swift test --skip-build --filter "StoreContractTests|StoreParityTests|PostgresMigrationTests" > "$WORK/swift-test.log" 2>&1
RC=$?
check "the store contract tests pass on SQLite and PostgreSQL (swift test exit $RC)" [ "$RC" = 0 ]
CONTRACTS=$(cat Tests/PartnerRiskTests/StoreContract*.swift | grep -c '@Test(arguments: StoreKind.available)')
check "... each of the $CONTRACTS contract tests ran on both stores" bash -c "[ \$(grep -c 'with 2 test cases passed' '$WORK/swift-test.log') = $CONTRACTS ]"
check "... both stores rank the same answers the same (parity test ran)" grep -q "Test theSameAnswersRankTheSameOnBothStores() passed" "$WORK/swift-test.log"
check "... and the PostgreSQL migrations test ran (not skipped)" grep -q "Test openingTheDatabaseAgainAppliesNothingTwiceAndTheAuditTrailIsAppendOnly() passed" "$WORK/swift-test.log"
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
checks_passed || { grep -E "✘|error" "$WORK/swift-test.log" | head -20; exit 1; }
