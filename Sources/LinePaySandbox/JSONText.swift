import Foundation
import LinePay

/// JSON written by hand so numbers stay exact (ids as digits, amounts as Decimal text) and slashes are escaped
/// as `\/`, the way LINE Pay writes them: a client that cannot read `\/` fails against the sandbox too.
indirect enum JSONText {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case array([JSONText])
    case object([(String, JSONText?)])

    static func id(_ v: Int64) -> JSONText { .number(String(v)) }
    static func amount(_ v: Decimal) -> JSONText { .number(Money.format(v)) }

    var rendered: String {
        var out = ""
        render(into: &out)
        return out
    }

    private func render(into out: inout String) {
        switch self {
        case .string(let s): out += JSONText.quote(s)
        case .number(let n): out += n
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.render(into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            var first = true
            for (key, value) in fields {
                guard let value else { continue }
                if !first { out += "," }
                first = false
                out += JSONText.quote(key) + ":"
                value.render(into: &out)
            }
            out += "}"
        }
    }

    static func quote(_ s: String) -> String { "\"" + jsonEscaped(s, escapingSlashes: true) + "\"" }   // slashes as LINE Pay writes them
}
