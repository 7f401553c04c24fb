import Foundation
import LinePay
import SQLite

/// An admin's login session. Times are Unix seconds.
public struct AdminSession: Sendable, Equatable {
    /// Hex HMAC of the cookie token (the token itself is never stored).
    public var id: String
    /// Who logged in: the admin_user of password mode, or REMOTE_USER.
    public var user: String
    /// The token every admin form must echo back.
    public var csrfToken: String
    /// When it was created.
    public var createdAt: Int64
    /// When it stops being valid.
    public var expiresAt: Int64
    /// A fingerprint of the credential that made it (mode, user, password hash): when it no longer matches the
    /// configuration's, the session is void. "" for sessions made before fingerprints (void too).
    public var credential: String

    init(row: SQLiteRow) throws {
        credential = row.text("credential") ?? ""
        id = try row.requiredText("id", table: "admin_sessions")
        user = try row.requiredText("user", table: "admin_sessions")
        csrfToken = try row.requiredText("csrf_token", table: "admin_sessions")
        createdAt = try row.requiredInt("created_at", table: "admin_sessions")
        expiresAt = try row.requiredInt("expires_at", table: "admin_sessions")
    }
}

/// What an after-sale operation does at LINE Pay.
public enum OperationKind: String, Sendable, CaseIterable {
    /// Capture an authorization (up to the authorized amount).
    case capture
    /// Void an authorization.
    case void
    /// Refund captured money, in full or in part.
    case refund
    /// Pay preapproved: charge a regKey for a new order.
    case charge
}

/// Where an after-sale operation is. `pending` and `unknown` are open: at most one per order.
public enum OperationState: String, Sendable, CaseIterable {
    /// Recorded; the LINE Pay call is being made.
    case pending
    /// The call ended without a clear answer: reconcile settles it from payment details, never by calling again.
    case unknown
    /// LINE Pay did it (answered success, or payment details show it).
    case done
    /// LINE Pay refused it: nothing happened.
    case refused
    /// We refused it before calling LINE Pay (amount above what remains, wrong state...): nothing happened.
    case rejected
    /// LINE Pay could not be reached; nothing was sent.
    case not_sent
    /// Its outcome was unknown, and payment details show it did not happen.
    case not_done

    /// Pending or unknown: the order shows "checking" for it.
    public var isOpen: Bool { self == .pending || self == .unknown }
}

/// One after-sale operation, with the answer that settled it.
public struct AfterSaleOperation: Sendable, Equatable {
    public var id: Int64
    /// The form's or command's idempotency key: the same key never acts twice.
    public var idempotencyKey: String
    /// The order it acts on (Order.rowId) and its shop order id.
    public var orderRowId: Int64
    public var orderId: String
    public var kind: OperationKind
    /// The amount asked for (void: nil).
    public var amount: Decimal?
    public var state: OperationState
    /// Who asked: "admin:NAME", "remote:NAME", "cli:NAME".
    public var actor: String
    public var createdAt: Int64
    public var updatedAt: Int64
    /// LINE Pay's answer, or our reason, in words.
    public var result: String
    /// For a refund: LINE Pay's refund transaction, once known.
    public var refundTransactionId: Int64?
    /// For a charge: the order whose regKey was charged.
    public var sourceOrderRowId: Int64?
    /// Why we refused it before calling LINE Pay (state rejected).
    public var refusal: OperationRefusal?
    /// The currency of the order it acts on (amounts and refusals are in it).
    public var currency: String

