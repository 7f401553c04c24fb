#!/bin/bash
# The Swift suites for `make test`, never green when cut short: passes only when `swift test` exits 0 AND Swift
# Testing printed its closing "Test run with N tests in M suites passed" line AND N is the number of Swift Testing
# tests `swift test list` reports (the ids ending in ")"; XCTest ids have none). A test process killed mid-run
# (which once left swift test exiting 0 with no summary) or a run that stops early thus fails. The whole run is
# bounded by SWIFT_TEST_SECONDS (Tests/bounded.sh).
set -u -o pipefail
SWIFT=${SWIFT:-swift}
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp /tmp/swift-test.XXXXXX.log)
trap 'rm -f "$log"' EXIT

expected=$("$SWIFT" test list --skip-build 2>/dev/null | grep -cE '^[A-Za-z_][A-Za-z0-9_]*[./][^ ]*\)$')
if [ "${expected:-0}" -eq 0 ]; then
    echo "run-swift-tests.sh: 'swift test list --skip-build' listed no tests (built with --build-tests?)" >&2
    exit 1
fi

"$here/bounded.sh" "${SWIFT_TEST_SECONDS:-1800}" "$SWIFT" test --skip-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

summary=$(grep -aE 'Test run with [0-9]+ tests? in [0-9]+ suites? (passed|failed)' "$log" | tail -1)
ran=$(sed -nE 's/.*Test run with ([0-9]+) tests? in [0-9]+ suites? passed after.*/\1/p' <<< "$summary")
if [ "$status" -ne 0 ]; then
    echo "run-swift-tests.sh: swift test exited with status $status${summary:+ ($summary)}" >&2
    exit 1
elif [ -z "$summary" ]; then
    echo "run-swift-tests.sh: swift test exited 0 but Swift Testing printed no closing summary: the run was cut short" >&2
    exit 1
elif [ -z "$ran" ]; then
    echo "run-swift-tests.sh: the run did not pass: $summary" >&2
    exit 1
elif [ "$ran" -ne "$expected" ]; then
    echo "run-swift-tests.sh: $ran tests ran but 'swift test list' declares $expected" >&2
    exit 1
fi
echo "run-swift-tests.sh: $ran of $expected tests ran and passed"
