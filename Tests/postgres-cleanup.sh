#!/bin/bash
# Ends any test PostgreSQL server a crashed or killed test run left behind (TestSupport's PostgresServer keeps each
# in /tmp/linepay-pg.XXXXXX/data; a normal run stops its own), then removes those folders. Run by `make test` after
# the Swift suites, whatever their outcome. Only servers whose data folder is one of ours are touched, and none whose
# run (the pid in its folder's `owner`) is still alive: another `make test` on the same machine keeps its server.
alive() { [ -f "$1/owner" ] && kill -0 "$(cat "$1/owner")" 2>/dev/null; }
for pidfile in /tmp/linepay-pg.*/data/postmaster.pid; do
    [ -f "$pidfile" ] || continue
    alive "${pidfile%/data/postmaster.pid}" && continue
    pid=$(head -1 "$pidfile")
    data=$(sed -n 2p "$pidfile")
    if [ -n "$pid" ] && [ "$(readlink -f "/proc/$pid/cwd" 2>/dev/null)" = "$(readlink -f "$data")" ]; then
        kill -QUIT "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    fi
done
for d in /tmp/linepay-pg.*; do [ -d "$d" ] && ! alive "$d" && rm -rf "$d"; done 2>/dev/null
exit 0
