import Foundation
import LinePay
import SQLite

/// One shipping method as our ShippingMethods inquiry quoted it for a LINE Pay transaction.
public struct ShippingQuote: Sendable, Equatable {
    public var methodId: String
    public var name: String
    public var fee: Decimal

    public init(methodId: String, name: String, fee: Decimal) { self.methodId = methodId; self.name = name; self.fee = fee }
}

/// What became of confirmUrl's shippingMethodId and shippingFeeAmount.
public enum ShippingChoice: Sendable, Equatable {
    /// Recorded now, or the same choice was recorded before: the order's amount includes the fee.
    case chosen(Order)
    /// No quote of ours for this transaction has that method at that fee (or the order is not collecting an address).
    case notQuoted
    /// Another method or fee was chosen for this transaction already.
    case differs(Order)
}

/// Shipping chosen at LINE Pay (issue 12). Plain SQL of its own, each write one BEGIN IMMEDIATE with its event.
extension OrderStore {
    /// Keeps what the inquiry answered for `transactionId` (every method at its fee), so confirmUrl can be checked.
    public func recordShippingQuotes(orderRow: Int64, transactionId: Int64, quotes: [ShippingQuote], now: Int64,
                                     actor: String = "linepay") throws {
        try change {
            for q in quotes {
                try connection.run("""
                    INSERT INTO shipping_quotes (order_row, transaction_id, method_id, fee, name, quoted_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (order_row, transaction_id, method_id, fee) DO UPDATE SET name = excluded.name, quoted_at = excluded.quoted_at
                    """, [.integer(orderRow), .integer(transactionId), .text(q.methodId), .text(Money.format(q.fee)), .text(q.name), .integer(now)])
            }
            let list = quotes.map { "\($0.methodId) \(Money.format($0.fee))" }.joined(separator: ", ")
            try insertEvent(orderRow: orderRow, kind: "shipping.quoted", actor: actor, now: now,
                            detail: quotes.isEmpty ? "no method for the address" : "tx \(transactionId): \(list)")
        }
    }

    /// What was quoted for the order's transaction `transactionId`, oldest first.
    public func shippingQuotes(orderRow: Int64, transactionId: Int64) throws -> [ShippingQuote] {
        try connection.query("SELECT * FROM shipping_quotes WHERE order_row = ? AND transaction_id = ? ORDER BY quoted_at, method_id",
                             [.integer(orderRow), .integer(transactionId)]).map {
            ShippingQuote(methodId: $0.text("method_id") ?? "", name: $0.text("name") ?? "", fee: Money.parse($0.text("fee") ?? "") ?? 0)
        }
    }

    /// Records the shopper's choice for a reserved order's transaction, only if one of our quotes for that
    /// transaction has exactly this method and fee; the fee joins the amount (Confirm = order + fee). A second
    /// arrival with the same choice finds it recorded; one with another choice is refused.
    public func chooseShipping(orderId: String, transactionId: Int64, methodId: String, fee: Decimal, now: Int64,
                               actor: String = "system") throws -> ShippingChoice {
        try change {
            guard let o = try loadOrder(orderId: orderId), o.lineShipping, o.transactionId == transactionId else { return .notQuoted }
            if o.shippingTransactionId == transactionId {
                return o.shippingMethodId == methodId && o.shippingFee == fee ? .chosen(o) : .differs(o)
            }
            guard o.state == .reserved, o.shippingMethodId == nil, o.shippingFee == 0 else { return .notQuoted }
            let rows = try connection.query("""
                UPDATE orders SET shipping_method_id = ?, shipping_fee = ?, amount = ?, shipping_transaction_id = ?,
                  shipping_method_name = (SELECT name FROM shipping_quotes q WHERE q.order_row = orders.id AND q.transaction_id = ?
                                          AND q.method_id = ? AND q.fee = ?)
                WHERE id = ? AND state = 'reserved' AND transaction_id = ? AND amount = ? AND shipping_method_id IS NULL
                  AND EXISTS (SELECT 1 FROM shipping_quotes q WHERE q.order_row = orders.id AND q.transaction_id = ? AND q.method_id = ? AND q.fee = ?)
                RETURNING *
                """, [.text(methodId), .text(Money.format(fee)), .text(Money.format(o.amount + fee)), .integer(transactionId),
                      .integer(transactionId), .text(methodId), .text(Money.format(fee)),
                      .integer(o.rowId), .integer(transactionId), .text(Money.format(o.amount)),
                      .integer(transactionId), .text(methodId), .text(Money.format(fee))])
            guard let row = rows.first else { return .notQuoted }
            let chosen = try order(row: row)
            try insertEvent(orderRow: o.rowId, kind: "shipping.chosen", actor: actor, now: now,
                            detail: "\(methodId) \(Money.format(fee)) \(o.currency): total \(Money.format(chosen.amount))")
            return .chosen(chosen)
        }
    }

    /// A new attempt starts without the last one's shipping: the fee leaves the amount again. Only while reserving.
    @discardableResult
    public func clearShippingChoice(orderId: String, now: Int64, actor: String = "system") throws -> Order? {
        try change {
            guard let o = try loadOrder(orderId: orderId), o.state == .reserving, o.lineShipping, o.shippingMethodId != nil else { return nil }
            let rows = try connection.query("""
                UPDATE orders SET amount = ?, shipping_fee = '0', shipping_method_id = NULL, shipping_method_name = NULL,
                  shipping_transaction_id = NULL, shipping_address = NULL
                WHERE id = ? AND state = 'reserving' AND amount = ? AND shipping_fee = ? RETURNING *
                """, [.text(Money.format(o.amount - o.shippingFee)), .integer(o.rowId), .text(Money.format(o.amount)),
                      .text(Money.format(o.shippingFee))])
            guard let row = rows.first else { return nil }
            try insertEvent(orderRow: o.rowId, kind: "shipping.cleared", actor: actor, now: now,
                            detail: "new attempt: \(o.shippingMethodId ?? "?") \(Money.format(o.shippingFee)) no longer applies")
            return try order(row: row)
        }
    }

    /// Keeps the address LINE Pay answered at confirm or in payment details (JSON of `Address`).
    public func recordShippingAddress(orderId: String, address: Address, now: Int64, actor: String = "system") throws {
        let json = String(decoding: try JSONEncoder().encode(address), as: UTF8.self)
        try change {
            guard let o = try loadOrder(orderId: orderId), o.shippingAddress != address else { return }
            try connection.run("UPDATE orders SET shipping_address = ? WHERE id = ?", [.text(json), .integer(o.rowId)])
            try insertEvent(orderRow: o.rowId, kind: "shipping.address", actor: actor, now: now,
                            detail: "address and recipient received from LINE Pay")   // the address itself stays off the log
        }
    }
}
