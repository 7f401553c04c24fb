import Foundation
import LinePay
import SQLite

/// The notification outbox: rows written in the same transaction as the state change they report, delivered later
/// by workers that claim them with a lease. Per order, only the oldest undelivered row is due, so the shop hears
/// "paid" before "refunded" however deliveries fail and retry.
extension OrderStore {
    /// Undelivered notifications due at `now` (each the oldest undelivered one of its order), soonest first.
    public func dueNotifications(now: Int64, limit: Int) throws -> [Notification] {
        try connection.query("""
            SELECT * FROM outbox AS o
            WHERE o.delivered_at IS NULL AND o.next_at <= ?
              AND NOT EXISTS (SELECT 1 FROM outbox AS p WHERE p.order_row = o.order_row AND p.delivered_at IS NULL AND p.id < o.id)
            ORDER BY o.next_at, o.id LIMIT ?
            """, [.integer(now), .integer(Int64(limit))]).map(Notification.init)
    }

    /// Takes a notification for delivery: next_at moves to now + lease only if it is still due, so two workers never both send it.
    /// A worker that dies mid-delivery loses the lease; the row is due again when it runs out.
    public func claimNotification(id: Int64, now: Int64, lease: Int64) throws -> Bool {
        try change {
            try connection.run("""
                UPDATE outbox SET next_at = ? WHERE id = ? AND delivered_at IS NULL AND next_at <= ?
                  AND NOT EXISTS (SELECT 1 FROM outbox AS p
                                  WHERE p.order_row = outbox.order_row AND p.delivered_at IS NULL AND p.id < outbox.id)
                """, [.integer(now + lease), .integer(id), .integer(now)]) == 1
        }
    }

    /// Records that the shop acknowledged it (a second call changes nothing).
    public func markDelivered(id: Int64, now: Int64) throws {
        try change {
            _ = try connection.run("UPDATE outbox SET delivered_at = ?, last_error = NULL WHERE id = ? AND delivered_at IS NULL",
                                   [.integer(now), .integer(id)])
        }
    }

    /// attempts += 1, next_at = now + backoff(attempts) (e.g. 10 s doubling up to 1 hour), last_error recorded.
    public func markDeliveryFailed(id: Int64, error: String, now: Int64) throws {
        try change {
            guard let attempts = try connection.queryOne("SELECT attempts FROM outbox WHERE id = ? AND delivered_at IS NULL",
                                                         [.integer(id)])?.int("attempts") else { return }
            _ = try connection.run("""
                UPDATE outbox SET attempts = ?, next_at = ?, last_error = ? WHERE id = ? AND attempts = ? AND delivered_at IS NULL
                """, [.integer(attempts + 1), .integer(now + Self.deliveryBackoff(failures: Int(attempts) + 1)),
                      .text(error), .integer(id), .integer(attempts)])
        }
    }

    /// Seconds to wait after the `failures`-th failed delivery: 10, 20, 40 ... capped at one hour (never given up:
    /// a shop that is down for a day still hears of every payment).
    public static func deliveryBackoff(failures: Int) -> Int64 {
        let doublings = max(0, min(failures - 1, 12))
        return min(10 << Int64(doublings), 3600)
    }

    /// Inside a transition's transaction: the outbox row for the state `order` just entered.
    func enqueueNotification(_ order: Order, now: Int64) throws {
        let amount: Decimal
        switch order.state {
        case .paid: amount = order.capturedAmount
        case .authorized, .voided: amount = order.authorizedAmount
        case .refunded, .partially_refunded: amount = order.refundedAmount
        default: amount = order.amount
        }
        // seq: inside the transition's BEGIN IMMEDIATE, so no other writer can take the same number.
        try connection.run("""
            INSERT INTO outbox (order_row, order_id, status, transaction_id, amount, event_at, next_at,
                                seq, currency, order_amount, authorized, captured, refunded, payment_provider)
            VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM outbox WHERE order_row = ?), ?, ?, ?, ?, ?, ?)
            """, [.integer(order.rowId), .text(order.orderId), .text(order.state.publicStatus),
                  SQLiteValue(order.transactionId), .text(Money.format(amount)), .integer(now), .integer(now),
                  .integer(order.rowId), .text(order.currency), .text(Money.format(order.amount)),
                  .text(Money.format(order.authorizedAmount)), .text(Money.format(order.capturedAmount)),
                  .text(Money.format(order.refundedAmount)), SQLiteValue(order.paymentProvider)])
    }
}