    init(row: SQLiteRow) throws {
        let t = "operations"
        id = try row.requiredInt("id", table: t)
        idempotencyKey = try row.requiredText("idempotency_key", table: t)
        orderRowId = try row.requiredInt("order_row", table: t)
        orderId = try row.requiredText("order_id", table: t)
        guard let k = row.text("kind").flatMap(OperationKind.init(rawValue:)) else {
            throw OrderStoreError.corrupt(table: t, column: "kind", value: "\(row["kind"])")
        }
        kind = k
        amount = row.text("amount") == nil ? nil : try row.money("amount", table: t)
        guard let s = row.text("state").flatMap(OperationState.init(rawValue:)) else {
            throw OrderStoreError.corrupt(table: t, column: "state", value: "\(row["state"])")
        }
        state = s
        actor = try row.requiredText("actor", table: t)
        createdAt = try row.requiredInt("created_at", table: t)
        updatedAt = try row.requiredInt("updated_at", table: t)
        result = try row.requiredText("result", table: t)
        refundTransactionId = row.int("refund_transaction_id")
        refusal = row.text("refusal").flatMap(OperationRefusal.init(code:))
        currency = row.text("order_currency") ?? ""
        sourceOrderRowId = row.int("source_order_row")
    }
}

/// An operation asked for, before it is checked and recorded.
public struct OperationRequest: Sendable, Equatable {
    public var idempotencyKey: String
    public var orderId: String
    public var kind: OperationKind
    /// nil: the whole authorized amount (capture) or all that remains (refund); ignored by void.
    public var amount: Decimal?
    public var actor: String

    public init(idempotencyKey: String, orderId: String, kind: OperationKind, amount: Decimal? = nil, actor: String) {
        self.idempotencyKey = idempotencyKey; self.orderId = orderId; self.kind = kind; self.amount = amount; self.actor = actor
    }
}

/// What `beginOperation` did.
public enum BeginOperationResult: Sendable, Equatable {
    /// Recorded as pending: the caller makes the LINE Pay call now (and only this caller).
    case started(AfterSaleOperation, Order)
    /// This key was used before: its operation as it is now (a double submit).
    case existing(AfterSaleOperation)
    /// Refused by our own rules and recorded so (state rejected, the reason in `refusal`): LINE Pay is not called.
    case rejected(AfterSaleOperation)
    /// No such order.
    case notFound
    /// The key was used for another order or kind: nothing was recorded.
    case keyReused(AfterSaleOperation)
}

/// A preapproved payment key issued at an order's confirm, and what we know of it since.
public struct RegKeyRecord: Sendable, Equatable {
    /// The order whose confirm issued it (forms and commands name the key by this order, not by the key).
    public var orderRowId: Int64
    public var orderId: String
    /// The key itself: a credential; pages and output show `masked`.
    public var regKey: String
    public var currency: String
    public var issuedAt: Int64
    /// "active" (as issued, or last check passed) or "expired".
    public var status: String
    public var checkedAt: Int64?
    public var checkResult: String?
    public var expiredAt: Int64?

    /// The first 4 and last 4 characters: enough to tell keys apart, not to use one.
    public var masked: String { RegKeyRecord.mask(regKey) }

    public static func mask(_ key: String) -> String {
        key.count <= 8 ? String(repeating: "*", count: key.count) : "\(key.prefix(4))…\(key.suffix(4))"
    }

    init(row: SQLiteRow) throws {
        let t = "regkeys"
        orderRowId = try row.requiredInt("order_row", table: t)
        orderId = try row.requiredText("order_id", table: t)
        regKey = try row.requiredText("reg_key", table: t)
        currency = try row.requiredText("currency", table: t)
        issuedAt = try row.requiredInt("created_at", table: t)
        status = try row.requiredText("status", table: t)
        checkedAt = row.int("checked_at")
        checkResult = row.text("check_result")
        expiredAt = row.int("expired_at")
    }
}

/// Net sales (captured minus refunded) of one UTC day in one currency, for the chart.
public struct DailySales: Sendable, Equatable {
    /// Unix seconds of 00:00 UTC that day.
    public var day: Int64
    public var currency: String
    public var net: Decimal
    public var orders: Int
}

