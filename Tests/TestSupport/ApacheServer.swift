import Foundation

/// One mount for `ApacheServer`: what answers the requests under `prefix`.
///
/// Each kind is rendered from the snippet the project ships in `apache/` (comments dropped, the example paths
/// replaced), so the tests exercise exactly what a shop pastes.
public struct ApacheMount: Sendable {
    /// How the requests under the prefix are answered.
    public enum Handler: Sendable {
        /// mod_proxy_fcgi to a FastCGI Unix socket (`apache/linepay.conf`).
        case fastcgi(socket: String)
        /// mod_cgid runs `binary` per request with `environment` set by `SetEnv` (`apache/linepay-cgi.conf`).
        case cgi(binary: String, environment: [String: String])
        /// mod_fcgid starts `command` itself with the listen socket on fd 0 (`apache/linepay-fcgid.conf`).
        case fcgid(command: [String], environment: [String: String])
    }

    /// The path prefix, without a trailing slash ("/linepay"). It also matches the bare prefix itself.
    public var prefix: String
    /// What answers.
    public var handler: Handler

    /// A mount of `prefix` with `handler`.
    public init(prefix: String, handler: Handler) {
        self.prefix = prefix
        self.handler = handler
    }

    /// `prefix` proxied to the FastCGI server listening on the Unix socket `socket`
    /// (SCRIPT_NAME=prefix, PATH_INFO=the rest).
    public static func fastcgi(prefix: String = "/linepay", socket: String) -> ApacheMount {
        ApacheMount(prefix: prefix, handler: .fastcgi(socket: socket))
    }

    /// `prefix` answered by running `binary` as CGI, once per request, with `environment` added to its CGI
    /// environment (e.g. `["LINEPAY_CONFIG": path]`). Run as root, Apache runs it as `www-data`.
    public static func cgi(prefix: String = "/linepay", binary: String, environment: [String: String] = [:]) -> ApacheMount {
        ApacheMount(prefix: prefix, handler: .cgi(binary: binary, environment: environment))
    }

    /// `prefix` answered by FastCGI processes that mod_fcgid starts from `command` (program and arguments).
    /// Needs Debian's libapache2-mod-fcgid.
    public static func fcgid(prefix: String = "/linepay", command: [String], environment: [String: String] = [:]) -> ApacheMount {
        ApacheMount(prefix: prefix, handler: .fcgid(command: command, environment: environment))
    }
}

/// A real Apache 2.4 on 127.0.0.1 for tests: `apache2 -DFOREGROUND` (mpm_event, Debian's build) with its own
/// ServerRoot, config, pid file, logs, mutexes and runtime sockets in a temp directory, and only the modules
/// the mounts need. Run as root, the children run as `www-data`: sockets, binaries and files they use must
/// be reachable by that user (the temp directories of `makeTemporaryDirectory` are 0755).
public final class ApacheServer {
    /// The port Apache listens on.
    public let port: Int
    /// The directory holding httpd.conf, the logs and the runtime files.
    public let directory: String
    /// The user the children run as (nil when not started as root: then they keep ours).
    public let user: String?
    /// "http://127.0.0.1:PORT".
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private var process: ManagedProcess?

    /// Where Debian keeps the loadable modules.
    static let modulesDirectory = "/usr/lib/apache2/modules"

