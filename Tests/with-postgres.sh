#!/bin/bash
# Runs a command beside one PostgreSQL 15 server for the whole test run (`make test`): initdb in a temporary folder,
# as an unprivileged user when we are root (linepaytest, else nobody; PostgreSQL refuses root), on a free loopback
# port; the command sees LINEPAY_TEST_PG_PORT (TestSupport's TestPostgres makes a database per test on it). The
# server is stopped and its folder removed however the command ends. Binaries: /usr/lib/postgresql/15/bin.
set -u -o pipefail
bin=${LINEPAY_PG_BIN:-/usr/lib/postgresql/15/bin}
dir=$(mktemp -d /tmp/linepay-pg.XXXXXX)
chmod 755 "$dir"
echo $$ > "$dir/owner"   # postgres-cleanup.sh leaves a server alone while the run that started it lives
as=()
if [ "$(id -u)" = 0 ]; then
    user=linepaytest
    id "$user" >/dev/null 2>&1 || user=nobody
    chown "$(id -u "$user"):$(id -g "$user")" "$dir"
    as=(setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --clear-groups --)
fi
pid=
cleanup() {
    if [ -n "$pid" ]; then
        kill -INT "$pid" 2>/dev/null
        for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
(cd "$dir" && "${as[@]}" "$bin/initdb" -D "$dir/data" -U linepay --auth=trust --no-locale -E UTF8 --no-sync) >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; echo "with-postgres.sh: initdb failed" >&2; exit 1; }
# A free port is only free until someone binds it: when postgres loses that race it says so, and we try another.
for try in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${as[@]}" "$bin/postgres" -D "$dir/data" -p "$port" -k "$dir" -c listen_addresses=127.0.0.1 -c fsync=off \
        -c max_connections=400 -c shared_buffers=64MB >"$dir/postgres.log" 2>&1 </dev/null &
    pid=$!
    for _ in $(seq 600); do
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && break
    grep -q "Address already in use" "$dir/postgres.log" && [ "$try" -lt 5 ] && { pid=; continue; }
    cat "$dir/postgres.log" >&2; echo "with-postgres.sh: postgres exited" >&2; exit 1
done
"$bin/pg_isready" -q -h 127.0.0.1 -p "$port" || { echo "with-postgres.sh: postgres not ready within 60 s" >&2; exit 1; }
echo "with-postgres.sh: PostgreSQL for the tests on 127.0.0.1:$port"
LINEPAY_TEST_PG_PORT=$port "$@"
