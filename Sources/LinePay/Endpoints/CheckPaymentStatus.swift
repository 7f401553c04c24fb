/// `GET /v3|v4/payments/requests/{transactionId}/check`: whether the shopper has approved (for confirmUrlType NONE,
/// and to settle an unknown outcome). Poll it no faster than once a second.
public struct CheckPaymentStatus: LinePayEndpoint {
    public static let operation = LinePayOperation.checkPaymentStatus
    public static var successCodes: Set<String> { ["0000", "0110", "0121", "0122", "0123"] }
    public var transactionId: TransactionID

    public init(transactionId: TransactionID) { self.transactionId = transactionId }

    /// `info`: the shipping the shopper chose, if any.
    public struct Info: Decodable, Sendable, Equatable {
        public var shipping: ShippingInfo?
    }

    /// What the return code says about the payment.
    public enum Status: String, Sendable, Equatable {
        /// 0000: the shopper has not approved yet.
        case beforeAuthorization = "0000"
        /// 0110: approved; Confirm may be called.
        case authorized = "0110"
        /// 0121: cancelled by the shopper or expired after 20 minutes.
        case cancelled = "0121"
        /// 0122: failed.
        case failed = "0122"
        /// 0123: already confirmed.
        case completed = "0123"
    }

    public var resource: String { "/payments/requests/\(transactionId)/check" }

    public func queryString() -> String? { "" }

    public func body() throws -> [UInt8]? { nil }

    public func validate() throws(ValidationError) {}

    public static var infoWhenAbsent: Info? { Info(shipping: nil) }
}

extension LinePayResponse where Info == CheckPaymentStatus.Info {
    /// The payment's status, read from the return code.
    public var status: CheckPaymentStatus.Status { CheckPaymentStatus.Status(rawValue: returnCode.rawValue) ?? .beforeAuthorization }
}
