"""Checkout with the shopper's address (shipping=line): at LINE Pay's page (the sandbox) the shopper picks an
address, our ShippingMethods answer lists the methods, the receipt shows the fee; at desktop and phone size."""

import json
import urllib.request

from flows import to_checkout

SHIPPING = (("shipping", "line"),)


def confirm_amount(lp, order_id: str) -> str:
    """The amount of the one Confirm the sandbox received for this order's transaction."""
    tx = lp.sandbox.transactions(order_id)[0]["transactionId"]
    with urllib.request.urlopen(f"{lp.sandbox.base_url}/sandbox/control/calls?operation=confirm", timeout=10) as r:
        calls = [c for c in json.loads(r.read()) if str(tx) in c["path"]]
    assert len(calls) == 1, calls
    return str(json.loads(calls[0]["body"])["amount"])


def test_desktop_popup_shipping_home_delivery(lp_shipping, browsers):
    b = browsers("desktop")
    order = lp_shipping.new_order(items=(("Cony plush", "120", 3),), extra=SHIPPING)
    to_checkout(b, order, "shipping-")
    b.click("#lp-pay")
    b.wait_page("pay")
    handle = b.popup_handle()
    b.switch(handle)
    if b.wait_page("sandbox-login", "sandbox-shipping") == "sandbox-login":
        b.click("#login")
        b.wait_page("sandbox-shipping")
    b.seen("linepay-shipping-address", check=False)
    assert not b.js("return !!document.getElementById('approve')")   # no Pay before a method is offered
    b.click("#address-home")
    b.wait_page("sandbox-payment")
    b.seen("linepay-shipping-methods", check=False)
    assert "Home delivery" in b.text() and "80 TWD" in b.text() and "Outlying islands" not in b.text()
    b.click("#approve", leaves_window=True)
    b.switch(b.main)
    b.wait_windows(1)
    b.wait_page("receipt")
    b.seen("shipping-receipt")
    assert b.element("body").get_attribute("data-status") == "paid"
    assert "NT$440" in b.element("#lp-total").text
    assert confirm_amount(lp_shipping, order.order_id) == "440"
    # Back at the shop: method and fee in the signed link, never the address.
    b.click("#lp-return")
    b.wait_page("shop-return")
    url = b.driver.current_url
    assert "shippingMethodId=home" in url and "shippingFee=80" in url and "amount=440" in url
    assert "shipTo" not in url and "10491" not in url


def test_phone_typed_island_address_then_receipt(lp_shipping, browsers):
    b = browsers("iphone", language="zh_TW")
    order = lp_shipping.new_order(locale="zh_TW", items=(("珍珠奶茶", "65", 2),), extra=SHIPPING)
    to_checkout(b, order, "shipping-")
    b.click("#lp-pay")
    b.wait_page("sandbox-shipping")
    b.seen("linepay-shipping-address", check=False)
    # Tokyo first: the shop does not ship there (4001), the page says so and offers no Pay.
    b.click("#address-office")
    # The same page comes back with the notice: wait for it, not for the page name (it has not changed).
    b.wait(lambda: b.js("return !!document.getElementById('shipping-notice')"), "the 4001 notice")
    assert "4001" in b.element("#shipping-notice").text
    b.seen("linepay-shipping-4001", check=False)
    b.click("details summary")
    for name, value in (("lastName", "陳"), ("firstName", "美麗"), ("phoneNo", "0987654321"), ("country", "TW"),
                        ("postalCode", "88001"), ("state", "澎湖縣"), ("city", "馬公市"), ("detail", "中正路 1 號")):
        b.element(f"#ship-{name}").send_keys(value)
    b.click("#address-typed-submit")
    b.wait_page("sandbox-payment")
    b.click("#method-islands")
    b.seen("linepay-shipping-methods", check=False)
    b.click("#approve")
    b.wait_page("receipt")
    b.seen("shipping-receipt")
    assert b.element("body").get_attribute("data-status") == "paid"
    assert "NT$380" in b.element("#lp-total").text
    assert confirm_amount(lp_shipping, order.order_id) == "380"
