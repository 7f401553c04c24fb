import Foundation

/// One Online API call: its operation, path and payload. Each of the ten endpoints is a type conforming to it.
public protocol LinePayEndpoint: Sendable {
    /// What `info` decodes to on success.
    associatedtype Info: Decodable & Sendable
    /// Which of the ten operations this is (timeouts, return-code descriptions).
    static var operation: LinePayOperation { get }
    /// The path after the version, e.g. `/payments/2016020510824221610/confirm`: the same under v3 and v4.
    var resource: String { get }
    /// The query string without `?` for a GET; nil for a POST.
    func queryString() -> String?
    /// The exact JSON body for a POST; nil for a GET.
    func body() throws -> [UInt8]?
    /// Every rule of the reference that can be checked before sending; throws the first broken one.
    func validate() throws(ValidationError)
    /// Return codes that mean the call succeeded (check payment status has several).
    static var successCodes: Set<String> { get }
    /// Return codes that mean "try again" (void's 1900, 1902, 1999).
    static var retryableCodes: Set<String> { get }
    /// What `info` is when a successful answer has none; nil where `info` is required.
    static var infoWhenAbsent: Info? { get }
}

extension LinePayEndpoint {
    public static var successCodes: Set<String> { ["0000"] }
    public static var retryableCodes: Set<String> { [] }
    public func queryString() -> String? { nil }

    /// The URL path sent (and signed) under `version`, e.g. `/v4/payments/2016020510824221610/confirm`.
    public func path(for version: LinePayAPIVersion) -> String { version.pathPrefix + resource }

    /// The v3 path; kept so older callers compile. The client sends `path(for: configuration.apiVersion)`.
    @available(*, deprecated, message: "use path(for:) with LinePayConfiguration.apiVersion")
    public var path: String { path(for: .v3) }
    public static var infoWhenAbsent: Info? { NoInfo() as? Info }
}

/// A successful answer: the code (which carries meaning for check payment status), the message and `info`.
public struct LinePayResponse<Info: Sendable>: Sendable {
    public let returnCode: ReturnCode
    public let returnMessage: String
    public let info: Info
}

/// The `info` of endpoints whose success has none (void, expire regKey, check regKey, refund-less cases).
public struct NoInfo: Decodable, Sendable, Equatable {
    public init() {}
    public init(from decoder: Decoder) throws {}
}

/// The JSON every request body is written with: sorted keys (the same request always gives the same bytes),
/// unescaped slashes, Decimal without a trailing `.0`.
func encodeBody<T: Encodable>(_ value: T) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Array(try encoder.encode(value))
}

private let upperHexDigits: [Unicode.Scalar] = Array("0123456789ABCDEF".unicodeScalars)

/// RFC 3986 percent-encoding (PHP's rawurlencode): only A-Z a-z 0-9 - . _ ~ stay, the rest is %XX upper-case.
public func percentEncode(_ s: String) -> String {
    var out = ""
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(b))
        default:
            // A table, not String(format:): return links and notifications encode every field of every message.
            out.unicodeScalars.append("%")
            out.unicodeScalars.append(upperHexDigits[Int(b >> 4)])
            out.unicodeScalars.append(upperHexDigits[Int(b & 0x0F)])
        }
    }
    return out
}
