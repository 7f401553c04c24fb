import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// `linepay reconcile` (the built binary) settles what the sandbox's "process, then drop the connection" fault left
/// unknown at confirm, capture and refund, from payment details, without repeating a call that moves money; two
/// runs at once change nothing twice.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ReconcileTests {
    /// An order whose Confirm went through at LINE Pay but whose answer was lost, and whose immediate lookup failed
    /// too (payment details answered 503): the responder leaves it `confirming`, for reconcile.
    func confirmLeftUnknown(_ h: ResponderHarness) throws -> String {
        let orderId = Shop.newOrderId()
        let tx = try Shop.reserve(h, orderId: orderId)
        let confirmURL = try #require(try h.sandbox.approve(tx)["confirmUrl"] as? String)
        try h.sandbox.fault("confirm", "drop")
        try h.sandbox.fault("paymentDetails", "status", "503")
        #expect(try httpRequest(url: confirmURL, headers: [("User-Agent", Browser.iPhone)]).status == 200)
        #expect(try Shop.state(h, orderId) == .confirming)
        return orderId
    }

    @Test func settlesAConfirmLeftUnknown() throws {
        let h = try ResponderHarness()
        let orderId = try confirmLeftUnknown(h)
        let run = try runLinePay(h, ["reconcile", "--min-age", "0"])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("\(orderId): confirming -> paid"))
        #expect(try Shop.state(h, orderId) == .paid)
        #expect(try h.sandbox.calls(operation: "confirm").count == 1)
        #expect(waitUntil(timeout: 10) { h.notifications.received.contains { String(decoding: $0.body, as: UTF8.self).contains("status=paid") } })
        // Nothing left: a second run is silent.
        let again = try runLinePay(h, ["reconcile", "--min-age", "0"])
        #expect(again.status == 0 && again.stdout.isEmpty)
    }

    @Test func settlesACaptureAndARefundLeftUnknown() throws {
        let h = try ResponderHarness(config: ["capture = false"])
        let (captureOrder, _) = try Shop.paid(h)
        try h.sandbox.fault("capture", "drop")
        let captured = try runLinePay(h, ["capture", captureOrder])
        #expect(captured.status == 3 && captured.stdout.contains("unknown"), "\(captured)")
        let shown = try runLinePay(h, ["show", captureOrder, "--json"])
        #expect(shown.stdout.contains(#""state" : "unknown""#) && shown.stdout.contains(#""operation" : "capture""#))
        #expect(try Shop.state(h, captureOrder) == .authorized)

        let (refundOrder, _) = try Shop.paid(h)
        #expect(try runLinePay(h, ["capture", refundOrder]).status == 0)
        try h.sandbox.fault("refund", "drop")
        let refunded = try runLinePay(h, ["refund", refundOrder, "--amount", "100"])
        #expect(refunded.status == 3, "\(refunded)")
        // While unknown, a second refund is refused by us (exit 5), not sent.
        #expect(try runLinePay(h, ["refund", refundOrder, "--amount", "1"]).status == 5)

        let run = try runLinePay(h, ["reconcile", "--min-age", "0"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("\(captureOrder) capture 360: done"))
        #expect(run.stdout.contains("\(refundOrder) refund 100: done"))
        let store = try OrderStore(path: h.database)
        #expect(try store.order(orderId: captureOrder)?.state == .paid)
        let r = try #require(try store.order(orderId: refundOrder))
        #expect(r.state == .partially_refunded && r.refundedAmount == 100)
        #expect(try store.operations(orderId: refundOrder).first { $0.kind == .refund }?.refundTransactionId != nil)
        #expect(try h.sandbox.calls(operation: "capture").count == 2 && h.sandbox.calls(operation: "refund").count == 1)
    }

    @Test func twoReconcilesAtOnceChangeNothingTwice() throws {
        let h = try ResponderHarness(config: ["capture = false"])
        let confirmOrder = try confirmLeftUnknown(h)
        let (captureOrder, _) = try Shop.paid(h)
        try h.sandbox.fault("capture", "drop")
        #expect(try runLinePay(h, ["capture", captureOrder]).status == 3)
        let (refundOrder, _) = try Shop.paid(h)
        #expect(try runLinePay(h, ["capture", refundOrder]).status == 0)
        try h.sandbox.fault("refund", "drop")
        #expect(try runLinePay(h, ["refund", refundOrder, "--amount", "60"]).status == 3)
        let moneyCalls = { try ["confirm", "capture", "refund", "void"].map { try h.sandbox.calls(operation: $0).count } }
        let before = try moneyCalls()

        let outputs = [makeTemporaryDirectory("rec") + "/a.log", makeTemporaryDirectory("rec") + "/b.log"]
        let runs = try outputs.map { try ManagedProcess(builtBinary("linepay"), ["--config", h.configPath, "reconcile", "--min-age", "0"], outputPath: $0) }
        let statuses = runs.map { $0.waitForExit(timeout: 120) }
        #expect(statuses == [0, 0], "\(runs.map(\.output))")
        let said = runs.map(\.output).joined()
        for line in ["\(confirmOrder): confirming -> authorized", "\(captureOrder) capture 360: done", "\(refundOrder) refund 60: done"] {
            #expect(said.components(separatedBy: line).count == 2, "\(line) said once: \(said)")
        }
        #expect(try moneyCalls() == before, "no confirm, capture, refund or void was repeated")
        let store = try OrderStore(path: h.database)
        func count(_ orderId: String, _ kind: String) throws -> Int { try store.events(orderId: orderId).filter { $0.kind == kind }.count }
        #expect(try count(confirmOrder, "state.authorized") == 1)
        #expect(try count(captureOrder, "state.paid") == 1)
        #expect(try count(refundOrder, "state.partially_refunded") == 1)
        #expect(try store.connection.queryOne("SELECT count(*) AS n FROM refunds")?.int("n") == 1)
        #expect(try store.connection.queryOne("SELECT count(*) AS n FROM outbox WHERE status = 'partially_refunded'")?.int("n") == 1)
        #expect(try runLinePay(h, ["reconcile", "--min-age", "0"]).stdout.isEmpty)
    }

    @Test func aCallLinePayNeverProcessedIsFoundNotDoneAndNotRetried() throws {
        let h = try ResponderHarness()
        let (orderId, _) = try Shop.paid(h)
        try h.sandbox.fault("refund", "status", "502")   // a proxy's 502: LINE Pay never saw it
        #expect(try runLinePay(h, ["refund", orderId, "--amount", "10"]).status == 3)
        // Just after the call, "no such refund" may only mean "not yet": still unknown.
        let early = try runLinePay(h, ["reconcile", "--min-age", "0"])
        #expect(early.status == 3 && early.stdout.contains("still unknown"), "\(early)")
        // A minute later (moved back in the database), it did not happen: said so, and the refund is not sent again.
        let store = try OrderStore(path: h.database)
        try store.connection.run("UPDATE operations SET updated_at = updated_at - 61")
        let late = try runLinePay(h, ["reconcile", "--min-age", "0"])
        #expect(late.status == 0 && late.stdout.contains("\(orderId) refund 10: did not happen"), "\(late)")
        #expect(try store.operations(orderId: orderId).map(\.state) == [.not_done])
        #expect(try store.order(orderId: orderId).map { ($0.state, $0.refundedAmount) } ?? (.new, 1) == (.paid, 0))
        #expect(try h.sandbox.calls(operation: "refund").count == 1)
        // Now a new refund may be made.
        #expect(try runLinePay(h, ["refund", orderId, "--amount", "10"]).status == 0)
    }

    @Test func aReservationLeftPastTwentyMinutesIsExpired() throws {
        let h = try ResponderHarness()
        let orderId = Shop.newOrderId()
        _ = try Shop.reserve(h, orderId: orderId)
        #expect(try runLinePay(h, ["reconcile", "--min-age", "0"]).stdout.isEmpty)   // a young reservation is the shopper's: looked at, unchanged
        let store = try OrderStore(path: h.database)
        try store.connection.run("UPDATE orders SET updated_at = updated_at - 1260, reserved_at = reserved_at - 1260, next_check_at = next_check_at - 1260 WHERE order_id = ?", [.text(orderId)])
        try h.sandbox.control("POST", "/clock", ["advance": "1260"])
        let run = try runLinePay(h, ["reconcile", "--min-age", "0"])
        #expect(run.status == 0 && run.stdout.contains("\(orderId): reserved -> expired"), "\(run)")
        #expect(try Shop.state(h, orderId) == .expired)
    }
}
