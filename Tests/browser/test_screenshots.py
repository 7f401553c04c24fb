"""Only with SCREENSHOT_DIR (make screenshots): every page a shopper can meet, in en, ja, zh_TW and th, at desktop
(1280x900) and phone (390x844) size, each one checked (no overflow, text >= 16 px, styled) and photographed.
Also writes the two README pictures: readme-desktop-popup.png and readme-phone-receipt.png."""

import os
from pathlib import Path

import pytest

import pictures
from flows import log_in_if_asked, press_pay, to_checkout
from test_desktop import GEOMETRY

# Only `make screenshots` selects these (-m screenshots); `make test` deselects them in pytest.ini.
pytestmark = pytest.mark.screenshots

# Each language with a currency of its own and item names in its script, long enough to wrap on a phone.
ORDERS = {
    "en": dict(currency="USD", shipping_fee="4.50",
               items=(("Brown & Cony organic cotton tote bag, natural", "18.90", 1), ("Sticker set", "3.20", 2))),
    "ja": dict(currency="JPY", shipping_fee="600",
               items=(("ブラウン&コニー オーガニックコットン トートバッグ（ナチュラル）", "2480", 1), ("ステッカーセット", "420", 2))),
    "zh_TW": dict(currency="TWD", shipping_fee="60",
                  items=(("熊大與兔兔有機棉托特包（自然色）", "590", 1), ("貼紙組", "99", 2))),
    "th": dict(currency="THB", shipping_fee="45.00",
               items=(("กระเป๋าผ้าฝ้ายออร์แกนิก บราวน์แอนด์โคนี่ สีธรรมชาติ", "459.00", 1), ("ชุดสติกเกอร์", "89.50", 2))),
}


def close_popup(b):
    for h in b.driver.window_handles:
        if h != b.main:
            b.switch(h)
            b.driver.close()
    b.switch(b.main)


