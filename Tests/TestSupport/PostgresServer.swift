import Foundation

/// A private PostgreSQL 15 server for tests: `initdb` in a temporary folder, `postgres` on a loopback port (and a
/// socket in that folder), run as an unprivileged user when we are root (PostgreSQL refuses to run as root):
/// `linepaytest` when it exists (`make test` creates it), else `nobody`. Binaries from /usr/lib/postgresql/15/bin,
/// where Debian's `postgresql-15` puts them. fsync is off: these tests are about concurrency, not power loss.
/// The server is one ManagedProcess (its own process group) and ends with this object; `stop` and `start` let a
/// test take the database away under traffic. `Tests/postgres-cleanup.sh` kills any a crashed run left behind.
/// Tests that only need a database use `sharedDatabase`: under `make test` one server for the whole run is started
/// outside the test process (Tests/with-postgres.sh), so no test thread waits for an initdb.
public final class PostgresServer: @unchecked Sendable {   // @unchecked: `process` only changes in stop/start
    public static let binDir = ProcessInfo.processInfo.environment["LINEPAY_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
    public static let superuser = "linepay"

    public let directory: String
    public let port: Int
    public private(set) var process: ManagedProcess?

    /// The server the store suites share (one per test process, stopped when the process exits).
    public static let shared: Result<PostgresServer, any Error> = Result {
        let server = try PostgresServer()
        sharedPid = server.process?.pid ?? 0
        sharedDirectory = strdup(server.directory)
        atexit {
            if sharedPid > 0 { kill(sharedPid, SIGQUIT); _ = waitpid(sharedPid, nil, 0) }
            if let d = sharedDirectory { try? FileManager.default.removeItem(atPath: String(cString: d)) }
        }
        return server
    }

    /// initdb, then start.
    public init() throws {
        directory = makeTemporaryDirectory("linepay-pg")
        // Tests/postgres-cleanup.sh leaves a server alone while the process that started it lives.
        try String(getpid()).write(toFile: directory + "/owner", atomically: true, encoding: .utf8)
        port = freeLoopbackPort()
        let (uid, gid) = Self.unprivilegedIds()
        if getuid() == 0 { chown(directory, uid, gid) }
        let r = try runProcess("/usr/bin/env", Self.asUser(["\(Self.binDir)/initdb", "-D", directory + "/data", "-U", Self.superuser,
                                                          "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync"]),
                               timeout: 120)
        guard r.status == 0 else { throw HarnessError("initdb failed (\(r.status)): \(r.stdout) \(r.stderr)") }
        try start()
    }

    deinit {
        if let process, process.isRunning { process.send(SIGQUIT); _ = process.waitForExit(within: 10) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The URL of the `postgres` maintenance database (or another).
    public func url(_ database: String = "postgres") -> String {
        "postgresql://\(Self.superuser)@127.0.0.1:\(port)/\(database)"
    }

    /// A new, empty database; returns its URL.
    public func createDatabase(_ prefix: String = "t") throws -> String {
        try Self.createDatabase(port: port, prefix)
    }

    /// A new, empty database on the server at `port`; returns its URL.
    public static func createDatabase(port: Int, _ prefix: String = "t") throws -> String {
        let n = created.withLock { $0 += 1; return $0 }
        let name = "\(prefix)_\(getpid())_\(n)"
        let r = try runProcess("\(Self.binDir)/createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", Self.superuser, name])
        guard r.status == 0 else { throw HarnessError("createdb \(name): \(r.stderr)") }
        return "postgresql://\(Self.superuser)@127.0.0.1:\(port)/\(name)"
    }
    private static let created = Locked(0)

    /// A new, empty database on the run's shared server: the one `Tests/with-postgres.sh` started for `make test`
    /// (LINEPAY_TEST_PG_PORT), else one this process starts on first use (a plain `swift test`).
    public static func sharedDatabase(_ prefix: String = "t") throws -> String {
        if let port = ProcessInfo.processInfo.environment["LINEPAY_TEST_PG_PORT"].flatMap(Int.init) {
            return try createDatabase(port: port, prefix)
        }
        return try shared.get().createDatabase(prefix)
    }

    /// Starts the server on its data folder and waits until it accepts connections.
    public func start() throws {
        let p = try ManagedProcess("/usr/bin/env", Self.asUser([
            "\(Self.binDir)/postgres", "-D", directory + "/data", "-p", String(port), "-k", directory,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=300",
            "-c", "shared_buffers=32MB", "-c", "log_min_messages=warning",
        ]), outputPath: directory + "/postgres.log")
        process = p
        try p.waitUntilReady("postgres on port \(port)", timeout: 60) {
            (try? runProcess("\(Self.binDir)/pg_isready", ["-q", "-h", "127.0.0.1", "-p", String(port)]).status) == 0
        }
    }

    /// Fast shutdown (SIGINT: open sessions are ended, as when an operator restarts the server); waits for it.
    public func stop() throws {
        guard let process, process.isRunning else { return }
        process.send(SIGINT)
        guard process.waitForExit(within: 30) != nil else { throw HarnessError(process.report("postgres did not stop")) }
    }

    /// What the server logged.
    public var log: String { process?.output ?? "" }

    /// `setpriv` to drop root (it execs, so the server is the process we signal); as is when not root.
    static func asUser(_ command: [String]) -> [String] {
        guard getuid() == 0 else { return command }
        let (uid, gid) = unprivilegedIds()
        return ["setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--"] + command
    }

    static func unprivilegedIds() -> (uid_t, gid_t) {
        for name in ["linepaytest", "nobody"] { if let pw = getpwnam(name) { return (pw.pointee.pw_uid, pw.pointee.pw_gid) } }
        return (65534, 65534)
    }
}

// Written once, before atexit can read them.
nonisolated(unsafe) private var sharedPid: pid_t = 0
nonisolated(unsafe) private var sharedDirectory: UnsafeMutablePointer<CChar>?
