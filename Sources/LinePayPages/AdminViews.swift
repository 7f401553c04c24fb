import Foundation

/// What every admin page needs: where the responder lives and who is looking. Admin pages are English only.
public struct AdminContext: Sendable {
    /// The location prefix, e.g. `/linepay`; admin links are `basePath + "/admin/..."`.
    public var basePath: String
    public var shopName: String
    /// The signed-in admin (nil on the login page).
    public var user: String?
    /// The session's CSRF token, for the logout form and every POST form.
    public var csrfToken: String?
    /// Whether to show "Log out" (password mode; with REMOTE_USER the web server owns the login).
    public var canLogOut: Bool
    /// Fingerprinted asset names, as in `PageContext.assetNames`.
    public var assetNames: [String: String] = [:]

    public init(basePath: String, shopName: String, user: String? = nil, csrfToken: String? = nil, canLogOut: Bool = false) {
        self.basePath = basePath; self.shopName = shopName; self.user = user; self.csrfToken = csrfToken; self.canLogOut = canLogOut
    }

    /// `basePath + "/admin" + path`.
    func url(_ path: String) -> String { joinPath(basePath, "/admin" + path) }
}

/// One order in a list; amounts are preformatted text.
public struct AdminOrderRow: Sendable {
    public var orderId: String
    public var created: String
    public var state: String
    /// "refund checking", "capture in progress": an open operation, shown beside the state.
    public var checking: String?
    public var currency: String
    public var amount: String
    public var captured: String
    public var refunded: String
    public var transactionId: String?

    public init(orderId: String, created: String, state: String, checking: String?, currency: String, amount: String,
                captured: String, refunded: String, transactionId: String?) {
        self.orderId = orderId; self.created = created; self.state = state; self.checking = checking; self.currency = currency
        self.amount = amount; self.captured = captured; self.refunded = refunded; self.transactionId = transactionId
    }
}

/// Totals of one currency over the rows of a page.
public struct AdminTotal: Sendable {
    public var currency: String
    public var orders: Int
    public var amount: String
    public var captured: String
    public var refunded: String

    public init(currency: String, orders: Int, amount: String, captured: String, refunded: String) {
        self.currency = currency; self.orders = orders; self.amount = amount; self.captured = captured; self.refunded = refunded
    }
}

/// The order list page: the search as typed, one page of rows, the page's totals and the next page's link.
public struct AdminOrderList: Sendable {
    public var orderIdPrefix: String
    public var transactionId: String
    public var status: String
    public var from: String
    public var to: String
    /// Every status the filter offers.
    public var statuses: [String]
    public var rows: [AdminOrderRow]
    public var totals: [AdminTotal]
    /// The query string of the next page (without `?`), nil on the last page.
    public var nextQuery: String?
    /// A problem with the search as typed.
    public var message: String?

    public init(orderIdPrefix: String = "", transactionId: String = "", status: String = "", from: String = "", to: String = "",
                statuses: [String], rows: [AdminOrderRow], totals: [AdminTotal], nextQuery: String?, message: String? = nil) {
        self.orderIdPrefix = orderIdPrefix; self.transactionId = transactionId; self.status = status; self.from = from; self.to = to
        self.statuses = statuses; self.rows = rows; self.totals = totals; self.nextQuery = nextQuery; self.message = message
    }
}

/// One line of the event log.
public struct AdminEvent: Sendable {
    public var at: String
    public var kind: String
    public var actor: String
    public var detail: String
    public init(at: String, kind: String, actor: String, detail: String) { self.at = at; self.kind = kind; self.actor = actor; self.detail = detail }
}

/// One after-sale operation as the order page shows it.
public struct AdminOperationView: Sendable {
    public var kind: String
    public var amount: String?
    /// pending, unknown, done, refused, rejected, not_sent, not_done.
    public var state: String
    public var actor: String
    public var at: String
    /// LINE Pay's answer or our reason, in words.
    public var result: String

    public init(kind: String, amount: String?, state: String, actor: String, at: String, result: String) {
        self.kind = kind; self.amount = amount; self.state = state; self.actor = actor; self.at = at; self.result = result
    }
}

