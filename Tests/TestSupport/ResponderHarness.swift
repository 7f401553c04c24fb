import Foundation

/// The whole stack for responder tests: the real `linepay-fcgi` behind a real nginx at /linepay, talking to the
/// real sandbox (behind its own nginx, as LINE Pay is another host), with a listener for the shop's notifications.
public final class ResponderHarness {
    public static let handoffSecret = "test-handoff-secret-0123456789abcdef"

    /// Which web server fronts the responder, and how it runs it.
    public enum Front { case nginx, apacheFastCGI, apacheCGI }

    public let sandbox: SandboxHarness
    /// The front web server when it is nginx (nil for Apache).
    public let nginxFront: NginxServer?
    public let apache: ApacheServer?
    /// The front web server's origin: http://127.0.0.1:PORT.
    public let origin: String
    public let notifications: ScriptedServer
    public let directory: String
    public let configPath: String
    /// The FastCGI process (nil under CGI, where Apache execs the binary per request).
    public private(set) var fcgiProcess: ManagedProcess?
    /// The FastCGI process; traps under CGI.
    public var process: ManagedProcess { fcgiProcess! }
    let socket: String

    /// `config` lines are appended to the generated file (e.g. "confirm_url_type = NONE", "read_timeout_confirm = 1").
    /// Several "web servers" of one shop share `sandbox`, `database` (a postgresql:// URL) and `notifications`.
    public init(config extra: [String] = [], notifyStatus: Int = 200, threads: Int = 8, front: Front = .nginx,
                sandbox shared: SandboxHarness? = nil, database url: String? = nil, notifications sharedNotifications: ScriptedServer? = nil) throws {
        sandbox = try shared ?? SandboxHarness(extraArguments: ["--no-fault-by-amount"])
        directory = makeTemporaryDirectory("responder")
        socket = directory + "/linepay.sock"
        databaseURL = url
        notifications = sharedNotifications ?? ScriptedServer { _ in .respond(status: notifyStatus, body: "") }
        configPath = directory + "/linepay.conf"
        switch front {
        case .nginx:
            let n = try NginxServer(locations: [NginxLocation(prefix: "/linepay", fastcgiSocket: socket)])
            (nginxFront, apache, origin) = (n, nil, n.baseURL)
        case .apacheFastCGI:
            let a = try ApacheServer(.fastcgi(prefix: "/linepay", socket: socket))
            (nginxFront, apache, origin) = (nil, a, a.baseURL)
        case .apacheCGI:
            // Apache's children (www-data) exec the binary: the folder holding the database must be theirs to write.
            chmod(directory, 0o777)
            let a = try ApacheServer(.cgi(prefix: "/linepay", binary: builtBinary("linepay-fcgi"), environment: ["LINEPAY_CONFIG": configPath]))
            (nginxFront, apache, origin) = (nil, a, a.baseURL)
        }
        let lines = [
            "# written by ResponderHarness",
            "channel_id = \(SandboxHarness.channelId)",
            "channel_secret = \(SandboxHarness.channelSecret)",
            "api_base_url = \(sandbox.baseURL)",
            "database = \(url ?? directory + "/linepay.sqlite")",
            "public_base_url = \(origin)/linepay",
            "handoff_secret = \(Self.handoffSecret)",
            "return_url = http://127.0.0.1:9/shop/return.php",
            "notify_url = \(notifications.baseURL)/shop/notify.php",
            "shop_name = Test Shop",
            "assets_dir = \(repoRoot())/www",
        ] + extra
        try (lines.joined(separator: "\n") + "\n").write(toFile: configPath, atomically: true, encoding: .utf8)
        chmod(configPath, 0o644)
        if front == .apacheCGI {
            // Create the database as root now, then hand it to Apache's user (SQLite adds -wal and -shm beside it).
            let r = try runProcess(builtBinary("linepay-fcgi"), ["--config", configPath, "--check-config"])
            guard r.status == 0 else { throw HTTPClientError(description: "config: \(r.stderr)") }
            chmod(database, 0o666)
            fcgiProcess = nil
        } else {
            fcgiProcess = try Self.start(configPath: configPath, socket: socket, threads: threads, log: directory + "/linepay.log")
            // The socket is 0660 root: Apache's children (www-data) need it opened up, as a shop would with its group.
            if front == .apacheFastCGI { chmod(socket, 0o666) }
        }
    }

    static func start(configPath: String, socket: String, threads: Int, log: String) throws -> ManagedProcess {
        try? FileManager.default.removeItem(atPath: socket)
        let p = try ManagedProcess(builtBinary("linepay-fcgi"), ["--config", configPath, "--listen", "unix:" + socket, "--threads", String(threads)],
                                   outputPath: log)
        try p.waitUntilReady("linepay-fcgi to listen on \(socket)") { connectUnix(path: socket).map { close($0); return true } ?? false }
        return p
    }

    /// Ends linepay-fcgi with SIGKILL (no cleanup, as a crash or an OOM kill would) and starts it again on the same
    /// socket, database and configuration.
    public func killAndRestartResponder(threads: Int = 8) throws {
        killResponder()
        fcgiProcess = try Self.start(configPath: configPath, socket: socket, threads: threads, log: directory + "/linepay-restarted.log")
    }

    /// Ends linepay-fcgi with SIGKILL and leaves it dead (another server of the shop carries on).
    public func killResponder() {
        guard let p = fcgiProcess else { return }
        p.send(SIGKILL)
        _ = p.waitForExit(timeout: 10)
    }

    /// The responder's public URL (the location block): http://127.0.0.1:PORT/linepay.
    public var baseURL: String { origin + "/linepay" }

    /// The nginx in front (the default front); traps when the harness was started with Apache.
    public var nginx: NginxServer { nginxFront! }

    /// The path of the responder's SQLite file, or the PostgreSQL URL it was given.
    public var database: String { databaseURL ?? directory + "/linepay.sqlite" }
    private let databaseURL: String?

    deinit {
        fcgiProcess?.terminate()
        nginxFront?.stop()
        apache?.stop()
    }
}
