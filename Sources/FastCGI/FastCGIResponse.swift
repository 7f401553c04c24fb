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
        var head = "Status: \(status) \(Self.reasonPhrase(status))\r\n"
        var hasLength = false
        for (name, value) in headers {
            let n = Self.clean(name), v = Self.clean(value)
            if n.lowercased() == "content-length" { hasLength = true }
            head += "\(n): \(v)\r\n"
        }
        if !hasLength { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
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

    private static func clean(_ s: String) -> String {
        s.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" })
            ? String(s.filter { $0 != "\r" && $0 != "\n" && $0 != "\r\n" }) : s
    }
}
