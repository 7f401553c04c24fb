import Foundation
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// Issue 10, attacks 2, 4, 5 and 12, replayed through nginx and the real responder.
@Suite(.serialized, .timeLimit(.minutes(5))) struct HandoffTrustTests {
    /// Attack 2: browser B re-posts the handoff browser A reserved. B is told the order is being paid elsewhere;
    /// A keeps its order, its /status and its payment URL.
    @Test func aReplayedHandoffDoesNotTakeOverAnOrderInPayment() throws {
        let h = try ResponderHarness()
        let a = Browser(), b = Browser()
        let orderId = Flow.newOrderId()
        let handoff = Flow.handoff(orderId: orderId)
        let pay = try Flow.checkoutAndPay(h, a, orderId: orderId, handoff: handoff)
        let paymentURL = try #require(Flow.capture(#"data-payment-url="([^"]+)""#, pay.text))

        let stolen = try b.go("POST", h.baseURL + "/checkout", form: handoff)
        #expect(stolen.status == 409 && Flow.page(stolen) == "other-window", "\(stolen.status) \(stolen.text.prefix(300))")
        #expect(!stolen.text.contains("name=\"csrf\"") && !stolen.text.contains(paymentURL))
        #expect(try b.go("GET", h.baseURL + "/status?orderId=\(orderId)").status == 404)

        let status = try a.go("GET", h.baseURL + "/status?orderId=\(orderId)")
        #expect(status.status == 200 && status.text.contains(#""status":"reserved""#), "\(status.status) \(status.text)")
        let again = try a.go("POST", h.baseURL + "/checkout", form: Flow.handoff(orderId: orderId))
        #expect(again.status == 200 && Flow.page(again) == "checkout")
        #expect(try h.sandbox.calls(operation: "request").count == 1)
        // Nothing was written for B's attempt: no rebinding event.
        let store = try OrderStore(path: h.database)
        #expect(try store.events(orderId: orderId).allSatisfy { $0.kind != "session.rebound" })
    }

    /// Attack 2: /checkout takes a POST only from the shop's origin (return_url's by default); no cookie otherwise.
    @Test func aCrossSiteHandoffIsRefusedWithoutACookie() throws {
        let h = try ResponderHarness()
        let shop = "http://127.0.0.1:9"   // return_url's origin in the harness
        let refused: [(String, [(String, String)])] = [
            ("evil Origin", [("Origin", "https://evil.example")]),
            ("null Origin", [("Origin", "null")]),
            ("cross-site fetch", [("Sec-Fetch-Site", "cross-site")]),
            ("evil Referer", [("Referer", "https://evil.example/cart")]),
        ]
        for (name, headers) in refused {
            let orderId = Flow.newOrderId()
            let r = try httpRequest(method: "POST", url: h.baseURL + "/checkout",
                                    headers: headers + [("Content-Type", "application/x-www-form-urlencoded")],
                                    body: Array(Flow.handoff(orderId: orderId).map { "\(formEscape($0.0))=\(formEscape($0.1))" }.joined(separator: "&").utf8))
            #expect(r.status == 403, "\(name): \(r.status)")
            #expect(r.setCookies.isEmpty, "\(name) set a cookie")
            #expect(try OrderStore(path: h.database).order(orderId: orderId) == nil, "\(name) stored the order")
        }
        for headers in [[("Origin", shop)], [("Sec-Fetch-Site", "same-origin")], [("Referer", shop + "/cart.php")], []] {
            let r = try Browser().go("POST", h.baseURL + "/checkout", form: Flow.handoff(orderId: Flow.newOrderId()), headers: headers)
            #expect(r.status == 200 && !r.setCookies.isEmpty, "\(headers): \(r.status)")
        }
    }

    /// Attack 4: more fields or bytes than a handoff can have are refused before anything is decoded or signed.
    @Test func anOversizedHandoffIsRefusedBeforeItIsRead() throws {
        let h = try ResponderHarness()
        let manyEmpty = Array(String(repeating: "a=&", count: 110_000).utf8)          // 330 KB, 110 000 fields
        let manySmall = Array((0..<600).map { "f\($0)=" }.joined(separator: "&").utf8)   // 4 KB, 600 fields
        for (body, words) in [(manyEmpty, "larger than 256 KB"), (manySmall, "more than 507 fields")] {
            let r = try httpRequest(method: "POST", url: h.baseURL + "/checkout",
                                    headers: [("Content-Type", "application/x-www-form-urlencoded")], body: body)
            #expect(r.status == 413 && r.text.contains(words), "\(r.status) \(r.text.prefix(300))")
            #expect(r.setCookies.isEmpty)
        }
        // The biggest real handoff, 100 items, still goes through.
        let items = (0..<100).map { (name: "Item \($0)", price: "1", quantity: 1) }
        #expect(try Browser().go("POST", h.baseURL + "/checkout", form: Flow.handoff(orderId: Flow.newOrderId(), items: items)).status == 200)
    }

    /// Attack 12: control characters in a handoff field are refused, naming the field.
    @Test func controlCharactersInAHandoffAreRefused() throws {
        let h = try ResponderHarness()
        for name in ["Tea\n2026-12-01 state.refunded admin:root", "Tea \u{1B}[31mred", "Tea\u{202E}txt.exe"] {
            let orderId = Flow.newOrderId()
            let r = try Browser().go("POST", h.baseURL + "/checkout", form: Flow.handoff(orderId: orderId, items: [(name, "120", 3)]))
            #expect(r.status == 400 && r.text.contains("items[0][name]") && r.text.contains("control characters"), "\(r.status) \(r.text.prefix(300))")
            #expect(try OrderStore(path: h.database).order(orderId: orderId) == nil)
        }
    }

    /// Attack 5: /result and /status answer someone else's order exactly as an unknown one.
    @Test func anotherBrowserLearnsNothingFromResultOrStatus() throws {
        let h = try ResponderHarness()
        let owner = Browser(), stranger = Browser()
        let orderId = Flow.newOrderId()
        _ = try Flow.checkoutAndPay(h, owner, orderId: orderId)
        #expect(try owner.go("GET", h.baseURL + "/result?orderId=\(orderId)").status == 200)
        let theirs = try stranger.go("GET", h.baseURL + "/result?orderId=\(orderId)")
        let unknown = try stranger.go("GET", h.baseURL + "/result?orderId=\(Flow.newOrderId())")
        #expect(theirs.status == 404 && unknown.status == 404)
        #expect(theirs.text == unknown.text)
        let theirStatus = try stranger.go("GET", h.baseURL + "/status?orderId=\(orderId)")
        let unknownStatus = try stranger.go("GET", h.baseURL + "/status?orderId=\(Flow.newOrderId())")
        #expect(theirStatus.status == 404 && theirStatus.text == unknownStatus.text)
    }

    /// Attack 6: replaying a handoff writes no event, and expired sessions are deleted by the background loop.
    @Test func replaysLeaveNoTraceOnceTheirSessionsExpire() throws {
        let h = try ResponderHarness(config: ["session_cleanup_interval = 1"])
        let orderId = Flow.newOrderId()
        let handoff = Flow.handoff(orderId: orderId)
        for _ in 0..<20 { #expect(try Browser().go("POST", h.baseURL + "/checkout", form: handoff).status == 200) }
        let store = try OrderStore(path: h.database)
        #expect(try store.events(orderId: orderId).map(\.kind) == ["state.new"])
        func sessions() -> Int64 { (try? store.connection.queryOne("SELECT count(*) AS n FROM sessions")?.int("n")) ?? -1 }
        #expect(sessions() == 20)
        // Expired (moved back in the database, as if two hours had passed): the responder deletes them by itself.
        try store.connection.run("UPDATE sessions SET expires_at = expires_at - 86400")
        try store.createAdminSession(id: "expired-admin", user: "admin", csrfToken: "c", now: 1, lifetime: 300)
        #expect(waitUntil(timeout: 10) { sessions() == 0 }, "expired sessions were not deleted: \(sessions())")
        #expect(waitUntil(timeout: 10) { (try? store.connection.queryOne("SELECT count(*) AS n FROM admin_sessions")?.int("n")) == 0 })
        #expect(try store.order(orderId: orderId) != nil, "the order stays")
    }
}
