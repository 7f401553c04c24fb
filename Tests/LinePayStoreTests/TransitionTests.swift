import Foundation
import LinePay
import LinePayStore
import Testing

/// The state machine, one connection: who wins, what is written with each change.
@Suite(.timeLimit(.minutes(5))) struct TransitionTests {
    let tx: Int64 = 2016_0000_0000_0000_001

    @Test(arguments: Backend.allCases) func happyPathWritesEveryEventInOrderAndOneNotification(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 100)
        let reserving = try #require(try store.beginReserve(orderId: "A1001", now: 101))
        #expect(reserving.state == .reserving)
        #expect(reserving.attempt == 1)
        #expect(reserving.linePayOrderId == "A1001")
        #expect(reserving.updatedAt == 101)
        #expect(reserving.items.count == 2)
        #expect(try store.markReserved(orderId: "A1001", transactionId: tx, paymentUrl: "https://pay.example/p", now: 102) != nil)
        let reserved = try #require(try store.order(orderId: "A1001"))
        #expect(reserved.state == .reserved && reserved.reservedAt == 102 && reserved.paymentUrl == "https://pay.example/p")
        #expect(try store.order(linePayOrderId: "A1001")?.rowId == reserved.rowId)
        #expect(try store.beginConfirm(orderId: "A1001", transactionId: tx, now: 103) != nil)
        #expect(try store.order(orderId: "A1001")?.state.publicStatus == "checking")
        #expect(try count("outbox", in: store) == 0, "nothing to tell the shop before the outcome")
        #expect(try store.markConfirmed(orderId: "A1001", captured: true, amount: dec("150.50"), regKey: "RK123", now: 104) != nil)

        let paid = try #require(try store.order(orderId: "A1001"))
        #expect(paid.state == .paid)
        #expect(paid.capturedAmount == dec("150.50") && paid.authorizedAmount == dec("150.50"))
        #expect(paid.regKey == "RK123")
        let events = try store.events(orderId: "A1001")
        try #require(events.map(\.kind) == ["state.new", "state.reserving", "state.reserved", "state.confirming", "state.paid"])
        #expect(events.map(\.at) == [100, 101, 102, 103, 104])
        #expect(events.allSatisfy { $0.actor == "system" && $0.orderRowId == paid.rowId })
        #expect(events[3].detail.hasPrefix("reserved -> confirming"))
        #expect(events[3].detail.contains(String(tx)))
        #expect(!events.contains { $0.detail.contains("RK123") }, "the regKey is a credential")
        let notifications = try store.dueNotifications(now: 104, limit: 10)
        #expect(notifications.count == 1)
        #expect(try count("outbox", in: store) == 1)
        let n = try #require(notifications.first)
        #expect(n.orderId == "A1001" && n.status == "paid" && n.transactionId == tx && n.amount == dec("150.50"))
        #expect(n.eventAt == 104 && n.nextAt == 104 && n.attempts == 0)
    }

    @Test(arguments: Backend.allCases) func beginConfirmWithAnotherTransactionIdIsRefused(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 1)
        _ = try store.beginReserve(orderId: "A1001", now: 2)
        _ = try store.markReserved(orderId: "A1001", transactionId: tx, paymentUrl: "https://pay.example/p", now: 3)
        let before = try snapshot(store)
        #expect(try store.beginConfirm(orderId: "A1001", transactionId: tx + 1, now: 4) == nil)
        #expect(try store.order(orderId: "A1001")?.state == .reserved)
        #expect(try snapshot(store) == before)
        #expect(try store.beginConfirm(orderId: "A1001", transactionId: tx, now: 5) != nil)
        #expect(try store.beginConfirm(orderId: "A1001", transactionId: tx, now: 6) == nil, "a second confirm URL hit")
        #expect(try store.beginConfirm(orderId: "nope", transactionId: tx, now: 6) == nil)
    }

    @Test(arguments: Backend.allCases) func secondBeginReserveGetsNil(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 1)
        #expect(try store.beginReserve(orderId: "A1001", now: 2) != nil)
        #expect(try store.beginReserve(orderId: "A1001", now: 2) == nil)
        #expect(try store.order(orderId: "A1001")?.attempt == 1)
        #expect(try store.events(orderId: "A1001").map(\.kind) == ["state.new", "state.reserving"])
    }

    @Test(arguments: Backend.allCases) func aRetryIsANewAttemptWithItsOwnLinePayOrderId(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 1)
        _ = try store.beginReserve(orderId: "A1001", now: 2)
        #expect(try store.abortReserve(orderId: "A1001", error: "1104 merchant not found", now: 3) != nil)
        let refused = try #require(try store.order(orderId: "A1001"))
        #expect(refused.state == .new && refused.lastError == "1104 merchant not found")
        #expect(try store.abortReserve(orderId: "A1001", error: "again", now: 3) == nil)

        let second = try #require(try store.beginReserve(orderId: "A1001", now: 4))
        #expect(second.attempt == 2 && second.linePayOrderId == "A1001__2" && second.lastError == nil)
        _ = try store.markReserved(orderId: "A1001", transactionId: tx, paymentUrl: "https://pay.example/1", now: 5)
        #expect(try store.markCancelled(orderId: "A1001", from: [.reserved], reason: "shopper cancelled", now: 6) != nil)
        let third = try #require(try store.beginReserve(orderId: "A1001", now: 7))
        #expect(third.attempt == 3 && third.linePayOrderId == "A1001__3")
        #expect(third.transactionId == nil && third.paymentUrl == nil && third.reservedAt == nil)
        #expect(try store.order(linePayOrderId: "A1001__3")?.orderId == "A1001")
        #expect(try store.order(linePayOrderId: "A1001__2") == nil)
        #expect(try store.order(transactionId: tx) == nil)
    }

    @Test(arguments: Backend.allCases) func cancelAndExpiryNotifyTheShopOnlyOnceLinePayKnewTheOrder(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder("N1"), sessionId: "s", now: 1)
        #expect(try store.markCancelled(orderId: "N1", from: [.new], reason: "left", now: 2) != nil)
        #expect(try store.markCancelled(orderId: "N1", from: [.new], reason: "left", now: 2) == nil)
        #expect(try count("outbox", in: store) == 0)

        try reserveAndConfirm(store, sampleOrder("C1"), tx: 11)
        #expect(try store.markExpired(orderId: "C1", from: [.reserved], reason: "nope", now: 3) == nil)
        #expect(try store.markCancelled(orderId: "C1", from: [.reserved, .confirming], reason: "1150 declined", now: 3) != nil)
        _ = try store.createOrResume(sampleOrder("E1"), sessionId: "s", now: 1)
        _ = try store.beginReserve(orderId: "E1", now: 1)
        _ = try store.markReserved(orderId: "E1", transactionId: 12, paymentUrl: "https://pay.example/12", now: 1)
        #expect(try store.markExpired(orderId: "E1", from: [.reserved], reason: "payment page timed out", now: 4) != nil)
        _ = try store.createOrResume(sampleOrder("F1"), sessionId: "s", now: 1)
        #expect(try store.markFailed(orderId: "F1", from: [.new, .reserving], reason: "bad item", now: 5) != nil)
        #expect(try store.order(orderId: "F1")?.lastError == "bad item")

        let sent = try store.dueNotifications(now: 10, limit: 10).map { "\($0.orderId) \($0.status) \($0.amount)" }
        #expect(sent == ["C1 cancelled 150.5", "E1 expired 150.5"])
        #expect(try store.events(orderId: "C1").last?.detail == "confirming -> cancelled: 1150 declined")
    }

    @Test(arguments: Backend.allCases) func paidOrdersCannotBeCancelledFailedOrExpired(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        try pay(store, tx: tx)
        let before = try snapshot(store)
        #expect(throws: OrderStoreError.forbiddenTransition(from: .paid, to: .cancelled)) {
            try store.markCancelled(orderId: "A1001", from: [.reserved, .paid], reason: "oops", now: 9)
        }
        #expect(throws: OrderStoreError.forbiddenTransition(from: .authorized, to: .failed)) {
            try store.markFailed(orderId: "A1001", from: [.authorized], reason: "oops", now: 9)
        }
        #expect(throws: OrderStoreError.forbiddenTransition(from: .paid, to: .expired)) {
            try store.markExpired(orderId: "A1001", from: [.paid], reason: "oops", now: 9)
        }
        #expect(try snapshot(store) == before)
        #expect(try store.order(orderId: "A1001")?.state == .paid)
    }

    @Test(arguments: Backend.allCases) func authorizeThenCaptureOrVoid(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        try reserveAndConfirm(store, sampleOrder("AU1"), tx: 21)
        #expect(try store.markConfirmed(orderId: "AU1", captured: false, amount: dec("150.50"), regKey: nil, now: 2) != nil)
        let authorized = try #require(try store.order(orderId: "AU1"))
        #expect(authorized.state == .authorized && authorized.authorizedAmount == dec("150.50") && authorized.capturedAmount == 0)
        #expect(try store.markCaptured(orderId: "AU1", amount: dec("150.51"), now: 3) == nil, "above the authorization")
        #expect(try store.markCaptured(orderId: "AU1", amount: 0, now: 3) == nil)
        #expect(try store.markVoided(orderId: "AU1", now: 3) != nil)
        #expect(try store.markCaptured(orderId: "AU1", amount: dec("150.50"), now: 4) == nil, "voided")

        try reserveAndConfirm(store, sampleOrder("AU2"), tx: 22)
        _ = try store.markConfirmed(orderId: "AU2", captured: false, amount: dec("150.50"), regKey: nil, now: 2)
        #expect(try store.markCaptured(orderId: "AU2", amount: dec("100.00"), now: 5) != nil)
        #expect(try store.markCaptured(orderId: "AU2", amount: dec("50.50"), now: 6) == nil, "captured once")
        #expect(try store.markVoided(orderId: "AU2", now: 6) == nil)
        let captured = try #require(try store.order(orderId: "AU2"))
        #expect(captured.state == .paid && captured.capturedAmount == 100 && captured.authorizedAmount == dec("150.50"))

        let outbox = try store.connection.query("SELECT order_id, status, amount FROM outbox ORDER BY id")
            .map { "\($0.text("order_id")!) \($0.text("status")!) \($0.text("amount")!)" }
        #expect(outbox == ["AU1 authorized 150.5", "AU1 voided 150.5", "AU2 authorized 150.5", "AU2 paid 100"])
    }

    @Test(arguments: Backend.allCases) func reconfirmIsClaimedOnceFromAReadingOfTheOrder(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        try reserveAndConfirm(store, tx: tx, at: 50)
        let seen = try #require(try store.order(orderId: "A1001"))
        #expect(try store.claimReconfirm(orderId: "A1001", seenUpdatedAt: seen.updatedAt, transactionId: tx + 1, now: 50) == nil)
        #expect(try store.claimReconfirm(orderId: "A1001", seenUpdatedAt: seen.updatedAt - 1, now: 50) == nil)
        #expect(try store.claimReconfirm(orderId: "A1001", seenUpdatedAt: seen.updatedAt, transactionId: tx, now: 50) != nil)
        // Same second, same reading: the second claimer loses because updatedAt moved forward anyway.
        #expect(try store.claimReconfirm(orderId: "A1001", seenUpdatedAt: seen.updatedAt, now: 50) == nil)
        let claimed = try #require(try store.order(orderId: "A1001"))
        #expect(claimed.state == .confirming && claimed.updatedAt == 51)
        #expect(try store.claimReconfirm(orderId: "A1001", seenUpdatedAt: 51, now: 90) != nil)
        #expect(try store.events(orderId: "A1001").suffix(2).map(\.kind) == ["state.confirming", "state.confirming"])
        _ = try store.markConfirmed(orderId: "A1001", captured: true, amount: dec("150.50"), regKey: nil, now: 91)
        #expect(try store.claimReconfirm(orderId: "A1001", seenUpdatedAt: 91, now: 95) == nil, "paid")
    }

    @Test(arguments: Backend.allCases) func anActorIsRecordedWhenGiven(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 1, actor: "shopper")
        _ = try store.beginReserve(orderId: "A1001", now: 2)
        _ = try store.abortReserve(orderId: "A1001", error: "x", now: 3, actor: "admin:alice")
        #expect(try store.events(orderId: "A1001").map(\.actor) == ["shopper", "system", "admin:alice"])
    }

    @Test(arguments: Backend.allCases) func statusChecksAreLimitedToOnePerSecond(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 1)
        #expect(try store.claimStatusCheck(orderId: "A1001", now: 5_000))
        #expect(try store.order(orderId: "A1001")?.lastCheckAt == 5_000)
        #expect(try store.claimStatusCheck(orderId: "A1001", now: 5_000) == false)
        #expect(try store.claimStatusCheck(orderId: "A1001", now: 4_999) == false, "a clock step back")
        #expect(try store.claimStatusCheck(orderId: "A1001", now: 5_001))
        #expect(try store.claimStatusCheck(orderId: "A1001", now: 5_001) == false)
        #expect(try store.claimStatusCheck(orderId: "nope", now: 9_000) == false)
        #expect(try store.events(orderId: "A1001").count == 1, "a check is not a state change")
    }

    @Test(arguments: Backend.allCases) func reconcilePicksConfirmingAndStaleReservationsOnly(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        let now: Int64 = 10_000, stale: Int64 = 10_000 - 1_200, fresh: Int64 = 10_000 - 60
        try reserveAndConfirm(store, sampleOrder("CONF-FRESH"), tx: 1, at: fresh)
        try reserveAndConfirm(store, sampleOrder("CONF-OLD"), tx: 2, at: stale - 5)
        for (id, at, txid) in [("RES-STALE", stale, Int64(3)), ("RES-FRESH", fresh, Int64(4))] {
            _ = try store.createOrResume(sampleOrder(id), sessionId: "s", now: at)
            _ = try store.beginReserve(orderId: id, now: at)
            _ = try store.markReserved(orderId: id, transactionId: txid, paymentUrl: "https://pay.example/\(txid)", now: at)
        }
        _ = try store.createOrResume(sampleOrder("RSV-STALE"), sessionId: "s", now: stale)
        _ = try store.beginReserve(orderId: "RSV-STALE", now: stale - 1)
        _ = try store.createOrResume(sampleOrder("NEW-STALE"), sessionId: "s", now: stale - 100)
        try pay(store, sampleOrder("PAID-STALE"), tx: 5, at: stale - 100)
        _ = try store.createOrResume(sampleOrder("CANCELLED"), sessionId: "s", now: stale)
        _ = try store.markCancelled(orderId: "CANCELLED", from: [.new], reason: "x", now: stale)

        // Only states that are not final, only once they have lasted minAge, oldest first.
        #expect(try store.ordersToReconcile(now: now, minAge: 1_200).map(\.orderId) == ["CONF-OLD", "RSV-STALE", "RES-STALE"])
        #expect(try store.ordersToReconcile(now: now, minAge: 0).map(\.orderId)
                == ["CONF-OLD", "RSV-STALE", "RES-STALE", "CONF-FRESH", "RES-FRESH"])
        // A look that changed nothing defers the order; a state change makes it due again.
        let conf = try #require(try store.order(orderId: "CONF-OLD"))
        #expect(try store.scheduleCheck(orderId: "CONF-OLD", seenUpdatedAt: conf.updatedAt, at: now + 30))
        #expect(try store.ordersToReconcile(now: now, minAge: 1_200).map(\.orderId) == ["RSV-STALE", "RES-STALE"])
        #expect(try store.ordersToReconcile(now: now + 30, minAge: 1_200).map(\.orderId) == ["CONF-OLD", "RSV-STALE", "RES-STALE"])
        #expect(try store.scheduleCheck(orderId: "CONF-OLD", seenUpdatedAt: conf.updatedAt - 1, at: now + 99) == false)
        _ = try store.markConfirmed(orderId: "CONF-OLD", captured: false, amount: 1, regKey: nil, now: now)
        #expect(try store.order(orderId: "CONF-OLD")?.nextCheckAt == nil)
    }
}
