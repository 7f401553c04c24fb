"""The return in another browser: a second Chromium profile (its own user-data-dir, so none of our cookies)."""

from flows import log_in_if_asked, press_pay, to_checkout, transaction_id


def test_confirm_url_in_another_browser_gets_the_neutral_page_and_the_first_reaches_the_receipt(lp, browsers):
    first = browsers("desktop", label="first")
    order = lp.new_order(items=(("Secret gift", "500", 1),))
    to_checkout(first, order)
    press_pay(first)
    popup = first.popup_handle()
    tx = transaction_id(first, lp, order.order_id)
    # Approved at LINE Pay, which sends its confirmUrl to another browser (LINE reopening the default browser).
    confirm_url = lp.sandbox.approve(tx)["confirmUrl"]
    assert confirm_url.startswith(lp.base_url + "/confirm?")
    second = browsers("iphone", label="second")
    second.get(confirm_url, "other-browser")
    second.seen("other-browser")
    text = second.text()
    for secret in (order.order_id, "Secret gift", "500", str(tx)):
        assert secret not in text, f"the other browser's page shows {secret!r}: {text!r}"
    assert not second.driver.find_elements("css selector", "#lp-return")
    # The first browser's pay page follows by its own polling, and closes the LINE Pay window it opened.
    first.wait_page("receipt", timeout=15)
    first.seen("receipt")
    assert first.element("body").get_attribute("data-status") == "paid"
    first.wait_windows(1)
    assert popup not in first.driver.window_handles


def test_check_confirm_url_browser_shows_the_sandbox_guidance_to_the_second_profile(lp_check_browser, browsers):
    lp = lp_check_browser
    first = browsers("iphone", label="first")
    order = lp.new_order()
    to_checkout(first, order)
    press_pay(first)   # LINE Pay's page in the first profile: the sandbox remembers this browser
    first.seen("linepay-payment", check=False)
    tx = lp.sandbox.transactions(order.order_id)[0]["transactionId"]
    continue_url = lp.sandbox.approve(tx)["continueUrl"]
    second = browsers("iphone", label="second")
    second.get(continue_url, "sandbox-other-browser")
    second.seen("linepay-other-browser", check=False)
    assert "another browser" in second.text()
    # The browser that started the payment continues to confirmUrl and its receipt.
    first.get(continue_url, "receipt")
    first.seen("receipt")
    assert first.element("body").get_attribute("data-status") == "paid"
