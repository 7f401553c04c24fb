import Foundation

/// The whole stack for responder tests: the real `linepay-fcgi` behind a real nginx at /linepay, talking to the
/// real sandbox (behind its own nginx, as LINE Pay is another host), with a listener for the shop's notifications.
public final class ResponderHarness {
    public static let handoffSecret = "test-handoff-secret-0123456789abcdef"

    public let sandbox: SandboxHarness
    public let nginx: NginxServer
    public let notifications: ScriptedServer
    public let directory: String
    public let configPath: String
    public private(set) var process: ManagedProcess
    let socket: String

    /// `config` lines are appended to the generated file (e.g. "confirm_url_type = NONE", "read_timeout_confirm = 1").
    public init(config extra: [String] = [], notifyStatus: Int = 200, threads: Int = 8) throws {
        sandbox = try SandboxHarness(extraArguments: ["--no-fault-by-amount"])
        directory = makeTemporaryDirectory("responder")
        socket = directory + "/linepay.sock"
        notifications = ScriptedServer { _ in .respond(status: notifyStatus, body: "") }
        nginx = try NginxServer(locations: [NginxLocation(prefix: "/linepay", fastcgiSocket: socket)])
        configPath = directory + "/linepay.conf"
        let lines = [
            "# written by ResponderHarness",
            "channel_id = \(SandboxHarness.channelId)",
            "channel_secret = \(SandboxHarness.channelSecret)",
            "api_base_url = \(sandbox.baseURL)",
            "database = \(directory)/linepay.sqlite",
            "public_base_url = \(nginx.baseURL)/linepay",
            "handoff_secret = \(Self.handoffSecret)",
            "return_url = http://127.0.0.1:9/shop/return.php",
            "notify_url = \(notifications.baseURL)/shop/notify.php",
            "shop_name = Test Shop",
            "assets_dir = \(repoRoot())/www",
        ] + extra
        try (lines.joined(separator: "\n") + "\n").write(toFile: configPath, atomically: true, encoding: .utf8)
        process = try Self.start(configPath: configPath, socket: socket, threads: threads, log: directory + "/linepay.log")
    }

    static func start(configPath: String, socket: String, threads: Int, log: String) throws -> ManagedProcess {
        try? FileManager.default.removeItem(atPath: socket)
        let p = try ManagedProcess(builtBinary("linepay-fcgi"), ["--config", configPath, "--listen", "unix:" + socket, "--threads", String(threads)],
                                   outputPath: log)
        guard waitForUnixSocket(path: socket) else { throw HTTPClientError(description: "linepay-fcgi did not start: \(p.output)") }
        return p
    }

    /// The responder's public URL (the location block): http://127.0.0.1:PORT/linepay.
    public var baseURL: String { nginx.baseURL + "/linepay" }

    /// The path of the responder's SQLite file.
    public var database: String { directory + "/linepay.sqlite" }

    deinit {
        process.terminate()
        nginx.stop()
    }
}
