"""The real binaries behind real nginx for the browser tests, on free loopback ports in one temp directory.

Mirrors Tests/TestSupport (SandboxHarness, ResponderHarness, NginxServer): `linepay-sandbox` behind its own nginx
(/v3 and /sandbox, with the 599 -> 444 drop mapping; its shopper pages also on a TLS listener, the public URL the
browsers get, as LINE Pay's pages are https: see docs/browser-tests.md), and `linepay-fcgi` behind another nginx at /linepay that
also serves a tiny static shop (/shop/...): a product page per order holding the signed handoff form, the return
page, and /shop/notify answering the responder's notifications with 200. /linepay/admin is on in password mode
(ADMIN_USER, ADMIN_PASSWORD; the hash made by the built `linepay admin-password`).

Every wait is on a real condition (a socket that accepts, a process that is still running) and has a deadline.
"""

import atexit
import hashlib
import hmac
import html
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHANNEL_ID = "1234567890"
CHANNEL_SECRET = "browser-test-secret-0123456789abcdef"
HANDOFF_SECRET = "browser-handoff-secret-0123456789abcdef"
SHOP_NAME = "Test Shop"
# /linepay/admin in password mode (test_admin.py): the hash is made at stack start by the built `linepay admin-password`.
ADMIN_USER = "shop-admin"
ADMIN_PASSWORD = "browser-admin-passphrase-2024"
ADMIN_HASH_ITERATIONS = 100_000   # the configuration's minimum: each login runs PBKDF2 once

_running = []   # every process started here, stopped at exit whatever happened


def bin_dir() -> Path:
    """Where linepay-fcgi and linepay-sandbox are: $LINEPAY_BIN_DIR, else <repo>/.build/debug."""
    d = os.environ.get("LINEPAY_BIN_DIR") or str(REPO / ".build" / "debug")
    return Path(d) if os.path.isabs(d) else REPO / d


def binary(name: str) -> str:
    path = bin_dir() / name
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} is not built: run `swift build` (or set LINEPAY_BIN_DIR)")
    return str(path)


_admin_hash_line = None


def admin_config():
    """The responder's admin lines: password mode for ADMIN_USER with the hash `linepay admin-password` prints for
    ADMIN_PASSWORD (read on stdin, as an operator makes it); made once per session."""
    global _admin_hash_line
    if _admin_hash_line is None:
        out = subprocess.run([binary("linepay"), "admin-password", "--iterations", str(ADMIN_HASH_ITERATIONS)],
                             input=ADMIN_PASSWORD + "\n", capture_output=True, text=True, timeout=30)
        line = out.stdout.strip()
        if out.returncode != 0 or not line.startswith("admin_password_hash = pbkdf2-sha256$"):
            raise RuntimeError(f"linepay admin-password failed ({out.returncode}): {out.stdout} {out.stderr}")
        _admin_hash_line = line
    return ["admin_auth = password", f"admin_user = {ADMIN_USER}", _admin_hash_line]


