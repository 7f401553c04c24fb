/// Decodes `%XX` escapes (and `+` as a space when `plusAsSpace`), then reads the bytes as UTF-8.
///
/// A malformed escape (`%`, `%4`, `%zz`) is kept literally rather than rejected, as browsers and Go do;
/// invalid UTF-8 becomes U+FFFD so a hostile query cannot make decoding throw.
public func percentDecode<S: StringProtocol>(_ text: S, plusAsSpace: Bool = false) -> String {
    let bytes = Array(text.utf8)
    // Fast path: nothing to decode is the common case for keys and plain values.
    if !bytes.contains(UInt8(ascii: "%")) && !(plusAsSpace && bytes.contains(UInt8(ascii: "+"))) {
        return String(text)
    }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var i = 0
    while i < bytes.count {
        let b = bytes[i]
        if b == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
            out.append(hi << 4 | lo)
            i += 3
            continue
        }
        out.append(plusAsSpace && b == UInt8(ascii: "+") ? UInt8(ascii: " ") : b)
        i += 1
    }
    return String(decoding: out, as: UTF8.self)
}

/// Splits `application/x-www-form-urlencoded` text (a query string or a form body) into ordered pairs.
///
/// Order and duplicates are kept (`a=1&a=2` gives both); empty pieces (`a=1&&b=2`) are skipped;
/// a piece without `=` is a key with an empty value, as in HTML forms.
public func decodeForm<S: StringProtocol>(_ text: S) -> [(String, String)] {
    var pairs: [(String, String)] = []
    for piece in text.split(separator: "&", omittingEmptySubsequences: true) {
        if let eq = piece.firstIndex(of: "=") {
            pairs.append((percentDecode(piece[..<eq], plusAsSpace: true),
                          percentDecode(piece[piece.index(after: eq)...], plusAsSpace: true)))
        } else {
            pairs.append((percentDecode(piece, plusAsSpace: true), ""))
        }
    }
    return pairs
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
    default: return nil
    }
}
