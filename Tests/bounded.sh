#!/bin/bash
# bounded.sh SECONDS COMMAND...: runs COMMAND with a deadline (SIGTERM to COMMAND at SECONDS, SIGKILL 30 s later), then kills
# every process still carrying this run's LINEPAY_TEST_RUN mark (the test harnesses pass it on to their children,
# which live in process groups of their own and would outlive a killed test process). Exits with COMMAND's status,
# 124 when the deadline passed.
set -u
seconds=$1; shift
export LINEPAY_TEST_RUN="run-$$-$(date +%s%N)"   # fresh: a sweep never reaches an outer run
timeout --foreground --kill-after=30 "$seconds" "$@"
status=$?
[ "$status" = 124 ] && echo "bounded.sh: '$*' did not finish within $seconds s: killed" >&2

# Leftovers: any process but us whose environment holds the mark. Scanned again until none is found (a test
# process still alive at the first scan may start more children before it is killed), at most 20 rounds.
marked() {
    for dir in /proc/[0-9]*; do
        pid=${dir#/proc/}
        [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
        tr '\0' '\n' 2>/dev/null < "$dir/environ" | grep -qx "LINEPAY_TEST_RUN=$LINEPAY_TEST_RUN" && echo "$pid"
    done
}
for round in $(seq 20); do
    left=($(marked))
    [ ${#left[@]} -eq 0 ] && break
    echo "bounded.sh: killing ${#left[@]} process(es) left behind by '$*':" >&2
    ps -o pid,pgid,user,stat,args -p "$(IFS=,; echo "${left[*]}")" >&2 || true
    kill -KILL "${left[@]}" 2>/dev/null
    sleep 0.2
done
exit "$status"
