import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// Through the real binaries: a responder killed with SIGKILL in the middle of a call that moves money, and a
/// shopper who never comes back, both end where LINE Pay's records are, settled by linepay-fcgi's own reconciler.
@Suite(.serialized, .timeLimit(.minutes(3))) struct CrashAndReconcileTests {
    /// The reconciler looks every second at anything older than nothing: the test waits on the order, not a clock.
    static let fastReconciler = ["reconcile_interval = 1", "reconcile_min_age = 0", "connect_timeout = 1", "read_timeout_refund = 5"]

    /// The sandbox's own record of a transaction (what LINE Pay has done, whatever answer it still holds back).
    static func linePay(_ h: ResponderHarness, _ tx: Int64) -> [String: Any] {
        ((try? h.sandbox.control("GET", "/transactions/\(tx)")) as? [String: Any]) ?? [:]
    }

    /// The responder's reconciler brings the order to LINE Pay's refund of 100, closes the operation, and LINE Pay
    /// saw one Refund (the held-back one is logged once the sandbox finally answers it).
    static func expectRefundOf100Settled(_ h: ResponderHarness, _ orderId: String) throws {
        let store = try OrderStore(path: h.database)
        #expect(waitUntil(timeout: 60) { (try? Shop.state(h, orderId)) == .partially_refunded },
                "still \(String(describing: try? Shop.state(h, orderId))): \(h.process.output.suffix(500))")
        #expect(try store.order(orderId: orderId)?.refundedAmount == 100)
        #expect(try store.operations(orderId: orderId).last?.state == .done)
        #expect(waitUntil(timeout: 30) { ((try? h.sandbox.calls(operation: "refund").count) ?? 0) >= 1 })
        #expect(try h.sandbox.calls(operation: "refund").count == 1)
    }

    @Test func aResponderKilledDuringConfirmIsSettledPaidWithOneConfirm() throws {
        let h = try ResponderHarness(config: Self.fastReconciler)
        let orderId = Shop.newOrderId()
        let tx = try Shop.reserve(h, orderId: orderId)
        let confirmURL = try #require(try h.sandbox.approve(tx)["confirmUrl"] as? String)
        // LINE Pay processes the Confirm, then holds the answer: the responder dies before it can store it.
        try h.sandbox.fault("confirm", "delay", "8000")
        let shopper = Thread { _ = try? httpRequest(url: confirmURL, headers: [("User-Agent", Browser.iPhone)], timeout: 30) }
        shopper.start()
        #expect(waitUntil(timeout: 20) { Self.linePay(h, tx)["status"] as? String == "captured" }, "LINE Pay never processed the Confirm: \(Self.linePay(h, tx))")
        #expect(try Shop.state(h, orderId) == .confirming, "the answer is still held back")
        try h.killAndRestartResponder()
        #expect(waitUntil(timeout: 60) { (try? Shop.state(h, orderId)) == .paid }, "still \(String(describing: try? Shop.state(h, orderId)))")
        // The held-back answer is logged when the sandbox finally sends it: then, and after, one Confirm in all.
        #expect(waitUntil(timeout: 30) { ((try? h.sandbox.calls(operation: "confirm").count) ?? 0) >= 1 })
        #expect(try h.sandbox.calls(operation: "confirm").count == 1)
        #expect(waitUntil(timeout: 20) { h.notifications.received.contains { String(decoding: $0.body, as: UTF8.self).contains("status=paid") } })
        #expect(try OrderStore(path: h.database).connection.queryOne("PRAGMA integrity_check")?.text("integrity_check") == "ok")
    }

    @Test func aRefundWhoseCallerIsKilledIsSettledFromPaymentDetails() throws {
        let h = try ResponderHarness(config: Self.fastReconciler)
        let (orderId, tx) = try Shop.paid(h)
        #expect(waitUntil(timeout: 20) { (try? Shop.state(h, orderId)) == .paid })
        try h.sandbox.fault("refund", "delay", "8000")
        let log = makeTemporaryDirectory("refund") + "/linepay.log"
        let cli = try ManagedProcess(builtBinary("linepay"), ["--config", h.configPath, "refund", orderId, "--amount", "100"], outputPath: log)
        #expect(waitUntil(timeout: 20) { "\(Self.linePay(h, tx)["refundedAmount"] ?? "")" == "100" }, "LINE Pay never processed the Refund: \(Self.linePay(h, tx))")
        cli.send(SIGKILL)
        _ = cli.waitForExit(timeout: 10)
        let store = try OrderStore(path: h.database)
        #expect(try store.operations(orderId: orderId).last?.state == .pending)
        // Once no refund call can still be running (connect 1 s + read 5 s + 10 s margin), the responder's reconciler settles it.
        try Self.expectRefundOf100Settled(h, orderId)
    }

    @Test func aResponderKilledDuringAnAdminRefundIsSettledFromPaymentDetails() throws {
        let h = try Admin.harness(Self.fastReconciler)
        let (orderId, tx) = try Shop.paid(h)
        #expect(waitUntil(timeout: 20) { (try? Shop.state(h, orderId)) == .paid })
        let b = try Admin.browser(h)
        // The confirmation page first, then the POST that makes the Refund call, from another thread: it never returns.
        let confirm = try b.go("GET", h.baseURL + "/admin/orders/\(orderId)/refund?amount=100")
        let form = try Admin.confirmForm(confirm.text)
        try h.sandbox.fault("refund", "delay", "8000")
        let url = h.baseURL + "/admin/orders/\(orderId)/refund"
        let admin = Thread { _ = try? b.go("POST", url, form: form) }
        admin.start()
        #expect(waitUntil(timeout: 20) { "\(Self.linePay(h, tx)["refundedAmount"] ?? "")" == "100" }, "LINE Pay never processed the Refund: \(Self.linePay(h, tx))")
        try h.killAndRestartResponder()
        try Self.expectRefundOf100Settled(h, orderId)
    }

    @Test func aPhoneShopperWhoApprovesAndNeverReturnsIsPaidOnce() throws {
        let h = try ResponderHarness(config: Self.fastReconciler + ["confirm_url_type = NONE"])
        let orderId = Shop.newOrderId()
        let tx = try Shop.reserve(h, orderId: orderId)
        _ = try h.sandbox.approve(tx)   // approved in the LINE app; no browser ever comes back, no page polls
        #expect(waitUntil(timeout: 30) { (try? Shop.state(h, orderId)) == .paid }, "still \(String(describing: try? Shop.state(h, orderId)))")
        // The held-back answer is logged when the sandbox finally sends it: then, and after, one Confirm in all.
        #expect(waitUntil(timeout: 30) { ((try? h.sandbox.calls(operation: "confirm").count) ?? 0) >= 1 })
        #expect(try h.sandbox.calls(operation: "confirm").count == 1)
        #expect(waitUntil(timeout: 20) { h.notifications.received.filter { String(decoding: $0.body, as: UTF8.self).contains("status=paid") }.count == 1 })
    }
}
