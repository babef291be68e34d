# Shared by the end-to-end test scripts (sourced): `check NAME COMMAND...` runs one check and
# counts it; `checks_passed` prints the tally and fails when any check failed.
PASSED=0
FAILED=0
check() { # check NAME COMMAND...
    if "${@:2}"; then PASSED=$((PASSED + 1)); echo "ok   $1"; else FAILED=$((FAILED + 1)); echo "FAIL $1"; fi
}
checks_passed() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
