#!/usr/bin/env bash
# The demo behind `make run`, `make sandbox` and `make stop`: the whole shop stack on one loopback port.
#
#   nginx/demo.sh run       sandbox + linepay-fcgi + the PHP demo shop (php-cgi) behind nginx, until Ctrl-C
#   nginx/demo.sh sandbox   only the LINE Pay sandbox behind nginx, until Ctrl-C
#   nginx/demo.sh stop      stops what an earlier run left running (by the pid files in .run/)
#
# Environment: PORT (8080), BIN_DIR (where swift build put linepay-fcgi and linepay-sandbox; .build/debug),
# DB (sqlite, or postgresql: a local PostgreSQL 15 in .run/pg on 127.0.0.1:PG_PORT, PORT + 10000 by default).
# Everything it writes goes to .run/ in the repository: configs, sockets, pid files, logs, SQLite files.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN=$ROOT/.run
PORT=${PORT:-8080}
BIN_DIR=${BIN_DIR:-$ROOT/.build/debug}
BASE=http://127.0.0.1:$PORT
DB=${DB:-sqlite}
PG_PORT=${PG_PORT:-$((PORT + 10000))}
PG_BIN=/usr/lib/postgresql/15/bin

# The sandbox's built-in demo channel, and the secret the demo shop signs its checkout forms with.
CHANNEL_ID=1234567890
CHANNEL_SECRET=demo-channel-secret-0123456789ab
HANDOFF_SECRET=demo-handoff-secret-0123456789

# The processes, in the order they start; they stop in the reverse order. Each has .run/NAME.pid and .run/NAME.log.
ALL=(sandbox linepay-fcgi php-cgi nginx)
[[ $DB == postgresql ]] && ALL=(postgres "${ALL[@]}")
[[ $DB == sqlite || $DB == postgresql ]] || { echo "demo: DB must be sqlite or postgresql, not $DB" >&2; exit 1; }

say() { printf 'demo: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# The program a pid file's process must be running (so a reused pid is never signalled).
program_of() {
    case $1 in
        sandbox) echo linepay-sandbox ;;
        demo) echo demo.sh ;;
        *) echo "$1" ;;
    esac
}

# The pid recorded for NAME when that process is still alive and still the expected program; else nothing.
live_pid() {
    local file=$RUN/$1.pid pid
    [[ -f $file ]] || return 0
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 0
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$(program_of "$1")" && echo "$pid"
    return 0
}

# SIGTERM, up to 5 s for a clean exit, then SIGKILL.
stop_one() {
    local pid
    pid=$(live_pid "$1")
    if [[ -n $pid ]]; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            [[ -d /proc/$pid ]] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null || break
            sleep 0.1
        done
        if [[ -d /proc/$pid ]] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
            say "$1 (pid $pid) did not stop on SIGTERM: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        say "stopped $1 (pid $pid)"
    fi
    rm -f "$RUN/$1.pid"
}

