/// One request as plain data: the CGI/FastCGI parameters and the body, copied out of libfcgi at once
/// (libfcgi's strings die at `FCGX_Finish_r`), so a handler may keep it as long as it likes.
public struct FastCGIRequest: Sendable {
    /// Every parameter the web server sent: REQUEST_METHOD, SCRIPT_NAME, PATH_INFO, QUERY_STRING, HTTP_*, REMOTE_USER, HTTPS...
    public var params: [String: String]
    /// The request body, exactly CONTENT_LENGTH bytes.
    public var body: [UInt8]

    /// Builds a request from parameters and a body, for tests and in-process callers.
    public init(params: [String: String], body: [UInt8]) {
        self.params = params
        self.body = body
    }

    /// REQUEST_METHOD uppercased; "GET" when absent.
    public var method: String {
        guard let m = params["REQUEST_METHOD"], !m.isEmpty else { return "GET" }
        return m.uppercased()
    }

    /// SCRIPT_NAME: where the web server mounted us ("/linepay"); "" when absent.
    public var scriptName: String { params["SCRIPT_NAME"] ?? "" }

    /// PATH_INFO: the path below SCRIPT_NAME ("/checkout"); "" when absent.
    public var pathInfo: String { params["PATH_INFO"] ?? "" }

    /// QUERY_STRING, still encoded; "" when absent.
    public var queryString: String { params["QUERY_STRING"] ?? "" }

    /// An HTTP request header by its usual name: `header("User-Agent")` reads HTTP_USER_AGENT.
    ///
    /// Content-Type and Content-Length arrive without the HTTP_ prefix in CGI, so they are looked up as such.
    public func header(_ name: String) -> String? {
        // ASCII upper-casing on bytes: header names are ASCII, and this runs several times per request.
        let key = String(decoding: name.utf8.map { b -> UInt8 in
            b == UInt8(ascii: "-") ? UInt8(ascii: "_") : (b >= 97 && b <= 122 ? b - 32 : b)
        }, as: UTF8.self)
        if key == "CONTENT_TYPE" || key == "CONTENT_LENGTH" {
            return params[key].flatMap { $0.isEmpty ? nil : $0 }
        }
        return params["HTTP_" + key]
    }

    /// True when the client reached the web server over TLS (HTTPS=on, or REQUEST_SCHEME=https).
    public var isHTTPS: Bool {
        if let https = params["HTTPS"]?.lowercased(), https == "on" || https == "1" { return true }
        return params["REQUEST_SCHEME"]?.lowercased() == "https"
    }

    /// The Cookie header as name -> value; when a name repeats, the first value wins
    /// (browsers send the most specific path first). Values are not decoded: cookies are opaque.
    public var cookies: [String: String] {
        guard var header = params["HTTP_COOKIE"] else { return [:] }
        var result: [String: String] = [:]
        // On the UTF-8 bytes: splitting and trimming Substrings by Character was 6% of a /status.
        header.withUTF8 { all in
            var start = 0
            while start < all.count {
                let end = all[start...].firstIndex(of: UInt8(ascii: ";")) ?? all.count
                defer { start = end + 1 }
                guard let eq = all[start..<end].firstIndex(of: UInt8(ascii: "=")) else { continue }
                let name = trimmed(all, start, eq)
                var value = trimmed(all, eq + 1, end)
                if value.count >= 2, all[value.lowerBound] == UInt8(ascii: "\""), all[value.upperBound - 1] == UInt8(ascii: "\"") {
                    value = (value.lowerBound + 1)..<(value.upperBound - 1)
                }
                let key = String(decoding: UnsafeBufferPointer(rebasing: all[name]), as: UTF8.self)
                if !name.isEmpty, result[key] == nil {
                    result[key] = String(decoding: UnsafeBufferPointer(rebasing: all[value]), as: UTF8.self)
                }
            }
        }
        return result
    }

    /// QUERY_STRING decoded as application/x-www-form-urlencoded, in order, duplicates kept.
    public var query: [(String, String)] { decodeForm(queryString) }

    /// The body decoded as application/x-www-form-urlencoded when that is its Content-Type, else [].
    public var form: [(String, String)] {
        let type = (header("Content-Type") ?? "").split(separator: ";").first?
            .trimmingSpaces().lowercased() ?? ""
        guard type == "application/x-www-form-urlencoded" else { return [] }
        return decodeForm(String(decoding: body, as: UTF8.self))
    }
}

/// bytes[from..<to] without the spaces and tabs at either end.
private func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Range<Int> {
    var (lower, upper) = (from, to)
    while lower < upper, bytes[lower] == 0x20 || bytes[lower] == 0x09 { lower += 1 }
    while upper > lower, bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09 { upper -= 1 }
    return lower..<upper
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
