import Foundation
import LinePay
import LinePayStore
import Testing

/// Delivery scheduling: due times, leases, backoff, one notification at a time per order.
@Suite(.timeLimit(.minutes(5))) struct OutboxTests {

    @Test(arguments: Backend.allCases) func backoffGrowsAndDueNotificationsRespectsNextAt(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        try pay(store, tx: 1, at: 1_000)
        let id = try #require(try store.dueNotifications(now: 1_000, limit: 10).first?.id)
        #expect(try store.dueNotifications(now: 999, limit: 10).isEmpty)

        var now: Int64 = 1_000
        var waits: [Int64] = []
        for failure in 1...12 {
            #expect(try store.claimNotification(id: id, now: now, lease: 30), "failure \(failure)")
            try store.markDeliveryFailed(id: id, error: "HTTP 503", now: now)
            let n = try #require(try store.connection.queryOne("SELECT next_at, attempts, last_error FROM outbox WHERE id = ?",
                                                               [.integer(id)]))
            #expect(n.int("attempts") == Int64(failure))
            #expect(n.text("last_error") == "HTTP 503")
            let nextAt = try #require(n.int("next_at"))
            waits.append(nextAt - now)
            #expect(try store.dueNotifications(now: nextAt - 1, limit: 10).isEmpty)
            #expect(try store.claimNotification(id: id, now: nextAt - 1, lease: 30) == false)
            let due = try store.dueNotifications(now: nextAt, limit: 10)
            #expect(due.map(\.id) == [id])
            #expect(due.first?.attempts == failure)
            now = nextAt
        }
        #expect(waits == [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600, 3600])
        #expect(OrderStore.deliveryBackoff(failures: 1_000) == 3600)

        #expect(try store.claimNotification(id: id, now: now, lease: 30))
        try store.markDelivered(id: id, now: now + 1)
        #expect(try store.dueNotifications(now: now + 100_000, limit: 10).isEmpty)
        #expect(try store.claimNotification(id: id, now: now + 100_000, lease: 30) == false)
    }

    @Test(arguments: Backend.allCases) func aClaimIsALeaseThatRunsOut(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        try pay(store, tx: 1, at: 100)
        let id = try #require(try store.dueNotifications(now: 100, limit: 10).first?.id)
        #expect(try store.claimNotification(id: id, now: 100, lease: 60))
        #expect(try store.claimNotification(id: id, now: 159, lease: 60) == false)
        #expect(try store.dueNotifications(now: 159, limit: 10).isEmpty)
        // The worker died without marking it: it is due again once the lease runs out.
        #expect(try store.dueNotifications(now: 160, limit: 10).map(\.id) == [id])
        #expect(try store.claimNotification(id: id, now: 160, lease: 60))
    }

    @Test(arguments: Backend.allCases) func oneOrderIsNotifiedInOrderAndOthersAreNotHeldUp(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        try pay(store, sampleOrder("A", amount: "100"), tx: 1, at: 100)
        _ = try store.markRefunded(orderId: "A", amount: 100, refundTransactionId: 9, now: 101)
        try pay(store, sampleOrder("B", amount: "5"), tx: 2, at: 102)
        let due = try store.dueNotifications(now: 200, limit: 10)
        #expect(due.map { "\($0.orderId) \($0.status)" } == ["A paid", "B paid"])
        let refundId = try #require(try store.connection.queryOne("SELECT id FROM outbox WHERE status = 'refunded'")?.int("id"))
        #expect(try store.claimNotification(id: refundId, now: 200, lease: 30) == false, "not before 'paid' is delivered")

        let paidA = due[0].id
        #expect(try store.claimNotification(id: paidA, now: 200, lease: 30))
        try store.markDeliveryFailed(id: paidA, error: "timeout", now: 200)
        #expect(try store.dueNotifications(now: 205, limit: 10).map(\.orderId) == ["B"])
        #expect(try store.claimNotification(id: paidA, now: 210, lease: 30))
        try store.markDelivered(id: paidA, now: 211)
        let next = try store.dueNotifications(now: 211, limit: 10)
        #expect(next.map { "\($0.orderId) \($0.status) \($0.amount)" } == ["A refunded 100", "B paid 5"])
        #expect(try store.dueNotifications(now: 211, limit: 1).count == 1)
    }

    /// Issue 10, attack 1: each notification says which change of its order it is (seq 1, 2, ... per order) and the
    /// order's totals as of that change, so a shop can refuse a replayed "paid" after "refunded".
    @Test(arguments: Backend.allCases) func notificationsCarryAPerOrderSeqAndTheTotalsOfTheirMoment(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        try pay(store, sampleOrder("A", amount: "100"), tx: 1, at: 100)
        try pay(store, sampleOrder("B", amount: "5"), tx: 2, at: 101)
        _ = try store.markRefunded(orderId: "A", amount: 40, refundTransactionId: 9, now: 102)
        _ = try store.markRefunded(orderId: "A", amount: 60, refundTransactionId: 10, now: 103)
        let rows = try store.connection.query("""
            SELECT order_id || ' ' || seq || ' ' || status || ' ' || order_amount || ' ' || captured || ' ' || refunded AS d
            FROM outbox ORDER BY id
            """)
        #expect(rows.compactMap { $0.text("d") } == ["A 1 paid 100 100 0", "B 1 paid 5 5 0",
                                                     "A 2 partially_refunded 100 100 40", "A 3 refunded 100 100 100"])
        // What a worker reads for sending: the first due one, with refundable derived.
        let first = try #require(try store.dueNotifications(now: 200, limit: 10).first { $0.orderId == "A" })
        #expect(first.seq == 1 && first.refundable == 100 && first.currency == "USD")
    }
}