/// The order page: what we hold, what LINE Pay said at the last refresh, what may be done, and the log.
public struct AdminOrderDetail: Sendable {
    public var order: OrderView
    /// The raw state (confirming, partially_refunded...).
    public var state: String
    public var linePayOrderId: String?
    public var created: String
    public var updated: String
    public var authorized: String
    public var captured: String
    public var refunded: String
    /// captured - refunded.
    public var refundable: String
    public var lastError: String?
    /// The masked regKey this order's confirm issued, if any.
    public var regKey: String?
    /// For a charged order: the order whose regKey paid it.
    public var chargedFrom: String?
    /// Payment details from the last refresh: (label, value) lines, and when.
    public var payInfo: [(String, String)]
    public var payInfoFetched: String?
    /// The operation whose outcome is unknown or in progress, if any.
    public var open: AdminOperationView?
    /// The operation a form just submitted (`?result=KEY`).
    public var highlight: AdminOperationView?
    /// A message for the top of the page (refresh failed...).
    public var notice: String?
    public var operations: [AdminOperationView]
    public var events: [AdminEvent]
    public var canCapture: Bool
    public var canVoid: Bool
    public var canRefund: Bool
    /// More (label, value) lines for the facts card: the hold's expiry, payment provider, a regKey we never saw.
    public var extraFacts: [(String, String)]

    public init(order: OrderView, state: String, linePayOrderId: String?, created: String, updated: String, authorized: String,
                captured: String, refunded: String, refundable: String, lastError: String?, regKey: String?, chargedFrom: String?,
                payInfo: [(String, String)], payInfoFetched: String?, open: AdminOperationView?, highlight: AdminOperationView?,
                notice: String?, operations: [AdminOperationView], events: [AdminEvent], canCapture: Bool, canVoid: Bool, canRefund: Bool,
                extraFacts: [(String, String)] = []) {
        self.extraFacts = extraFacts
        self.order = order; self.state = state; self.linePayOrderId = linePayOrderId; self.created = created; self.updated = updated
        self.authorized = authorized; self.captured = captured; self.refunded = refunded; self.refundable = refundable
        self.lastError = lastError; self.regKey = regKey; self.chargedFrom = chargedFrom; self.payInfo = payInfo
        self.payInfoFetched = payInfoFetched; self.open = open; self.highlight = highlight; self.notice = notice
        self.operations = operations; self.events = events; self.canCapture = canCapture; self.canVoid = canVoid; self.canRefund = canRefund
    }
}

/// The confirmation step of an action: what will happen, then one POST form carrying the CSRF token, the
/// idempotency key of this rendering and the values shown.
public struct AdminConfirmation: Sendable {
    public var title: String
    /// The question, in plain words ("Refund NT$100 of order A-1?").
    public var question: String
    public var facts: [(String, String)]
    /// Path below /admin the form posts to.
    public var action: String
    /// Hidden fields besides csrf and confirm (key, amount...).
    public var fields: [(String, String)]
    public var button: String
    /// Path below /admin of "Cancel".
    public var cancel: String
    /// Set when the action cannot be done as asked (the form is then not offered).
    public var refusal: String?

    public init(title: String, question: String, facts: [(String, String)], action: String, fields: [(String, String)],
                button: String, cancel: String, refusal: String? = nil) {
        self.title = title; self.question = question; self.facts = facts; self.action = action; self.fields = fields
        self.button = button; self.cancel = cancel; self.refusal = refusal
    }
}

/// A regKey in the list, named by the order that issued it.
public struct AdminRegKey: Sendable {
    public var orderId: String
    public var masked: String
    public var currency: String
    public var issued: String
    public var status: String
    public var lastCheck: String?

    public init(orderId: String, masked: String, currency: String, issued: String, status: String, lastCheck: String?) {
        self.orderId = orderId; self.masked = masked; self.currency = currency; self.issued = issued; self.status = status
        self.lastCheck = lastCheck
    }
}

/// One day of the sales chart.
public struct AdminSalesDay: Sendable {
    /// `2024-05-01`.
    public var date: String
    /// Net sales (captured minus refunded), exact.
    public var net: Decimal
    public var orders: Int

    public init(date: String, net: Decimal, orders: Int) { self.date = date; self.net = net; self.orders = orders }
}