def wait_until(condition, timeout: float, what: str, interval: float = 0.02):
    """Polls `condition` until it returns something truthy (returned), or raises TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accepts_tcp(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _accepts_unix(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            s.connect(path)
            return True
    except OSError:
        return False


def _log_tail(path: str, n: int = 2000) -> str:
    try:
        return Path(path).read_text(errors="replace")[-n:]
    except OSError:
        return ""


def _read_pid(path: Path):
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


class Process:
    """A child in its own session and process group (Ctrl-C on pytest does not reach it). stop() ends the whole
    group, whatever the child started: SIGTERM, SIGKILL after 5 s, and raises if it is still there 5 s later."""

    def __init__(self, argv, log: str):
        self.argv = argv
        self.log = log
        self._out = open(log, "ab")
        self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._out, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        _running.append(self)

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def _signal_group(self, sig):
        try:
            os.killpg(self.popen.pid, sig)   # start_new_session: its pid is the group's id
        except ProcessLookupError:
            pass

    def stop(self):
        try:
            if self.running:
                self._signal_group(signal.SIGTERM)
                try:
                    self.popen.wait(5)
                except subprocess.TimeoutExpired:
                    pass
            # Before the leader is reaped (its zombie holds the group id): SIGKILL whatever is left in the group.
            self._signal_group(signal.SIGKILL)
            try:
                self.popen.wait(5)
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"{' '.join(self.argv)} (pid {self.popen.pid}) still runs 5 s after SIGKILL: "
                                   f"{_log_tail(self.log)}") from None
        finally:
            self._out.close()
            if self in _running:
                _running.remove(self)

    def wait_for_unix_socket(self, path: str, timeout: float = 20):
        wait_until(lambda: not self.running or _accepts_unix(path), timeout, f"{self.argv[0]} on {path}")
        if not self.running:
            raise RuntimeError(f"{self.argv[0]} exited: {_log_tail(self.log)}")


@atexit.register
def _stop_everything():
    for p in list(reversed(_running)):
        try:
            p.stop()
        except RuntimeError as e:   # the others still get stopped
            print(f"stack.py: {e}")


class Nginx:
    """nginx on 127.0.0.1 as in NginxServer.swift: master_process off, daemon off, every path in `directory`."""

    def __init__(self, directory: Path, locations, extra: str = "", root: Path = None, tls: bool = False):
        """`tls`: a second listener with TLS (a self-signed certificate for 127.0.0.1 made here) on `tls_port`."""
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        root = root or directory / "www"
        root.mkdir(parents=True, exist_ok=True)
        if tls:
            self._make_certificate()
        last = ""
        # The free ports can be taken by a parallel run between the probe and nginx's bind: then (and only then,
        # "Address already in use" in its log) again on fresh ports. nginx writes its pid file only once every
        # listener is bound, so a pid file holding its pid means the ports answering are its own.
        for _ in range(8):
            port, tls_port = free_port(), (free_port() if tls else None)
            if port == tls_port:
                continue
            (directory / "nginx.conf").write_text(self._config(port, tls_port, locations, extra, root))
            for stale in ("nginx.pid", "error.log"):
                (directory / stale).unlink(missing_ok=True)
            p = Process(["/usr/sbin/nginx", "-p", f"{directory}/", "-c", str(directory / "nginx.conf"),
                         "-e", str(directory / "error.log")], str(directory / "stdout.log"))
            ports = [port] + ([tls_port] if tls_port else [])

            def up():
                return _read_pid(directory / "nginx.pid") == p.popen.pid and all(_accepts_tcp(x) for x in ports)
            try:
                wait_until(lambda: not p.running or up(), 20, f"nginx on ports {ports}")
            except TimeoutError as e:
                last = str(e)
            if p.running and up():
                self.port, self.tls_port, self.process = port, tls_port, p
                return
            p.stop()
            said = _log_tail(str(directory / "error.log")) + _log_tail(str(directory / "stdout.log"))
            last = f"{last} {said}".strip()
            if "Address already in use" not in said:
                break
        raise RuntimeError(f"nginx did not start: {last}")

    def _make_certificate(self):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(self.directory / "tls.key"),
                        "-out", str(self.directory / "tls.crt")], check=True, capture_output=True, timeout=30)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tls_base_url(self) -> str:
        return f"https://127.0.0.1:{self.tls_port}"

    def _config(self, port, tls_port, locations, extra, root) -> str:
        d = self.directory
        # Kept connections (upstream keepalive, fastcgi_keep_conn on), as nginx/linepay-location.conf ships.
        mounts = "\n".join(f"""
        location {prefix}/ {{
            fastcgi_split_path_info ^({prefix.replace('.', chr(92) + '.')})(/.*)$;
            include /etc/nginx/fastcgi_params;
            fastcgi_param PATH_INFO $fastcgi_path_info;
            fastcgi_keep_conn on;
            fastcgi_pass kept{i};
        }}""" for i, (prefix, sock) in enumerate(locations))
        upstreams = "\n".join(f"    upstream kept{i} {{ server unix:{sock}; keepalive 16; }}"
                               for i, (prefix, sock) in enumerate(locations))
        return f"""daemon off;
