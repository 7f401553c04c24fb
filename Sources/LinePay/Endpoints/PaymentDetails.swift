import Foundation

/// `GET /v3/payments`: what LINE Pay holds for up to 100 transactions or orders: the ground truth to reconcile with.
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

        /// sum(payInfo[].amount) - sum(refundList[].refundAmount), as the reference computes the final amount.
        public var remainingAmount: Decimal {
            (payInfo ?? []).reduce(Decimal(0)) { $0 + $1.amount } - (refundList ?? []).reduce(Decimal(0)) { $0 + $1.refundAmount }
        }
    }

    /// `refundList[]`.
    public struct Refund: Decodable, Sendable, Equatable {
        public var refundTransactionId: TransactionID
        public var transactionType: String?
        public var refundAmount: Decimal
        public var refundTransactionDate: String?
    }

    public var path: String { "/v3/payments" }

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
