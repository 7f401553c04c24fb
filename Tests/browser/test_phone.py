"""Phones (Chromium mobile emulation, 390x844 at 3x): Pay redirects to LINE Pay (no popup, no login), Approve,
the receipt. iPhone Safari, Android Chrome and LINE's in-app browser; each in another of the four languages."""

import pytest

from browsers import AGENTS
from flows import press_pay, to_checkout

RECEIPT_HEADLINE = {"en": "Payment complete", "ja": "お支払いが完了しました", "zh_TW": "付款完成", "th": "ชำระเงินเรียบร้อยแล้ว"}


@pytest.mark.parametrize("kind,language", [("iphone", "ja"), ("android", "zh_TW"), ("line", "th"), ("iphone", "en")])
def test_pay_redirects_approve_receipt(lp, browsers, kind, language):
    b = browsers(kind, language=language)
    assert b.js("return navigator.userAgent") == AGENTS[kind]
    order = lp.new_order(locale=language, items=(("Cony plush", "120", 3),))
    to_checkout(b, order)
    assert b.js("return document.documentElement.lang").startswith(language.split("_")[0])
    press_pay(b)   # asserts LINE Pay's payment page came straight away: no pay page, no login step
    b.seen("linepay-payment", check=False)
    b.click("#approve")
    b.wait_page("receipt")
    b.seen("receipt")
    assert len(b.driver.window_handles) == 1
    assert b.element("#lp-headline").text == RECEIPT_HEADLINE[language]
    assert b.element("body").get_attribute("data-status") == "paid"
    assert "NT$360" in b.element("#lp-total").text
    # The primary button is reachable without zooming: full width of the card, at least 48 px high.
    button = b.element("#lp-return")
    assert button.size["height"] >= 48 and button.size["width"] >= 300
