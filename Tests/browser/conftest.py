"""Fixtures of the browser suite: one sandbox + responder stack per session, browsers per test, screenshots,
and a time bound on every test and on the whole suite (see docs/browser-tests.md)."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import stack
from browsers import CHROMEDRIVER, CHROMIUM, Browser, Shots

TEST_SECONDS = float(os.environ.get("BROWSER_TEST_SECONDS", "60"))
SUITE_SECONDS = float(os.environ.get("BROWSER_SUITE_SECONDS", "300"))
_suite_started = time.monotonic()


def _version(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"(\d+)\.\d+\.\d+\.\d+", out)
    return m.group(0) if m else None


def pytest_report_header(config):
    return [f"chromium {_version([CHROMIUM, '--version']) if CHROMIUM else 'missing'} ({CHROMIUM}), "
            f"chromedriver {_version([CHROMEDRIVER, '--version'])} ({CHROMEDRIVER}), binaries from {stack.bin_dir()}"]


def pytest_sessionstart(session):
    if CHROMIUM is None or not os.access(CHROMEDRIVER, os.X_OK):
        raise pytest.UsageError("the browser tests need Debian's chromium and chromium-driver "
                                "(apt-get install chromium chromium-driver python3-selenium python3-pytest)")
    browser, driver = _version([CHROMIUM, "--version"]), _version([CHROMEDRIVER, "--version"])
    if not browser or not driver or browser.split(".")[0] != driver.split(".")[0]:
        raise pytest.UsageError(f"chromium {browser} and chromedriver {driver} must have the same major version")


@pytest.fixture(scope="session")
def root():
    """One short temp directory for the sockets, databases, nginx files and browser profiles of the session."""
    path = Path(tempfile.mkdtemp(prefix="lpb-"))
    yield path
    if not os.environ.get("BROWSER_KEEP_TMP"):
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def lp(root):
    """The sandbox and the responder (CLIENT confirmUrl, no browser check) shared by the tests."""
    sandbox, responder = stack.start_stack(root / "stack")
    yield responder
    responder.stop()
    sandbox.stop()


@pytest.fixture(scope="session")
def lp_check_browser(root, lp):
    """A second responder on the same sandbox with check_confirm_url_browser = true."""
    responder = stack.Responder(root / "responder-check", lp.sandbox, ["check_confirm_url_browser = true"])
    yield responder
    responder.stop()


@pytest.fixture(scope="session")
def lp_shipping(root, lp):
    """A third responder on the same sandbox that answers LINE Pay's ShippingMethods (shipping=line orders)."""
    rules = root / "shipping.conf"
    rules.write_text("timezone = Asia/Taipei\n[home]\nname = Home delivery\ncurrency = TWD\nfee = 80\ncountries = TW\n"
                     "delivery_days = 2\ndelivery_hours = 0900-1800\n[islands]\nname = Outlying islands\ncurrency = TWD\n"
                     "fee = 250\ncountries = TW\npostal_prefixes = 880 890 209\ndelivery_days = 5\n")
    responder = stack.Responder(root / "responder-shipping", lp.sandbox, [f"shipping_rules = {rules}"])
    yield responder
    responder.stop()


@pytest.fixture(scope="session")
def screenshot_dir(root):
    """$SCREENSHOT_DIR (make screenshots sets screenshots/), else a folder in the session's temp directory."""
    given = os.environ.get("SCREENSHOT_DIR")
    path = Path(given).resolve() if given else root / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def short_name(node) -> str:
    """A test's name for files: without test_, its first words, and its parameters."""
    words = node.originalname.removeprefix("test_").split("_")
    name, params = "-".join(words[:4]), node.name[len(node.originalname):].strip("[]")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{name}-{params}" if params else name).strip("-")


@pytest.fixture
def shots(request, screenshot_dir):
    return Shots(screenshot_dir, short_name(request.node))


@pytest.fixture
def browsers(request, root, shots):
    """Opens browsers for one test (each its own profile); all are quit at the end of the test."""
    opened = []
    name = short_name(request.node)

    def open_browser(kind="desktop", language="en", block_popups=False, label=None):
        profile = root / "profiles" / f"{name}-{len(opened)}"
        b = Browser(profile, kind=kind, language=language, block_popups=block_popups, shots=shots,
                    label=label or f"{kind}#{len(opened)}")
        opened.append(b)
        return b

    yield open_browser
    for b in opened:
        b.quit()


class OutOfTime(Exception):
    pass


@pytest.fixture(autouse=True)
def time_bound():
    """Each test ends within TEST_SECONDS, and the suite within SUITE_SECONDS (an alarm raises in the test)."""
    left = SUITE_SECONDS - (time.monotonic() - _suite_started)
    budget = min(TEST_SECONDS, left)
    if budget <= 0:
        pytest.fail(f"the browser suite has used its {SUITE_SECONDS:.0f} s")

    def expired(signum, frame):
        raise OutOfTime(f"test exceeded its time bound of {budget:.0f} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
