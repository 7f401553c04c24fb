#!/bin/bash
# Ends any test PostgreSQL server a crashed or killed test run left behind (TestSupport's PostgresServer keeps each
# in /tmp/linepay-pg.XXXXXX/data; a normal run stops its own), then removes those folders. Run by `make test` after
# the Swift suites, whatever their outcome. Only servers whose data folder is one of ours are touched.
for pidfile in /tmp/linepay-pg.*/data/postmaster.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(head -1 "$pidfile")
    data=$(sed -n 2p "$pidfile")
    if [ -n "$pid" ] && [ "$(readlink -f "/proc/$pid/cwd" 2>/dev/null)" = "$(readlink -f "$data")" ]; then
        kill -QUIT "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    fi
done
rm -rf /tmp/linepay-pg.* 2>/dev/null
exit 0
