import FastCGI
import Foundation
import LinePay
import LinePayConfig
import LinePayCheckout
import LinePayPages
import LinePayStore

/// /admin/orders: the searchable list, the order page, and capture / void / refund / refresh.
extension ResponderWorker {
    static let pageSize = 50

    /// GET /admin/orders?q=PREFIX&tx=ID&status=S&from=YYYY-MM-DD&to=YYYY-MM-DD&after=CURSOR
    func orderList(_ request: FastCGIRequest, _ identity: AdminIdentity) throws -> FastCGIResponse {
        let q = (queryValue(request, "q") ?? "").trimmingCharacters(in: .whitespaces)
        let tx = (queryValue(request, "tx") ?? "").trimmingCharacters(in: .whitespaces)
        let status = queryValue(request, "status") ?? ""
        let from = queryValue(request, "from") ?? "", to = queryValue(request, "to") ?? ""
        var filter = OrderFilter()
        var problems: [String] = []
        if !q.isEmpty { if OrderStore.isOrderIdText(q) { filter.orderIdPrefix = q } else { problems.append("Order ids hold only A-Z a-z 0-9 _ -.") } }
        if !tx.isEmpty { if let id = TransactionID(tx) { filter.transactionId = id.rawValue } else { problems.append("A transaction id is up to 19 digits.") } }
        if !status.isEmpty { if let s = OrderState(rawValue: status) { filter.state = s } else { problems.append("Unknown status \(status).") } }
        if !from.isEmpty { if let t = utcDay(from) { filter.from = t } else { problems.append("From must be a date (YYYY-MM-DD).") } }
        if !to.isEmpty { if let t = utcDay(to) { filter.to = t + 86400 } else { problems.append("To must be a date (YYYY-MM-DD).") } }
        let after = queryValue(request, "after").flatMap(OrderCursor.init(text:))
        let result = problems.isEmpty ? try store.orders(filter, limit: Self.pageSize, after: after) : OrderPage(orders: [], openOperations: [:], next: nil)
        var totals: [String: (Int, Decimal, Decimal, Decimal)] = [:]
        for o in result.orders {
            let t = totals[o.currency] ?? (0, 0, 0, 0)
            totals[o.currency] = (t.0 + 1, t.1 + o.amount, t.2 + o.capturedAmount, t.3 + o.refundedAmount)
        }
        var nextQuery: String? = nil
        if let next = result.next {
            let kept = [("q", q), ("tx", tx), ("status", status), ("from", from), ("to", to)].filter { !$0.1.isEmpty }
            nextQuery = (kept + [("after", next.text)]).map { "\($0.0)=\(SignedFields.rawURLEncode($0.1))" }.joined(separator: "&")
        }
        let list = AdminOrderList(
            orderIdPrefix: q, transactionId: tx, status: status, from: from, to: to, statuses: OrderState.allCases.map(\.rawValue),
            rows: result.orders.map { row($0, result.openOperations[$0.rowId]) },
            totals: totals.keys.sorted().map { c in
                let t = totals[c]!
                return AdminTotal(currency: c, orders: t.0, amount: Money.format(t.1), captured: Money.format(t.2), refunded: Money.format(t.3))
            },
            nextQuery: nextQuery, message: problems.isEmpty ? nil : problems.joined(separator: " "))
        return page(problems.isEmpty ? 200 : 400, AdminPages.orders(adminContext(identity), list))
    }