master_process off;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    charset utf-8;
    access_log {d}/access.log;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
{upstreams}
    server {{
        listen 127.0.0.1:{port};
        {f"listen 127.0.0.1:{tls_port} ssl; ssl_certificate {d}/tls.crt; ssl_certificate_key {d}/tls.key;" if tls_port else ""}
        server_name localhost;
        root {root};
{mounts}
{extra}
    }}
}}
"""

    def stop(self):
        self.process.stop()


def http(method: str, url: str, form=None, timeout: float = 15):
    """One request without a browser: (status, body text)."""
    data = urllib.parse.urlencode(form).encode() if form is not None else (b"" if method == "POST" else None)
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


class Sandbox:
    """linepay-sandbox (--no-fault-by-amount) behind its own nginx: /v3, /sandbox and the drop mapping."""

    DROP = """
        fastcgi_intercept_errors on;
        error_page 599 = @drop;
        location @drop { return 444; }
    """

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.socket = str(directory / "sandbox.sock")
        # nginx first: the sandbox's public URL (its shopper pages, https like LINE Pay's) needs the port.
        self.nginx = Nginx(directory / "nginx", [("/v3", self.socket), ("/sandbox", self.socket)], extra=self.DROP, tls=True)
        self.process = Process([binary("linepay-sandbox"), "--database", str(directory / "sandbox.sqlite"),
                                "--listen", "unix:" + self.socket, "--threads", "4",
                                "--channel", f"{CHANNEL_ID}:{CHANNEL_SECRET}:{SHOP_NAME}", "--no-fault-by-amount",
                                "--public-url", self.nginx.tls_base_url],
                               str(directory / "sandbox.log"))
        self.process.wait_for_unix_socket(self.socket)

    @property
    def base_url(self) -> str:
        return self.nginx.base_url

    def control(self, method: str, path: str, form=None):
        status, text = http(method, self.base_url + "/sandbox/control" + path, form)
        if not 200 <= status < 300:
            raise RuntimeError(f"control {method} {path}: {status} {text}")
        return json.loads(text)

    def transactions(self, order_id: str):
        return self.control("GET", "/transactions?" + urllib.parse.urlencode({"orderId": order_id}))

    def approve(self, transaction_id) -> dict:
        """Approves as the shopper would; the answer holds confirmUrl and continueUrl."""
        return self.control("POST", f"/transactions/{transaction_id}/approve", {})

    def cancel(self, transaction_id) -> dict:
        return self.control("POST", f"/transactions/{transaction_id}/cancel", {})

    def fault(self, operation: str, kind: str, value: str = "", count: int = 1):
        self.control("POST", "/faults", {"operation": operation, "kind": kind, "value": value, "count": str(count)})

    def clear_faults(self):
        self.control("DELETE", "/faults")

    def stop(self):
        self.nginx.stop()
        self.process.stop()


def rawurlencode(s: str) -> str:
    """PHP's rawurlencode: only A-Z a-z 0-9 - . _ ~ stay, the rest is %XX upper-case (UTF-8)."""
    return urllib.parse.quote(s, safe="")


def canonical(fields) -> str:
    """Every field but signature, sorted by name bytewise, name=value rawurlencoded, joined with &."""
    pairs = sorted((f for f in fields if f[0] != "signature"), key=lambda f: f[0].encode())
    return "&".join(f"{rawurlencode(n)}={rawurlencode(v)}" for n, v in pairs)


def sign(fields, secret: str = HANDOFF_SECRET) -> str:
    return hmac.new(secret.encode(), canonical(fields).encode(), hashlib.sha256).hexdigest()


def new_order_id(prefix: str = "B") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class Order:
    """One checkout as the shop makes it: its fields, the shop page holding the signed form."""

    def __init__(self, order_id, fields, shop_url, items, total, currency):
        self.order_id, self.fields, self.shop_url = order_id, fields, shop_url
        self.items, self.total, self.currency = items, total, currency


