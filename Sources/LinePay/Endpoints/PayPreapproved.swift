import Foundation

/// `POST /v3|v4/payments/preapprovedPay/{regKey}/payment`: charges a preapproved key without the shopper.
public struct PayPreapproved: LinePayEndpoint, Encodable {
    public static let operation = LinePayOperation.payPreapproved
    public var regKey: RegKey
    /// Max 4000 characters.
    public var productName: String
    public var amount: Decimal
    public var currency: Currency
    /// A new unique order id, 1 to 100 characters of `[A-Za-z0-9_-]`.
    public var orderId: String
    /// false: authorize only, capture later.
    public var capture: Bool?

    public init(regKey: RegKey, productName: String, amount: Decimal, currency: Currency, orderId: String, capture: Bool? = nil) {
        self.regKey = regKey; self.productName = productName; self.amount = amount; self.currency = currency
        self.orderId = orderId; self.capture = capture
    }

    /// `info` of a successful preapproved payment.
    public struct Info: Decodable, Sendable, Equatable {
        public var orderId: String?
        public var transactionId: TransactionID
        public var transactionDate: String?
        public var authorizationExpireDate: String?
        /// v4 only: `TSP` or `EPI`.
        public var paymentProvider: PaymentProvider?
    }

    enum CodingKeys: String, CodingKey { case productName, amount, currency, orderId, capture }

    public var resource: String { "/payments/preapprovedPay/\(regKey)/payment" }

    public func body() throws -> [UInt8]? { try encodeBody(self) }

    public func validate() throws(ValidationError) {
        try Check.text(productName, "productName", max: 4000)
        try Check.positiveAmount(amount, "amount", currency)
        try Check.orderId(orderId)
    }
}
