import Foundation

/// One FastCGI mount for `NginxServer`: requests under `prefix` go to the Unix socket `fastcgiSocket`.
public struct NginxLocation: Sendable {
    /// The path prefix, without a trailing slash ("/linepay").
    public var prefix: String
    /// The FastCGI Unix socket path.
    public var fastcgiSocket: String
    /// Through an upstream with `keepalive` and `fastcgi_keep_conn on` (as nginx/linepay-location.conf ships), so
    /// nginx sends many requests over each connection; false: a new connection per request.
    public var keepsConnections: Bool

    /// A mount of `prefix` onto `fastcgiSocket`, with kept connections unless told otherwise.
    public init(prefix: String, fastcgiSocket: String, keepsConnections: Bool = true) {
        self.prefix = prefix
        self.fastcgiSocket = fastcgiSocket
        self.keepsConnections = keepsConnections
    }
}

/// A real nginx on 127.0.0.1 for tests: its own config, logs, temp dirs and pid file in a temp directory.
public final class NginxServer {
    /// The port nginx listens on.
    public let port: Int
    /// The directory holding nginx.conf, the logs and the temp paths.
    public let directory: String
    /// "http://127.0.0.1:PORT".
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private var process: ManagedProcess?

    /// Writes nginx.conf and starts nginx; returns once the port accepts connections.
    ///
    /// Each location uses the textbook block (split_path_info, Debian's fastcgi_params, PATH_INFO).
    /// `extraServerConfig` is pasted inside `server { }`, `extraHTTPConfig` inside `http { }` (an upstream block);
    /// `staticRoot` becomes its `root`.
    public init(locations: [NginxLocation], extraServerConfig: String = "", extraHTTPConfig: String = "",
                staticRoot: String? = nil, clientMaxBodySize: String = "16m") throws {
        directory = makeTemporaryDirectory("nginx")
        try? FileManager.default.createDirectory(atPath: directory + "/www", withIntermediateDirectories: true)
        let directory = self.directory
        do {
            (port, process) = try startOnFreshPort("nginx") { port in
                let config = Self.config(directory: directory, port: port, locations: locations,
                                         extra: extraServerConfig, http: extraHTTPConfig, root: staticRoot ?? directory + "/www",
                                         clientMaxBodySize: clientMaxBodySize)
                try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
                for stale in ["/nginx.pid", "/error.log"] { try? FileManager.default.removeItem(atPath: directory + stale) }
                let nginx = try ManagedProcess("/usr/sbin/nginx",
                                               ["-p", directory + "/", "-c", directory + "/nginx.conf",
                                                "-e", directory + "/error.log"],
                                               outputPath: directory + "/stdout.log", logFiles: [directory + "/error.log"])
                return (nginx, directory + "/nginx.pid")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The shipped nginx/linepay-upstream.conf (for `extraHTTPConfig`) and nginx/linepay-location.conf (for
    /// `extraServerConfig`) with this machine's socket, assets folder and fastcgi_params path.
    public static func shippedSnippets(socket: String, assets: String) throws -> (http: String, server: String) {
        let root = repoRoot() + "/nginx/"
        let http = try String(contentsOfFile: root + "linepay-upstream.conf", encoding: .utf8)
            .replacingOccurrences(of: "unix:/run/linepay/linepay.sock", with: "unix:" + socket)
        let server = try String(contentsOfFile: root + "linepay-location.conf", encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/share/linepay-fcgi/www", with: assets)
            .replacingOccurrences(of: "include fastcgi_params;", with: "include /etc/nginx/fastcgi_params;")
        return (http, server)
    }

    /// nginx's error log so far (useful in failure messages).
    public var errorLog: String {
        (try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? ""
    }

    /// Stops nginx (SIGTERM, then SIGKILL after 5 s; a failure to end it is recorded). Safe to call twice; the
    /// directory stays until deinit.
    public func stop() {
        process?.terminate()
        process = nil
    }

    static func config(directory d: String, port: Int, locations: [NginxLocation], extra: String, http: String,
                       root: String, clientMaxBodySize: String) -> String {
        let mounts = locations.enumerated().map { index, location in
            let escaped = location.prefix.replacingOccurrences(of: ".", with: "\\.")
            let pass = location.keepsConnections ? "fastcgi_keep_conn on; fastcgi_pass kept\(index);"
                                                 : "fastcgi_pass unix:\(location.fastcgiSocket);"
            return """
                    location \(location.prefix)/ {
                        fastcgi_split_path_info ^(\(escaped))(/.*)$;
                        include /etc/nginx/fastcgi_params;
                        fastcgi_param PATH_INFO $fastcgi_path_info;
                        \(pass)
                    }
            """
        }.joined(separator: "\n")
        let upstreams = locations.enumerated().filter { $0.element.keepsConnections }.map { index, location in
            "    upstream kept\(index) { server unix:\(location.fastcgiSocket); keepalive 16; }"
        }.joined(separator: "\n")
        // master_process off: one process that is easy to stop and cannot leave workers behind; run as root,
        // it keeps root, and the sockets are made 0o666 by the tests anyway.
        return """
        daemon off;
        master_process off;
        pid \(d)/nginx.pid;
        error_log \(d)/error.log info;
        events { worker_connections 1024; }
        http {
            include /etc/nginx/mime.types;
            default_type application/octet-stream;
            access_log \(d)/access.log;
            client_body_temp_path \(d)/client_body;
            proxy_temp_path \(d)/proxy;
            fastcgi_temp_path \(d)/fastcgi;
            uwsgi_temp_path \(d)/uwsgi;
            scgi_temp_path \(d)/scgi;
            client_max_body_size \(clientMaxBodySize);
        \(upstreams)
        \(http)
            server {
                listen 127.0.0.1:\(port);
                server_name localhost;
                root \(root);
        \(mounts)
        \(extra)
            }
        }

        """
    }
}