    /// Writes httpd.conf and starts Apache; returns once the port accepts connections, or throws with the error
    /// log. `extraModules` are loaded before the mounts ("rewrite" loads mod_rewrite.so); `extraConfig` is
    /// pasted at server level after the mounts (more `<Location>` blocks, directives); `documentRoot` defaults
    /// to an empty `www/` in the directory.
    public init(mounts: [ApacheMount], extraModules: [String] = [], extraConfig: String = "",
                documentRoot: String? = nil) throws {
        directory = makeTemporaryDirectory("apache")
        user = geteuid() == 0 ? "www-data" : nil
        let root = documentRoot ?? directory + "/www"
        for sub in ["/www", "/run"] {
            try FileManager.default.createDirectory(atPath: directory + sub, withIntermediateDirectories: true)
        }
        let mountText = try mounts.map(Self.render).joined(separator: "\n")
        let (directory, user) = (self.directory, self.user)
        do {
            (port, process) = try startOnFreshPort("apache2") { port in
                let config = Self.config(directory: directory, port: port, user: user, documentRoot: root,
                                         mounts: mounts, extraModules: extraModules, mountText: mountText,
                                         extra: extraConfig)
                try config.write(toFile: directory + "/httpd.conf", atomically: true, encoding: .utf8)
                for stale in ["/run/httpd.pid", "/error.log"] { try? FileManager.default.removeItem(atPath: directory + stale) }
                // Its own process group: stopping it also ends mod_cgid's daemon and mod_fcgid's children, which
                // run as www-data and once outlived a killed parent.
                let apache = try ManagedProcess("/usr/sbin/apache2", ["-DFOREGROUND", "-f", directory + "/httpd.conf"],
                                                outputPath: directory + "/stdout.log", logFiles: [directory + "/error.log"])
                return (apache, directory + "/run/httpd.pid")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// `init(mounts:)` with the mounts as arguments: `ApacheServer(.fastcgi(socket: path))`.
    public convenience init(_ mounts: ApacheMount..., extraModules: [String] = [], extraConfig: String = "",
                            documentRoot: String? = nil) throws {
        try self.init(mounts: mounts, extraModules: extraModules, extraConfig: extraConfig, documentRoot: documentRoot)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Apache's error log so far (useful in failure messages).
    public var errorLog: String {
        (try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? ""
    }

    /// Apache's access log so far (common log format).
    public var accessLog: String {
        (try? String(contentsOfFile: directory + "/access.log", encoding: .utf8)) ?? ""
    }

    /// The generated httpd.conf.
    public var configText: String {
        (try? String(contentsOfFile: directory + "/httpd.conf", encoding: .utf8)) ?? ""
    }

    /// Stops Apache and its children (SIGTERM, then SIGKILL after 5 s). Safe to call twice; the directory stays
    /// until deinit.
    public func stop() {
        process?.terminate()
        process = nil
    }

    // MARK: - Configuration

    /// The shipped snippet for a handler kind: `apache/<name>` in the repository.
    public static func shippedSnippet(_ name: String) throws -> String {
        let path = repoRoot() + "/apache/" + name
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw HTTPClientError(description: "cannot read \(path): \(error)")
        }
    }

    /// The shipped snippet for `mount`, comments dropped and the example values (`/linepay`,
    /// `/run/linepay/linepay.sock`, `/usr/local/bin/linepay-fcgi`, `LINEPAY_CONFIG /etc/...`) replaced.
    static func render(_ mount: ApacheMount) throws -> String {
        let file: String
        switch mount.handler {
        case .fastcgi: file = "linepay.conf"
        case .cgi: file = "linepay-cgi.conf"
        case .fcgid: file = "linepay-fcgid.conf"
        }
        let prefix = mount.prefix
        var out: [String] = ["# \(file) for \(prefix)"]
        var replaced: Set<String> = []
        for line in try shippedSnippet(file).split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let indent = String(line.prefix { $0 == " " })
            let words = trimmed.split(separator: " ", maxSplits: 1).map(String.init)
            switch (words[0], mount.handler) {
            case ("<Location", _):
                out.append(indent + "<Location \"\(prefix)\">")
                replaced.insert("Location")
            case ("SetHandler", .fastcgi(let socket)) where trimmed.contains("proxy:unix:"):
                out.append(indent + "SetHandler \"proxy:unix:\(socket)|fcgi://localhost\"")
                replaced.insert("SetHandler")
            case ("ScriptAlias", .cgi(let binary, _)):
                out.append(indent + "ScriptAlias \(prefix) \(quoted(binary))")
                replaced.insert("ScriptAlias")
            case ("SetEnv", .cgi(_, let environment)) where trimmed.hasPrefix("SetEnv LINEPAY_CONFIG "):
                out += environment.sorted { $0.key < $1.key }.map { indent + "SetEnv \($0.key) \(quoted($0.value))" }
                replaced.insert("SetEnv")
            case ("FcgidInitialEnv", .fcgid(_, let environment)) where trimmed.hasPrefix("FcgidInitialEnv LINEPAY_CONFIG "):
                out += environment.sorted { $0.key < $1.key }.map { indent + "FcgidInitialEnv \($0.key) \(quoted($0.value))" }
                replaced.insert("FcgidInitialEnv")
            case ("FcgidWrapper", .fcgid(let command, _)):
                out.append(indent + "FcgidWrapper \(quoted(command.joined(separator: " "))) virtual")
                replaced.insert("FcgidWrapper")
            default:
                out.append(String(line))
            }
        }
        let expected: Set<String>
        switch mount.handler {
        case .fastcgi: expected = ["Location", "SetHandler"]
        case .cgi: expected = ["Location", "ScriptAlias", "SetEnv"]
        case .fcgid: expected = ["Location", "FcgidInitialEnv", "FcgidWrapper"]
        }
        guard replaced == expected else {
            throw HTTPClientError(description: "apache/\(file) changed shape: found \(replaced.sorted()), "
                                  + "the harness substitutes \(expected.sorted())")
        }
        return out.joined(separator: "\n")
    }

    /// A directive argument, double-quoted when it holds a space or a quote.
    static func quoted(_ value: String) -> String {
        guard value.contains(where: { $0 == " " || $0 == "\"" || $0 == "\t" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func config(directory d: String, port: Int, user: String?, documentRoot: String, mounts: [ApacheMount],
                       extraModules: [String], mountText: String, extra: String) -> String {
        var needs: Set<String> = []
        for mount in mounts {
            switch mount.handler {
            case .fastcgi: needs.formUnion(["proxy", "proxy_fcgi"])
            case .cgi: needs.insert("cgid")
            case .fcgid: needs.insert("fcgid")
            }
        }
        // Built into Debian's apache2: core, so, watchdog, http, log_config, logio, version, unixd.
        var modules = ["mpm_event", "authz_core", "mime", "dir", "alias", "env", "setenvif"]
        modules += ["proxy", "proxy_fcgi", "cgid", "fcgid"].filter(needs.contains)
        modules += extraModules.filter { !modules.contains($0) }
        let loads = modules.map { "LoadModule \($0)_module \(modulesDirectory)/mod_\($0).so" }.joined(separator: "\n")
        var perModule: [String] = []
        if needs.contains("cgid") { perModule.append("ScriptSock \(d)/run/cgid.sock") }
        if needs.contains("fcgid") {
            perModule.append("FcgidIPCDir \(d)/run/fcgid")
            perModule.append("FcgidProcessTableFile \(d)/run/fcgid.shm")
        }
        // Apache refuses to serve as root: run as root, the children switch to www-data (the parent keeps root
        // to bind the port and write the logs).
        let identity = user.map { "User \($0)\nGroup \($0)" } ?? ""
        return """
        ServerRoot "\(d)"
        ServerName 127.0.0.1
        Listen 127.0.0.1:\(port)
        PidFile \(d)/run/httpd.pid
        DefaultRuntimeDir \(d)/run
        Mutex file:\(d)/run default
        ErrorLog \(d)/error.log
        LogLevel info
        \(loads)
        \(identity)
        StartServers 1
        ServerLimit 4
        ThreadsPerChild 25
        MaxRequestWorkers 100
        MinSpareThreads 25
        MaxSpareThreads 75
        Timeout 60
        TypesConfig /etc/mime.types
        LogFormat "%h %l %u %t \\"%r\\" %>s %b" common
        CustomLog \(d)/access.log common
        DocumentRoot "\(documentRoot)"
        DirectoryIndex index.html
        <Directory />
            AllowOverride None
            Require all denied
        </Directory>
        <Directory "\(documentRoot)">
            Require all granted
        </Directory>
        \(perModule.joined(separator: "\n"))

        \(mountText)

        \(extra)

        """
    }
}
