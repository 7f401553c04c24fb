/// `POST /v3|v4/payments/authorizations/{transactionId}/void`: cancels an authorization (all of it; captured payments
/// are refunded instead). 1900, 1902 and 1999 are retried with bounded backoff, as the reference asks.
public struct VoidAuthorization: LinePayEndpoint {
    public typealias Info = NoInfo
    public static let operation = LinePayOperation.void
    public static var retryableCodes: Set<String> { ["1900", "1902", "1999"] }
    public var transactionId: TransactionID

    public init(transactionId: TransactionID) { self.transactionId = transactionId }

    public var resource: String { "/payments/authorizations/\(transactionId)/void" }

    /// The reference defines no body: an empty one is sent and signed.
    public func body() throws -> [UInt8]? { [] }

    public func validate() throws(ValidationError) {}
}
