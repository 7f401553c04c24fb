@testable import FastCGI
import Foundation
import Testing

/// Request helpers, form decoding and the CGI response format, without sockets.
@Suite(.timeLimit(.minutes(5))) struct RequestResponseTests {
    @Test func percentDecodesUTF8AndKeepsMalformedEscapes() {
        #expect(percentDecode("%E3%83%A9%E3%82%A4%E3%83%B3") == "ライン")
        #expect(percentDecode("a+b") == "a+b")
        #expect(percentDecode("a+b", plusAsSpace: true) == "a b")
        #expect(percentDecode("100%", plusAsSpace: true) == "100%")
        #expect(percentDecode("%zz%4") == "%zz%4")
        #expect(percentDecode("%2B%2b") == "++")
        #expect(percentDecode("%FF") == "\u{FFFD}")
    }

    @Test func decodesFormsInOrderWithDuplicates() {
        let pairs = decodeForm("a=1&b=x+y&a=2&&c&d=%26%3D")
        #expect(pairs.map { [$0.0, $0.1] } == [["a", "1"], ["b", "x y"], ["a", "2"], ["c", ""], ["d", "&="]])
        #expect(decodeForm("").isEmpty)
    }

    @Test func readsMethodPathsHeadersAndScheme() {
        let request = FastCGIRequest(params: [
            "REQUEST_METHOD": "post", "SCRIPT_NAME": "/linepay", "PATH_INFO": "/confirm",
            "QUERY_STRING": "transactionId=2024&orderId=A%2D1", "HTTP_USER_AGENT": "UA/1",
            "CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": "3", "REQUEST_SCHEME": "https",
        ], body: Array("abc".utf8))
        #expect(request.method == "POST")
        #expect(request.scriptName == "/linepay")
        #expect(request.pathInfo == "/confirm")
        #expect(request.query.map { [$0.0, $0.1] } == [["transactionId", "2024"], ["orderId", "A-1"]])
        #expect(request.header("User-Agent") == "UA/1")
        #expect(request.header("user-agent") == "UA/1")
        #expect(request.header("Content-Type") == "text/plain")
        #expect(request.header("Content-Length") == "3")
        #expect(request.header("X-Missing") == nil)
        #expect(request.isHTTPS)
        #expect(request.form.isEmpty, "text/plain is not a form")

        let bare = FastCGIRequest(params: [:], body: [])
        #expect(bare.method == "GET")
        #expect(bare.pathInfo == "")
        #expect(bare.queryString == "")
        #expect(bare.isHTTPS == false)
        #expect(FastCGIRequest(params: ["HTTPS": "on"], body: []).isHTTPS)
    }

    @Test func parsesCookiesFirstValueWins() {
        let request = FastCGIRequest(params: ["HTTP_COOKIE": " sid=one; lang=ja ;sid=two; quoted=\"v 1\"; junk; =x"],
                                     body: [])
        #expect(request.cookies == ["sid": "one", "lang": "ja", "quoted": "v 1"])
        #expect(FastCGIRequest(params: [:], body: []).cookies.isEmpty)
    }

    @Test func decodesAFormBodyOnlyForTheFormContentType() {
        let body = Array("amount=100&currency=JPY&note=%E3%81%82+b".utf8)
        let form = FastCGIRequest(params: ["CONTENT_TYPE": "Application/X-WWW-Form-Urlencoded; charset=utf-8"], body: body)
        #expect(form.form.map { [$0.0, $0.1] } == [["amount", "100"], ["currency", "JPY"], ["note", "あ b"]])
        #expect(FastCGIRequest(params: ["CONTENT_TYPE": "multipart/form-data"], body: body).form.isEmpty)
        #expect(FastCGIRequest(params: [:], body: body).form.isEmpty)
    }

    @Test func serializesTheCGIFormWithStatusHeaderAndLength() {
        let response = FastCGIResponse(status: 302, headers: [("Location", "/linepay/done"),
                                                              ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
                                       body: Array("moved".utf8))
        let text = String(decoding: response.serialized(), as: UTF8.self)
        #expect(text == "Status: 302 Found\r\nLocation: /linepay/done\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
                + "Content-Length: 5\r\n\r\nmoved")
        #expect(!text.contains("HTTP/1."))

        let plain = String(decoding: FastCGIResponse.text("ok").serialized(), as: UTF8.self)
        #expect(plain == "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n\r\nok")

        let given = FastCGIResponse(status: 799, headers: [("content-length", "0")])
        #expect(String(decoding: given.serialized(), as: UTF8.self) == "Status: 799 Status\r\ncontent-length: 0\r\n\r\n")
    }

    @Test func stripsLineBreaksFromHeadersAgainstResponseSplitting() {
        let evil = FastCGIResponse(headers: [("X-Echo", "a\r\nSet-Cookie: admin=1")])
        let text = String(decoding: evil.serialized(), as: UTF8.self)
        #expect(text.hasPrefix("Status: 200 OK\r\nX-Echo: aSet-Cookie: admin=1\r\nContent-Length: 0\r\n\r\n"))
    }

    @Test func runsOneCGIExchangeOverPipes() throws {
        let (output, text) = try runCGI(environment: [
            "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/cgi-bin/linepay", "PATH_INFO": "/notify",
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "15",
        ], stdin: Array("a=1&b=%E2%9C%93&ignored=beyond-content-length".utf8)) { request in
            .text("\(request.method) \(request.scriptName)\(request.pathInfo) " +
                  request.form.map { "\($0.0)=\($0.1)" }.joined(separator: ","))
        }
        #expect(output == "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(text.utf8.count)\r\n\r\n\(text)")
        #expect(text == "POST /cgi-bin/linepay/notify a=1,b=✓")
    }

    @Test func cgiRefusesOversizedAndShortBodies() throws {
        let called = Flag(false)
        let (big, _) = try runCGI(environment: ["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "2000000"], stdin: [],
                                  maxBodyBytes: 1000) { _ in called.set(true); return .text("no") }
        #expect(big.hasPrefix("Status: 413 Content Too Large\r\n"))
        let (short, _) = try runCGI(environment: ["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "10"],
                                    stdin: Array("abc".utf8)) { _ in called.set(true); return .text("no") }
        #expect(short.hasPrefix("Status: 400 Bad Request\r\n"))
        let (bad, _) = try runCGI(environment: ["CONTENT_LENGTH": "-1"], stdin: []) { _ in
            called.set(true); return .text("no")
        }
        #expect(bad.hasPrefix("Status: 400 Bad Request\r\n"))
        #expect(called.get() == false)
    }

    /// Feeds `stdin` through a pipe, runs the CGI exchange, returns stdout and the handler's text.
    private func runCGI(environment: [String: String], stdin: [UInt8], maxBodyBytes: Int = 1 << 20,
                        handler: (FastCGIRequest) -> FastCGIResponse) throws -> (String, String) {
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0 else { throw POSIXError(.EMFILE) }
        _ = stdin.withUnsafeBytes { write(input[1], $0.baseAddress, $0.count) }
        close(input[1])
        var handlerText = ""
        FastCGIServer.runCGI(environment: environment, input: input[0], output: output[1],
                             maxBodyBytes: maxBodyBytes) { request in
            let response = handler(request)
            handlerText = String(decoding: response.body, as: UTF8.self)
            return response
        }
        close(input[0])
        close(output[1])
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(output[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        close(output[0])
        return (String(decoding: bytes, as: UTF8.self), handlerText)
    }
}

/// A flag set from a non-escaping handler.
private final class Flag<Value> {
    private var value: Value
    init(_ value: Value) { self.value = value }
    func set(_ newValue: Value) { value = newValue }
    func get() -> Value { value }
}
