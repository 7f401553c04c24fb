import Foundation

/// `POST /v3|v4/payments/{transactionId}/refund`: refunds a captured payment, fully (no amount) or partly.
public struct RefundPayment: LinePayEndpoint, Encodable {
    public static let operation = LinePayOperation.refund
    public var transactionId: TransactionID
    /// nil refunds what remains.
    public var refundAmount: Decimal?
    /// Not sent: when given, the amount's decimals are checked against it.
    public var currency: Currency?

    public init(transactionId: TransactionID, refundAmount: Decimal? = nil, currency: Currency? = nil) {
        self.transactionId = transactionId; self.refundAmount = refundAmount; self.currency = currency
    }

    /// `info` of a successful refund.
    public struct Info: Decodable, Sendable, Equatable {
        /// The new refund transaction (19 digits).
        public var refundTransactionId: TransactionID
        public var refundTransactionDate: String?
    }

    enum CodingKeys: String, CodingKey { case refundAmount }

    public var resource: String { "/payments/\(transactionId)/refund" }

    public func body() throws -> [UInt8]? { try encodeBody(self) }

    public func validate() throws(ValidationError) {
        guard let refundAmount else { return }
        if refundAmount <= 0 { throw Check.fail("refundAmount", "must be greater than 0") }
        if let currency { try Check.positiveAmount(refundAmount, "refundAmount", currency) }
        else if Money.scale(of: refundAmount) > 2 { throw Check.fail("refundAmount", "has more than 2 decimals") }
    }
}
