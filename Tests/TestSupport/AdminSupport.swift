import Foundation

/// A second nginx in front of a `ResponderHarness`'s responder whose /linepay/admin sits behind nginx's own
/// auth_basic, so the responder sees REMOTE_USER exactly as a shop's web server would set it (fastcgi_params'
/// `REMOTE_USER $remote_user`). The rest of /linepay/ is mounted without authentication.
public final class RemoteUserFront {
    public let nginx: NginxServer
    private let directory: String

    /// `users`: name -> password, written as an htpasswd file in nginx's `{PLAIN}` scheme.
    public init(harness: ResponderHarness, users: [String: String]) throws {
        directory = makeTemporaryDirectory("htpasswd")
        let htpasswd = directory + "/htpasswd"
        try users.map { "\($0.key):{PLAIN}\($0.value)" }.joined(separator: "\n").appending("\n")
            .write(toFile: htpasswd, atomically: true, encoding: .utf8)
        func mount(_ prefix: String, auth: Bool) -> String {
            """
                    location \(prefix) {
            \(auth ? "            auth_basic \"LINE Pay admin\";\n            auth_basic_user_file \(htpasswd);" : "")
                        fastcgi_split_path_info ^(/linepay)(/.*)$;
                        include /etc/nginx/fastcgi_params;
                        fastcgi_param PATH_INFO $fastcgi_path_info;
                        fastcgi_pass unix:\(harness.socket);
                    }
            """
        }
        nginx = try NginxServer(locations: [], extraServerConfig: mount("/linepay/admin", auth: true) + "\n" + mount("/linepay/", auth: false))
    }

    /// http://127.0.0.1:PORT/linepay
    public var baseURL: String { nginx.baseURL + "/linepay" }

    deinit {
        nginx.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// `Authorization: Basic ...` for `user` and `password`.
public func basicAuthorization(_ user: String, _ password: String) -> (String, String) {
    ("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
}

/// The value of the hidden (or any) input `name` in `html`, entity `&amp;` decoded.
public func formField(_ name: String, in html: String) -> String? {
    let pattern = #"<input[^>]*name="\#(NSRegularExpression.escapedPattern(for: name))"[^>]*value="([^"]*)""#
    guard let re = try? NSRegularExpression(pattern: pattern),
          let m = re.firstMatch(in: html, range: NSRange(html.startIndex..., in: html)),
          let r = Range(m.range(at: 1), in: html) else { return nil }
    return String(html[r]).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
}

/// Runs the built `linepay` with the harness's configuration: exit status, stdout and stderr.
public func runLinePay(_ harness: ResponderHarness, _ arguments: [String], stdin: String = "") throws -> (status: Int32, stdout: String, stderr: String) {
    try runProcess(builtBinary("linepay"), ["--config", harness.configPath] + arguments, stdin: stdin, timeout: 120)
}
