import Foundation

/// The admin pages (/admin): pure functions from view values to complete documents, like `Pages`. Stable ids for
/// tests and scripts: `#lpa-login`, `#lpa-orders`, `#lpa-totals`, `#lpa-next`, `#lpa-order`, `#lpa-result`
/// (with `data-state`), `#lpa-open`, `#lpa-confirm`, `#lpa-regkeys`, `#lpa-chart`, `#lpa-events`.
public enum AdminPages {
    /// The login form (password mode). `loginToken` is the pre-session CSRF token, also set as a cookie.
    public static func login(_ c: AdminContext, loginToken: String, user: String, message: String?, throttled: Bool = false) -> String {
        var main = ""
        if let message { main += AdminFragment.notice(message, kind: throttled ? "warn" : "error", id: "lpa-message") + "\n" }
        main += """
            <form id="lpa-login" class="lpa-card lpa-form" method="post" action="\(htmlEscape(c.url("/login")))" data-once>
            \(AdminFragment.hidden("csrf", loginToken))
            <label for="lpa-user-field">User</label>
            <input id="lpa-user-field" name="user" autocomplete="username" required maxlength="64" value="\(htmlEscape(user))">
            <label for="lpa-password-field">Password</label>
            <input id="lpa-password-field" name="password" type="password" autocomplete="current-password" required maxlength="1024">
            <button class="lpa-button lpa-primary" type="submit">Log in</button>
            </form>
            """
        return AdminDocument(context: c, page: "admin-login", title: "Log in", main: main).render()
    }

    /// A page with one message (no access, not found, errors).
    public static func message(_ c: AdminContext, title: String, text: String) -> String {
        AdminDocument(context: c, page: "admin-message", title: title,
                      main: "<p class=\"lpa-card\" id=\"lpa-text\">\(htmlEscape(text))</p>").render()
    }

    /// The dashboard: the sales of the last 30 days per currency, and the orders that need a look.
    public static func dashboard(_ c: AdminContext, sales: [(currency: String, days: [AdminSalesDay])], attention: [AdminOrderRow]) -> String {
        var main = "<section class=\"lpa-card\" id=\"lpa-sales\"><h2>Net sales, last 30 days (UTC)</h2>\n"
        if sales.isEmpty { main += "<p class=\"lpa-muted\">No captured payments in the last 30 days.</p>\n" }
        for series in sales { main += AdminChart.svg(currency: series.currency, days: series.days) + "\n" }
        main += "</section>\n"
        main += "<section class=\"lpa-card\"><h2>Needs a look</h2>\n"
        main += attention.isEmpty ? "<p class=\"lpa-muted\" id=\"lpa-attention-none\">Nothing is waiting for LINE Pay.</p>\n"
                                  : orderTable(c, attention, id: "lpa-attention") + "\n"
        main += "</section>\n"
        main += searchForm(c, AdminOrderList(statuses: [], rows: [], totals: [], nextQuery: nil), compact: true)
        return AdminDocument(context: c, page: "admin-dashboard", title: "Dashboard", main: main).render()
    }

