import Foundation
import LinePay
import LinePayStore
import Testing

/// Handoff of a checkout: create, resume the same one, refuse another with the same orderId; and sessions.
@Suite(.timeLimit(.minutes(5))) struct CreateOrResumeTests {

    @Test(arguments: Backend.allCases) func createsTheOrderWithItsItemsInOrder(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        guard case .created(let order) = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 100) else {
            Issue.record("expected .created"); return
        }
        #expect(order.orderId == "A1001")
        #expect(order.state == .new)
        #expect(order.attempt == 0)
        #expect(order.linePayOrderId == nil)
        #expect(order.transactionId == nil)
        #expect(order.sessionId == "s1")
        #expect(order.contentDigest == "digest-1")
        #expect(order.createdAt == 100 && order.updatedAt == 100)
        #expect(order.locale == "ja")
        #expect(order.currency == "USD")
        #expect(order.authorizedAmount == 0 && order.capturedAmount == 0 && order.refundedAmount == 0)
        #expect(order.items == [
            Item(itemId: "sku-1", name: "Green tea 緑茶", price: dec("70.25"), quantity: 2, imageUrl: "https://shop.example/tea.png"),
            Item(name: "Gift wrap", price: 0, quantity: 1),
        ])
        #expect(try store.order(orderId: "A1001") == order)
        #expect(try store.events(orderId: "A1001").map(\.kind) == ["state.new"])
        #expect(try count("outbox", in: store) == 0)
    }

    @Test(arguments: Backend.allCases) func resumingInANewBrowserSessionRebindsTheOrder(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 100)
        guard case .resumed(let order) = try store.createOrResume(sampleOrder(), sessionId: "s2", now: 200) else {
            Issue.record("expected .resumed"); return
        }
        #expect(order.sessionId == "s2")
        #expect(order.updatedAt == 100, "a rebinding is not a state change")
        // No event: a handoff replayed again and again must not grow the log (issue 10, attack 6).
        #expect(try store.events(orderId: "A1001").map(\.kind) == ["state.new"])
        // Same session again: nothing to rebind, nothing written.
        let before = try snapshot(store)
        guard case .resumed(let again) = try store.createOrResume(sampleOrder(), sessionId: "s2", now: 300) else {
            Issue.record("expected .resumed"); return
        }
        #expect(again == order)
        #expect(try snapshot(store) == before)
    }

    @Test(arguments: Backend.allCases) func resumingAReservedOrderRebindsButAnInFlightOneDoesNot(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 100)
        _ = try store.beginReserve(orderId: "A1001", now: 101)
        // reserving: a Request is in flight for the old session; it keeps the order.
        guard case .resumed(let reserving) = try store.createOrResume(sampleOrder(), sessionId: "s2", now: 102) else {
            Issue.record("expected .resumed"); return
        }
        #expect(reserving.state == .reserving)
        #expect(reserving.sessionId == "s1")
        _ = try store.markReserved(orderId: "A1001", transactionId: 7, paymentUrl: "https://pay.example/7", now: 103)
        guard case .resumed(let reserved) = try store.createOrResume(sampleOrder(), sessionId: "s3", now: 104) else {
            Issue.record("expected .resumed"); return
        }
        #expect(reserved.sessionId == "s3")
        #expect(reserved.paymentUrl == "https://pay.example/7")
        _ = try store.beginConfirm(orderId: "A1001", transactionId: 7, now: 105)
        guard case .resumed(let confirming) = try store.createOrResume(sampleOrder(), sessionId: "s4", now: 106) else {
            Issue.record("expected .resumed"); return
        }
        #expect(confirming.sessionId == "s3")
    }

    /// Issue 10, attack 2: while the session that reserved the order lives, another session's re-post leaves it alone.
    @Test(arguments: Backend.allCases) func aReservedOrderStaysWithItsLiveSession(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createSession(id: "owner", csrfToken: "c", now: 100, lifetime: 1000)
        _ = try store.createSession(id: "thief", csrfToken: "c", now: 100, lifetime: 1000)
        _ = try store.createOrResume(sampleOrder(), sessionId: "owner", now: 100)
        _ = try store.beginReserve(orderId: "A1001", now: 101)
        _ = try store.markReserved(orderId: "A1001", transactionId: 7, paymentUrl: "https://pay.example/7", now: 102)
        for state in ["reserved", "cancelled"] {
            if state == "cancelled" { _ = try store.markCancelled(orderId: "A1001", from: [.reserved], reason: "test", now: 103) }
            let before = try snapshot(store)
            guard case .resumed(let kept) = try store.createOrResume(sampleOrder(), sessionId: "thief", now: 104) else {
                Issue.record("expected .resumed"); return
            }
            #expect(kept.sessionId == "owner" && kept.state.rawValue == state)
            #expect(try snapshot(store) == before, "nothing written")
            #expect(try store.order(orderId: "A1001")?.sessionId == "owner")
        }
        // Once the owner's session has expired, the order follows the shopper's new session.
        guard case .resumed(let moved) = try store.createOrResume(sampleOrder(), sessionId: "thief", now: 1100) else {
            Issue.record("expected .resumed"); return
        }
        #expect(moved.sessionId == "thief")
    }

    @Test(arguments: Backend.allCases) func otherContentUnderTheSameOrderIdIsAConflictThatWritesNothing(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 100)
        let before = try snapshot(store)
        var other = sampleOrder(digest: "digest-2", amount: "1.00")
        other.items.append(NewItem(name: "Extra", price: 1, quantity: 1))
        guard case .conflict(let existing) = try store.createOrResume(other, sessionId: "s2", now: 200) else {
            Issue.record("expected .conflict"); return
        }
        #expect(existing.amount == dec("150.50"))
        #expect(existing.sessionId == "s1")
        #expect(try snapshot(store) == before)
        #expect(try count("items", in: store) == 2)
    }

    @Test(arguments: Backend.allCases) func sessionsExpire(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        let created = try store.createSession(id: "hash-1", csrfToken: "csrf", now: 1_000, lifetime: 60)
        #expect(created == Session(id: "hash-1", csrfToken: "csrf", createdAt: 1_000, expiresAt: 1_060))
        #expect(try store.session(id: "hash-1", now: 1_059) == created)
        #expect(try store.session(id: "hash-1", now: 1_060) == nil)
        #expect(try store.session(id: "other", now: 1_000) == nil)
        #expect(throws: (any Error).self) { try store.createSession(id: "hash-1", csrfToken: "x", now: 1, lifetime: 1) }
        #expect(try store.deleteExpiredSessions(now: 1_060) == 1)
        #expect(try count("sessions", in: store) == 0)
    }
}
