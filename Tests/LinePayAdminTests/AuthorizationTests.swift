import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// Authorizations (capture = false): capture up to the authorized amount, void, and what may not follow what.
@Suite(.serialized, .timeLimit(.minutes(5))) struct AuthorizationTests {
    func voidForm(_ b: Browser, _ h: ResponderHarness) throws -> [(String, String)] {
        let csrf = try #require(formField("csrf", in: try b.go("GET", h.baseURL + "/admin").text))
        return [("csrf", csrf), ("confirm", "yes"), ("key", String(repeating: "ab", count: 16))]
    }

    @Test func captureThenVoidIsRefused() throws {
        let h = try Admin.harness(["capture = false"])
        let (orderId, tx) = try Shop.paid(h)
        #expect(try Shop.state(h, orderId) == .authorized)
        let b = try Admin.browser(h)
        let page = try b.go("GET", h.baseURL + "/admin/orders/\(orderId)")
        #expect(page.text.contains(#"id="lpa-capture""#) && page.text.contains(#"id="lpa-void""#) && !page.text.contains(#"id="lpa-refund""#))
        let (confirm, posted) = try Admin.act(b, h, "/orders/\(orderId)/capture")
        #expect(confirm.text.contains("Capture 360 TWD of order \(orderId)?"))
        #expect(try Admin.resultState(b, h, posted) == "done")
        let store = try OrderStore(path: h.database)
        #expect(try store.order(orderId: orderId).map { ($0.state, $0.capturedAmount) } ?? (.new, 0) == (.paid, 360))
        #expect("\((try h.sandbox.control("GET", "/transactions/\(tx)") as? [String: Any])?["status"] ?? "")" == "captured")

        // Void after capture: the page says why, and a form sent anyway is refused by us, never sent.
        let (refusal, none) = try Admin.act(b, h, "/orders/\(orderId)/void")
        #expect(refusal.status == 422 && none == nil && refusal.text.contains("Only an authorization can be voided; this order is paid (refund it instead)."))
        let forged = try b.go("POST", h.baseURL + "/admin/orders/\(orderId)/void", form: try voidForm(b, h))
        let result = try b.follow(forged, base: h.nginx.baseURL)
        #expect(Admin.capture(#"id="lpa-result"[^>]*data-state="([a-z_]+)""#, result.text) == "rejected")
        #expect(result.text.contains("only an authorization can be voided; this order is paid (refund it instead)"))
        #expect(try h.sandbox.calls(operation: "void").isEmpty)
        #expect(try h.sandbox.calls(operation: "capture").count == 1)
        // The shop heard of the authorization, then of the capture.
        #expect(waitUntil(timeout: 10) { h.notifications.received.count >= 2 })
        let statuses = h.notifications.received.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(statuses.first?.contains("status=authorized") == true && statuses.last?.contains("status=paid") == true)
    }

    @Test func anAuthorizationIsVoided() throws {
        let h = try Admin.harness(["capture = false"])
        let (orderId, tx) = try Shop.paid(h)
        let b = try Admin.browser(h)
        let (confirm, posted) = try Admin.act(b, h, "/orders/\(orderId)/void")
        #expect(confirm.text.contains("Void the authorization of order \(orderId)?"))
        #expect(try Admin.resultState(b, h, posted) == "done")
        #expect(try Shop.state(h, orderId) == .voided)
        #expect("\((try h.sandbox.control("GET", "/transactions/\(tx)") as? [String: Any])?["status"] ?? "")" == "voided")
        #expect(waitUntil(timeout: 10) { h.notifications.received.contains { String(decoding: $0.body, as: UTF8.self).contains("status=voided") } })
        // Nothing more can be done with it.
        let page = try b.go("GET", h.baseURL + "/admin/orders/\(orderId)")
        #expect(!page.text.contains(#"id="lpa-capture""#) && !page.text.contains(#"id="lpa-void""#) && !page.text.contains(#"id="lpa-refund""#))
        #expect(try Admin.act(b, h, "/orders/\(orderId)/capture").0.status == 422)
    }

    @Test func captureIsAtMostTheAuthorizedAmount() throws {
        let h = try Admin.harness(["capture = false"])
        let (orderId, _) = try Shop.paid(h)
        let b = try Admin.browser(h)
        let (tooMuch, none) = try Admin.act(b, h, "/orders/\(orderId)/capture", query: "amount=400")
        #expect(tooMuch.status == 422 && none == nil && tooMuch.text.contains("at most the authorized 360 TWD"))
        // The confirmation step already applies the core's rule: no form to confirm a doomed capture.
        let (decimals, noForm) = try Admin.act(b, h, "/orders/\(orderId)/capture", query: "amount=12.5")
        #expect(decimals.status == 422 && noForm == nil && decimals.text.contains("TWD takes whole amounts only"))
        #expect(try h.sandbox.calls(operation: "capture").isEmpty)
        #expect(try Admin.resultState(b, h, try Admin.act(b, h, "/orders/\(orderId)/capture", query: "amount=300").1) == "done")
        let order = try #require(try OrderStore(path: h.database).order(orderId: orderId))
        #expect(order.state == .paid && order.capturedAmount == 300 && order.authorizedAmount == 360)
        // A partial capture leaves 300 to refund, not 360.
        #expect(try Admin.act(b, h, "/orders/\(orderId)/refund", query: "amount=301").0.status == 422)
    }
}
