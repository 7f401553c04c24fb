import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// Who may reach /admin: nobody by default, the password login (throttled), or the web server's REMOTE_USER;
/// and every POST needs the session's CSRF token.
@Suite(.serialized, .timeLimit(.minutes(5))) struct AuthTests {
    @Test func adminIsOffByDefault() throws {
        let h = try ResponderHarness()
        for path in ["/admin", "/admin/", "/admin/login", "/admin/orders", "/admin/admin.css"] {
            #expect(try Browser().go("GET", h.baseURL + path).status == 404, "\(path)")
        }
        #expect(try Browser().go("POST", h.baseURL + "/admin/login", form: [("user", "admin"), ("password", "x")]).status == 404)
    }

    @Test func passwordLoginGivesAFreshStrictSessionAndLogoutEndsIt() throws {
        let h = try Admin.harness()
        let b = Browser()
        // Not logged in: pages send to the login form, POSTs are refused.
        let before = try b.go("GET", h.baseURL + "/admin/orders")
        #expect(before.status == 303 && before.headers["location"] == "/linepay/admin/login")
        #expect(try b.go("POST", h.baseURL + "/admin/orders/X/refund", form: [("csrf", "x")]).status == 401)

        let form = try b.go("GET", h.baseURL + "/admin/login")
        #expect(form.status == 200 && form.text.contains(#"id="lpa-login""#))
        let loginCookie = try #require(form.setCookies.first { $0.hasPrefix("lp_admin_login=") })
        #expect(loginCookie.contains("HttpOnly") && loginCookie.contains("SameSite=Strict") && loginCookie.contains("Path=/linepay/admin"))

        // A session id planted before login is not promoted: login issues a new one.
        b.cookies["lp_admin"] = String(repeating: "a", count: 64)
        let ok = try Admin.login(b, h)
        #expect(ok.status == 303 && ok.headers["location"] == "/linepay/admin")
        let cookie = try #require(ok.setCookies.first { $0.hasPrefix("lp_admin=") })
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/linepay/admin", "Max-Age=3600"] {
            #expect(cookie.contains(attribute), "\(attribute) in \(cookie)")
        }
        #expect(!cookie.contains("Secure"))   // plain http on loopback; https adds it
        let token = try #require(b.cookies["lp_admin"])
        #expect(token.count == 64 && token != String(repeating: "a", count: 64))
        let store = try OrderStore(path: h.database)
        #expect(try store.connection.queryOne("SELECT count(*) AS n FROM admin_sessions WHERE id = ?", [.text(token)])?.int("n") == 0,
                "the cookie itself must not be stored")

        let dashboard = try b.go("GET", h.baseURL + "/admin")
        #expect(dashboard.status == 200 && dashboard.text.contains(#"data-page="admin-dashboard""#))
        #expect(dashboard.headers["server-timing"]?.hasPrefix("app;dur=") == true)
        #expect(dashboard.headers["cache-control"] == "no-store")

        let csrf = try #require(formField("csrf", in: dashboard.text))
        let out = try b.go("POST", h.baseURL + "/admin/logout", form: [("csrf", csrf)])
        #expect(out.status == 303 && out.headers["location"] == "/linepay/admin/login")
        // The old cookie is worthless now, even replayed.
        let replay = Browser()
        replay.cookies["lp_admin"] = token
        #expect(try replay.go("GET", h.baseURL + "/admin").status == 303)
        let kinds = try store.connection.query("SELECT kind, actor FROM events WHERE order_row IS NULL ORDER BY id").map { "\($0.text("kind")!) \($0.text("actor")!)" }
        #expect(kinds == ["admin.login admin:admin", "admin.logout admin:admin"])
        // The password is nowhere in the responder's log.
        #expect(!h.process.output.contains(Admin.password))
    }

    @Test func wrongPasswordsAreThrottledPerAddress() throws {
        let h = try Admin.harness()
        for attempt in 1...10 {
            // Other user names count too: the throttle is per address (issue 10, attack 3).
            let r = try Admin.login(Browser(), h, user: attempt % 2 == 0 ? Admin.user : "guess\(attempt)", password: "wrong \(attempt)")
            #expect(r.status == 401 && r.text.contains("Wrong user name or password."), "attempt \(attempt)")
        }
        // The eleventh is refused before the password is even checked, the right one too.
        let eleventh = try Admin.login(Browser(), h)
        #expect(eleventh.status == 429)
        #expect(eleventh.text.contains("Too many failed logins from your address") && eleventh.text.contains("minutes"))
        let wait = try #require(eleventh.headers["retry-after"].flatMap(Int.init))
        #expect(wait > 800 && wait <= 900)
        // Stored in SQLite: a restarted responder (or another process) still refuses. Ten hashes were computed.
        let store = try OrderStore(path: h.database)
        #expect(try store.counter(OrderStore.passwordHashCounter) == 10)
        #expect(try Admin.login(Browser(), h, user: "someone", password: "x").status == 429)
        // When the window has passed (moved back in the database), the right password works again.
        try store.connection.run("UPDATE admin_login_failures SET at = at - 901")
        #expect(try Admin.login(Browser(), h).status == 303)
        #expect(try store.counter(OrderStore.passwordHashCounter) == 11)
    }

    @Test func loginFormTokenIsRequired() throws {
        let h = try Admin.harness()
        let b = Browser()
        _ = try b.go("GET", h.baseURL + "/admin/login")
        let r = try b.go("POST", h.baseURL + "/admin/login", form: [("csrf", "forged"), ("user", Admin.user), ("password", Admin.password)])
        #expect(r.status == 403)
        #expect(!r.setCookies.contains { $0.hasPrefix("lp_admin=") })
    }

    @Test func postsWithoutTheSessionsCsrfTokenAreRefusedAndDoNothing() throws {
        let h = try Admin.harness()
        let (orderId, _) = try Shop.paid(h)
        let b = try Admin.browser(h)
        let confirm = try b.go("GET", h.baseURL + "/admin/orders/\(orderId)/refund?amount=100")
        #expect(confirm.status == 200)
        let fields = Admin.confirmForm(confirm.text)
        #expect(fields.contains { $0.0 == "csrf" } && fields.contains { $0.0 == "key" })
        let missing = fields.filter { $0.0 != "csrf" }
        let wrong = fields.map { $0.0 == "csrf" ? ("csrf", String(repeating: "0", count: 48)) : $0 }
        #expect(try b.go("POST", h.baseURL + "/admin/orders/\(orderId)/refund", form: missing).status == 403)
        #expect(try b.go("POST", h.baseURL + "/admin/orders/\(orderId)/refund", form: wrong).status == 403)
        // Another admin session's token does not fit this session.
        let other = try Admin.browser(h)
        let otherToken = try #require(formField("csrf", in: try other.go("GET", h.baseURL + "/admin").text))
        let crossed = fields.map { $0.0 == "csrf" ? ("csrf", otherToken) : $0 }
        #expect(try b.go("POST", h.baseURL + "/admin/orders/\(orderId)/refund", form: crossed).status == 403)
        #expect(try b.go("POST", h.baseURL + "/admin/logout", form: []).status == 403)
        #expect(try h.sandbox.calls(operation: "refund").isEmpty)
        #expect(try Shop.state(h, orderId) == .paid)
        // The genuine form works.
        let done = try b.go("POST", h.baseURL + "/admin/orders/\(orderId)/refund", form: fields)
        #expect(try Admin.resultState(b, h, done) == "done")
        #expect(try h.sandbox.calls(operation: "refund").count == 1)
    }

    @Test func remoteUserModeTrustsOnlyTheWebServersRemoteUser() throws {
        let h = try ResponderHarness(config: ["admin_auth = remote_user"])
        let (orderId, _) = try Shop.paid(h)
        // Behind no authentication, REMOTE_USER is empty: 403, and a client's own Remote-User header changes nothing.
        #expect(try Browser().go("GET", h.baseURL + "/admin").status == 403)
        #expect(try Browser().go("GET", h.baseURL + "/admin", headers: [("Remote-User", "mallory")]).status == 403)
        #expect(try Browser().go("GET", h.baseURL + "/admin/login").status == 403)   // no login form in this mode

        let front = try RemoteUserFront(harness: h, users: ["alice": "alice-pass-123"])
        #expect(try Browser().go("GET", front.baseURL + "/admin").status == 401)   // nginx's auth_basic
        let alice = Browser()
        let auth = basicAuthorization("alice", "alice-pass-123")
        let page = try alice.go("GET", front.baseURL + "/admin/orders/\(orderId)", headers: [auth])
        #expect(page.status == 200 && page.text.contains(#"id="lpa-user">alice<"#))
        #expect(!page.text.contains("lpa-logout"))
        let cookie = try #require(page.setCookies.first { $0.hasPrefix("lp_admin=") })
        #expect(cookie.contains("SameSite=Strict") && cookie.contains("HttpOnly"))

        let confirm = try alice.go("GET", front.baseURL + "/admin/orders/\(orderId)/refund?amount=60", headers: [auth])
        #expect(confirm.status == 200)
        let posted = try alice.go("POST", front.baseURL + "/admin/orders/\(orderId)/refund", form: Admin.confirmForm(confirm.text), headers: [auth])
        #expect(posted.status == 303)
        let result = try alice.go("GET", front.nginx.baseURL + (posted.headers["location"] ?? ""), headers: [auth])
        #expect(Admin.capture(#"id="lpa-result"[^>]*data-state="([a-z_]+)""#, result.text) == "done")
        // The event log names the web server's user.
        let events = try OrderStore(path: h.database).events(orderId: orderId)
        #expect(events.contains { $0.kind == "admin.refund" && $0.actor == "remote:alice" && $0.detail.contains("60 TWD") })
        #expect(events.contains { $0.kind == "api.refund" && $0.actor == "remote:alice" && $0.detail.contains("LINE Pay 0000") })
        // The session belongs to alice: presented with another REMOTE_USER it is not reused.
        let front2 = try RemoteUserFront(harness: h, users: ["bob": "bob-pass-456"])
        let bob = Browser()
        bob.cookies = alice.cookies
        let bobPage = try bob.go("GET", front2.baseURL + "/admin", headers: [basicAuthorization("bob", "bob-pass-456")])
        #expect(bobPage.status == 200 && bobPage.text.contains(#"id="lpa-user">bob<"#))
        let bobPost = try bob.go("POST", front2.baseURL + "/admin/orders/\(orderId)/refund", form: Admin.confirmForm(confirm.text),
                                 headers: [basicAuthorization("bob", "bob-pass-456")])
        #expect(bobPost.status == 403)
    }
}
