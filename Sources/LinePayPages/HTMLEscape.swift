import Foundation

/// Escapes text for HTML element content and quoted attribute values: `&`, `<`, `>`, `"` and `'`.
public func htmlEscape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for ch in text.unicodeScalars {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out
}

/// A URL that is safe to put in `href`/`src`/`action` (then still escaped): http(s), a same-site path or query,
/// or, when `allowImageData` is set, a `data:image/` URL. Anything else (`javascript:`, `vbscript:`, unknown schemes,
/// control characters) yields nil.
func safeURL(_ url: String, allowImageData: Bool = false) -> String? {
    let trimmed = url.trimmingCharacters(in: .whitespaces)
    guard !trimmed.isEmpty, !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
    let lower = trimmed.lowercased()
    if lower.hasPrefix("https://") || lower.hasPrefix("http://") { return trimmed }
    if allowImageData && lower.hasPrefix("data:image/") && !lower.hasPrefix("data:image/svg") { return trimmed }
    // Relative references: a path, a query or a fragment, but no scheme before the first '/', '?' or '#'.
    if let first = trimmed.first, first == "/" || first == "?" || first == "#" {
        return trimmed.hasPrefix("/\\") ? nil : trimmed
    }
    return nil
}

/// The attribute-ready form of a URL: escaped if safe, `#` otherwise.
func href(_ url: String) -> String {
    htmlEscape(safeURL(url) ?? "#")
}

/// Joins a location prefix and a path without doubling the slash: `("/linepay/", "/pay")` -> `/linepay/pay`.
func joinPath(_ base: String, _ path: String) -> String {
    var b = Substring(base)
    while b.hasSuffix("/") { b = b.dropLast() }
    return String(b) + path
}