def pay_at_linepay(b, button: str, step: str):
    """Pay, then `button` (#approve, #cancel, #fail) at LINE Pay: in the popup on desktop, in the page on phones.
    Returns the popup's handle (desktop) or None."""
    press_pay(b)
    if b.phone:
        b.seen(step + "-linepay", check=False)
        b.click(button)
        return None
    handle = b.popup_handle()
    b.switch(handle)
    log_in_if_asked(b, step + "-popup-")
    b.click(button, leaves_window=True)
    return handle


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["en", "ja", "zh_TW", "th"])
def test_every_page(lp, browsers, screenshot_dir, language, size):
    b = browsers("desktop" if size == "desktop" else "iphone", language=language)
    new = lambda **kw: lp.new_order(locale=language, **{**ORDERS[language], **kw})

    # Paid: checkout, pay (popup), LINE Pay, receipt.
    paid = new()
    to_checkout(b, paid, "paid-")
    press_pay(b)
    if b.phone:
        b.seen("paid-linepay", check=False)
        b.click("#approve")
    else:
        handle = b.popup_handle()
        opener = b.js(GEOMETRY)
        b.switch(handle)
        log_in_if_asked(b, "paid-popup-")
        popup = b.js(GEOMETRY)
        b.switch(b.main)
        b.wait(lambda: b.js("return document.body.dataset.state") == "waiting", "the waiting state")
        b.seen("paid-pay-waiting")
        if language == "en":
            pictures.desktop_popup(b, handle, opener, popup, screenshot_dir / "readme-desktop-popup.png")
        # The pay page is for desktop browsers, but a desktop window can be as narrow as a phone.
        b.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                 {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": False})
        try:
            b.wait(lambda: b.js("return window.innerWidth") == 390, "a 390 px wide window")
            m = b.layout()
            assert m["scrollWidth"] <= 390, m
            b.seen("paid-pay-waiting-390px")
        finally:
            b.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        b.switch(handle)
        b.click("#approve", leaves_window=True)
        b.switch(b.main)
        b.wait_windows(1)
    b.wait_page("receipt")
    receipt = b.seen("paid-receipt")
    if b.phone and language == "en":
        pictures.phone_receipt(receipt, screenshot_dir / "readme-phone-receipt.png")

    # Cancelled at LINE Pay: the pay page's final state (desktop), then the cancelled page.
    cancelled = new()
    to_checkout(b, cancelled, photograph=False)
    pay_at_linepay(b, "#cancel", "cancelled")
    if not b.phone:
        b.switch(b.main)
        b.wait_windows(1)
        b.wait(lambda: b.js("return document.body.dataset.state") == "final", "the final state")
        b.seen("cancelled-pay-final")
        b.get(f"{lp.base_url}/result?orderId={cancelled.order_id}")
    b.wait_page("cancelled")
    b.seen("cancelled")

    # Refused (Fail at LINE Pay): LINE Pay's page, its link back to the shop's cancelUrl, the failed page.
    failed = new()
    to_checkout(b, failed, photograph=False)
    pay_at_linepay(b, "#fail", "failed")
    b.wait_page("sandbox")
    b.seen("failed-linepay-failed", check=False)
    b.click("a.btn", leaves_window=True)
    if not b.phone:
        b.switch(b.main)
        b.wait_windows(1)
        b.wait(lambda: b.js("return document.body.dataset.state") == "final", "the final state")
        b.seen("failed-pay-final")
        b.get(f"{lp.base_url}/result?orderId={failed.order_id}")
    b.wait_page("failed")
    b.seen("failed")

    # Checking: LINE Pay's Confirm answers 500 twice (the call and the re-confirm after the status check), so the
    # outcome is unknown and the shopper is told that the payment is being checked.
    checking = new()
    to_checkout(b, checking, photograph=False)
    lp.sandbox.fault("confirm", "status", "500", count=2)
    try:
        handle = pay_at_linepay(b, "#approve", "checking")
        if handle:
            b.switch(handle)
            b.wait_page("checking")
            b.switch(b.main)
            b.wait(lambda: b.js("return document.body.dataset.state") == "checking", "the pay page's checking state")
            b.seen("checking-pay")
            close_popup(b)
            b.get(f"{lp.base_url}/result?orderId={checking.order_id}")
        b.wait_page("checking")
        b.seen("checking")
    finally:
        lp.sandbox.clear_faults()

    # Another browser: LINE Pay's confirmUrl and cancelUrl without our cookie.
    complete, incomplete = new(), new()
    for order in (complete, incomplete):
        to_checkout(b, order, photograph=False)
        press_pay(b)
        close_popup(b)
    confirm_url = lp.sandbox.approve(lp.sandbox.transactions(complete.order_id)[0]["transactionId"])["confirmUrl"]
    cancel_url = lp.sandbox.cancel(lp.sandbox.transactions(incomplete.order_id)[0]["transactionId"])["cancelUrl"]
    b.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    b.get(confirm_url, "other-browser")
    b.seen("other-browser")
    b.get(cancel_url, "other-browser-failed")
    b.seen("other-browser-failed")

    # Errors: an unknown order (404), a handoff with a wrong signature (400), a changed order (409).
    b.get(f"{lp.base_url}/result?orderId=no-such-order", "error")
    b.seen("error-404")
    wrong = new(secret="not-the-handoff-secret-0123456789")
    b.get(wrong.shop_url, "shop-product")
    b.click("#shop-checkout")
    b.wait_page("error")
    b.seen("error-400")
    changed = lp.new_order(locale=language, order_id=paid.order_id, currency=ORDERS[language]["currency"],
                           items=ORDERS[language]["items"][1:])
    b.get(changed.shop_url, "shop-product")
    b.click("#shop-checkout")
    b.wait_page("error")
    assert b.element("body").get_attribute("data-status") == "409"
    b.seen("error-409")
