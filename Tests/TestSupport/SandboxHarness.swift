import Foundation

/// The real `linepay-sandbox` binary behind a real nginx on loopback, with its own SQLite file: what the
/// library, the responder and the browsers talk to in tests.
public final class SandboxHarness {
    /// The demo channel the harness configures.
    public static let channelId = "1234567890"
    public static let channelSecret = "sandbox-test-secret-0123456789abcdef"

    public let directory: String
    public let database: String
    public let socket: String
    public private(set) var process: ManagedProcess
    public let nginx: NginxServer
    private let arguments: [String]

    /// nginx: /v3 and /sandbox to the sandbox's socket; a 599 from it becomes 444 (close without an answer).
    public static let dropConfig = """
            fastcgi_intercept_errors on;
            error_page 599 = @drop;
            location @drop { return 444; }
    """

    public init(extraArguments: [String] = []) throws {
        directory = makeTemporaryDirectory("sandbox")
        database = directory + "/sandbox.sqlite"
        socket = directory + "/sandbox.sock"
        arguments = ["--database", database, "--listen", "unix:" + socket, "--threads", "4",
                     "--channel", "\(Self.channelId):\(Self.channelSecret):Test Shop"] + extraArguments
        process = try Self.start(arguments, socket: socket, log: directory + "/sandbox.log")
        nginx = try NginxServer(locations: [NginxLocation(prefix: "/v3", fastcgiSocket: socket), NginxLocation(prefix: "/v4", fastcgiSocket: socket),
                                            NginxLocation(prefix: "/sandbox", fastcgiSocket: socket)],
                                extraServerConfig: Self.dropConfig)
    }

    private static func start(_ arguments: [String], socket: String, log: String) throws -> ManagedProcess {
        try? FileManager.default.removeItem(atPath: socket)
        let p = try ManagedProcess(builtBinary("linepay-sandbox"), arguments, outputPath: log)
        try p.waitUntilReady("linepay-sandbox to listen on \(socket)") { connectUnix(path: socket).map { close($0); return true } ?? false }
        return p
    }

    /// Stops the sandbox and starts it again on the same SQLite file.
    public func restart() throws {
        process.terminate()
        process = try Self.start(arguments, socket: socket, log: directory + "/sandbox.log")
    }

    public var baseURL: String { nginx.baseURL }

    /// POSTs a form to the control API and returns the decoded JSON.
    @discardableResult
    public func control(_ method: String = "POST", _ path: String, _ form: [String: String] = [:]) throws -> Any {
        let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        let r = try httpRequest(method: method, url: baseURL + "/sandbox/control" + path,
                                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
        guard (200..<300).contains(r.status) else { throw HTTPClientError(description: "control \(path): \(r.status) \(r.text)") }
        return try JSONSerialization.jsonObject(with: Data(r.body))
    }

    /// Arms a fault: `operation` (request, confirm, ... or *), `kind` (code, status, delay, malformed, truncated, drop).
    public func fault(_ operation: String, _ kind: String, _ value: String = "", count: Int = 1) throws {
        try control("POST", "/faults", ["operation": operation, "kind": kind, "value": value, "count": String(count)])
    }

    /// Approves a reserved transaction as the shopper would; returns the control API's answer.
    @discardableResult
    public func approve(_ transactionId: CustomStringConvertible) throws -> [String: Any] {
        try control("POST", "/transactions/\(transactionId)/approve") as? [String: Any] ?? [:]
    }

    /// The calls the sandbox received, optionally for one operation.
    public func calls(operation: String? = nil) throws -> [[String: Any]] {
        let q = operation.map { "?operation=\($0)" } ?? ""
        return try control("GET", "/calls" + q) as? [[String: Any]] ?? []
    }

    deinit {
        process.terminate()
        nginx.stop()
    }
}
