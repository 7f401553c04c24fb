/// `POST /v3|v4/payments/preapprovedPay/{regKey}/expire`: ends a preapproved payment key for good.
public struct ExpireRegKey: LinePayEndpoint {
    public typealias Info = NoInfo
    public static let operation = LinePayOperation.expireRegKey
    public var regKey: RegKey

    public init(regKey: RegKey) { self.regKey = regKey }

    public var resource: String { "/payments/preapprovedPay/\(regKey)/expire" }

    /// The reference defines no body: an empty one is sent and signed.
    public func body() throws -> [UInt8]? { [] }

    public func validate() throws(ValidationError) {}
}
