"""The shopper's steps, shared by the tests: shop -> checkout -> Pay, and what happens at LINE Pay (the sandbox)."""

from browsers import Browser

SANDBOX_PAGES = ("sandbox-login", "sandbox-payment")


def to_checkout(b: Browser, order, step_prefix: str = "", photograph: bool = True) -> None:
    """The shop's product page, then its Checkout button posts the signed handoff: our checkout page."""
    b.get(order.shop_url, "shop-product")
    if photograph:
        b.seen(step_prefix + "shop")
    b.click("#shop-checkout")
    b.wait_page("checkout")
    if photograph:
        b.seen(step_prefix + "checkout")
    else:
        b.check_layout()
    assert order.order_id in b.element("#lp-order-id").text


def press_pay(b: Browser) -> str:
    """Pay on the checkout page: the desktop's pay page (which opens the popup) or, on a phone, LINE Pay itself."""
    b.click("#lp-pay")
    if b.phone:
        page = b.wait_page(*SANDBOX_PAGES, "pay")
        assert page == "sandbox-payment", f"{b.label}: a phone must be redirected straight to LINE Pay's page, got {page}"
    else:
        page = b.wait_page("pay", *SANDBOX_PAGES)
        assert page == "pay", f"{b.label}: a desktop gets the pay page, got {page}"
    return page


def log_in_if_asked(b: Browser, step_prefix: str = "") -> None:
    """LINE Pay's login step (desktop user agents only), then its payment page."""
    page = b.wait_page(*SANDBOX_PAGES)
    if page == "sandbox-login":
        b.seen(step_prefix + "linepay-login", check=False)
        b.click("#login")
        b.wait_page("sandbox-payment")
    b.seen(step_prefix + "linepay-payment", check=False)


def transaction_id(b: Browser, lp, order_id: str) -> str:
    """The LINE Pay transaction id, as the first browser's own /linepay/status answer gives it."""
    answer = b.fetch_json(f"{lp.base_url}/status?orderId={order_id}")
    assert answer.get("status") == "reserved" and answer.get("transactionId"), answer
    return answer["transactionId"]
