/// One line of an order as the shopper sees it; amounts are preformatted text such as `120` or `150.50`.
public struct LineItemView: Sendable {
    public var name: String
    public var quantity: Int
    public var unitPrice: String
    public var lineTotal: String
    /// An http(s) or `data:image/` URL; anything else is not shown.
    public var imageUrl: String?

    public init(name: String, quantity: Int, unitPrice: String, lineTotal: String, imageUrl: String? = nil) {
        self.name = name
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.lineTotal = lineTotal
        self.imageUrl = imageUrl
    }
}

/// An order as the pages show it; amounts are preformatted text in `currency` (`JPY`, `TWD`, `THB`, `USD`).
public struct OrderView: Sendable {
    public var orderId: String
    public var currency: String
    public var items: [LineItemView]
    public var shippingFee: String?
    public var total: String
    public var transactionId: String?
    /// The order's state as the responder's /status names it: `new`, `reserved`, `checking`, `paid`, `authorized`,
    /// `cancelled`, `failed`, `expired`, `voided`, `refunded`, `partially_refunded`; unknown values are shown as they are.
    public var status: String

    public init(orderId: String, currency: String, items: [LineItemView], shippingFee: String? = nil, total: String,
                transactionId: String? = nil, status: String) {
        self.orderId = orderId
        self.currency = currency
        self.items = items
        self.shippingFee = shippingFee
        self.total = total
        self.transactionId = transactionId
        self.status = status
    }
}
