import SQLite

/// The append-only event log: every state change writes one row in its own transaction; callers add their own
/// (LINE Pay calls made, admin actions). Triggers refuse UPDATE and DELETE, whoever asks.
extension OrderStore {
    /// Appends an event, about an order (throws unknownOrder if there is none) or about nothing in particular (nil).
    public func appendEvent(orderId: String?, kind: String, actor: String, detail: String, now: Int64) throws {
        try change {
            var row: Int64?
            if let orderId {
                guard let found = try connection.queryOne("SELECT id FROM orders WHERE order_id = ?", [.text(orderId)])?
                    .int("id") else { throw OrderStoreError.unknownOrder(orderId) }
                row = found
            }
            try insertEvent(orderRow: row, kind: kind, actor: actor, now: now, detail: detail)
        }
    }

    /// The order's events in the order they were written (empty for an unknown order).
    public func events(orderId: String) throws -> [Event] {
        try connection.query("""
            SELECT e.* FROM events AS e JOIN orders AS o ON o.id = e.order_row WHERE o.order_id = ? ORDER BY e.id
            """, [.text(orderId)]).map(Event.init)
    }
}
