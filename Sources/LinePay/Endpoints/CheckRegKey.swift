/// `GET /v3|v4/payments/preapprovedPay/{regKey}/check`: whether a preapproved payment key can still be charged.
public struct CheckRegKey: LinePayEndpoint {
    public typealias Info = NoInfo
    public static let operation = LinePayOperation.checkRegKey
    public var regKey: RegKey
    /// true: also authorize the card's minimum amount (needs LINE Pay's review).
    public var creditCardAuth: Bool?

    public init(regKey: RegKey, creditCardAuth: Bool? = nil) { self.regKey = regKey; self.creditCardAuth = creditCardAuth }

    public var resource: String { "/payments/preapprovedPay/\(regKey)/check" }

    public func queryString() -> String? { creditCardAuth.map { "creditCardAuth=\($0)" } ?? "" }

    public func body() throws -> [UInt8]? { nil }

    public func validate() throws(ValidationError) {}
}
