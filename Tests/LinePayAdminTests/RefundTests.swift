import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// Refunds from the admin page: partial ones, never above what remains (checked by us before LINE Pay is called),
/// once per form however often it is sent, LINE Pay's refusals in words, and an unknown outcome shown as checking.
@Suite(.serialized, .timeLimit(.minutes(5))) struct RefundTests {
    /// A refund form for `amount` posted as it is, without its confirmation page (a forged or replayed form).
    func forgedRefund(_ b: Browser, _ h: ResponderHarness, _ orderId: String, amount: String) throws -> HTTPResponse {
        let csrf = try #require(formField("csrf", in: try b.go("GET", h.baseURL + "/admin").text))
        let key = (0..<32).map { _ in "0123456789abcdef".randomElement()! }.map(String.init).joined()
        return try b.go("POST", h.baseURL + "/admin/orders/\(orderId)/refund",
                        form: [("csrf", csrf), ("confirm", "yes"), ("key", key), ("amount", amount)])
    }

    @Test func twoPartialRefundsThenOneAboveTheRemainderIsRefusedBeforeLinePayIsCalled() throws {
        let h = try Admin.harness()
        let (orderId, _) = try Shop.paid(h)   // 360 TWD
        let b = try Admin.browser(h)
        let (c1, p1) = try Admin.act(b, h, "/orders/\(orderId)/refund", query: "amount=100")
        #expect(c1.text.contains("Refund 100 TWD of order \(orderId)"))
        #expect(try Admin.resultState(b, h, p1) == "done")
        #expect(try Admin.resultState(b, h, try Admin.act(b, h, "/orders/\(orderId)/refund", query: "amount=150").1) == "done")
        let store = try OrderStore(path: h.database)
        var order = try #require(try store.order(orderId: orderId))
        #expect(order.state == .partially_refunded && order.refundedAmount == 250)
        let page = try b.go("GET", h.baseURL + "/admin/orders/\(orderId)")
        #expect(page.text.contains("<dt>Refundable</dt><dd>NT$110</dd>"))

        // 200 > 110: the confirmation page says so and offers no form...
        let (early, none) = try Admin.act(b, h, "/orders/\(orderId)/refund", query: "amount=200")
        #expect(early.status == 422 && none == nil)
        #expect(early.text.contains("at most the 110 TWD that remains") && !early.text.contains("lpa-confirm-button"))
        // ...and a form posted anyway is refused by the store's own check, recorded, and never sent.
        let forged = try forgedRefund(b, h, orderId, amount: "200")
        let result = try b.follow(forged, base: h.nginx.baseURL)
        #expect(Admin.capture(#"id="lpa-result"[^>]*data-state="([a-z_]+)""#, result.text) == "rejected")
        #expect(result.text.contains("refused by us: the refund amount must be more than 0 and at most the 110 TWD that remains"))
        #expect(try h.sandbox.calls(operation: "refund").count == 2)
        order = try #require(try store.order(orderId: orderId))
        #expect(order.refundedAmount == 250)
        #expect(try store.events(orderId: orderId).contains { $0.kind == "admin.refund" && $0.detail.contains("refused by us") && $0.actor == "admin:admin" })

        // The rest (the form's default amount) empties it.
        #expect(try Admin.resultState(b, h, try Admin.act(b, h, "/orders/\(orderId)/refund").1) == "done")
        #expect(try store.order(orderId: orderId)?.state == .refunded)
        #expect(try h.sandbox.calls(operation: "refund").count == 3)
        // LINE Pay agrees.
        let tx = try #require(order.transactionId)
        let sandboxTx = try h.sandbox.control("GET", "/transactions/\(tx)") as? [String: Any]
        #expect("\(sandboxTx?["refundedAmount"] ?? "")" == "360")
    }

    @Test func theSameFormSentTwiceOrManyTimesAtOnceRefundsOnce() throws {
        let h = try Admin.harness(threads: 16)
        let (orderId, _) = try Shop.paid(h)
        let b = try Admin.browser(h)
        let confirm = try b.go("GET", h.baseURL + "/admin/orders/\(orderId)/refund?amount=50")
        let form = Admin.confirmForm(confirm.text)
        let first = try b.go("POST", h.baseURL + "/admin/orders/\(orderId)/refund", form: form)
        let second = try b.go("POST", h.baseURL + "/admin/orders/\(orderId)/refund", form: form)
        #expect(first.status == 303 && second.headers["location"] == first.headers["location"])
        #expect(try Admin.resultState(b, h, second) == "done")
        #expect(try h.sandbox.calls(operation: "refund").count == 1)

        // Twelve copies of one new form at the same moment.
        let again = Admin.confirmForm(try b.go("GET", h.baseURL + "/admin/orders/\(orderId)/refund?amount=70").text)
        let statuses = Locked<[Int]>([])
        let cookies = b.cookies
        let url = h.baseURL + "/admin/orders/\(orderId)/refund"
        DispatchQueue.concurrentPerform(iterations: 12) { _ in
            let copy = Browser()
            copy.cookies = cookies
            let r = try? copy.go("POST", url, form: again)
            statuses.withLock { $0.append(r?.status ?? 0) }
        }
        #expect(statuses.current.count == 12 && statuses.current.allSatisfy { $0 == 303 }, "\(statuses.current)")
        #expect(try h.sandbox.calls(operation: "refund").count == 2)
        let store = try OrderStore(path: h.database)
        #expect(try store.order(orderId: orderId)?.refundedAmount == 120)
        #expect(try store.operations(orderId: orderId).filter { $0.kind == .refund }.count == 2)
        #expect(try store.connection.queryOne("SELECT count(*) AS n FROM refunds")?.int("n") == 2)
    }

    @Test func linePaysRefusalIsShownInWords() throws {
        let h = try Admin.harness()
        let (orderId, _) = try Shop.paid(h)
        let b = try Admin.browser(h)
        try h.sandbox.fault("refund", "code", "1163")
        let (_, posted) = try Admin.act(b, h, "/orders/\(orderId)/refund", query: "amount=10")
        let page = try b.follow(try #require(posted), base: h.nginx.baseURL)
        #expect(Admin.capture(#"id="lpa-result"[^>]*data-state="([a-z_]+)""#, page.text) == "refused")
        #expect(page.text.contains("Unable to refund since refundable date has passed."))
        #expect(try Shop.state(h, orderId) == .paid)
        let events = try OrderStore(path: h.database).events(orderId: orderId)
        #expect(events.contains { $0.kind == "api.refund" && $0.detail.contains("1163") && $0.detail.contains("refundable date has passed") })
    }

    @Test func anUnknownOutcomeShowsCheckingBlocksOtherActionsAndRefreshSettlesIt() throws {
        let h = try Admin.harness()
        let (orderId, _) = try Shop.paid(h)
        let b = try Admin.browser(h)
        try h.sandbox.fault("refund", "drop")   // processed by LINE Pay, then the connection is dropped
        let (_, posted) = try Admin.act(b, h, "/orders/\(orderId)/refund", query: "amount=30")
        #expect(try Admin.resultState(b, h, posted) == "unknown")
        let page = try b.go("GET", h.baseURL + "/admin/orders/\(orderId)")
        #expect(Admin.capture(#"id="lpa-open"[^>]*data-state="([a-z_]+)""#, page.text) == "unknown")
        #expect(!page.text.contains(#"id="lpa-refund""#))
        let list = try b.go("GET", h.baseURL + "/admin/orders?q=\(orderId)")
        #expect(list.text.contains("refund checking"))
        // While it is unknown, nothing else may be tried on the order.
        let blocked = try forgedRefund(b, h, orderId, amount: "5")
        #expect(try b.follow(blocked, base: h.nginx.baseURL).text.contains("being checked with LINE Pay"))
        #expect(try h.sandbox.calls(operation: "refund").count == 1)
        // Refresh reads payment details, which show the refund: settled without a second refund call.
        let csrf = try #require(formField("csrf", in: page.text))
        let refreshed = try b.go("POST", h.baseURL + "/admin/orders/\(orderId)/refresh", form: [("csrf", csrf)])
        #expect(refreshed.status == 303)
        let after = try b.follow(refreshed, base: h.nginx.baseURL)
        #expect(!after.text.contains(#"id="lpa-open""#))
        #expect(after.text.contains("Refund ") && after.text.contains("<dt>Pay status</dt><dd>CAPTURED</dd>"))
        let store = try OrderStore(path: h.database)
        #expect(try store.order(orderId: orderId)?.refundedAmount == 30)
        #expect(try store.operations(orderId: orderId).map(\.state) == [.done, .rejected])
        #expect(try h.sandbox.calls(operation: "refund").count == 1)
    }
}
