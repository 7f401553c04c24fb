import Foundation

/// What `httpRequest` got back.
public struct HTTPResponse: Sendable {
    /// The status code from the status line.
    public var status: Int
    /// Headers by lower-cased name; repeated headers joined with ", " (Set-Cookie with "\n").
    public var headers: [String: String]
    /// Every Set-Cookie value, in order.
    public var setCookies: [String]
    /// The body, de-chunked.
    public var body: [UInt8]
    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why `httpRequest` failed.
public struct HTTPClientError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
}

/// A tiny synchronous HTTP/1.1 client over a POSIX socket, for tests: one request, `Connection: close`,
/// no redirects followed, no URLSession. `url` is "http://127.0.0.1:PORT/path?query" (sent as written).
public func httpRequest(method: String = "GET", url: String, headers: [(String, String)] = [],
                        body: [UInt8] = [], timeout: Int = 30) throws -> HTTPResponse {
    guard url.hasPrefix("http://") else { throw HTTPClientError(description: "only http:// URLs: \(url)") }
    let rest = url.dropFirst("http://".count)
    let slash = rest.firstIndex(of: "/") ?? rest.endIndex
    let authority = String(rest[..<slash])
    let target = slash == rest.endIndex ? "/" : String(rest[slash...])
    guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]),
          authority[..<colon] == "127.0.0.1" || authority[..<colon] == "localhost"
    else { throw HTTPClientError(description: "need http://127.0.0.1:PORT/..., got \(url)") }

    guard let fd = connectTCP(port: port) else {
        throw HTTPClientError(description: "connect 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var limit = timeval(tv_sec: timeout, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))

    var head = "\(method) \(target) HTTP/1.1\r\nHost: \(authority)\r\nConnection: close\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    let hasLength = headers.contains { $0.0.lowercased() == "content-length" }
    if !hasLength && (!body.isEmpty || ["POST", "PUT", "PATCH"].contains(method)) {
        head += "Content-Length: \(body.count)\r\n"
    }
    head += "\r\n"
    try sendAll(fd, Array(head.utf8) + body)

    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 && errno == EINTR { continue }
        if n < 0 { throw HTTPClientError(description: "recv: \(String(cString: strerror(errno)))") }
        if n == 0 { break }
        received += buffer[0..<n]
    }
    return try parseResponse(received, method: method)
}

private func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws {
    var sent = 0
    while sent < bytes.count {
        let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
        if n < 0 && errno == EINTR { continue }
        // The server may answer (413) and close before reading everything: keep what it says.
        if n < 0 && (errno == EPIPE || errno == ECONNRESET) { return }
        if n <= 0 { throw HTTPClientError(description: "send: \(String(cString: strerror(errno)))") }
        sent += n
    }
}

private func parseResponse(_ data: [UInt8], method: String) throws -> HTTPResponse {
    let separator: [UInt8] = [13, 10, 13, 10]
    guard let end = data.indices.first(where: { data[$0...].starts(with: separator) }) else {
        throw HTTPClientError(description: "no complete header in \(data.count) bytes: "
                              + String(decoding: data.prefix(200), as: UTF8.self))
    }
    let lines = String(decoding: data[..<end], as: UTF8.self).components(separatedBy: "\r\n")
    let statusParts = lines[0].split(separator: " ")
    guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
        throw HTTPClientError(description: "bad status line: \(lines[0])")
    }
    var headers: [String: String] = [:]
    var cookies: [String] = []
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        if name == "set-cookie" { cookies.append(value) }
        let joiner = name == "set-cookie" ? "\n" : ", "
        headers[name] = headers[name].map { $0 + joiner + value } ?? value
    }
    var body = Array(data[(end + 4)...])
    if method == "HEAD" || status == 204 || status == 304 { body = [] }
    if headers["transfer-encoding"]?.lowercased().contains("chunked") == true { body = try dechunk(body) }
    return HTTPResponse(status: status, headers: headers, setCookies: cookies, body: body)
}

private func dechunk(_ data: [UInt8]) throws -> [UInt8] {
    var out: [UInt8] = []
    var i = 0
    while true {
        guard let lineEnd = data[i...].firstIndex(of: 13), lineEnd + 1 < data.count else {
            throw HTTPClientError(description: "truncated chunked body")
        }
        let sizeText = String(decoding: data[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
        guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
            throw HTTPClientError(description: "bad chunk size \(sizeText)")
        }
        let start = lineEnd + 2
        if size == 0 { return out }
        guard start + size <= data.count else { throw HTTPClientError(description: "truncated chunk") }
        out += data[start..<(start + size)]
        i = start + size + 2
    }
}