    /// GET /admin/orders/ID[?result=KEY]
    func orderPage(_ orderId: String, _ request: FastCGIRequest, _ identity: AdminIdentity, notice: String? = nil, status: Int = 200) throws -> FastCGIResponse {
        guard let order = try store.order(orderId: orderId) else { return adminNotFound(identity, "There is no order \(orderId).") }
        let operations = try store.operations(orderId: orderId)
        let open = operations.last { $0.state.isOpen }
        let highlight = queryValue(request, "result").flatMap { key in operations.last { $0.idempotencyKey == key } }
        var payInfo: [(String, String)] = []
        var fetched: String? = nil
        if let s = try store.snapshot(orderRowId: order.rowId) {
            payInfo.append(("Pay status", s.payStatus))
            if let type = s.transactionType { payInfo.append(("Transaction type", type)) }
            if let date = s.transactionDate { payInfo.append(("Transaction date", date)) }
            if let exp = s.authorizationExpireDate { payInfo.append(("Authorization expires", exp)) }
            for line in s.payInfo { payInfo.append(("Paid by \(line.method)", "\(line.amount) \(order.currency)" + (line.card.map { " (\($0))" } ?? ""))) }
            for r in s.refunds { payInfo.append(("Refund \(r.refundTransactionId)", "\(r.amount) \(order.currency)" + (r.date.map { " on \($0)" } ?? ""))) }
            fetched = utcText(s.fetchedAt)
        }
        var chargedFrom: String? = nil
        if let source = operations.first(where: { $0.kind == .charge && $0.orderRowId == order.rowId })?.sourceOrderRowId {
            chargedFrom = try store.order(rowId: source)?.orderId
        }
        let refundable = order.capturedAmount - order.refundedAmount
        let allowed = AllowedActions(order, open: open)
        let detail = AdminOrderDetail(
            order: view(order), state: order.state.rawValue, linePayOrderId: order.linePayOrderId, created: utcText(order.createdAt),
            updated: utcText(order.updatedAt), authorized: Money.format(order.authorizedAmount), captured: Money.format(order.capturedAmount),
            refunded: Money.format(order.refundedAmount), refundable: Money.format(refundable), lastError: order.lastError,
            regKey: order.regKey.map { k in RegKeyRecord.mask(k) + ((try? store.regKey(orderId: orderId))??.status == "expired" ? " (expired)" : "") },
            chargedFrom: chargedFrom, payInfo: payInfo, payInfoFetched: fetched, open: open.map(operationView), highlight: highlight.map(operationView),
            notice: notice, operations: operations.map(operationView),
            events: try store.events(orderId: orderId).map { AdminEvent(at: utcText($0.at), kind: $0.kind, actor: $0.actor, detail: $0.detail) },
            canCapture: allowed.capture, canVoid: allowed.void, canRefund: allowed.refund, extraFacts: OrderFacts.lines(authorized: order.state == .authorized, authorizationExpiresAt: order.authorizationExpiresAt,
                                                 paymentProvider: order.paymentProvider, regKeyUnknown: order.regKeyUnknown, now: unixNow())
                + shippingFacts(order, address: true))
        return page(status, AdminPages.order(adminContext(identity), detail))
    }

    /// GET /admin/orders/ID/(capture|void|refund)?amount=A: what would happen, and the form that does it.
    func confirmOperation(_ orderId: String, _ kind: OperationKind, _ request: FastCGIRequest, _ identity: AdminIdentity) throws -> FastCGIResponse {
        guard let order = try store.order(orderId: orderId) else { return adminNotFound(identity, "There is no order \(orderId).") }
        let amountText = (queryValue(request, "amount") ?? "").trimmingCharacters(in: .whitespaces)
        let money = { (d: Decimal) in "\(Money.format(d)) \(order.currency)" }
        var refusal: String? = nil
        var asked: Decimal? = nil
        if kind != .void, !amountText.isEmpty {
            if let a = Money.parse(amountText), !amountText.hasPrefix("-") { asked = a }
            else { refusal = "\"\(amountText)\" is not an amount (write it like 120 or 150.50)." }
        }
        // The core's own rule, the one applied when the form is sent: shown early so nobody confirms a doomed action.
        let (amount, rule) = PaymentCore.check(kind, order, open: try store.openOperation(orderRowId: order.rowId), amount: asked)
        if refusal == nil, let rule { refusal = Self.sentence(rule.explanation(currency: order.currency)) }
        let refundable = order.capturedAmount - order.refundedAmount
        var facts: [(String, String)] = [("Order", order.orderId), ("Status", order.state.rawValue), ("Transaction", order.transactionId.map(String.init) ?? "")]
        let verb: String
        switch kind {
        case .capture:
            verb = "Capture"
            facts += [("Authorized", money(order.authorizedAmount)), ("Capture now", amount.map(money) ?? "")]
        case .void:
            verb = "Void"
            facts += [("Authorized", money(order.authorizedAmount)), ("After voiding", "nothing is charged; the hold is released")]
        default:
            verb = "Refund"
            facts += [("Captured", money(order.capturedAmount)), ("Refunded so far", money(order.refundedAmount)),
                      ("Refund now", amount.map(money) ?? ""), ("Refundable after this", amount.map { money(refundable - $0) } ?? "")]
        }
        let question: String
        switch kind {
        case .capture: question = "Capture \(amount.map(money) ?? "") of order \(order.orderId)? The shopper is charged."
        case .void: question = "Void the authorization of order \(order.orderId)? It cannot be captured afterwards."
        default: question = "Refund \(amount.map(money) ?? "") of order \(order.orderId) to the shopper? A refund cannot be undone."
        }
        var fields = [("key", Self.newIdempotencyKey())]
        if let amount { fields.append(("amount", Money.format(amount))) }
        let view = AdminConfirmation(title: "\(verb) \(order.orderId)", question: question, facts: facts, action: "/orders/\(order.orderId)/\(kind.rawValue)",
                                     fields: fields, button: "\(verb)\(amount.map { " " + money($0) } ?? "")", cancel: "/orders/\(order.orderId)", refusal: refusal)
        return page(refusal == nil ? 200 : 422, AdminPages.confirm(adminContext(identity), view))
    }

