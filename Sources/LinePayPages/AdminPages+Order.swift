extension AdminPages {
    /// One order: the result of the form just sent, the operation LINE Pay is being asked about, amounts and what
    /// remains refundable, LINE Pay's payment details from the last refresh, the actions it allows, items, operations
    /// and the event log.
    public static func order(_ c: AdminContext, _ d: AdminOrderDetail) -> String {
        let o = d.order
        let m = { (amount: String) in AdminFragment.money(amount, o.currency) }
        var main = ""
        if let h = d.highlight {
            let text = "\(h.kind.capitalized)\(h.amount.map { " " + m($0) } ?? ""): \(AdminFragment.operationState(h.state)). \(h.result)"
            main += AdminFragment.notice(text, kind: AdminFragment.operationKind(h.state), id: "lpa-result", data: [("state", h.state)]) + "\n"
        }
        if let notice = d.notice { main += AdminFragment.notice(notice, kind: "error", id: "lpa-notice") + "\n" }
        if let open = d.open {
            let text = "\(open.kind.capitalized)\(open.amount.map { " " + m($0) } ?? ""): \(AdminFragment.operationState(open.state)). "
                + "No other action is possible until LINE Pay's answer is known (Refresh, or `linepay reconcile`)."
            main += AdminFragment.notice(text, kind: "warn", id: "lpa-open", data: [("state", open.state), ("kind", open.kind)]) + "\n"
        }
        var facts: [(String, String)] = [("Order", o.orderId), ("Status", d.state)]
        if let lp = d.linePayOrderId, lp != o.orderId { facts.append(("LINE Pay orderId", lp)) }
        if let tx = o.transactionId { facts.append(("Transaction", tx)) }
        facts += [("Created (UTC)", d.created), ("Updated (UTC)", d.updated), ("Total", m(o.total)), ("Authorized", m(d.authorized)),
                  ("Captured", m(d.captured)), ("Refunded", m(d.refunded)), ("Refundable", m(d.refundable))]
        if let k = d.regKey { facts.append(("RegKey issued", k)) }
        if let from = d.chargedFrom { facts.append(("Charged from the regKey of", from)) }
        if let e = d.lastError { facts.append(("Last error", e)) }
        facts += d.extraFacts
        main += "<section class=\"lpa-card\" id=\"lpa-order\" data-state=\"\(htmlEscape(d.state))\">\n"
        main += AdminFragment.facts(facts, id: "lpa-facts") + "\n</section>\n"

        main += "<section class=\"lpa-card\" id=\"lpa-actions\"><h2>Actions</h2>\n<div class=\"lpa-actions\">\n"
        let base = "/orders/" + o.orderId
        if d.canCapture {
            main += """
                <form method="get" action="\(htmlEscape(c.url(base + "/capture")))" class="lpa-inline">
                <label>Capture amount <input name="amount" inputmode="decimal" value="\(htmlEscape(d.authorized))" size="10"></label>
                <button class="lpa-button" type="submit" id="lpa-capture">Capture…</button>
                </form>

                """
        }
        if d.canVoid { main += "<a class=\"lpa-button\" id=\"lpa-void\" href=\"\(htmlEscape(c.url(base + "/void")))\">Void…</a>\n" }
        if d.canRefund {
            main += """
                <form method="get" action="\(htmlEscape(c.url(base + "/refund")))" class="lpa-inline">
                <label>Refund amount <input name="amount" inputmode="decimal" value="\(htmlEscape(d.refundable))" size="10"></label>
                <button class="lpa-button" type="submit" id="lpa-refund">Refund…</button>
                </form>

                """
        }
        main += """
            <form method="post" action="\(htmlEscape(c.url(base + "/refresh")))" class="lpa-inline">\(AdminFragment.csrfField(c))
            <button class="lpa-button" type="submit" id="lpa-refresh">Refresh from LINE Pay</button>
            </form>
            </div>
            </section>

            """

        main += "<section class=\"lpa-card\" id=\"lpa-payinfo\"><h2>At LINE Pay</h2>\n"
        if d.payInfo.isEmpty {
            main += "<p class=\"lpa-muted\">Not looked up yet: Refresh asks LINE Pay's payment details.</p>\n"
        } else {
            main += AdminFragment.facts(d.payInfo) + "\n"
            if let at = d.payInfoFetched { main += "<p class=\"lpa-muted\">As LINE Pay said at \(htmlEscape(at)) UTC.</p>\n" }
        }
        main += "</section>\n"

        main += "<section class=\"lpa-card\"><h2>Items</h2>\n<table class=\"lpa-table\" id=\"lpa-items\"><thead><tr><th>Item</th><th>Qty</th>"
        main += "<th>Price</th><th>Total</th></tr></thead><tbody>\n"
        for i in o.items {
            main += "<tr><td>\(htmlEscape(i.name))</td><td class=\"lpa-num\">\(i.quantity)</td><td class=\"lpa-num\">\(htmlEscape(m(i.unitPrice)))</td>"
            main += "<td class=\"lpa-num\">\(htmlEscape(m(i.lineTotal)))</td></tr>\n"
        }
        if let fee = o.shippingFee { main += "<tr><td>Shipping</td><td></td><td></td><td class=\"lpa-num\">\(htmlEscape(m(fee)))</td></tr>\n" }
        main += "</tbody></table>\n</section>\n"

        if !d.operations.isEmpty {
            main += "<section class=\"lpa-card\"><h2>Operations</h2>\n<table class=\"lpa-table\" id=\"lpa-operations\"><thead><tr><th>When (UTC)</th>"
            main += "<th>What</th><th>Who</th><th>State</th><th>Answer</th></tr></thead><tbody>\n"
            for op in d.operations {
                main += "<tr data-state=\"\(htmlEscape(op.state))\"><td>\(htmlEscape(op.at))</td>"
                main += "<td>\(htmlEscape(op.kind + (op.amount.map { " " + m($0) } ?? "")))</td><td>\(htmlEscape(op.actor))</td>"
                main += "<td>\(htmlEscape(AdminFragment.operationState(op.state)))</td><td>\(htmlEscape(op.result))</td></tr>\n"
            }
            main += "</tbody></table>\n</section>\n"
        }

        main += "<section class=\"lpa-card\"><h2>Event log</h2>\n<table class=\"lpa-table\" id=\"lpa-events\"><thead><tr><th>When (UTC)</th>"
        main += "<th>Who</th><th>What</th><th>Detail</th></tr></thead><tbody>\n"
        for e in d.events {
            main += "<tr><td>\(htmlEscape(e.at))</td><td>\(htmlEscape(e.actor))</td><td>\(htmlEscape(e.kind))</td><td>\(htmlEscape(e.detail))</td></tr>\n"
        }
        main += "</tbody></table>\n</section>"
        return AdminDocument(context: c, page: "admin-order", title: "Order \(o.orderId)", main: main).render()
    }
}
