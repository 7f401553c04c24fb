import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// Bad handoffs are refused with a clear page and nothing stored; LINE Pay's faults end in LINE Pay's true state.
@Suite(.serialized, .timeLimit(.minutes(5))) struct RejectionAndFaultTests {
    @Test func everyHandoffRejectionStoresNothing() throws {
        let h = try ResponderHarness()
        let now = Int64(Date().timeIntervalSince1970)
        func resigned(_ f: [(String, String)]) -> [(String, String)] {
            let unsigned = f.filter { $0.0 != "signature" }
            return unsigned + [("signature", SignedFields.sign(unsigned, secret: ResponderHarness.handoffSecret))]
        }
        let cases: [(String, [(String, String)], String)] = [
            ("bad signature", Flow.handoff(orderId: "R-sig", secret: "another-secret-0123456789"), "signature"),
            ("missing signature", Flow.handoff(orderId: "R-nosig").filter { $0.0 != "signature" }, "signature"),
            ("old ts", Flow.handoff(orderId: "R-old", ts: now - 16 * 60), "ts"),
            ("future ts", Flow.handoff(orderId: "R-future", ts: now + 3600), "ts"),
            ("sum", Flow.handoff(orderId: "R-sum", amount: "999"), "amount"),
            ("currency", Flow.handoff(orderId: "R-cur", currency: "EUR"), "currency"),
            ("orderId", Flow.handoff(orderId: "R bad"), "orderId"),
            ("quantity", resigned(Flow.handoff(orderId: "R-qty").map { $0.0 == "items[0][quantity]" ? ($0.0, "0") : $0 }), "items[0][quantity]"),
            ("decimals", Flow.handoff(orderId: "R-dec", items: [("Tea", "10.5", 1)]), "amount"),
        ]
        for (name, form, field) in cases {
            let r = try Browser().go("POST", h.baseURL + "/checkout", form: form)
            #expect(r.status == 400, "\(name)")
            #expect(Flow.page(r) == "error" && r.text.contains(field), "\(name): \(r.text.prefix(200))")
        }
        let store = try OrderStore(path: h.database)
        for id in ["R-sig", "R-nosig", "R-old", "R-future", "R-sum", "R-cur", "R bad", "R-qty", "R-dec"] {
            #expect(try store.order(orderId: id) == nil, "\(id) was stored")
        }
        #expect(try store.connection.queryOne("SELECT count(*) AS n FROM orders")?.int("n") == 0)
        #expect(try store.connection.queryOne("SELECT count(*) AS n FROM items")?.int("n") == 0)
    }

    @Test func sameOrderSameContentResumesOtherContentConflicts() throws {
        let h = try ResponderHarness()
        let orderId = Flow.newOrderId()
        let shopper = Browser()
        #expect(try shopper.go("POST", h.baseURL + "/checkout", form: Flow.handoff(orderId: orderId)).status == 200)
        #expect(try shopper.go("POST", h.baseURL + "/checkout", form: Flow.handoff(orderId: orderId, ts: Int64(Date().timeIntervalSince1970) - 5)).status == 200)
        let other = try shopper.go("POST", h.baseURL + "/checkout", form: Flow.handoff(orderId: orderId, items: [("Other", "1", 1)]))
        #expect(other.status == 409)
        #expect(try OrderStore(path: h.database).order(orderId: orderId)?.items.map(\.name) == ["Cony plush"])
    }

    @Test func productNamesAreEscaped() throws {
        let h = try ResponderHarness()
        let r = try Browser().go("POST", h.baseURL + "/checkout",
                                 form: Flow.handoff(orderId: Flow.newOrderId(), items: [("<script>alert(1)</script>", "100", 1)]))
        #expect(r.status == 200)
        #expect(!r.text.contains("<script>alert(1)</script>"))
        #expect(r.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(r.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        // The phone redirect after Pay may reach the local plain-http sandbox, and nothing else over http.
        let origin = h.sandbox.baseURL.replacingOccurrences(of: "http://", with: "")
        #expect(r.headers["content-security-policy"]?.contains("form-action 'self' https: http://\(origin);") == true)
        #expect(r.headers["x-content-type-options"] == "nosniff" && r.headers["x-frame-options"] == "DENY")
        let cookie = try #require(r.setCookies.first { $0.hasPrefix("lp_session=") })
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/linepay"))
    }

    /// Drives one order to confirmUrl with `fault` armed at confirm; returns the final /status.
    func confirmWithFault(_ h: ResponderHarness, _ kind: String, _ value: String = "") throws -> (status: String, page: String?) {
        let phone = Browser(Browser.iPhone)
        let orderId = Flow.newOrderId()
        let pay = try Flow.checkoutAndPay(h, phone, orderId: orderId)
        let approved = try Flow.approveAtLinePay(phone, paymentURL: try #require(pay.headers["location"]))
        try h.sandbox.fault("confirm", kind, value)
        let confirmed = try phone.go("GET", try #require(approved.headers["location"]))
        let page = confirmed.status == 303 ? Flow.page(try phone.follow(confirmed, base: h.nginx.baseURL)) : Flow.page(confirmed)
        let status = try phone.go("GET", h.baseURL + "/status?orderId=\(orderId)").text
        return (Flow.capture(#""status":"([a-z_]+)""#, status) ?? status, page)
    }

    @Test func confirmFaultsEndInLinePaysTrueState() throws {
        let h = try ResponderHarness(config: ["read_timeout_confirm = 1"])
        // Processed, then the answer is lost: looked up, paid.
        #expect(try confirmWithFault(h, "drop") == ("paid", "receipt"))
        #expect(try confirmWithFault(h, "delay", "1500") == ("paid", "receipt"))
        #expect(try confirmWithFault(h, "malformed") == ("paid", "receipt"))
        // Not processed (a proxy's 502, a "duplicate" code): looked up, not there, approved: confirmed once more.
        #expect(try confirmWithFault(h, "status", "502") == ("paid", "receipt"))
        #expect(try confirmWithFault(h, "code", "1198") == ("paid", "receipt"))
        // A definitive refusal: failed, and LINE Pay agrees.
        #expect(try confirmWithFault(h, "code", "1281") == ("failed", "failed"))
    }

    @Test func requestFaultsLeaveNothingChargedAndAllowRetry() throws {
        let h = try ResponderHarness(config: ["read_timeout_request = 1"])
        for (kind, value, expected) in [("status", "503", 503), ("drop", "", 503), ("code", "1104", 502), ("delay", "1500", 503)] {
            let phone = Browser(Browser.iPhone)
            let orderId = Flow.newOrderId()
            try h.sandbox.fault("request", kind, value)
            let pay = try Flow.checkoutAndPay(h, phone, orderId: orderId)
            #expect(pay.status == expected, "\(kind)")
            #expect(Flow.page(pay) == (expected == 502 ? "failed" : "error"), "\(kind)")
            #expect(try phone.go("GET", h.baseURL + "/status?orderId=\(orderId)").text.contains(#""status":"new""#), "\(kind)")
            // Trying again works (a new LINE Pay orderId when the first request may have been recorded).
            let retry = try Flow.checkoutAndPay(h, phone, orderId: orderId)
            #expect(retry.status == 302, "\(kind) retry")
        }
    }
}
