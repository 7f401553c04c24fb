import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// Issue 10, the attacks on the admin side and the `linepay` command, replayed through the real binaries.
@Suite(.serialized, .timeLimit(.minutes(5))) struct TrustTests {
    /// Attack 11: a key reused with another amount is refused (admin 409, CLI exit 7) and never reported as done.
    @Test func anIdempotencyKeyReusedWithAnotherAmountIsRefused() throws {
        let h = try Admin.harness()
        let (orderId, _) = try Shop.paid(h)   // 360 TWD
        let cli = try runLinePay(h, ["refund", orderId, "--amount", "100", "--key", "ticket-11"])
        #expect(cli.status == 0, "\(cli)")
        let reused = try runLinePay(h, ["refund", orderId, "--amount", "260", "--key", "ticket-11"])
        #expect(reused.status == 7 && !reused.stdout.contains("done") && reused.stderr.contains("nothing was done"), "\(reused)")
        #expect(try runLinePay(h, ["refund", orderId, "--amount", "100", "--key", "ticket-11"]).status == 0)   // the same request: its result

        let b = try Admin.browser(h)
        let (_, first) = try Admin.act(b, h, "/orders/\(orderId)/refund", query: "amount=100")
        #expect(try Admin.resultState(b, h, first) == "done")
        // The same form (same key) posted again with 160: refused.
        let confirm = try b.go("GET", h.baseURL + "/admin/orders/\(orderId)/refund?amount=50")
        var form = Admin.confirmForm(confirm.text)
        let key = try #require(first?.headers["location"].flatMap { Admin.capture(#"result=([0-9a-f]{32})"#, $0) })
        form = form.map { $0.0 == "key" ? ("key", key) : $0.0 == "amount" ? ("amount", "160") : $0 }
        let replayed = try b.go("POST", h.baseURL + "/admin/orders/\(orderId)/refund", form: form)
        #expect(replayed.status == 409 && replayed.text.contains("Nothing was done"), "\(replayed.status) \(replayed.text.prefix(300))")
        #expect(try h.sandbox.calls(operation: "refund").count == 2)
        #expect(try OrderStore(path: h.database).order(orderId: orderId)?.refundedAmount == 200)
    }

    /// Attack 12: text from the store reaches the terminal with its control characters escaped.
    @Test func linepayShowEscapesControlCharacters() throws {
        let h = try Admin.harness()
        let store = try OrderStore(path: h.database)
        let forged = "Tea\n  event 2026-12-01 00:00:00 admin:root state.refunded: forged\u{1B}[31m"
        _ = try store.createOrResume(NewOrder(orderId: "ESC-1", currency: "TWD", amount: 100, shippingFee: 0, locale: nil,
                                              items: [NewItem(name: forged, price: 100, quantity: 1)], contentDigest: "d"),
                                     sessionId: "s", now: Int64(Date().timeIntervalSince1970))
        let shown = try runLinePay(h, ["show", "ESC-1"])
        #expect(shown.status == 0)
        #expect(!shown.stdout.contains("\u{1B}") && !shown.stdout.contains("\n  event 2026-12-01 00:00:00 admin:root"), "\(shown.stdout)")
        #expect(shown.stdout.contains(#"Tea\u{a}  event"#) && shown.stdout.contains(#"\u{1b}[31m"#))
    }

    /// linepay-fcgi run once as CGI on `config` (the harness's database): the answer's status line and text.
    static func cgi(_ config: String, _ method: String, _ path: String, cookie: String, body: String = "",
                    remoteUser: String? = nil) throws -> (status: Int, text: String) {
        var env = ["REQUEST_METHOD": method, "SCRIPT_NAME": "/linepay", "PATH_INFO": path, "HTTP_COOKIE": cookie,
                   "GATEWAY_INTERFACE": "CGI/1.1", "REMOTE_ADDR": "127.0.0.1", "CONTENT_LENGTH": String(body.utf8.count),
                   "CONTENT_TYPE": "application/x-www-form-urlencoded", "LINEPAY_CONFIG": config]
        if let remoteUser { env["REMOTE_USER"] = remoteUser }
        let r = try runProcess(builtBinary("linepay-fcgi"), [], env: env, stdin: body)
        let status = Admin.capture(#"^Status: (\d+)"#, r.stdout).flatMap(Int.init) ?? 0
        return (status, r.stdout)
    }

    /// The harness's configuration with `changes` applied (a key set to a new value, or added).
    static func config(_ h: ResponderHarness, _ changes: [String: String]) throws -> String {
        var lines = try String(contentsOfFile: h.configPath, encoding: .utf8).split(separator: "\n").map(String.init)
        for (key, value) in changes {
            lines.removeAll { $0.hasPrefix(key + " =") }
            lines.append("\(key) = \(value)")
        }
        let path = h.directory + "/changed-\(UUID().uuidString.prefix(8)).conf"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Attack 9: an admin session ends when the credential that made it changes (new password hash, renamed user,
    /// another mode); "log out everywhere" and `linepay admin-sessions revoke` end the others.
    @Test func adminSessionsAreBoundToTheirCredential() throws {
        let h = try Admin.harness()
        let (orderId, _) = try Shop.paid(h)
        let b = try Admin.browser(h)
        let cookie = "lp_admin=" + (try #require(b.cookies["lp_admin"]))
        let csrf = try #require(formField("csrf", in: try b.go("GET", h.baseURL + "/admin").text))
        // The same configuration through CGI: the cookie works (the control for what follows).
        #expect(try Self.cgi(h.configPath, "GET", "/admin", cookie: cookie).status == 200)
        let newHash = AdminPassword.hash(password: "another password", iterations: AdminPassword.minimumIterations)
        let changed = [try Self.config(h, ["admin_password_hash": newHash]), try Self.config(h, ["admin_user": "ops"])]
        for config in changed {
            #expect(try Self.cgi(config, "GET", "/admin", cookie: cookie).status == 303, "old session still opens the dashboard")
        }
        // Switched to remote_user: the old cookie's form token no longer moves money.
        let remote = try Self.config(h, ["admin_auth": "remote_user"])
        let refund = "csrf=\(csrf)&confirm=yes&key=\(String(repeating: "a", count: 32))&amount=100"
        let r = try Self.cgi(remote, "POST", "/admin/orders/\(orderId)/refund", cookie: cookie, body: refund, remoteUser: Admin.user)
        #expect(r.status == 403, "\(r.status) \(r.text.prefix(300))")
        #expect(try h.sandbox.calls(operation: "refund").isEmpty)

        // Sessions are listed and revoked from the command line; "log out everywhere" ends every one of the user's.
        let other = try Admin.browser(h)
        let listed = try runLinePay(h, ["admin-sessions", "--json"])
        let sessions = try #require((try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])?["sessions"] as? [[String: Any]])
        #expect(sessions.count == 2 && sessions.allSatisfy { $0["valid"] as? Bool == true && $0["user"] as? String == Admin.user })
        let first = try #require(sessions.first?["id"] as? String)
        #expect(try runLinePay(h, ["admin-sessions", "revoke", first]).status == 0)
        let after = try [b, other].map { try $0.go("GET", h.baseURL + "/admin").status }
        #expect(after.sorted() == [200, 303], "exactly the revoked session is gone: \(after)")
        let survivor = after[0] == 200 ? b : other
        let third = try Admin.browser(h)
        let token = try #require(formField("csrf", in: try survivor.go("GET", h.baseURL + "/admin").text))
        #expect(try survivor.go("POST", h.baseURL + "/admin/logout-everywhere", form: [("csrf", token)]).status == 303)
        #expect(try third.go("GET", h.baseURL + "/admin").status == 303 && survivor.go("GET", h.baseURL + "/admin").status == 303)
        #expect(try runLinePay(h, ["admin-sessions"]).stdout.contains("no admin sessions"))
    }

    /// Attack 7: behind the shipped nginx snippet, a made-up Basic header on an admin path that the authenticated
    /// location does not cover (a slip in its prefix) opens nothing, because the general location clears REMOTE_USER.
    @Test func aMadeUpBasicHeaderOutsideTheAuthenticatedLocationIsNobody() throws {
        let h = try ResponderHarness(config: ["admin_auth = remote_user"])
        let htpasswd = h.directory + "/htpasswd"
        try "alice:{PLAIN}secret\n".write(toFile: htpasswd, atomically: true, encoding: .utf8)
        let socket = "unix:" + h.directory + "/linepay.sock"
        let snippets = try NginxServer.shippedSnippets(socket: h.directory + "/linepay.sock", assets: repoRoot() + "/www")
        #expect(snippets.http.contains(socket))
        /// The shipped snippet plus docs/admin.md's authenticated location at `prefix`.
        func front(adminPrefix prefix: String) throws -> NginxServer {
            let admin = """
                location \(prefix) {
                    auth_basic "LINE Pay admin";
                    auth_basic_user_file \(htpasswd);
                    fastcgi_split_path_info ^(/linepay)(/.*)$;
                    include /etc/nginx/fastcgi_params;
                    fastcgi_param PATH_INFO $fastcgi_path_info;
                    fastcgi_pass \(socket);
                }
                """
            return try NginxServer(locations: [], extraServerConfig: snippets.server + "\n" + admin, extraHTTPConfig: snippets.http)
        }
        let forged = basicAuthorization("mallory", "anything")
        // The slip: the admin location is misspelled, so /linepay/admin/... falls to the general location.
        let slipped = try front(adminPrefix: "/linepay/admn")
        for path in ["/linepay/admin", "/linepay/admin/orders"] {
            let r = try httpRequest(url: slipped.baseURL + path, headers: [forged])
            #expect(r.status == 403, "\(path) opened for a made-up Basic header: \(r.status)")
            #expect(!r.text.contains("mallory"))
        }
        // Done right, the authenticated location passes the real user and nginx refuses the made-up one.
        let right = try front(adminPrefix: "/linepay/admin")
        #expect(try httpRequest(url: right.baseURL + "/linepay/admin/orders", headers: [forged]).status == 401)
        let alice = try httpRequest(url: right.baseURL + "/linepay/admin/orders", headers: [basicAuthorization("alice", "secret")])
        #expect(alice.status == 200 && alice.text.contains("alice"), "\(alice.status)")
    }
}
