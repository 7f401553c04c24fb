import FastCGI
import Foundation
import TestSupport

/// A FastCGIServer running `run` on a background thread of the test process, on a Unix socket in a temp dir.
final class TestServer {
    let server: FastCGIServer
    let socketPath: String
    /// Set when `run` returns: nil for a clean return, else the error it threw.
    let outcome = Locked<Result<Void, any Error>?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    init(threads: Int = 4, maxBodyBytes: Int = 1 << 20, waitForSocket: Bool = true,
         makeHandler: @escaping @Sendable () throws -> (FastCGIRequest) -> FastCGIResponse) {
        socketPath = makeTemporaryDirectory("fcgi") + "/app.sock"
        server = FastCGIServer(listen: .unixSocket(path: socketPath, mode: 0o666), threads: threads,
                               maxBodyBytes: maxBodyBytes)
        let (server, outcome, finished) = (self.server, self.outcome, self.finished)
        Thread {
            do {
                try server.run(makeHandler: makeHandler)
                outcome.withLock { $0 = .success(()) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
            finished.signal()
        }.start()
        if waitForSocket {
            precondition(waitForUnixSocket(path: socketPath), "server did not listen on \(socketPath)")
        }
    }

    convenience init(threads: Int = 4, maxBodyBytes: Int = 1 << 20,
                     handler: @escaping @Sendable (FastCGIRequest) -> FastCGIResponse) {
        self.init(threads: threads, maxBodyBytes: maxBodyBytes, makeHandler: { handler })
    }

    /// True when `run` has returned within `timeout` seconds (0: just look).
    func waitForReturn(timeout: Double) -> Bool {
        if outcome.current != nil { return true }
        return finished.wait(timeout: .now() + timeout) == .success
    }

    /// Stops the server and waits for `run` to return; true when it did.
    @discardableResult
    func stop(timeout: Double = 10) -> Bool {
        server.stop()
        return waitForReturn(timeout: timeout)
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: (socketPath as NSString).deletingLastPathComponent)
    }
}

/// A FastCGI server behind a real nginx: the stack the shop runs, in one test process.
final class Stack {
    let app: TestServer
    let nginx: NginxServer

    init(threads: Int = 4, maxBodyBytes: Int = 1 << 20, keepsConnections: Bool = false,
         handler: @escaping @Sendable (FastCGIRequest) -> FastCGIResponse = echo) throws {
        app = TestServer(threads: threads, maxBodyBytes: maxBodyBytes, handler: handler)
        nginx = try NginxServer(locations: [NginxLocation(prefix: "/linepay", fastcgiSocket: app.socketPath,
                                                          keepsConnections: keepsConnections)])
    }

    func url(_ path: String) -> String { nginx.baseURL + path }

    /// `count` GETs at once through nginx, each on its own thread, of `path(i)`: the status and echoed PATH_INFO of
    /// each ("200 /n/3", or "failed"), and whether all ended within `timeout` seconds.
    func concurrentGets(count: Int, timeout: Double = 120, path: @escaping @Sendable (Int) -> String) -> (answers: [Int: String], finished: Bool) {
        let results = Locked([Int: String]())
        let group = DispatchGroup()
        let base = nginx.baseURL
        for i in 0..<count {
            group.enter()
            Thread {
                defer { group.leave() }
                let response = try? httpRequest(url: base + path(i))
                let text = response.map { "\($0.status) " + ((try? decodeEcho($0))?.pathInfo ?? "?") } ?? "failed"
                results.withLock { $0[i] = text }
            }.start()
        }
        let finished = group.wait(timeout: .now() + timeout) == .success
        return (results.current, finished)
    }

    /// Stops nginx, then the app; true when `run` returned.
    func stop() -> Bool {
        nginx.stop()
        return app.stop()
    }
}

/// What the echo handler saw, as JSON.
struct Echo: Codable, Equatable {
    var method: String
    var scriptName: String
    var pathInfo: String
    var queryString: String
    var query: [[String]]
    var form: [[String]]
    var userAgent: String?
    var requestID: String?
    var contentType: String?
    var cookies: [String: String]
    var isHTTPS: Bool
    var bodyCount: Int
    var remoteAddr: String?
}

/// Routes on PATH_INFO: /body echoes the body, /cookies sets two cookies, /empty is 204, anything else
/// answers with an `Echo` of the request.
@Sendable func echo(_ request: FastCGIRequest) -> FastCGIResponse {
    switch request.pathInfo {
    case "/body":
        return FastCGIResponse(headers: [("Content-Type", "application/octet-stream")], body: request.body)
    case "/cookies":
        return FastCGIResponse(status: 201, headers: [("Set-Cookie", "a=1; Path=/; HttpOnly"),
                                                      ("Set-Cookie", "b=2; Path=/"),
                                                      ("X-LinePay-Test", "yes"),
                                                      ("Content-Type", "text/plain")],
                               body: Array("two cookies".utf8))
    case "/empty":
        return FastCGIResponse(status: 204)
    default:
        let seen = Echo(method: request.method, scriptName: request.scriptName, pathInfo: request.pathInfo,
                        queryString: request.queryString,
                        query: request.query.map { [$0.0, $0.1] }, form: request.form.map { [$0.0, $0.1] },
                        userAgent: request.header("User-Agent"), requestID: request.header("X-Request-Id"),
                        contentType: request.header("Content-Type"), cookies: request.cookies,
                        isHTTPS: request.isHTTPS, bodyCount: request.body.count,
                        remoteAddr: request.params["REMOTE_ADDR"])
        let json = (try? JSONEncoder().encode(seen)).map { Array($0) } ?? []
        return FastCGIResponse(headers: [("Content-Type", "application/json")], body: json)
    }
}

func decodeEcho(_ response: HTTPResponse) throws -> Echo {
    try JSONDecoder().decode(Echo.self, from: Data(response.body))
}