    /// The order list with its search form, the page's totals and the link to the next page.
    public static func orders(_ c: AdminContext, _ list: AdminOrderList) -> String {
        var main = searchForm(c, list, compact: false) + "\n"
        if let message = list.message { main += AdminFragment.notice(message, kind: "error", id: "lpa-message") + "\n" }
        main += list.rows.isEmpty ? "<p class=\"lpa-muted\" id=\"lpa-none\">No orders match.</p>\n" : orderTable(c, list.rows, id: "lpa-orders") + "\n"
        if !list.totals.isEmpty {
            main += "<table class=\"lpa-table\" id=\"lpa-totals\"><caption>Totals of this page</caption>\n"
            main += "<thead><tr><th>Currency</th><th>Orders</th><th>Amount</th><th>Captured</th><th>Refunded</th></tr></thead><tbody>\n"
            for t in list.totals {
                main += "<tr><td>\(htmlEscape(t.currency))</td><td class=\"lpa-num\">\(t.orders)</td>"
                main += "<td class=\"lpa-num\">\(htmlEscape(AdminFragment.money(t.amount, t.currency)))</td>"
                main += "<td class=\"lpa-num\">\(htmlEscape(AdminFragment.money(t.captured, t.currency)))</td>"
                main += "<td class=\"lpa-num\">\(htmlEscape(AdminFragment.money(t.refunded, t.currency)))</td></tr>\n"
            }
            main += "</tbody></table>\n"
        }
        if let next = list.nextQuery {
            main += "<p><a id=\"lpa-next\" class=\"lpa-button\" href=\"\(htmlEscape(c.url("/orders") + "?" + next))\">Next page</a></p>\n"
        }
        return AdminDocument(context: c, page: "admin-orders", title: "Orders", main: main).render()
    }

    static func searchForm(_ c: AdminContext, _ list: AdminOrderList, compact: Bool) -> String {
        var html = """
            <form class="lpa-card lpa-search" method="get" action="\(htmlEscape(c.url("/orders")))" role="search">
            <label>Order id starts with <input name="q" maxlength="100" value="\(htmlEscape(list.orderIdPrefix))"></label>
            <label>Transaction id <input name="tx" inputmode="numeric" maxlength="19" value="\(htmlEscape(list.transactionId))"></label>
            """
        if !compact {
            html += "\n<label>Status <select name=\"status\"><option value=\"\">any</option>"
            for s in list.statuses {
                html += "<option value=\"\(htmlEscape(s))\"\(s == list.status ? " selected" : "")>\(htmlEscape(s))</option>"
            }
            html += "</select></label>\n"
            html += "<label>From (UTC) <input name=\"from\" type=\"date\" value=\"\(htmlEscape(list.from))\"></label>\n"
            html += "<label>To (UTC, inclusive) <input name=\"to\" type=\"date\" value=\"\(htmlEscape(list.to))\"></label>"
        }
        return html + "\n<button class=\"lpa-button lpa-primary\" type=\"submit\">Search</button>\n</form>"
    }

    static func orderTable(_ c: AdminContext, _ rows: [AdminOrderRow], id: String) -> String {
        var html = "<table class=\"lpa-table\" id=\"\(htmlEscape(id))\">\n<thead><tr><th>Order</th><th>Created (UTC)</th><th>Status</th>"
        html += "<th>Amount</th><th>Captured</th><th>Refunded</th><th>Transaction</th></tr></thead>\n<tbody>\n"
        for r in rows {
            html += "<tr data-order-id=\"\(htmlEscape(r.orderId))\" data-state=\"\(htmlEscape(r.state))\">"
            html += "<td><a href=\"\(htmlEscape(c.url("/orders/" + r.orderId)))\">\(htmlEscape(r.orderId))</a></td>"
            html += "<td>\(htmlEscape(r.created))</td>"
            html += "<td><span class=\"lpa-state lpa-state-\(htmlEscape(r.state))\">\(htmlEscape(r.state))</span>"
            if let checking = r.checking { html += " <span class=\"lpa-checking\">\(htmlEscape(checking))</span>" }
            html += "</td>"
            for amount in [r.amount, r.captured, r.refunded] {
                html += "<td class=\"lpa-num\">\(htmlEscape(AdminFragment.money(amount, r.currency)))</td>"
            }
            html += "<td class=\"lpa-num\">\(htmlEscape(r.transactionId ?? ""))</td></tr>\n"
        }
        return html + "</tbody>\n</table>"
    }

