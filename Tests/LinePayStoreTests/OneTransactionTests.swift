import Foundation
@testable import LinePayStore
import Testing

/// `inOneTransaction`: the store's changes inside it commit together, or none of them does.
@Suite(.timeLimit(.minutes(5))) struct OneTransactionTests {
    let tx: Int64 = 2016_0000_0000_0000_002
    struct Refused: Error {}

    @Test(arguments: Backend.allCases) func changesInsideCommitTogetherOrNotAtAll(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 100)
        _ = try #require(try store.beginReserve(orderId: "A1001", now: 101))

        let reserved = try store.inOneTransaction {
            try store.appendEvent(orderId: "A1001", kind: "api.request", actor: "system", detail: "0000", now: 102)
            return try store.markReserved(orderId: "A1001", transactionId: tx, paymentUrl: "https://pay.example/p", now: 102)
        }
        #expect(reserved?.state == .reserved)
        // Another connection sees both: they were committed.
        let other = try db.open()
        #expect(try other.order(orderId: "A1001")?.state == .reserved)
        #expect(try other.events(orderId: "A1001").suffix(2).map(\.kind) == ["api.request", "state.reserved"])

        let eventsBefore = try other.events(orderId: "A1001")
        #expect(throws: Refused.self) {
            try store.inOneTransaction {
                try store.appendEvent(orderId: "A1001", kind: "api.confirm", actor: "system", detail: "x", now: 103)
                #expect(try store.beginConfirm(orderId: "A1001", transactionId: tx, now: 103)?.state == .confirming)
                throw Refused()
            }
        }
        // Neither the event nor the transition before the throw was kept; the store works on as before.
        #expect(try other.events(orderId: "A1001") == eventsBefore)
        #expect(try other.order(orderId: "A1001")?.state == .reserved)
        #expect(try store.beginConfirm(orderId: "A1001", transactionId: tx, now: 104)?.state == .confirming)
        #expect(try other.order(orderId: "A1001")?.state == .confirming, "a store method after it commits on its own again")
    }
}

/// `orderStatus`: the narrow read behind /status says what the whole order says, and whether a session is live.
@Suite(.timeLimit(.minutes(5))) struct OrderStatusTests {
    @Test(arguments: Backend.allCases) func theNarrowReadAgreesWithTheOrder(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        #expect(try store.orderStatus(orderId: "A1001", session: "s1", now: 100) == nil)
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 100)
        func agrees() throws {
            let order = try #require(try store.order(orderId: "A1001"))
            let status = try #require(try store.orderStatus(orderId: "A1001", session: "s1", now: 103)).status
            #expect(status == OrderStatus(rowId: order.rowId, orderId: order.orderId, sessionId: order.sessionId, state: order.state,
                                          transactionId: order.transactionId, createdAt: order.createdAt, reservedAt: order.reservedAt))
        }
        try agrees()
        _ = try #require(try store.beginReserve(orderId: "A1001", now: 101))
        _ = try store.markReserved(orderId: "A1001", transactionId: 2016_0000_0000_0000_003, paymentUrl: "https://pay.example/p", now: 102)
        try agrees()
        let reserved = try #require(try store.orderStatus(orderId: "A1001", session: "s1", now: 103)).status
        #expect(reserved.reservedAt == 102 && reserved.transactionId == 2016_0000_0000_0000_003 && reserved.state == .reserved)
    }

    /// Live only while that session exists and has not expired, on both backends.
    @Test(arguments: Backend.allCases) func theNarrowReadSaysWhetherTheAskedSessionIsLive(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createSession(id: "s1", csrfToken: "c1", now: 100, lifetime: 50)
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 100)
        #expect(try store.orderStatus(orderId: "A1001", session: "s1", now: 120)?.sessionIsLive == true)
        #expect(try store.orderStatus(orderId: "A1001", session: "s1", now: 150)?.sessionIsLive == false, "expired at 150")
        #expect(try store.orderStatus(orderId: "A1001", session: "nobody", now: 120)?.sessionIsLive == false)
        #expect(try store.orderStatus(orderId: "A1001", session: "nobody", now: 120)?.status.sessionId == "s1")
        #expect(try store.orderStatus(orderId: "B9", session: "s1", now: 120) == nil)
    }
}
