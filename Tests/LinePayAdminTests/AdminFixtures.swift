import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// The admin under test: password mode with a known password (fewer PBKDF2 iterations than the default, to keep
/// logins quick; the configuration still refuses fewer than 100 000).
enum Admin {
    static let user = "admin"
    static let password = "correct horse battery staple"
    static let hash = AdminPassword.hash(password: password, iterations: AdminPassword.minimumIterations)
    static let passwordConfig = ["admin_auth = password", "admin_password_hash = \(hash)"]

    /// A harness with /admin in password mode (plus `extra` config lines).
    static func harness(_ extra: [String] = [], threads: Int = 8) throws -> ResponderHarness {
        try ResponderHarness(config: passwordConfig + extra, threads: threads)
    }

    /// Logs `browser` in through the form; returns the POST's answer (303 on success).
    @discardableResult
    static func login(_ browser: Browser, _ h: ResponderHarness, user: String = Admin.user, password: String = Admin.password) throws -> HTTPResponse {
        let form = try browser.go("GET", h.baseURL + "/admin/login")
        let token = try #require(formField("csrf", in: form.text))
        return try browser.go("POST", h.baseURL + "/admin/login", form: [("csrf", token), ("user", user), ("password", password)])
    }

    /// A logged-in admin browser.
    static func browser(_ h: ResponderHarness) throws -> Browser {
        let b = Browser()
        let r = try login(b, h)
        #expect(r.status == 303, "login: \(r.status) \(r.text.prefix(300))")
        return b
    }

    /// GET the confirmation page of an action, then POST its form as it is; returns (confirm page, POST answer).
    static func act(_ b: Browser, _ h: ResponderHarness, _ path: String, query: String = "") throws -> (HTTPResponse, HTTPResponse?) {
        let confirm = try b.go("GET", h.baseURL + "/admin" + path + (query.isEmpty ? "" : "?" + query))
        guard confirm.status == 200 else { return (confirm, nil) }
        return (confirm, try b.go("POST", h.baseURL + "/admin" + path, form: confirmForm(confirm.text)))
    }

    /// The hidden fields of the confirmation form, in order.
    static func confirmForm(_ html: String) -> [(String, String)] {
        let re = try! NSRegularExpression(pattern: #"<input type="hidden" name="([^"]+)" value="([^"]*)">"#)
        return re.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap { m in
            guard let n = Range(m.range(at: 1), in: html), let v = Range(m.range(at: 2), in: html) else { return nil }
            return (String(html[n]), String(html[v]).replacingOccurrences(of: "&amp;", with: "&"))
        }
    }

    /// `#lpa-result`'s data-state on the page a POST redirected to.
    static func resultState(_ b: Browser, _ h: ResponderHarness, _ posted: HTTPResponse?) throws -> String? {
        guard let posted, posted.status == 303 else { return nil }
        let page = try b.follow(posted, base: h.nginx.baseURL)
        return capture(#"id="lpa-result"[^>]*data-state="([a-z_]+)""#, page.text)
    }

    static func capture(_ pattern: String, _ text: String) -> String? {
        guard let re = try? NSRegularExpression(pattern: pattern),
              let m = re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), m.numberOfRanges > 1,
              let r = Range(m.range(at: 1), in: text) else { return nil }
        return String(text[r])
    }
}

/// A shop and a shopper: a signed handoff, Pay, approval at the sandbox, confirmUrl.
enum Shop {
    static func handoff(orderId: String, price: String = "120", quantity: Int = 3, currency: String = "TWD") -> [(String, String)] {
        var f: [(String, String)] = [("orderId", orderId), ("currency", currency), ("ts", String(Int64(Date().timeIntervalSince1970))),
                                     ("items[0][name]", "Cony plush"), ("items[0][price]", price), ("items[0][quantity]", String(quantity))]
        f.append(("amount", Money.format(Decimal(string: price)! * Decimal(quantity))))
        return f + [("signature", SignedFields.sign(f, secret: ResponderHarness.handoffSecret))]
    }

    static func newOrderId() -> String { "A-" + UUID().uuidString.prefix(13).replacingOccurrences(of: "-", with: "") }

    /// Checkout and Pay as a phone (redirected to LINE Pay); returns the order's transaction id. Not yet approved.
    static func reserve(_ h: ResponderHarness, orderId: String, price: String = "120", quantity: Int = 3) throws -> Int64 {
        let phone = Browser(Browser.iPhone)
        let co = try phone.go("POST", h.baseURL + "/checkout", form: handoff(orderId: orderId, price: price, quantity: quantity))
        #expect(co.status == 200, "checkout \(co.status)")
        let csrf = try #require(formField("csrf", in: co.text))
        let pay = try phone.go("POST", h.baseURL + "/pay", form: [("orderId", orderId), ("csrf", csrf)])
        #expect(pay.status == 302, "pay \(pay.status) \(pay.text.prefix(200))")
        return try #require(try OrderStore(path: h.database).order(orderId: orderId)?.transactionId)
    }

    /// A paid (or, with capture = false, authorized) order of `price` x `quantity` TWD.
    @discardableResult
    static func paid(_ h: ResponderHarness, orderId: String = newOrderId(), price: String = "120", quantity: Int = 3) throws -> (String, Int64) {
        let tx = try reserve(h, orderId: orderId, price: price, quantity: quantity)
        let approved = try h.sandbox.approve(tx)
        let confirmURL = try #require(approved["confirmUrl"] as? String)
        let confirmed = try httpRequest(url: confirmURL, headers: [("User-Agent", Browser.iPhone)])
        #expect(confirmed.status == 200 || confirmed.status == 303, "confirm \(confirmed.status)")
        return (orderId, tx)
    }

    static func state(_ h: ResponderHarness, _ orderId: String) throws -> OrderState? {
        try OrderStore(path: h.database).order(orderId: orderId)?.state
    }
}
