import Foundation
import LinePayStore
import Testing

/// The event log is append-only, whoever holds a connection (a SQLite trigger, a PL/pgSQL one).
@Suite(.timeLimit(.minutes(5))) struct EventLogTests {

    @Test(arguments: Backend.allCases) func eventsCannotBeUpdatedOrDeleted(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 1)
        try store.appendEvent(orderId: "A1001", kind: "linepay.request", actor: "system", detail: "sent", now: 2)
        let before = try store.events(orderId: "A1001")
        #expect(before.map(\.kind) == ["state.new", "linepay.request"])
        for statement in ["UPDATE events SET detail = 'rewritten'", "UPDATE events SET at = 0 WHERE id = 1",
                          "DELETE FROM events", "DELETE FROM events WHERE kind = 'linepay.request'"] {
            do {
                try store.connection.run(statement)
                Issue.record("\(statement) succeeded")
            } catch {
                #expect("\(error)".contains("events are append-only"), "\(error)")
            }
        }
        #expect(try store.events(orderId: "A1001") == before)
        // Deleting the order is refused too: events refer to it.
        #expect(throws: (any Error).self) { try store.connection.run("DELETE FROM orders") }
    }

    @Test(arguments: Backend.allCases) func appendEventAboutAnOrderOrNothing(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 1)
        try store.appendEvent(orderId: nil, kind: "reconcile.run", actor: "cron", detail: "0 orders", now: 5)
        #expect(throws: OrderStoreError.unknownOrder("ghost")) {
            try store.appendEvent(orderId: "ghost", kind: "x", actor: "y", detail: "z", now: 5)
        }
        let all = try store.connection.query("SELECT kind, actor, order_row FROM events ORDER BY id")
        #expect(all.map { $0.text("kind") } == ["state.new", "reconcile.run"])
        #expect(all[1]["order_row"] == .null)
        #expect(try store.events(orderId: "ghost") == [])
    }
}
