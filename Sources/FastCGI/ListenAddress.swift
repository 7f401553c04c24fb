import Foundation

/// Where a `FastCGIServer` takes its connections from.
public enum ListenAddress: Sendable, Equatable {
    /// A Unix socket the server creates at `path` and chmods to `mode` so the web server's user can connect.
    case unixSocket(path: String, mode: mode_t)
    /// A TCP socket on `host:port` ("" or "*" for every IPv4 address; IPv4 only, as libfcgi).
    case tcp(host: String, port: Int)
    /// A socket handed over by the parent: fd 3 under systemd socket activation, else fd 0 (spawn-fcgi, mod_fcgid).
    case inherited

    /// Parses a command-line value: "unix:/run/linepay/linepay.sock" (or just an absolute path),
    /// "127.0.0.1:9000", ":9000", or "inherited". `socketMode` applies to Unix sockets.
    ///
    /// The default mode is 0o660, not 0o666: anyone who can connect can send any FastCGI parameter,
    /// REMOTE_USER and HTTPS included, so the socket should be limited to the web server's group.
    public init?(argument: String, socketMode: mode_t = 0o660) {
        if argument == "inherited" {
            self = .inherited
        } else if argument.hasPrefix("unix:") {
            let path = String(argument.dropFirst("unix:".count))
            guard path.hasPrefix("/") else { return nil }
            self = .unixSocket(path: path, mode: socketMode)
        } else if argument.hasPrefix("/") {
            self = .unixSocket(path: argument, mode: socketMode)
        } else {
            guard let colon = argument.lastIndex(of: ":"),
                  let port = Int(argument[argument.index(after: colon)...]), (1...65535).contains(port)
            else { return nil }
            let host = String(argument[..<colon])
            guard !host.contains(":") else { return nil }   // IPv6: FCGX_OpenSocket speaks IPv4 only
            self = .tcp(host: host, port: port)
        }
    }

    /// The fd a parent passed us: fd 3 when systemd's LISTEN_PID is us and LISTEN_FDS >= 1, else fd 0.
    static var inheritedFD: Int32 {
        systemdHandedUsASocket ? 3 : 0
    }

    static var systemdHandedUsASocket: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["LISTEN_PID"].flatMap { pid_t($0) } == getpid()
            && (env["LISTEN_FDS"].flatMap { Int($0) } ?? 0) >= 1
    }
}
