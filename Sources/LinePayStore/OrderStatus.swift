import DatabaseCore

/// What a shopper's `/status` poll needs of an order: who owns it, where it is and when it was reserved. Read with
/// one narrow SELECT (no items, a few columns): the full `Order` is loaded only when the poll must act on it.
public struct OrderStatus: Sendable, Equatable {
    /// The store's own key.
    public var rowId: Int64
    /// The shop's order id.
    public var orderId: String
    /// The browser session that owns the checkout.
    public var sessionId: String
    /// Where the order is.
    public var state: OrderState
    /// LINE Pay's transaction id for the current attempt, once reserved.
    public var transactionId: Int64?
    /// When the order was created.
    public var createdAt: Int64
    /// When the current attempt was reserved.
    public var reservedAt: Int64?
}

extension OrderStore {
    /// The order's `OrderStatus` and whether the session `session` (a session id) is live at `now` (whether it owns
    /// the order is the caller's comparison with `sessionId`), or nil when there is no such order. One statement, one
    /// snapshot: a /status poll costs one query, not a transaction of two.
    public func orderStatus(orderId: String, session: String, now: Int64) throws -> (status: OrderStatus, sessionIsLive: Bool)? {
        try connection.queryOne("""
            SELECT id, order_id, session_id, state, transaction_id, created_at, reserved_at,
                   EXISTS (SELECT 1 FROM sessions WHERE id = ? AND expires_at > ?) AS session_live
            FROM orders WHERE order_id = ?
            """, [.text(session), .integer(now), .text(orderId)]).map { row in
            let t = "orders"
            let status = OrderStatus(rowId: try row.requiredInt("id", table: t), orderId: try row.requiredText("order_id", table: t),
                                     sessionId: try row.requiredText("session_id", table: t), state: try row.state("state", table: t),
                                     transactionId: row.int("transaction_id"), createdAt: try row.requiredInt("created_at", table: t),
                                     reservedAt: row.int("reserved_at"))
            return (status, row.int("session_live") == 1)
        }
    }
}
