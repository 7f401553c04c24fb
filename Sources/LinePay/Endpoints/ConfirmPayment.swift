import Foundation

/// `POST /v3|v4/payments/{transactionId}/confirm`: completes (or, with capture=false, authorizes) an approved payment.
/// Amount and currency must come from the merchant's own records, never from the shopper's request.
public struct ConfirmPayment: LinePayEndpoint, Encodable {
    public static let operation = LinePayOperation.confirm
    public var transactionId: TransactionID
    public var amount: Decimal
    public var currency: Currency

    public init(transactionId: TransactionID, amount: Decimal, currency: Currency) {
        self.transactionId = transactionId; self.amount = amount; self.currency = currency
    }

    /// `info` of a successful confirm.
    public struct Info: Decodable, Sendable, Equatable {
        public var orderId: String
        public var transactionId: TransactionID
        /// Present when only authorized (capture=false).
        public var authorizationExpireDate: String?
        /// Present for PREAPPROVED payments.
        public var regKey: RegKey?
        public var payInfo: [PayInfo]
        public var packages: [PackageInfo]?
        public var shipping: ShippingInfo?
        /// v4 only: `TSP` or `EPI`.
        public var paymentProvider: PaymentProvider?
    }

    enum CodingKeys: String, CodingKey { case amount, currency }

    public var resource: String { "/payments/\(transactionId)/confirm" }

    public func body() throws -> [UInt8]? { try encodeBody(self) }

    public func validate() throws(ValidationError) {
        try Check.positiveAmount(amount, "amount", currency)
    }
}
