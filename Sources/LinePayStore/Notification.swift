import Foundation
import LinePay
import SQLite

/// A change the shop must be told about, waiting in the outbox.
public struct Notification: Sendable, Equatable {
    /// The outbox row id (claim and mark by it).
    public var id: Int64
    /// The shop's order id.
    public var orderId: String
    /// The order's new public status (paid, authorized, cancelled, expired, voided, refunded, partially_refunded).
    public var status: String
    /// LINE Pay's transaction id, when there was one.
    public var transactionId: Int64?
    /// The amount the status is about: captured for paid, authorized for authorized and voided, refunded so far
    /// for refunds (a total, so a late retry never reads as a second refund), the order amount otherwise.
    public var amount: Decimal
    /// When the change happened.
    public var eventAt: Int64
    /// Failed deliveries so far.
    public var attempts: Int
    /// When it is due (again).
    public var nextAt: Int64

    init(row: SQLiteRow) throws {
        id = try row.requiredInt("id", table: "outbox")
        orderId = try row.requiredText("order_id", table: "outbox")
        status = try row.requiredText("status", table: "outbox")
        transactionId = row.int("transaction_id")
        amount = try row.money("amount", table: "outbox")
        eventAt = try row.requiredInt("event_at", table: "outbox")
        attempts = Int(try row.requiredInt("attempts", table: "outbox"))
        nextAt = try row.requiredInt("next_at", table: "outbox")
    }
}
