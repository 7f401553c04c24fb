import Foundation

/// `POST /v3|v4/payments/authorizations/{transactionId}/capture`: captures an authorized payment (up to the authorized amount).
public struct CapturePayment: LinePayEndpoint, Encodable {
    public static let operation = LinePayOperation.capture
    public var transactionId: TransactionID
    public var amount: Decimal
    public var currency: Currency

    public init(transactionId: TransactionID, amount: Decimal, currency: Currency) {
        self.transactionId = transactionId; self.amount = amount; self.currency = currency
    }

    /// `info` of a successful capture.
    public struct Info: Decodable, Sendable, Equatable {
        public var orderId: String?
        public var transactionId: TransactionID?
        public var payInfo: [PayInfo]?
        /// v4 only: `TSP` or `EPI`.
        public var paymentProvider: PaymentProvider?
    }

    enum CodingKeys: String, CodingKey { case amount, currency }

    public var resource: String { "/payments/authorizations/\(transactionId)/capture" }

    public func body() throws -> [UInt8]? { try encodeBody(self) }

    public func validate() throws(ValidationError) {
        try Check.positiveAmount(amount, "amount", currency)
    }

    public static var infoWhenAbsent: Info? { Info(orderId: nil, transactionId: nil, payInfo: nil, paymentProvider: nil) }
}
