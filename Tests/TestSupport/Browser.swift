import Foundation

/// A browser for tests: a cookie jar and a user agent over `httpRequest` (no redirects followed unless asked).
public final class Browser: @unchecked Sendable {   // used from one test thread at a time
    public var cookies: [String: String] = [:]
    public let agent: String

    public static let desktop = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
    public static let iPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
    public static let lineInApp = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/13.20.0"

    public init(_ agent: String = Browser.desktop) { self.agent = agent }

    /// One request with this browser's cookies; Set-Cookie answers are kept (Max-Age=0 removes).
    @discardableResult
    public func go(_ method: String = "GET", _ url: String, form: [(String, String)]? = nil,
                   headers: [(String, String)] = []) throws -> HTTPResponse {
        var h = [("User-Agent", agent)] + headers
        if !cookies.isEmpty { h.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))) }
        var body: [UInt8] = []
        if let form {
            h.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = Array(form.map { "\(formEscape($0.0))=\(formEscape($0.1))" }.joined(separator: "&").utf8)
        } else if method == "POST" {
            h.append(("Content-Type", "application/x-www-form-urlencoded"))
        }
        let r = try httpRequest(method: method, url: url, headers: h, body: body)
        for c in r.setCookies {
            let first = c.split(separator: ";", maxSplits: 1)[0]
            let pair = first.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if c.lowercased().contains("max-age=0") { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
        return r
    }

    /// Follows a redirect's Location (absolute or path-absolute against `base`).
    public func follow(_ r: HTTPResponse, base: String) throws -> HTTPResponse {
        guard let location = r.headers["location"] else { return r }
        return try go("GET", location.hasPrefix("http") ? location : base + location)
    }
}

/// application/x-www-form-urlencoded escaping of one name or value.
public func formEscape(_ s: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
}
