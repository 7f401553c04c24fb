import Foundation
import LinePay
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// Issue 10, the attacks on the admin side and the `linepay` command, replayed through the real binaries.
@Suite(.serialized) struct TrustTests {
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
}
