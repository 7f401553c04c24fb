import Foundation

/// `GET /v3|v4/payments`: what LINE Pay holds for up to 100 transactions or orders: the ground truth to reconcile with.
public struct PaymentDetails: LinePayEndpoint {
    public typealias Info = [Detail]
    public static let operation = LinePayOperation.paymentDetails
    public var transactionIds: [TransactionID]
    public var orderIds: [String]
    /// nil asks for both.
    public var fields: Fields?

    /// TRANSACTION or ORDER information.
    public enum Fields: String, Sendable { case transaction = "TRANSACTION", order = "ORDER" }

    public init(transactionIds: [TransactionID] = [], orderIds: [String] = [], fields: Fields? = nil) {
        self.transactionIds = transactionIds; self.orderIds = orderIds; self.fields = fields
    }

    /// One transaction as LINE Pay reports it.
    public struct Detail: Decodable, Sendable, Equatable {
        public var transactionId: TransactionID
        public var orderId: String?
        public var transactionDate: String?
        /// PAYMENT, PAYMENT_REFUND, PARTIAL_REFUND.
        public var transactionType: String?
        /// AUTHORIZATION, VOIDED_AUTHORIZATION, EXPIRED_AUTHORIZATION (absent once captured).
        public var payStatus: String?
        public var productName: String?
        public var merchantName: String?
        public var currency: String?
        public var authorizationExpireDate: String?
        public var payInfo: [PayInfo]?
        public var refundList: [Refund]?
        /// For a refund transaction: the payment it refunds.
        public var originalTransactionId: TransactionID?
        public var packages: [PackageInfo]?
        public var shipping: ShippingInfo?
        /// v4 only: `TSP` or `EPI`.
        public var paymentProvider: PaymentProvider?

        /// sum(payInfo[].amount) - sum(|refundList[].refundAmount|): the reference's final amount, whichever sign
        /// LINE Pay gave the refunds (real answers write them negative).
        public var remainingAmount: Decimal {
            (payInfo ?? []).reduce(Decimal(0)) { $0 + $1.amount } - (refundList ?? []).reduce(Decimal(0)) { $0 + $1.refundAmount }
        }
    }

    /// `refundList[]`. Real payment details write `refundAmount` negative (`-20` beside `PARTIAL_REFUND`); the
    /// reference's formula reads as if positive. `refundAmount` is therefore the magnitude, always >= 0, so callers
    /// compare it with the amounts they refunded; `refundAmountAsReceived` keeps the sign LINE Pay sent.
    public struct Refund: Decodable, Sendable, Equatable {
        public var refundTransactionId: TransactionID
        public var transactionType: String?
        /// The amount refunded, as a magnitude (>= 0) whatever sign the answer carried.
        public var refundAmount: Decimal { refundAmountAsReceived < 0 ? -refundAmountAsReceived : refundAmountAsReceived }
        /// `refundAmount` exactly as decoded (negative in real answers).
        public var refundAmountAsReceived: Decimal
        public var refundTransactionDate: String?

        enum CodingKeys: String, CodingKey {
            case refundTransactionId, transactionType, refundAmountAsReceived = "refundAmount", refundTransactionDate
        }
    }

    public var resource: String { "/payments" }

    /// `transactionId=..&orderId=..&fields=..`: repeated keys, values percent-encoded, no `?`.
    public func queryString() -> String? {
        var parts = transactionIds.map { "transactionId=\($0)" }
        parts += orderIds.map { "orderId=\(percentEncode($0))" }
        if let fields { parts.append("fields=\(fields.rawValue)") }
        return parts.joined(separator: "&")
    }

    public func body() throws -> [UInt8]? { nil }

    public func validate() throws(ValidationError) {
        let count = transactionIds.count + orderIds.count
        if count == 0 { throw Check.fail("transactionId[]", "or orderId[] is required") }
        if count > 100 { throw Check.fail("transactionId[]", "and orderId[] hold \(count) ids; at most 100") }
        for (i, o) in orderIds.enumerated() { try Check.text(o, "orderId[\(i)]", max: 100) }
    }
}
