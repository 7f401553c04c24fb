"""Headless Chromium through Debian's chromium-driver: desktop windows, phones by mobile emulation, page waits,
full-page screenshots and the layout checks every page of ours must pass."""

import base64
import os
import shutil
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import (JavascriptException, NoSuchWindowException, StaleElementReferenceException,
                                        TimeoutException, WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", shutil.which("chromium") or "") if p and os.access(p, os.X_OK)), None)
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

DESKTOP = (1280, 900)
PHONE = (390, 844)
PHONE_PIXEL_RATIO = 3.0
# The virtual screen of headless Chromium: its default is 800x600, on which a 1280x900 window does not fit and a
# popup is clamped to the screen's edge instead of being centred on its opener.
SCREEN = "{0,0 1920x1080}"

AGENTS = {
    "iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.0 Mobile/15E148 Safari/604.1",
    "android": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/156.0.0.0 Mobile Safari/537.36",
    "line": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Mobile/15E148 Safari Line/13.20.0",
}

# data-page values of the responder's own pages (Sources/LinePayPages): the layout checks are asserted on these.
OUR_PAGES = {"checkout", "pay", "receipt", "checking", "cancelled", "failed", "error", "other-browser",
             "other-browser-failed", "other-browser-checking"}
ACCEPT_LANGUAGE = {"en": "en-US,en", "ja": "ja,en;q=0.5", "zh_TW": "zh-TW,zh,en;q=0.5", "th": "th,en;q=0.5"}


class Browser:
    """One Chromium profile (its own user-data-dir) driven by its own chromedriver."""

    def __init__(self, profile: Path, kind: str = "desktop", language: str = "en", block_popups: bool = False,
                 shots=None, label: str = ""):
        if CHROMIUM is None:
            raise RuntimeError("Debian's chromium is not installed (apt-get install chromium chromium-driver)")
        self.kind = kind
        self.phone = kind != "desktop"
        self.language = language
        self.shots = shots
        self.label = label or kind
        profile.mkdir(parents=True, exist_ok=True)
        o = webdriver.ChromeOptions()
        o.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                  f"--screen-info={SCREEN}", "--no-first-run", "--no-default-browser-check",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--password-store=basic", "--ignore-certificate-errors", "--disable-features=Translate,MediaRouter",
                  f"--lang={language.replace('_', '-')}"):
            o.add_argument(a)
        prefs = {"intl.accept_languages": ACCEPT_LANGUAGE.get(language, language)}
        if block_popups:
            # chromedriver passes --disable-popup-blocking by default; without it Chromium's blocker applies.
            o.add_experimental_option("excludeSwitches", ["disable-popup-blocking"])
            prefs["profile.default_content_setting_values.popups"] = 2
        o.add_experimental_option("prefs", prefs)
        if self.phone:
            o.add_experimental_option("mobileEmulation", {
                "deviceMetrics": {"width": PHONE[0], "height": PHONE[1], "pixelRatio": PHONE_PIXEL_RATIO, "touch": True},
                "userAgent": AGENTS[kind]})
        service = Service(CHROMEDRIVER, log_path=str(profile.parent / f"{profile.name}-chromedriver.log"))
        self.driver = webdriver.Chrome(service=service, options=o)
        try:
            self.driver.set_page_load_timeout(30)
            self.driver.set_script_timeout(15)
            if not self.phone:
                self.driver.set_window_rect(x=0, y=0, width=DESKTOP[0], height=DESKTOP[1])
            self.main = self.driver.current_window_handle
        except BaseException:
            self.quit()
            raise

    @property
    def size(self) -> str:
        return "phone" if self.phone else "desktop"

    def quit(self):
        try:
            self.driver.quit()
        except Exception:
            try:
                self.driver.service.stop()
            except Exception:
                pass

    # Navigation and waits ---------------------------------------------------------------------------------------

    def get(self, url: str, *pages, timeout: float = 20):
        self.driver.get(url)
        return self.wait_page(*pages, timeout=timeout) if pages else None

    def page(self):
        """The current document's <body data-page>, or None while it is loading."""
        try:
            return self.driver.execute_script(
                "return document.readyState === 'complete' && document.body ? document.body.getAttribute('data-page') : null")
        except (JavascriptException, StaleElementReferenceException):
            return None

    def wait_page(self, *pages, timeout: float = 20) -> str:
        """Waits until the current window shows one of `pages` (fully loaded); returns it."""
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(
                lambda d: (lambda p: p if p in pages else None)(self.page()))
        except TimeoutException:
            raise TimeoutException(f"{self.label}: waited {timeout} s for page {pages}; at {self.page()!r} "
                                   f"{self.driver.current_url}") from None

    def wait(self, condition, what: str, timeout: float = 20):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05,
                                 ignored_exceptions=(JavascriptException, StaleElementReferenceException)).until(
                lambda d: condition())
        except TimeoutException:
            raise TimeoutException(f"{self.label}: waited {timeout} s for {what}; at {self.driver.current_url}") from None

    def wait_windows(self, count: int, timeout: float = 20):
        return self.wait(lambda: len(self.driver.window_handles) == count and self.driver.window_handles,
                         f"{count} window(s)", timeout)

    def element(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def visible(self, css: str) -> bool:
        found = self.driver.find_elements(By.CSS_SELECTOR, css)
        return bool(found) and found[0].is_displayed()

    def click(self, css: str, leaves_window: bool = False):
        """Clicks an element; `leaves_window`: the click may close this window (a popup handing back)."""
        element = self.wait(lambda: self.visible(css) and self.element(css), f"{css} to be visible")
        try:
            element.click()
        except NoSuchWindowException:
            if not leaves_window:
                raise
        except WebDriverException as e:
            if not (leaves_window and "window" in str(e).lower()):
                raise

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def text(self) -> str:
        return self.js("return document.body.innerText")

    def switch(self, handle):
        self.driver.switch_to.window(handle)

    def popup_handle(self, timeout: float = 20):
        handles = self.wait_windows(2, timeout)
        return next(h for h in handles if h != self.main)

    def fetch_json(self, path: str):
        """GET `path` from the current page with its cookies (same origin), as the page's own script would."""
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {credentials: 'same-origin', cache: 'no-store', headers: {Accept: 'application/json'}})"
            ".then(r => r.json()).then(done, e => done({error: String(e)}));", path)

    # Checks -----------------------------------------------------------------------------------------------------

    def layout(self) -> dict:
        return self.js("""
            const body = document.body, html = document.documentElement;
            let smallest = 1000, where = '';
            for (const el of body.querySelectorAll('*')) {
              const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
              if (!own || !el.getClientRects().length) continue;
              const size = parseFloat(getComputedStyle(el).fontSize);
              if (size < smallest) { smallest = size; where = el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''); }
            }
            return {page: body.getAttribute('data-page'), lang: html.lang, scrollWidth: html.scrollWidth,
                    innerWidth: window.innerWidth, bodyFont: parseFloat(getComputedStyle(body).fontSize),
                    smallest: smallest, smallestAt: where, background: getComputedStyle(body).backgroundColor,
                    sheets: document.styleSheets.length};
        """)

    def check_layout(self):
        """Our pages: styled, no horizontal overflow, body text >= 16 px, no text under 14 px."""
        m = self.layout()
        where = f"{self.label} {m['page']} ({m['lang']}) at {self.driver.current_url}"
        assert m["scrollWidth"] <= m["innerWidth"], f"horizontal overflow {m['scrollWidth']} > {m['innerWidth']}: {where}"
        if m["page"] in OUR_PAGES:
            assert m["bodyFont"] >= 16, f"body font-size {m['bodyFont']} px: {where}"
            assert m["smallest"] >= 14, f"text of {m['smallest']} px in {m['smallestAt']}: {where}"
            assert m["sheets"] >= 1 and m["background"] == "rgb(244, 246, 248)", f"linepay.css not applied: {where}"
        if self.phone:
            assert m["innerWidth"] == PHONE[0], f"phone viewport is {m['innerWidth']} px wide: {where}"
        return m

    def seen(self, step: str, check: bool = True):
        """The page is checked (our pages) and photographed (every page the tests visit); returns the PNG's path."""
        if check:
            self.check_layout()
        return self.shots.take(self, step) if self.shots is not None else None

    # Screenshots ------------------------------------------------------------------------------------------------

    def screenshot(self, path: Path, full_page: bool = True):
        """A PNG of the whole page (beyond the viewport); phones at 2x (780 px wide), desktops at 1x."""
        scale = (2 / PHONE_PIXEL_RATIO) if self.phone else 1
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        view = metrics["cssLayoutViewport"]
        content = metrics.get("cssContentSize") or metrics["contentSize"]
        height = max(view["clientHeight"], content["height"]) if full_page else view["clientHeight"]
        # The whole window's width: captured beyond the viewport, the page has no scrollbar and is laid out that wide.
        width = self.js("return window.innerWidth") if full_page else view["clientWidth"]
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": full_page,
            "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 6000), "scale": scale}})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


class Shots:
    """Screenshots of one test, numbered in the order the pages were seen: NN-test-step-lang-size.png."""

    def __init__(self, directory: Path, test: str):
        self.directory = directory
        self.test = test
        self.count = 0
        self.taken = []

    def take(self, browser: Browser, step: str) -> Path:
        self.count += 1
        name = f"{self.test}-{self.count:02d}-{step}-{browser.language}-{browser.size}.png"
        path = browser.screenshot(self.directory / name)
        self.taken.append(path)
        return path
