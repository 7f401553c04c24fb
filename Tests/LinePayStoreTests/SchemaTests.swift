import Foundation
import LinePay
import LinePayStore
import SQLite
import Testing
import TestSupport

/// Opening, PRAGMAs, migrations and what the schema itself enforces.
@Suite(.timeLimit(.minutes(5))) struct SchemaTests {
    let db = TestDatabase()

    @Test func freshFileMigratesToTheCurrentVersionWithTheSafetyPragmasOn() throws {
        let store = try db.open()
        #expect(try store.connection.userVersion == OrderStore.schemaVersion)
        #expect(OrderStore.schemaVersion >= 3)   // version1, version2, versionTrust
        // A fresh connection, not the one that migrated: the PRAGMAs are per connection.
        let other = try db.open()
        #expect(try other.connection.queryOne("PRAGMA journal_mode")?.text("journal_mode") == "wal")
        #expect(try other.connection.queryOne("PRAGMA foreign_keys")?.int("foreign_keys") == 1)
        #expect(try other.connection.queryOne("PRAGMA synchronous")?.int("synchronous") == 2)
        #expect(try other.connection.queryOne("PRAGMA busy_timeout")?.values.first == .integer(5000))
    }

    @Test func migrationRunsOnceAndKeepsData() throws {
        do {
            let store = try db.open()
            _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 1)
        }
        // Version 1 has no IF NOT EXISTS: re-running it on reopen would throw "table orders already exists".
        let reopened = try db.open()
        #expect(try reopened.connection.userVersion == OrderStore.schemaVersion)
        #expect(try reopened.order(orderId: "A1001")?.items.count == 2)
        #expect(try count("events", in: reopened) == 1)
    }

    @Test func eightConnectionsOpeningANewFileAtOnceMigrateItOnce() throws {
        let results = race(threads: 8, path: db.path) { store in try store.connection.userVersion }
        #expect(results.count == 8)
        for result in results { #expect(try result.get() == OrderStore.schemaVersion) }
    }

    @Test func refusesAFileFromANewerVersion() throws {
        let newer = OrderStore.schemaVersion + 1
        try db.open().connection.setUserVersion(newer)
        #expect(throws: OrderStoreError.schemaTooNew(found: newer, supported: OrderStore.schemaVersion)) { try db.open() }
    }

    @Test func hasTheIndexesAndTriggers() throws {
        let store = try db.open()
        let names = Set(try store.connection.query("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')")
            .compactMap { $0.text("name") })
        for name in ["orders_order_id", "orders_transaction_id", "orders_linepay_order_id", "orders_state_updated",
                     "orders_created", "events_order", "outbox_due", "events_no_update", "events_no_delete"] {
            #expect(names.contains(name), "missing \(name)")
        }
        let unique = try store.connection.query("PRAGMA index_list(orders)").filter { $0.int("unique") == 1 }
            .compactMap { $0.text("name") }
        #expect(unique.contains("orders_order_id"))
        let itemsForeignKeys = try store.connection.query("PRAGMA foreign_key_list(items)")
        #expect(itemsForeignKeys.map { $0.text("table") } == ["orders"])
    }

    @Test func refusesFloatingPointIdsAndMalformedMoney() throws {
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 1)
        let c = store.connection
        // STRICT: an INTEGER column takes no fraction and no text; this module never binds a REAL at all.
        for statement in ["UPDATE orders SET transaction_id = 1.5",
                          "UPDATE orders SET transaction_id = '2016-1'",
                          "UPDATE orders SET attempt = 'one'",
                          // Money is canonical decimal text: no exponent (a REAL turns into '1.0e+300'), no sign.
                          "UPDATE orders SET amount = 1e300",
                          "UPDATE orders SET amount = '1.5e2'",
                          "UPDATE orders SET captured_amount = '-1'",
                          "UPDATE orders SET refunded_amount = ''",
                          "UPDATE items SET price = '1,000'"] {
            #expect(throws: SQLiteError.self, "\(statement) was accepted") { try c.run(statement) }
        }
        #expect(try store.order(orderId: "A1001")?.amount == dec("150.50"))
    }

    @Test func decimalsRoundTripExactlyAsText() throws {
        let store = try db.open()
        for (n, text) in ["150.50", "0.01", "99999999999.99", "0", "1234567890123456.78"].enumerated() {
            var order = sampleOrder("D\(n)", amount: text, shipping: text)
            order.items[0].price = dec(text)
            guard case .created(let created) = try store.createOrResume(order, sessionId: "s", now: 1) else {
                Issue.record("not created"); continue
            }
            let read = try #require(try store.order(orderId: "D\(n)"))
            #expect(read == created)
            #expect(read.amount == dec(text), "\(text) came back as \(read.amount)")
            #expect(read.shippingFee == dec(text))
            #expect(read.items[0].price == dec(text))
            let raw = try #require(try store.connection.queryOne(
                "SELECT amount, typeof(amount) AS t FROM orders WHERE order_id = ?", [.text("D\(n)")]))
            #expect(raw.text("t") == "text")
            #expect(raw.text("amount") == Money.format(dec(text)))
        }
    }

    @Test func int64MaxTransactionIdRoundTrips() throws {
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 1)
        #expect(try store.beginReserve(orderId: "A1001", now: 2) != nil)
        #expect(try store.markReserved(orderId: "A1001", transactionId: Int64.max, paymentUrl: "https://pay.example/x", now: 3) != nil)
        #expect(try store.order(orderId: "A1001")?.transactionId == Int64.max)
        #expect(try store.order(transactionId: Int64.max)?.orderId == "A1001")
        #expect(try store.order(transactionId: Int64.max - 1) == nil)   // as a Double both would be 2^63
        #expect(try store.connection.queryOne("SELECT typeof(transaction_id) AS t FROM orders")?.text("t") == "integer")
        #expect(try store.beginConfirm(orderId: "A1001", transactionId: Int64.max - 1, now: 4) == nil)
        #expect(try store.beginConfirm(orderId: "A1001", transactionId: Int64.max, now: 4) != nil)
    }
}
