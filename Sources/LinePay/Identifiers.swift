import Foundation

/// A LINE Pay transaction id (transactionId, refundTransactionId, originalTransactionId): 19 digits, above 2^53,
/// kept as Int64 end to end so it never passes through floating point.
public struct TransactionID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// The exact value.
    public let rawValue: Int64

    /// Wraps an exact value.
    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    /// Parses decimal digits only (no sign, no spaces, no exponent), up to Int64.max.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 19, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let v = Int64(text), v > 0 else { return nil }
        rawValue = v
    }

    /// The decimal digits.
    public var description: String { String(rawValue) }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Decodes a JSON number exactly (Foundation parses integer literals without Double); a JSON string of digits is accepted too.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Int64.self), v > 0 {
            rawValue = v
        } else if let s = try? c.decode(String.self), let id = TransactionID(s) {
            self = id
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a transaction id of up to 19 digits")
        }
    }

    /// Encodes as a JSON number, exactly.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// A preapproved payment key issued at confirm (`info.regKey`); opaque text, kept as it came.
public struct RegKey: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The key as LINE Pay sent it.
    public let rawValue: String

    /// Accepts 1 to 64 ASCII letters and digits: it is put into a URL path.
    public init?(_ rawValue: String) {
        guard !rawValue.isEmpty, rawValue.utf8.count <= 64,
              rawValue.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) })
        else { return nil }
        self.rawValue = rawValue
    }

    /// The key.
    public var description: String { rawValue }

    /// Decodes a string key; a number (seen in some responses) is kept by its exact digits.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self), let k = RegKey(s) {
            self = k
        } else if let n = try? c.decode(Int64.self), let k = RegKey(String(n)) {
            self = k
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a regKey")
        }
    }

    /// Encodes as a string.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
