/// One response as plain data, written in the CGI form (`Status:` header, never an HTTP status line).
public struct FastCGIResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Header fields in order; a name may repeat (several Set-Cookie).
    public var headers: [(String, String)]
    /// The response body.
    public var body: [UInt8]

    /// A response with the given status, headers and body.
    public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A text response with a Content-Type header.
    public static func text(_ s: String, status: Int = 200,
                            contentType: String = "text/plain; charset=utf-8") -> FastCGIResponse {
        FastCGIResponse(status: status, headers: [("Content-Type", contentType)], body: Array(s.utf8))
    }

    /// The bytes for the web server: `Status: 200 OK`, the headers, Content-Length unless given, a blank line, the body.
    ///
    /// CR and LF are removed from header names and values so a value taken from a request cannot
    /// split the header block (response splitting).
    public func serialized() -> [UInt8] {
        // Built on bytes: this runs for every response, and String interpolation plus per-Character cleaning
        // was a tenth of a /status request (UTF-8 validation, grapheme iteration).
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 96 + headers.count * 48)
        out.append(contentsOf: Self.statusPrefix)
        Self.appendDecimal(status, to: &out)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: Self.reasonPhrase(status).utf8)
        out.append(contentsOf: Self.crlf)
        var hasLength = false
        for (name, value) in headers {
            if !hasLength && Self.isContentLength(name) { hasLength = true }
            Self.appendCleaned(name, to: &out)
            out.append(UInt8(ascii: ":")); out.append(UInt8(ascii: " "))
            Self.appendCleaned(value, to: &out)
            out.append(contentsOf: Self.crlf)
        }
        if !hasLength {
            out.append(contentsOf: Self.contentLengthPrefix)
            Self.appendDecimal(body.count, to: &out)
            out.append(contentsOf: Self.crlf)
        }
        out.append(contentsOf: Self.crlf)
        out.append(contentsOf: body)
        return out
    }

    private static let statusPrefix: [UInt8] = Array("Status: ".utf8)
    private static let contentLengthPrefix: [UInt8] = Array("Content-Length: ".utf8)
    private static let crlf: [UInt8] = [13, 10]

    private static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")); appendDecimal(-n, to: &out); return }
        if n >= 10 { appendDecimal(n / 10, to: &out) }
        out.append(UInt8(ascii: "0") + UInt8(n % 10))
    }

    private static func isContentLength(_ name: String) -> Bool {
        var utf8 = name.utf8.makeIterator()
        for expected in "content-length".utf8 {
            guard let b = utf8.next(), (b >= 65 && b <= 90 ? b | 0x20 : b) == expected else { return false }
        }
        return utf8.next() == nil
    }

    /// The standard reason phrase for a status code ("Status" when unknown: CGI requires some text).
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 410: "Gone"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }

    /// Appends the UTF-8 of `s` without CR and LF, so a value taken from a request cannot split the header block.
    private static func appendCleaned(_ s: String, to out: inout [UInt8]) {
        for b in s.utf8 where b != 13 && b != 10 { out.append(b) }
    }
}
