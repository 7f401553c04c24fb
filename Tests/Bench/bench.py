#!/usr/bin/env python3
"""make bench: requests per second and latency through nginx, beside nginx serving a static file.

Starts the release binaries (linepay-sandbox and linepay-fcgi) behind one nginx on loopback, then measures with
wrk: a static file, the checkout page (POST /checkout, a signed handoff), /status (the shopper's poll), and
whole payment flows (checkout, pay, approve at the sandbox, confirm, receipt) driven by this script.
Not a test: it prints figures; nothing here passes or fails on speed.
"""
import hashlib, hmac, http.client, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("LINEPAY_BIN_DIR", os.path.join(ROOT, ".build", "release"))
SECRET = "bench-channel-secret-0123456789ab"
HANDOFF = "bench-handoff-secret-0123456789ab"
DURATION = os.environ.get("BENCH_SECONDS", "10")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def wait_for(cond, what, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond(): return
        time.sleep(0.02)
    sys.exit(f"bench: {what} did not come up")


def can_connect(path=None, port=None):
    s = socket.socket(socket.AF_UNIX if path else socket.AF_INET)
    try:
        s.connect(path if path else ("127.0.0.1", port)); return True
    except OSError:
        return False
    finally:
        s.close()


def rawurlencode(s):
    return urllib.parse.quote(s, safe="-._~")


def sign(fields):
    canonical = "&".join(f"{rawurlencode(k)}={rawurlencode(v)}" for k, v in sorted(fields.items(), key=lambda kv: kv[0].encode()))
    return hmac.new(HANDOFF.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def handoff(order_id):
    f = {"orderId": order_id, "currency": "TWD", "amount": "360", "ts": str(int(time.time())),
         "items[0][name]": "Cony plush", "items[0][price]": "120", "items[0][quantity]": "3"}
    f["signature"] = sign(f)
    return urllib.parse.urlencode(f)


class Stack:
    def __init__(self, database=None):
        self.database = database   # None: a SQLite file in the stack's folder; else a postgresql:// URL
        self.dir = tempfile.mkdtemp(prefix="linepay-bench-")
        self.port = free_port()
        self.procs = []
        try:
            self._start()
        except BaseException:   # sys.exit in wait_for included: nothing started is left running
            self.stop()
            raise

    def _start(self):
        d = self.dir
        with open(f"{d}/nginx.conf", "w") as f:
            f.write(f"""daemon off; master_process off; pid {d}/nginx.pid; error_log {d}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off; include /etc/nginx/mime.types;
  client_body_temp_path {d}/cb; fastcgi_temp_path {d}/fc; proxy_temp_path {d}/px; uwsgi_temp_path {d}/uw; scgi_temp_path {d}/sc;
  server {{
    listen 127.0.0.1:{self.port};
    location = /static.css {{ alias {ROOT}/www/linepay.css; }}
    location ^~ /linepay/admin {{ fastcgi_split_path_info ^(/linepay)(/.*)$; include /etc/nginx/fastcgi_params;
      fastcgi_param PATH_INFO $fastcgi_path_info; fastcgi_param REMOTE_USER bench; fastcgi_pass unix:{d}/linepay.sock; }}
    location /linepay/ {{ fastcgi_split_path_info ^(/linepay)(/.*)$; include /etc/nginx/fastcgi_params;
      fastcgi_param PATH_INFO $fastcgi_path_info; fastcgi_pass unix:{d}/linepay.sock; }}
    location /v3/ {{ fastcgi_split_path_info ^(/v3)(/.*)$; include /etc/nginx/fastcgi_params;
      fastcgi_param PATH_INFO $fastcgi_path_info; fastcgi_pass unix:{d}/sandbox.sock; }}
    location /sandbox/ {{ fastcgi_split_path_info ^(/sandbox)(/.*)$; include /etc/nginx/fastcgi_params;
      fastcgi_param PATH_INFO $fastcgi_path_info; fastcgi_pass unix:{d}/sandbox.sock; }}
  }}
}}
""")
        base = f"http://127.0.0.1:{self.port}"
        with open(f"{d}/linepay.conf", "w") as f:
            f.write(f"""channel_id = 1234567890
channel_secret = {SECRET}
api_base_url = {base}
database = {self.database or d + "/linepay.sqlite"}
public_base_url = {base}/linepay
handoff_secret = {HANDOFF}
return_url = {base}/shop/return
shop_name = Bench Shop
assets_dir = {ROOT}/www
admin_auth = remote_user
""")
        self.start([f"{BIN}/linepay-sandbox", "--database", f"{d}/sandbox.sqlite", "--listen", f"unix:{d}/sandbox.sock",
                    "--threads", "8", "--channel", f"1234567890:{SECRET}:Bench", "--no-fault-by-amount"], f"{d}/sandbox.sock")
        self.start([f"{BIN}/linepay-fcgi", "--config", f"{d}/linepay.conf", "--listen", f"unix:{d}/linepay.sock",
                    "--threads", "8"], f"{d}/linepay.sock")
        nginx = self.popen(["/usr/sbin/nginx", "-p", d + "/", "-c", f"{d}/nginx.conf", "-e", f"{d}/error.log"])
        # nginx writes its pid file once its port is bound: then the port that answers is its own, not another run's.
        wait_for(lambda: nginx.poll() is not None or (read_pid(f"{d}/nginx.pid") == nginx.pid and can_connect(port=self.port)), "nginx")
        if nginx.poll() is not None:
            sys.exit(f"bench: nginx exited: {open(f'{d}/error.log').read()[-2000:]}")
        self.base = base

    def popen(self, argv, **kwargs):
        """A child in its own session and process group, so stop() ends it with whatever it started."""
        p = subprocess.Popen(argv, start_new_session=True, stdin=subprocess.DEVNULL, **kwargs)
        self.procs.append(p)
        return p

    def start(self, argv, sock):
        self.popen(argv, stdout=subprocess.DEVNULL, stderr=open(f"{self.dir}/{os.path.basename(argv[0])}.log", "w"))
        wait_for(lambda: can_connect(path=sock), argv[0])

    def stop(self):
        """SIGTERM to each group, up to 10 s, then SIGKILL to each group and up to 5 s more: never waits unbounded."""
        def group(p, sig):
            try: os.killpg(p.pid, sig)
            except ProcessLookupError: pass
        for p in self.procs:
            group(p, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for p in self.procs:
            try: p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired: pass
        for p in self.procs:
            group(p, signal.SIGKILL)
            try: p.wait(timeout=5)
            except subprocess.TimeoutExpired: print(f"bench: pid {p.pid} ({p.args[0]}) survived SIGKILL", file=sys.stderr)
        shutil.rmtree(self.dir, ignore_errors=True)


def read_pid(path):
    try:
        with open(path) as f: return int(f.read().strip())
    except (OSError, ValueError):
        return None


def request(conn, method, path, body=None, headers=None):
    h = {"User-Agent": "Mozilla/5.0 (iPhone) Mobile"}
    h.update(headers or {})
    if body is not None: h["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read().decode("utf-8", "replace")


def wrk(url, script=None, label=""):
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency"]
    if script: args += ["-s", script]
    out = subprocess.run(args + [url], capture_output=True, text=True, timeout=int(DURATION) + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    print(f"{label:<34} {float(rps.group(1)) if rps else 0:>10.0f} req/s   p50 {lat.get('50','?'):>8}  p90 {lat.get('90','?'):>8}  p99 {lat.get('99','?'):>8}"
          + (f"   non-2xx: {non2xx.group(1)}" if non2xx else ""))


def full_flows(stack, n, workers):
    host, port = "127.0.0.1", stack.port
    latencies, errors = [], []
    lock = threading.Lock()
    counter = iter(range(n))

    def one(i):
        order_id = f"B{os.getpid()}x{i}"
        c = http.client.HTTPConnection(host, port, timeout=30)
        t0 = time.perf_counter()
        s, h, body = request(c, "POST", "/linepay/checkout", handoff(order_id))
        cookie = h["set-cookie"].split(";")[0]
        csrf = re.search(r'name="csrf" value="([^"]+)"', body).group(1)
        s, h, _ = request(c, "POST", "/linepay/pay", urllib.parse.urlencode({"orderId": order_id, "csrf": csrf}), {"Cookie": cookie})
        if s != 302: raise RuntimeError(f"pay {s}")
        pay_path = urllib.parse.urlparse(h["location"]).path
        s, h, _ = request(c, "POST", pay_path + "/approve", "")
        confirm = urllib.parse.urlparse(h["location"])
        s, h, _ = request(c, "GET", confirm.path + "?" + confirm.query, None, {"Cookie": cookie})
        s, _, body = request(c, "GET", urllib.parse.urlparse(h["location"]).path + "?" + urllib.parse.urlparse(h["location"]).query, None, {"Cookie": cookie})
        if 'data-page="receipt"' not in body: raise RuntimeError("no receipt")
        return time.perf_counter() - t0

    def worker():
        while True:
            with lock:
                i = next(counter, None)
            if i is None: return
            try:
                dt = one(i)
                with lock: latencies.append(dt)
            except Exception as e:  # noqa: BLE001 - a bench reports, it does not crash
                with lock: errors.append(str(e))

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads: t.start()
    for t in threads: t.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    q = lambda p: f"{latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000:.1f}ms" if latencies else "?"
    print(f"{'full flow (6 requests + 4 API calls)':<34} {len(latencies) / wall:>10.1f} flows/s p50 {q(0.5):>8}  p90 {q(0.9):>8}  p99 {q(0.99):>8}"
          + (f"   errors: {len(errors)} ({errors[0]})" if errors else ""))


def admin_at_scale(stack, orders):
    """The admin order list and searches with `orders` synthetic orders in the store (linepay seed)."""
    t0 = time.perf_counter()
    subprocess.run([f"{BIN}/linepay", "--config", f"{stack.dir}/linepay.conf", "seed", "--orders", str(orders)],
                   check=True, stdout=subprocess.DEVNULL, timeout=3600)
    print(f"seeded {orders} orders in {time.perf_counter() - t0:.0f}s; admin requests through nginx, 20 each:")
    c = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=60)
    for label, query in [("order list, first page", ""), ("list by status", "status=paid"),
                         ("search by orderId prefix", "q=SEED-00042"), ("search by transactionId", "tx=1000500"),
                         ("search by date range", "from=2026-06-01&to=2026-06-30"),
                         ("status + date range", "status=paid&from=2026-06-01&to=2026-06-30")]:
        times = []
        for _ in range(20):
            t = time.perf_counter()
            status, _, _ = request(c, "GET", "/linepay/admin/orders" + ("?" + query if query else ""))
            times.append((time.perf_counter() - t) * 1000)
            if status != 200: sys.exit(f"bench: admin {query}: HTTP {status}")
        times.sort()
        print(f"  {label:<32} median {times[10]:6.1f} ms   max {times[-1]:6.1f} ms")


PG_BIN = "/usr/lib/postgresql/15/bin"


def postgresql_rows():
    """/status and the full flow again with the orders in PostgreSQL (issue 13): a private server, initdb'd in a
    temporary folder as an unprivileged user when we are root, fsync on as a shop would run it, stopped at the end."""
    pg_dir = tempfile.mkdtemp(prefix="linepay-pg-bench-")
    as_user = []
    if os.getuid() == 0:
        import pwd
        try: pw = pwd.getpwnam("linepaytest")
        except KeyError: pw = pwd.getpwnam("nobody")
        os.chown(pg_dir, pw.pw_uid, pw.pw_gid)
        as_user = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups", "--"]
    port = free_port()
    server, stack = None, None
    try:
        subprocess.run(as_user + [f"{PG_BIN}/initdb", "-D", f"{pg_dir}/data", "-U", "linepay", "--auth=trust", "--no-locale",
                                  "-E", "UTF8"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        server = subprocess.Popen(as_user + [f"{PG_BIN}/postgres", "-D", f"{pg_dir}/data", "-p", str(port), "-k", pg_dir,
                                             "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=100"],
                                  start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=open(f"{pg_dir}/postgres.log", "w"))
        wait_for(lambda: subprocess.run([f"{PG_BIN}/pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)]).returncode == 0,
                 "postgres", timeout=60)
        subprocess.run([f"{PG_BIN}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "linepay", "bench"], check=True, timeout=60)
        stack = Stack(database=f"postgresql://linepay@127.0.0.1:{port}/bench")
        c = http.client.HTTPConnection("127.0.0.1", stack.port)
        s, h, body = request(c, "POST", "/linepay/checkout", handoff("bench-status"))
        with open(f"{stack.dir}/status.lua", "w") as f:
            f.write('wrk.headers["Cookie"] = "%s"\n' % h["set-cookie"].split(";")[0])
        print("the same with the store in PostgreSQL 15 (one local server, fsync on):")
        wrk(f"{stack.base}/linepay/status?orderId=bench-status", f"{stack.dir}/status.lua", label="GET /status (owner), PostgreSQL")
        full_flows(stack, int(os.environ.get("BENCH_FLOWS", "400")), 8)
    finally:
        if stack: stack.stop()
        if server:
            os.killpg(server.pid, signal.SIGINT)   # fast shutdown
            try: server.wait(timeout=30)
            except subprocess.TimeoutExpired: os.killpg(server.pid, signal.SIGKILL); server.wait(timeout=5)
        shutil.rmtree(pg_dir, ignore_errors=True)


def main():
    stack = Stack()
    try:
        c = http.client.HTTPConnection("127.0.0.1", stack.port)
        s, h, body = request(c, "POST", "/linepay/checkout", handoff("bench-status"))
        cookie = h["set-cookie"].split(";")[0]
        d = stack.dir
        with open(f"{d}/checkout.lua", "w") as f:
            f.write('wrk.method = "POST"\nwrk.body = "%s"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n' % handoff("bench-page"))
        with open(f"{d}/status.lua", "w") as f:
            f.write('wrk.headers["Cookie"] = "%s"\n' % cookie)
        print(f"linepay-fcgi bench: {DURATION}s per row, {CONNECTIONS} connections, 8 FastCGI threads, binaries from {BIN}")
        wrk(f"{stack.base}/static.css", label="nginx static file (baseline)")
        wrk(f"{stack.base}/linepay/assets/linepay.css", label="GET /assets/linepay.css")
        wrk(f"{stack.base}/linepay/checkout", f"{d}/checkout.lua", label="POST /checkout (signed handoff)")
        wrk(f"{stack.base}/linepay/status?orderId=bench-status", f"{d}/status.lua", label="GET /status (owner)")
        full_flows(stack, int(os.environ.get("BENCH_FLOWS", "400")), 8)
        postgresql_rows()
        admin_at_scale(stack, int(os.environ.get("BENCH_ORDERS", "1000000")))
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