/// A search of the order list. Every combination is served by an index (see `orderQueryPlan`).
public struct OrderFilter: Sendable, Equatable {
    /// Orders whose orderId starts with this (A-Z a-z 0-9 _ - only); the list is then in orderId order.
    public var orderIdPrefix: String?
    /// Exactly this LINE Pay transaction.
    public var transactionId: Int64?
    public var state: OrderState?
    /// created_at >= from (Unix seconds).
    public var from: Int64?
    /// created_at < to (Unix seconds).
    public var to: Int64?

    public init(orderIdPrefix: String? = nil, transactionId: Int64? = nil, state: OrderState? = nil, from: Int64? = nil, to: Int64? = nil) {
        self.orderIdPrefix = orderIdPrefix; self.transactionId = transactionId; self.state = state; self.from = from; self.to = to
    }

    /// Whether the list is in orderId order (a prefix search) rather than newest first.
    public var byOrderId: Bool { transactionId == nil && !(orderIdPrefix ?? "").isEmpty }
}

/// Where the next page starts: after this order in the list's own order. Its text form travels in links.
public enum OrderCursor: Sendable, Equatable {
    /// Newest-first lists: after (createdAt, rowId).
    case created(Int64, Int64)
    /// Prefix searches: after this orderId.
    case orderId(String)

    /// `c.CREATED.ROW` or `o.ORDERID`.
    public var text: String {
        switch self {
        case .created(let at, let row): return "c.\(at).\(row)"
        case .orderId(let id): return "o.\(id)"
        }
    }

    /// Parses `text`; nil for anything else.
    public init?(text: String) {
        if text.hasPrefix("c.") {
            let parts = text.dropFirst(2).split(separator: ".")
            guard parts.count == 2, let at = Int64(parts[0]), let row = Int64(parts[1]) else { return nil }
            self = .created(at, row)
        } else if text.hasPrefix("o."), OrderStore.isOrderIdText(String(text.dropFirst(2))) {
            self = .orderId(String(text.dropFirst(2)))
        } else {
            return nil
        }
    }
}

/// One page of the order list.
public struct OrderPage: Sendable {
    public var orders: [Order]
    /// The open operation of each order that has one, by Order.rowId.
    public var openOperations: [Int64: AfterSaleOperation]
    /// Set when there is a next page.
    public var next: OrderCursor?

    public init(orders: [Order], openOperations: [Int64: AfterSaleOperation], next: OrderCursor?) {
        self.orders = orders; self.openOperations = openOperations; self.next = next
    }
}

/// Payment details as last fetched for an order, kept as plain text fields for the pages.
public struct PaymentSnapshot: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable {
        public var method: String
        public var amount: String
        public var card: String?
        public init(method: String, amount: String, card: String?) { self.method = method; self.amount = amount; self.card = card }
    }
    public struct RefundLine: Codable, Sendable, Equatable {
        public var refundTransactionId: String
        public var amount: String
        public var date: String?
        public init(refundTransactionId: String, amount: String, date: String?) {
            self.refundTransactionId = refundTransactionId; self.amount = amount; self.date = date
        }
    }
    public var transactionId: String
    /// AUTHORIZATION, VOIDED_AUTHORIZATION, EXPIRED_AUTHORIZATION, or CAPTURED when LINE Pay sends none.
    public var payStatus: String
    public var transactionType: String?
    public var transactionDate: String?
    public var authorizationExpireDate: String?
    public var payInfo: [Line]
    public var refunds: [RefundLine]
    /// When it was fetched (set by the store when read).
    public var fetchedAt: Int64 = 0

    public init(transactionId: String, payStatus: String, transactionType: String?, transactionDate: String?,
                authorizationExpireDate: String?, payInfo: [Line], refunds: [RefundLine]) {
        self.transactionId = transactionId; self.payStatus = payStatus; self.transactionType = transactionType
        self.transactionDate = transactionDate; self.authorizationExpireDate = authorizationExpireDate
        self.payInfo = payInfo; self.refunds = refunds
    }
}
