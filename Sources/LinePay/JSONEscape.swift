/// `s` escaped for a JSON string literal, without the quotes: `"`, `\`, and control characters (`\n`, `\r`, `\t`,
/// else `\u00XX`); `/` too when asked, as LINE Pay's own answers write it. One escaper for every hand-written JSON
/// (the responder's /status, the sandbox's answers, the scripted LINE Pay's).
public func jsonEscaped(_ s: String, escapingSlashes: Bool = false) -> String {
    var out = ""
    out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "/" where escapingSlashes: out += "\\/"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = Array("0123456789abcdef".unicodeScalars)
            out += "\\u00"
            out.unicodeScalars.append(hex[Int(scalar.value >> 4)])
            out.unicodeScalars.append(hex[Int(scalar.value & 0xf)])
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}