class Responder:
    """linepay-fcgi at /linepay behind nginx, which also serves the shop under /shop."""

    def __init__(self, directory: Path, sandbox: Sandbox, extra_config=()):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.sandbox = sandbox
        self.socket = str(directory / "linepay.sock")
        self.shop = directory / "site"
        (self.shop / "shop" / "products").mkdir(parents=True, exist_ok=True)
        self._write_static_shop()
        notify = """
        location = /shop/notify { default_type text/plain; return 200 "ok"; }
        location = /favicon.ico { access_log off; return 204; }
        """
        self.nginx = Nginx(directory / "nginx", [("/linepay", self.socket)], extra=notify, root=self.shop)
        base = self.nginx.base_url
        lines = [
            "# written by Tests/browser/stack.py",
            f"channel_id = {CHANNEL_ID}",
            f"channel_secret = {CHANNEL_SECRET}",
            f"api_base_url = {sandbox.base_url}",
            f"database = {directory}/linepay.sqlite",
            f"public_base_url = {base}/linepay",
            f"handoff_secret = {HANDOFF_SECRET}",
            f"return_url = {base}/shop/return.html",
            f"notify_url = {base}/shop/notify",
            f"shop_name = {SHOP_NAME}",
            f"assets_dir = {REPO}/www",
            *admin_config(),
            *extra_config,
        ]
        self.config = directory / "linepay.conf"
        self.config.write_text("\n".join(lines) + "\n")
        self.process = Process([binary("linepay-fcgi"), "--config", str(self.config), "--listen", "unix:" + self.socket,
                                "--threads", "4"], str(directory / "linepay.log"))
        self.process.wait_for_unix_socket(self.socket)

    @property
    def base_url(self) -> str:
        """The location block's URL: http://127.0.0.1:PORT/linepay."""
        return self.nginx.base_url + "/linepay"

    @property
    def origin(self) -> str:
        return self.nginx.base_url

    def _write_static_shop(self):
        (self.shop / "shop" / "return.html").write_text(SHOP_FRAME.format(
            lang="en", title="Back at the shop", page="shop-return",
            main="<h1>Back at Test Shop</h1><p>Thank you. The shop checks the signed result in the address.</p>"))

    def new_order(self, locale: str = None, items=(("Cony plush", "120", 3),), currency: str = "TWD",
                  shipping_fee: str = None, order_id: str = None, secret: str = HANDOFF_SECRET, extra=()) -> Order:
        """A product page at /shop/products/<orderId>.html whose Checkout button posts the signed handoff."""
        order_id = order_id or new_order_id()
        fields = [("orderId", order_id), ("currency", currency), ("ts", str(int(time.time())))]
        total = Decimal(0)
        for i, (name, price, quantity) in enumerate(items):
            fields += [(f"items[{i}][name]", name), (f"items[{i}][price]", price), (f"items[{i}][quantity]", str(quantity))]
            total += Decimal(price) * quantity
        if shipping_fee is not None:
            fields.append(("shippingFee", shipping_fee))
            total += Decimal(shipping_fee)
        if locale:
            fields.append(("locale", locale))
        amount = str(total)
        fields.append(("amount", amount))
        fields += list(extra)   # e.g. ("shipping", "line")
        fields.append(("signature", sign(fields, secret)))
        hidden = "\n".join(f'<input type="hidden" name="{html.escape(n)}" value="{html.escape(v)}">' for n, v in fields)
        rows = "\n".join(f"<li>{html.escape(n)} × {q} <span>{html.escape(p)}</span></li>" for n, p, q in items)
        main = f"""<h1>Your basket</h1>
<ul class="basket">{rows}</ul>
<p class="total">Total: {html.escape(amount)} {html.escape(currency)}</p>
<form method="post" action="/linepay/checkout">
{hidden}
<button id="shop-checkout" type="submit">Checkout with LINE Pay</button>
</form>"""
        path = self.shop / "shop" / "products" / f"{order_id}.html"
        path.write_text(SHOP_FRAME.format(lang=(locale or "en").replace("_", "-"), title="Basket", page="shop-product", main=main))
        return Order(order_id, fields, f"{self.origin}/shop/products/{order_id}.html", items, amount, currency)

    def stop(self):
        self.process.stop()
        self.nginx.stop()


SHOP_FRAME = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | Test Shop</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:36rem;padding:1rem}}
.basket{{padding-left:1.2rem}} button{{font:inherit;padding:.75rem 1.25rem;border:0;border-radius:8px;background:#222;color:#fff}}</style>
</head><body data-page="{page}"><p><b>Test Shop</b> (the shop's own page, not part of linepay-fcgi)</p>
{main}
</body></html>
"""


def start_stack(root: Path, extra_config=()):
    """A sandbox and a responder in `root`; returns (sandbox, responder)."""
    sandbox = Sandbox(root / "sandbox")
    try:
        responder = Responder(root / "responder", sandbox, extra_config)
    except BaseException:
        sandbox.stop()
        raise
    return sandbox, responder
