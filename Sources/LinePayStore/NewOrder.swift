import Foundation

/// One line of a shop's handoff: the same fields as a stored `Item`, so one type serves both.
public typealias NewItem = Item

/// A checkout as the shop handed it off, before it is stored.
public struct NewOrder: Sendable, Equatable {
    /// The shop's order id (unique in the store).
    public var orderId: String
    /// ISO 4217 code (USD, JPY, TWD, THB).
    public var currency: String
    /// The total to charge, exact.
    public var amount: Decimal
    /// The shipping part of the total, exact.
    public var shippingFee: Decimal
    /// LINE Pay payment page language, when the shop chose one.
    public var locale: String?
    /// The lines of the order, in the shop's order.
    public var items: [NewItem]
    /// Hex digest of the handoff content; same orderId + same digest = the same checkout.
    public var contentDigest: String
    /// LINE Pay collects the address and the shipping method (`shipping=line` in the handoff).
    public var lineShipping: Bool = false

    /// A checkout as the handoff described it.
    public init(orderId: String, currency: String, amount: Decimal, shippingFee: Decimal = 0, locale: String? = nil,
                items: [NewItem], contentDigest: String, lineShipping: Bool = false) {
        self.orderId = orderId
        self.currency = currency
        self.amount = amount
        self.shippingFee = shippingFee
        self.locale = locale
        self.items = items
        self.contentDigest = contentDigest
        self.lineShipping = lineShipping
    }
}
