import Foundation
import LinePay

/// Answers written by hand so that 19-digit ids and amounts go out as exact JSON numbers, as LINE Pay sends them.
indirect enum JSONValue {
    case string(String)
    /// Raw number text: ids by their digits, amounts by `Money.format`.
    case number(String)
    case bool(Bool)
    case array([JSONValue])
    /// Ordered members; nil values are left out.
    case object([(String, JSONValue?)])

    static func id(_ id: TransactionID) -> JSONValue { .number(id.description) }
    static func amount(_ d: Decimal) -> JSONValue { .number(Money.format(d)) }

    var text: String {
        switch self {
        case .string(let s): return Self.quote(s)
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .array(let a): return "[" + a.map(\.text).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.compactMap { k, v in v.map { Self.quote(k) + ":" + $0.text } }.joined(separator: ",") + "}"
        }
    }

    private static func quote(_ s: String) -> String { "\"" + jsonEscaped(s) + "\"" }
}

/// Any Encodable (packages echoed back) as a JSON value, through the same sorted-key encoder the client uses.
func encoded<T: Encodable>(_ value: T) -> JSONValue {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(value)) ?? Data("null".utf8)
    return .number(String(decoding: data, as: UTF8.self))   // already JSON text: inserted as is
}
