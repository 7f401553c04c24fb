"""/linepay/admin in a desktop browser (password mode, stack.ADMIN_USER / ADMIN_PASSWORD): a phone pays an order,
the admin logs in, finds the order, refunds part of it through the confirmation step, and the order page shows
what remains refundable and the refund in the event log with who did it. A wrong password logs nobody in."""

from decimal import Decimal

from selenium.webdriver.common.by import By

import stack
from flows import press_pay, to_checkout

TOTAL = Decimal(360)     # 3 x 120 TWD
REFUND = Decimal(100)    # part of it


def nt(amount) -> str:
    """TWD as the admin pages write it (Fragment.money): NT$260."""
    return f"NT${amount}"


def paid_order(lp, browsers):
    """An order paid on a phone: checkout, straight to LINE Pay's page, Approve, the receipt."""
    phone = browsers("iphone", language="en", label="shopper")
    order = lp.new_order(locale="en", items=(("Cony plush", "120", 3),))
    to_checkout(phone, order, photograph=False)
    press_pay(phone)
    phone.click("#approve")
    phone.wait_page("receipt")
    assert phone.element("body").get_attribute("data-status") == "paid"
    assert Decimal(order.total) == TOTAL
    return order


def login_form(b, lp):
    """/admin without a session: the login form."""
    b.get(lp.base_url + "/admin", "admin-login")
    assert not b.driver.find_elements(By.CSS_SELECTOR, "#lpa-message")
    assert not b.driver.find_elements(By.CSS_SELECTOR, "#lpa-user")


def submit_login(b, user: str, password: str):
    b.element("#lpa-user-field").clear()
    b.element("#lpa-user-field").send_keys(user)
    b.element("#lpa-password-field").send_keys(password)
    b.click("#lpa-login button[type=submit]")


def facts(b) -> dict:
    """The order page's amounts and status: #lpa-facts, a <dl> of <div><dt>label</dt><dd>value</dd></div>."""
    return b.js("""
        const out = {};
        for (const row of document.querySelectorAll('#lpa-facts > div')) {
          out[row.querySelector('dt').textContent.trim()] = row.querySelector('dd').textContent.trim();
        }
        return out;""")


def events(b) -> list:
    """The event log (#lpa-events) as [when, who, what, detail] rows."""
    return b.js("""
        return Array.from(document.querySelectorAll('#lpa-events tbody tr'))
          .map(tr => Array.from(tr.cells).map(td => td.textContent.trim()));""")


def test_admin_login_refund_part_event_log(lp, browsers):
    order = paid_order(lp, browsers)
    b = browsers("desktop", language="en", label="admin")

    login_form(b, lp)
    submit_login(b, stack.ADMIN_USER, stack.ADMIN_PASSWORD)
    b.wait_page("admin-dashboard")
    assert b.element("#lpa-user").text == stack.ADMIN_USER
    assert any(c["name"] == "lp_admin" for c in b.driver.get_cookies())

    # The orders list, searched by the order id from the dashboard's search form.
    search = b.element("form.lpa-search input[name=q]")
    search.send_keys(order.order_id)
    b.click("form.lpa-search button[type=submit]")
    b.wait_page("admin-orders")
    row = f'#lpa-orders tr[data-order-id="{order.order_id}"]'
    assert b.element(row).get_attribute("data-state") == "paid"
    b.seen("admin-orders")

    # The order: paid, all of it refundable.
    b.click(f"{row} a")
    b.wait_page("admin-order")
    before = facts(b)
    assert before["Order"] == order.order_id and before["Status"] == "paid", before
    assert before["Total"] == nt(TOTAL) and before["Captured"] == nt(TOTAL), before
    assert before["Refunded"] == nt(0) and before["Refundable"] == nt(TOTAL), before
    b.seen("admin-order")

    # Refund part of it: the amount, then the confirmation page says what will happen.
    amount = b.element('form[action$="/refund"] input[name=amount]')
    assert amount.get_attribute("value") == str(TOTAL)
    amount.clear()
    amount.send_keys(str(REFUND))
    b.click("#lpa-refund")
    b.wait_page("admin-confirm")
    question = b.element("#lpa-confirm .lpa-question").text
    assert f"Refund {REFUND} TWD of order {order.order_id}" in question, question
    assert f"{TOTAL - REFUND} TWD" in b.element("#lpa-confirm").text   # "Refundable after this"
    b.seen("admin-confirm")
    b.click("#lpa-confirm-button")

    # Back on the order, with the result of that form.
    b.wait_page("admin-order")
    assert "result=" in b.driver.current_url
    assert b.element("#lpa-result").get_attribute("data-state") == "done", b.element("#lpa-result").text
    after = facts(b)
    assert after["Status"] == "partially_refunded", after
    assert after["Refunded"] == nt(REFUND), after
    assert after["Refundable"] == nt(TOTAL - REFUND), after
    assert b.visible("#lpa-refund"), "what remains can still be refunded"
    assert b.element('form[action$="/refund"] input[name=amount]').get_attribute("value") == str(TOTAL - REFUND)

    log = events(b)
    actor = f"admin:{stack.ADMIN_USER}"
    asked = [e for e in log if e[1] == actor and e[2] == "admin.refund"]
    assert [e[3] for e in asked] == [f"refund {REFUND} TWD requested"], log
    answered = [e for e in log if e[1] == actor and e[2] == "api.refund"]
    assert len(answered) == 1 and answered[0][3].startswith(f"LINE Pay 0000: refunded {REFUND} TWD"), log
    ops = b.js("""return Array.from(document.querySelectorAll('#lpa-operations tbody tr'))
                    .map(tr => [tr.dataset.state, tr.cells[1].textContent.trim(), tr.cells[2].textContent.trim()]);""")
    assert ["done", f"refund {nt(REFUND)}", actor] in ops, ops
    b.seen("admin-order-refunded")

    # The list shows the new state and the refunded amount.
    b.get(f"{lp.base_url}/admin/orders?q={order.order_id}", "admin-orders")
    assert b.element(row).get_attribute("data-state") == "partially_refunded"
    assert nt(REFUND) in [td.text for td in b.driver.find_elements(By.CSS_SELECTOR, f"{row} td")]
    b.seen("admin-orders-refunded")


def test_admin_wrong_password_does_not_log_in(lp, browsers):
    b = browsers("desktop", language="en", label="admin")
    login_form(b, lp)
    submit_login(b, stack.ADMIN_USER, stack.ADMIN_PASSWORD + "-wrong")
    # The answer is the login form again (401), now with the error: wait for the error, not the page name.
    message = b.wait(lambda: b.page() == "admin-login" and b.visible("#lpa-message") and b.element("#lpa-message"),
                     "the login error")
    assert message.text == "Wrong user name or password."
    assert "lpa-error" in message.get_attribute("class")
    assert b.element("#lpa-user-field").get_attribute("value") == stack.ADMIN_USER
    assert b.element("#lpa-password-field").get_attribute("value") == ""
    assert not b.driver.find_elements(By.CSS_SELECTOR, "#lpa-user, #lpa-logout")
    assert not any(c["name"] == "lp_admin" for c in b.driver.get_cookies())
    b.seen("admin-login-wrong")
    # Still logged out: the admin pages send this browser back to the login form.
    b.get(lp.base_url + "/admin/orders", "admin-login")
    assert not b.driver.find_elements(By.CSS_SELECTOR, "#lpa-user")
