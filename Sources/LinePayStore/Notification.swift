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
    /// (Kept for the admin pages; the shop is sent the unambiguous totals below.)
    public var amount: Decimal
    /// Per order 1, 2, 3...: one more for each change; the shop applies a notification only if its seq is higher.
    public var seq: Int64
    /// The order's currency.
    public var currency: String
    /// The order's total, as handed off.
    public var orderAmount: Decimal
    /// Totals as of the change (never deltas, so a retried notification reads the same).
    public var authorized: Decimal
    public var captured: Decimal
    public var refunded: Decimal
    /// What may still be refunded: captured - refunded.
    public var refundable: Decimal { max(0, captured - refunded) }
    /// Online API v4's paymentProvider (TSP, EPI) once LINE Pay named it; nil under v3.
    public var paymentProvider: String?
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
        seq = try row.requiredInt("seq", table: "outbox")
        currency = try row.requiredText("currency", table: "outbox")
        orderAmount = try row.money("order_amount", table: "outbox")
        authorized = try row.money("authorized", table: "outbox")
        captured = try row.money("captured", table: "outbox")
        refunded = try row.money("refunded", table: "outbox")
        eventAt = try row.requiredInt("event_at", table: "outbox")
        attempts = Int(try row.requiredInt("attempts", table: "outbox"))
        nextAt = try row.requiredInt("next_at", table: "outbox")
        paymentProvider = row.text("payment_provider")
    }
}