stop_all() {
    local i
    for ((i = ${#ALL[@]} - 1; i >= 0; i--)); do stop_one "${ALL[i]}"; done
}

need() {
    command -v "$1" >/dev/null 2>&1 || die "$1 is missing (make deps installs it: Debian package $2)"
}

# Starts NAME in the background with its output in .run/NAME.log and its pid in .run/NAME.pid.
start() {
    local name=$1; shift
    "$@" >>"$RUN/$name.log" 2>&1 </dev/null &
    echo $! >"$RUN/$name.pid"
}

# Fails with the end of NAME's log when its process is gone.
alive_or_die() {
    [[ -n $(live_pid "$1") ]] && return 0
    say "$1 exited; the end of .run/$1.log:"
    tail -n 20 "$RUN/$1.log" >&2 || true
    exit 1
}

# Waits (up to 10 s) until `check ARGS` succeeds while NAME's process stays alive.
wait_until() {
    local name=$1; shift
    for _ in $(seq 100); do
        alive_or_die "$name"
        if "$@"; then return 0; fi
        sleep 0.1
    done
    say "$name did not answer within 10 s; the end of .run/$name.log:"
    tail -n 20 "$RUN/$name.log" >&2 || true
    exit 1
}

# True when a FastCGI GET of SCRIPT_NAME + PATH_INFO on SOCKET gets any answer (cgi-fcgi from libfcgi-bin).
fastcgi_answers() {
    local socket=$1 script=$2 path=$3 filename=${4:-}
    env -i SCRIPT_NAME="$script" PATH_INFO="$path" SCRIPT_FILENAME="$filename" REQUEST_METHOD=GET \
        SERVER_ADDR=127.0.0.1 SERVER_PORT="$PORT" REMOTE_ADDR=127.0.0.1 REDIRECT_STATUS=200 \
        timeout 5 cgi-fcgi -bind -connect "$socket" </dev/null 2>/dev/null | grep -q .
}

# The status code of GET PATH on our port (bash's /dev/tcp: no curl needed).
http_status() (
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n' "$1" "$PORT" >&3
    IFS= read -r -t 10 line <&3 || true
    line=${line#HTTP/1.? }
    echo "${line%% *}"
)

http_ok() { [[ $(http_status "$1" 2>/dev/null) == "$2" ]]; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

# Replaces the example sockets of a shipped snippet with the run directory's.
render_snippet() {
    sed -e "s|/run/linepay/linepay.sock|$RUN/linepay.sock|g" -e "s|/run/linepay/sandbox.sock|$RUN/sandbox.sock|g" \
        "$ROOT/nginx/$1" >"$RUN/$1"
}

write_configs() {
    local mode=$1
    mkdir -p "$RUN/nginx-tmp"
    # "include fastcgi_params" is relative to nginx.conf's folder: put Debian's file there.
    cp /etc/nginx/fastcgi_params "$RUN/fastcgi_params"
    render_snippet linepay-upstream.conf
    render_snippet linepay-location.conf
    render_snippet linepay-sandbox.conf
    local sed_args=(-e "s|@PORT@|$PORT|g" -e "s|@RUN@|$RUN|g" -e "s|@WWW@|$ROOT/www|g"
                    -e "s|@HANDOFF_SECRET@|$HANDOFF_SECRET|g")
    if [[ $mode == sandbox ]]; then
        sed_args+=(-e '/--- shop:/,/--- end shop ---/d')
    fi
    sed "${sed_args[@]}" "$ROOT/nginx/demo.conf.in" >"$RUN/nginx.conf"
    [[ $mode == run ]] || return 0
    local DATABASE=$RUN/linepay.sqlite
    [[ $DB == postgresql ]] && DATABASE=postgresql://linepay@127.0.0.1:$PG_PORT/linepay
    cat >"$RUN/linepay.conf" <<EOF
# Written by nginx/demo.sh for \`make run\` (rewritten on every run): the responder talks to the local sandbox.
# Every key is explained in docs/linepay.conf.example.
channel_id = $CHANNEL_ID
channel_secret = $CHANNEL_SECRET
api_base_url = $BASE
database = $DATABASE
public_base_url = $BASE/linepay
handoff_secret = $HANDOFF_SECRET
return_url = $BASE/shop/return.php
notify_url = $BASE/shop/notify.php
shop_name = Demo Tea Shop
assets_dir = $ROOT/www
EOF
    chmod 600 "$RUN/linepay.conf"
}

# PostgreSQL refuses to run as root: as root, the server runs as linepaytest (make deps creates it) or nobody.
# setpriv execs, so the pid recorded is the server's own.
PG_AS=()
if [[ $(id -u) == 0 ]]; then
    PG_USER=linepaytest
    id "$PG_USER" >/dev/null 2>&1 || PG_USER=nobody
    PG_AS=(setpriv --reuid="$(id -u "$PG_USER")" --regid="$(id -g "$PG_USER")" --clear-groups --)
fi

pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }

# A local PostgreSQL for DB=postgresql: created in .run/pg on first use (kept between runs, like the SQLite file).
start_postgres() {
    [[ -x $PG_BIN/postgres ]] || die "$PG_BIN/postgres is missing (make deps installs it: Debian package postgresql)"
    mkdir -p "$RUN/pg"
    [[ $(id -u) == 0 ]] && chown "$(id -u "$PG_USER"):$(id -g "$PG_USER")" "$RUN/pg"
    if [[ ! -f $RUN/pg/data/PG_VERSION ]]; then
        "${PG_AS[@]}" "$PG_BIN/initdb" -D "$RUN/pg/data" -U linepay --auth=trust --no-locale -E UTF8 >"$RUN/postgres-initdb.log" 2>&1 \
            || { tail -n 20 "$RUN/postgres-initdb.log" >&2; die "initdb failed"; }
    fi
    start postgres "${PG_AS[@]}" "$PG_BIN/postgres" -D "$RUN/pg/data" -p "$PG_PORT" -k "$RUN/pg" -c listen_addresses=127.0.0.1
    wait_until postgres pg_ready
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U linepay linepay 2>/dev/null || true   # exists after the first run
    say "postgres listens on 127.0.0.1:$PG_PORT (database linepay)"
}

start_sandbox() {
    rm -f "$RUN/sandbox.sock"
    # --fault-by-amount: the demo rehearses failures by the amount's last digit (said where the URL is printed).
    start sandbox "$BIN_DIR/linepay-sandbox" --database "$RUN/sandbox.sqlite" --listen "unix:$RUN/sandbox.sock" \
        --public-url "$BASE" --fault-by-amount
    wait_until sandbox fastcgi_answers "$RUN/sandbox.sock" /sandbox /
    say "linepay-sandbox answers on .run/sandbox.sock"
}

start_responder() {
    "$BIN_DIR/linepay-fcgi" --config "$RUN/linepay.conf" --check-config >/dev/null 2>"$RUN/linepay-fcgi.log" || {
        cat "$RUN/linepay-fcgi.log" >&2
        die "linepay-fcgi refused .run/linepay.conf"
    }
    rm -f "$RUN/linepay.sock"
    start linepay-fcgi "$BIN_DIR/linepay-fcgi" --config "$RUN/linepay.conf" --listen "unix:$RUN/linepay.sock" --threads 4
    wait_until linepay-fcgi fastcgi_answers "$RUN/linepay.sock" /linepay /assets/linepay.css
    say "linepay-fcgi answers on .run/linepay.sock"
}

start_php() {
    rm -f "$RUN/php.sock"
    # -n: spawn-fcgi binds the socket and execs php-cgi in place (the pid stays php-cgi's); php-cgi forks 2 workers.
    start php-cgi env PHP_FCGI_CHILDREN=2 PHP_FCGI_MAX_REQUESTS=500 \
        spawn-fcgi -n -s "$RUN/php.sock" -M 0600 -- "$(command -v php-cgi)"
    wait_until php-cgi fastcgi_answers "$RUN/php.sock" /shop/demo-shop.php "" "$ROOT/www/examples/demo-shop.php"
    say "php-cgi answers on .run/php.sock"
}

start_nginx() {
    local args=(-p "$RUN/" -c "$RUN/nginx.conf" -e "$RUN/nginx-error.log")
    nginx -t -q "${args[@]}" 2>>"$RUN/nginx.log" || {
        tail -n 20 "$RUN/nginx.log" >&2
        die "nginx refused .run/nginx.conf"
    }
    start nginx nginx "${args[@]}"
    wait_until nginx port_in_use
    say "nginx listens on 127.0.0.1:$PORT"
}

# From here on, whatever ends the script (Ctrl-C, SIGTERM from make stop, a failure) stops what it started.
stop_on_exit() {
    echo $$ >"$RUN/demo.pid"
    trap 'stop_all; rm -f "$RUN/demo.pid"' EXIT
    trap 'echo >&2; say "stopping"; exit 0' INT TERM
}

# Runs until Ctrl-C (or SIGTERM), or until one of the processes exits (then it says which, and stops the rest).
stay() {
    while true; do
        wait -n || true
        for name in "${ALL[@]}"; do
            if [[ -f $RUN/$name.pid && -z $(live_pid "$name") ]]; then
                say "$name exited; the end of .run/$name.log:"
                tail -n 20 "$RUN/$name.log" >&2 || true
                exit 1
            fi
        done
    done
}

preflight() {
    need nginx nginx-light
    need cgi-fcgi libfcgi-bin
    [[ -x $BIN_DIR/linepay-sandbox ]] || die "$BIN_DIR/linepay-sandbox is missing: run make build"
    mkdir -p "$RUN"
    for name in demo "${ALL[@]}"; do
        [[ -z $(live_pid "$name") ]] || die "$name from an earlier run is still running (pid $(live_pid "$name")): make stop"
    done
    ! port_in_use || die "127.0.0.1:$PORT is taken: stop what listens there, or choose another port: make run PORT=8081"
    stop_on_exit
}

cmd_run() {
    need spawn-fcgi spawn-fcgi
    need php-cgi php-cgi
    preflight
    [[ -x $BIN_DIR/linepay-fcgi ]] || die "$BIN_DIR/linepay-fcgi is missing: run make build"
    write_configs run
    [[ $DB == postgresql ]] && start_postgres
    start_sandbox
    start_responder
    start_php
    start_nginx
    wait_until nginx http_ok /shop/demo-shop.php 200
    cat <<EOF

  Open $BASE/shop/

  The demo shop (www/examples/demo-shop.php) hands the order to linepay-fcgi at $BASE/linepay/,
  which pays with the local LINE Pay sandbox at $BASE/v3/ (shopper pages under $BASE/sandbox/pay/).
  Amount-digit faults are ON (not LINE Pay's behaviour): a total ending in 7 stalls the confirm, 8 drops
  its answer after paying, 9 is refused with 1281.
  Logs, sockets and SQLite files: .run/   Notifications received by the shop: .run/notify.log
  Orders are stored in: $(grep '^database' "$RUN/linepay.conf" | cut -d' ' -f3)
  Ctrl-C stops everything (or, from another terminal: make stop).

EOF
    stay
}

cmd_sandbox() {
    preflight
    write_configs sandbox
    start_sandbox
    start_nginx
    wait_until nginx http_ok /sandbox/ 200
    cat <<EOF

  LINE Pay sandbox: $BASE/sandbox/
  API base URL:     $BASE   (LINE Pay Online API v3 under /v3/, v4 under /v4/; use it as api_base_url)
  Amount faults:    ON (not LINE Pay's behaviour): a confirm whose amount ends in 7 stalls, 8 is dropped
                    after processing, 9 is refused with 1281
  Demo channel:     channel id $CHANNEL_ID, channel secret $CHANNEL_SECRET
  Control API:      $BASE/sandbox/control/ (faults, approvals, recorded calls)
  Ctrl-C stops it (or, from another terminal: make stop).

EOF
    stay
}

case ${1:-} in
    run) cmd_run ;;
    sandbox) cmd_sandbox ;;
    stop)
        [[ -d $RUN ]] || exit 0
        # A demo.sh still in the foreground somewhere: let it stop its own processes, as Ctrl-C would.
        demo=$(live_pid demo)
        if [[ -n $demo ]]; then
            kill -TERM "$demo"
            for _ in $(seq 100); do [[ -d /proc/$demo ]] || break; sleep 0.1; done
        fi
        stop_all   # whatever is left (a demo.sh that was killed with SIGKILL)
        ;;
    *) die "usage: $0 run|sandbox|stop" ;;
esac
