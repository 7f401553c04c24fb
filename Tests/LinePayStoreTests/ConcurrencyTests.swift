import Foundation
import LinePay
import LinePayStore
import Testing

/// Many connections (one per thread, as in the responder) racing for the same change: exactly one wins.
@Suite(.timeLimit(.minutes(5))) struct ConcurrencyTests {
    let threads = 8
    let rounds = 5   // each round a fresh order: more chances for a broken condition to let two through

    @Test(arguments: Backend.allCases) func exactlyOneOfEightConcurrentConfirmsWins(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        for round in 0..<rounds {
            let orderId = "R\(round)"
            let tx = 2016_0000_0000_0000_000 + Int64(round)
            _ = try store.createOrResume(sampleOrder(orderId), sessionId: "s", now: 1)
            _ = try store.beginReserve(orderId: orderId, now: 2)
            _ = try store.markReserved(orderId: orderId, transactionId: tx, paymentUrl: "https://pay.example/x", now: 3)

            let results = race(threads: threads, path: db.path) { store in
                try store.beginConfirm(orderId: orderId, transactionId: tx, now: 4) != nil
            }
            let wins = try results.map { try $0.get() }
            #expect(wins.count == threads)
            #expect(wins.filter { $0 }.count == 1, "round \(round): \(wins)")
            #expect(try store.events(orderId: orderId).filter { $0.kind == "state.confirming" }.count == 1)
            #expect(try store.order(orderId: orderId)?.state == .confirming)
        }
    }

    @Test(arguments: Backend.allCases) func exactlyOneOfEightConcurrentClaimsTakesANotification(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        for round in 0..<rounds {
            try pay(store, sampleOrder("P\(round)"), tx: 100 + Int64(round), at: 10)
            let id = try #require(try store.dueNotifications(now: 10, limit: 100).first { $0.orderId == "P\(round)" }?.id)
            let results = race(threads: threads, path: db.path) { store in
                try store.claimNotification(id: id, now: 20, lease: 60)
            }
            let wins = try results.map { try $0.get() }
            #expect(wins.count == threads)
            #expect(wins.filter { $0 }.count == 1, "round \(round): \(wins)")
            #expect(try store.dueNotifications(now: 79, limit: 100).contains { $0.id == id } == false, "leased")
        }
    }

    @Test(arguments: Backend.allCases) func exactlyOneOfEightConcurrentReconfirmClaimsWins(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        try reserveAndConfirm(store, tx: 42, at: 100)
        let seen = try #require(try store.order(orderId: "A1001")).updatedAt
        let results = race(threads: threads, path: db.path) { store in
            try store.claimReconfirm(orderId: "A1001", seenUpdatedAt: seen, now: seen) != nil
        }
        let wins = try results.map { try $0.get() }
        #expect(wins.count == threads)
        #expect(wins.filter { $0 }.count == 1, "\(wins)")
    }

    @Test(arguments: Backend.allCases) func concurrentHandoffsOfOneCheckoutCreateItOnce(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        _ = try db.open()
        let results = race(threads: threads, path: db.path) { store -> String in
            switch try store.createOrResume(sampleOrder(), sessionId: "s", now: 1) {
            case .created: return "created"
            case .resumed: return "resumed"
            case .conflict: return "conflict"
            }
        }
        let outcomes = try results.map { try $0.get() }.sorted()
        #expect(outcomes == ["created"] + Array(repeating: "resumed", count: threads - 1))
        let store = try db.open()
        #expect(try count("orders", in: store) == 1)
        #expect(try count("items", in: store) == 2)
    }
}