    /// The confirmation step of an action (or why it cannot be done).
    public static func confirm(_ c: AdminContext, _ v: AdminConfirmation) -> String {
        var main = "<section class=\"lpa-card\" id=\"lpa-confirm\">\n<p class=\"lpa-question\">\(htmlEscape(v.question))</p>\n"
        main += AdminFragment.facts(v.facts) + "\n"
        if let refusal = v.refusal {
            main += AdminFragment.notice(refusal, kind: "error", id: "lpa-refusal") + "\n"
            main += "<p><a class=\"lpa-button\" href=\"\(htmlEscape(c.url(v.cancel)))\">Back</a></p>\n"
        } else {
            main += "<form method=\"post\" action=\"\(htmlEscape(c.url(v.action)))\" data-once class=\"lpa-actions\">\n"
            main += AdminFragment.csrfField(c) + "\n" + AdminFragment.hidden("confirm", "yes") + "\n"
            for (name, value) in v.fields { main += AdminFragment.hidden(name, value) + "\n" }
            main += "<button class=\"lpa-button lpa-danger\" type=\"submit\" id=\"lpa-confirm-button\">\(htmlEscape(v.button))</button>\n"
            main += "<a class=\"lpa-button\" href=\"\(htmlEscape(c.url(v.cancel)))\">Cancel</a>\n</form>\n"
        }
        main += "</section>"
        return AdminDocument(context: c, page: "admin-confirm", title: v.title, main: main).render()
    }

    /// The regKeys issued by PREAPPROVED payments, each with charge, check and expire.
    public static func regKeys(_ c: AdminContext, _ keys: [AdminRegKey], notice: (String, String)? = nil) -> String {
        var main = ""
        if let (kind, text) = notice { main += AdminFragment.notice(text, kind: kind, id: "lpa-result") + "\n" }
        if keys.isEmpty {
            main += "<p class=\"lpa-muted\" id=\"lpa-none\">No regKeys yet: they come from confirmed payments with pay_type = PREAPPROVED.</p>"
            return AdminDocument(context: c, page: "admin-regkeys", title: "RegKeys", main: main).render()
        }
        main += "<table class=\"lpa-table\" id=\"lpa-regkeys\">\n<thead><tr><th>Issued by order</th><th>Key</th><th>Issued (UTC)</th>"
        main += "<th>Status</th><th>Last answer</th><th>Actions</th></tr></thead>\n<tbody>\n"
        for k in keys {
            let base = "/regkeys/" + k.orderId
            main += "<tr data-order-id=\"\(htmlEscape(k.orderId))\" data-status=\"\(htmlEscape(k.status))\">"
            main += "<td><a href=\"\(htmlEscape(c.url("/orders/" + k.orderId)))\">\(htmlEscape(k.orderId))</a></td>"
            main += "<td><code>\(htmlEscape(k.masked))</code></td><td>\(htmlEscape(k.issued))</td><td>\(htmlEscape(k.status))</td>"
            main += "<td>\(htmlEscape(k.lastCheck ?? ""))</td><td class=\"lpa-row-actions\">"
            if k.status != "expired" {
                main += """
                    <form method="get" action="\(htmlEscape(c.url(base + "/charge")))" class="lpa-inline">
                    <label>Amount (\(htmlEscape(k.currency))) <input name="amount" inputmode="decimal" required size="8"></label>
                    <label>Product <input name="product" required maxlength="4000" size="12"></label>
                    <label><input type="checkbox" name="capture" value="yes" checked> capture</label>
                    <button class="lpa-button" type="submit">Charge…</button>
                    </form>
                    """
            }
            main += """
                <form method="post" action="\(htmlEscape(c.url(base + "/check")))" class="lpa-inline">\(AdminFragment.csrfField(c))<button class="lpa-button" type="submit">Check</button></form>
                """
            if k.status != "expired" {
                main += "<a class=\"lpa-button\" href=\"\(htmlEscape(c.url(base + "/expire")))\">Expire…</a>"
            }
            main += "</td></tr>\n"
        }
        main += "</tbody>\n</table>"
        return AdminDocument(context: c, page: "admin-regkeys", title: "RegKeys", main: main).render()
    }
}
