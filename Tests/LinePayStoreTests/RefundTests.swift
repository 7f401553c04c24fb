import Foundation
import LinePay
import LinePayStore
import Testing

/// Refunds never exceed what was captured, and each LINE Pay refund counts once.
@Suite(.timeLimit(.minutes(5))) struct RefundTests {

    @Test(arguments: Backend.allCases) func partialThenTheRestIsRefunded(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        try pay(store, sampleOrder(amount: "100.00"), tx: 1)
        #expect(try store.markRefunded(orderId: "A1001", amount: dec("30.25"), refundTransactionId: 501, now: 10) != nil)
        let partial = try #require(try store.order(orderId: "A1001"))
        #expect(partial.state == .partially_refunded && partial.refundedAmount == dec("30.25"))
        #expect(try store.markRefunded(orderId: "A1001", amount: dec("69.75"), refundTransactionId: 502, now: 11) != nil)
        let done = try #require(try store.order(orderId: "A1001"))
        #expect(done.state == .refunded && done.refundedAmount == 100 && done.capturedAmount == 100)
        let events = try store.events(orderId: "A1001").suffix(2)
        #expect(events.map(\.kind) == ["state.partially_refunded", "state.refunded"])
        #expect(events.first?.detail == "paid -> partially_refunded: refund 30.25 tx 501, refunded 30.25 of 100")
        #expect(events.last?.detail.contains("tx 502") == true)
        let statuses = try store.dueNotifications(now: 2_000, limit: 10)
        #expect(statuses.map(\.status) == ["paid"], "one at a time per order")
        let all = try store.connection.query("SELECT status, amount FROM outbox ORDER BY id")
            .map { "\($0.text("status")!) \($0.text("amount")!)" }
        #expect(all == ["paid 100", "partially_refunded 30.25", "refunded 100"])
        #expect(try store.markRefunded(orderId: "A1001", amount: dec("0.01"), refundTransactionId: 503, now: 12) == nil)
    }

    @Test(arguments: Backend.allCases) func aboveTheRemainderOrNotPositiveIsRefusedAndWritesNothing(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        try pay(store, sampleOrder(amount: "100.00"), tx: 1)
        #expect(try store.markRefunded(orderId: "A1001", amount: 40, refundTransactionId: 501, now: 10) != nil)
        let before = try snapshot(store)
        let order = try store.order(orderId: "A1001")
        #expect(try store.markRefunded(orderId: "A1001", amount: dec("60.01"), refundTransactionId: 502, now: 11) == nil)
        #expect(try store.markRefunded(orderId: "A1001", amount: 0, refundTransactionId: 503, now: 11) == nil)
        #expect(try store.markRefunded(orderId: "A1001", amount: dec("-1"), refundTransactionId: 504, now: 11) == nil)
        #expect(try store.markRefunded(orderId: "ghost", amount: 1, refundTransactionId: 505, now: 11) == nil)
        #expect(try snapshot(store) == before)
        #expect(try store.order(orderId: "A1001") == order)
    }

    @Test(arguments: Backend.allCases) func theSameRefundReportedTwiceCountsOnce(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        try pay(store, sampleOrder(amount: "100.00"), tx: 1)
        #expect(try store.markRefunded(orderId: "A1001", amount: 10, refundTransactionId: 777, now: 10) != nil)
        #expect(try store.markRefunded(orderId: "A1001", amount: 10, refundTransactionId: 777, now: 11) == nil)
        #expect(try store.order(orderId: "A1001")?.refundedAmount == 10)
    }

    @Test(arguments: Backend.allCases) func onlyPaidOrdersAreRefunded(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        try reserveAndConfirm(store, tx: 1)
        #expect(try store.markRefunded(orderId: "A1001", amount: 1, refundTransactionId: 9, now: 10) == nil)
        _ = try store.markConfirmed(orderId: "A1001", captured: false, amount: dec("150.50"), regKey: nil, now: 10)
        #expect(try store.markRefunded(orderId: "A1001", amount: 1, refundTransactionId: 9, now: 10) == nil, "authorized")
    }
}