    /// POST /admin/orders/ID/(capture|void|refund) from the confirmation page: once per form (its key).
    func performOperation(_ orderId: String, _ kind: OperationKind, _ request: FastCGIRequest, _ identity: AdminIdentity, now: Int64) throws -> FastCGIResponse {
        guard formValue(request, "confirm") == "yes" else {
            return page(400, AdminPages.message(adminContext(identity), title: "Confirm first", text: "Every action is confirmed on its own page first; nothing was done."))
        }
        guard let key = formValue(request, "key"), Self.isIdempotencyKey(key) else {
            return page(400, AdminPages.message(adminContext(identity), title: "Bad form", text: "The form has no valid key; reload the order and try again. Nothing was done."))
        }
        var amount: Decimal? = nil
        if kind != .void, let text = formValue(request, "amount"), !text.isEmpty {
            guard let a = Money.parse(text), !text.hasPrefix("-") else {
                return page(400, AdminPages.message(adminContext(identity), title: "Bad amount", text: "\"\(text)\" is not an amount. Nothing was done."))
            }
            amount = a
        }
        switch try core.acting(as: identity.actor).perform(kind, orderId: orderId, amount: amount, key: key, now: now) {
        case .notFound: return adminNotFound(identity, "There is no order \(orderId).")
        case .keyReused:
            return page(409, AdminPages.message(adminContext(identity), title: "Form reused", text: "This form was already used for another action or amount. Nothing was done."))
        case .finished(let op, _):
            return redirect(adminURL("/orders/\(SignedFields.rawURLEncode(op.orderId))?result=\(key)"))
        }
    }

    /// POST /admin/orders/ID/refresh: payment details from LINE Pay (a lookup: no confirmation step).
    func refreshOrder(_ orderId: String, _ request: FastCGIRequest, _ identity: AdminIdentity, now: Int64) throws -> FastCGIResponse {
        switch try core.acting(as: identity.actor).refreshFromLinePay(orderId: orderId, now: now) {
        case .notFound: return adminNotFound(identity, "There is no order \(orderId).")
        case .failed(let why): return try orderPage(orderId, request, identity, notice: "Refresh failed: \(why)", status: 502)
        case .refreshed:
            return redirect(adminURL("/orders/\(SignedFields.rawURLEncode(orderId))"))
        }
    }

    // MARK: Views

    func row(_ o: Order, _ open: AfterSaleOperation?) -> AdminOrderRow {
        AdminOrderRow(orderId: o.orderId, created: utcText(o.createdAt), state: o.state.rawValue,
                      checking: open.map { "\($0.kind.rawValue) \(AdminFragmentText.state($0.state))" } ?? (o.state == .confirming ? "checking" : nil),
                      currency: o.currency, amount: Money.format(o.amount), captured: Money.format(o.capturedAmount),
                      refunded: Money.format(o.refundedAmount), transactionId: o.transactionId.map(String.init))
    }

    func operationView(_ op: AfterSaleOperation) -> AdminOperationView {
        AdminOperationView(kind: op.kind.rawValue, amount: op.amount.map(Money.format), state: op.state.rawValue, actor: op.actor,
                           at: utcText(op.updatedAt), result: op.summary)
    }

    /// "Only ... paid." from the core's lower-case clause.
    static func sentence(_ clause: String) -> String { clause.prefix(1).uppercased() + clause.dropFirst() + "." }

    func adminNotFound(_ identity: AdminIdentity, _ text: String) -> FastCGIResponse {
        page(404, AdminPages.message(adminContext(identity), title: "Not found", text: text))
    }
}

/// The words for an operation's state outside the pages module (lists, refusals).
enum AdminFragmentText {
    static func state(_ s: OperationState) -> String {
        switch s {
        case .pending: return "in progress"
        case .unknown: return "checking"
        default: return s.rawValue
        }
    }
}

