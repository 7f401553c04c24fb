import Foundation
import LinePay
import LinePayStore
import SQLite
import Testing
import TestSupport

/// Opening, PRAGMAs, migrations and what the schema itself enforces.
@Suite(.timeLimit(.minutes(5))) struct SchemaTests {

    @Test(arguments: Backend.allCases) func freshFileMigratesToTheCurrentVersionWithTheSafetyPragmasOn(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        #expect(try store.connection.userVersion == OrderStore.schemaVersion)
        #expect(OrderStore.schemaVersion >= 3)   // version1, version2, versionTrust
        guard backend == .sqlite else { return }   // PostgreSQL has no PRAGMAs; its durability is the server's
        // A fresh connection, not the one that migrated: the PRAGMAs are per connection.
        let other = try db.open()
        #expect(try other.connection.queryOne("PRAGMA journal_mode")?.text("journal_mode") == "wal")
        #expect(try other.connection.queryOne("PRAGMA foreign_keys")?.int("foreign_keys") == 1)
        #expect(try other.connection.queryOne("PRAGMA synchronous")?.int("synchronous") == 2)
        #expect(try other.connection.queryOne("PRAGMA busy_timeout")?.values.first == .integer(5000))
    }

    @Test(arguments: Backend.allCases) func migrationRunsOnceAndKeepsData(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
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

    @Test(arguments: Backend.allCases) func eightConnectionsOpeningANewFileAtOnceMigrateItOnce(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let results = race(threads: 8, path: db.path) { store in try store.connection.userVersion }
        #expect(results.count == 8)
        for result in results { #expect(try result.get() == OrderStore.schemaVersion) }
    }

    @Test(arguments: Backend.allCases) func refusesAFileFromANewerVersion(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let newer = OrderStore.schemaVersion + 1
        try db.open().connection.setUserVersion(newer)
        #expect(throws: OrderStoreError.schemaTooNew(found: newer, supported: OrderStore.schemaVersion)) { try db.open() }
    }

    @Test(arguments: Backend.allCases) func hasTheIndexesAndTriggers(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        let c = store.connection
        let names = Set(try c.query(backend == .sqlite
            ? "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')"
            : "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public' UNION SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            .compactMap { $0.text("name") })
        for name in ["orders_order_id", "orders_transaction_id", "orders_linepay_order_id", "orders_state_updated",
                     "orders_created", "events_order", "outbox_due", "events_no_update", "events_no_delete",
                     "operations_open", "daily_sales_update", "orders_open_checks"] {
            #expect(names.contains(name), "missing \(name)")
        }
        // Operations are closed by the transitions in Swift now: the old closing triggers are gone on both backends.
        for gone in ["operations_capture_settled", "operations_charge_settled", "operations_refund_settled"] {
            #expect(!names.contains(gone), "\(gone) is still there")
        }
        let unique = try c.query(backend == .sqlite ? "PRAGMA index_list(orders)"
            : "SELECT indexname AS name, CASE WHEN indexdef LIKE 'CREATE UNIQUE%' THEN 1 ELSE 0 END AS \"unique\" FROM pg_indexes WHERE tablename = 'orders'")
            .filter { $0.int("unique") == 1 }.compactMap { $0.text("name") }
        #expect(unique.contains("orders_order_id"))
        let itemsForeignKeys = try c.query(backend == .sqlite ? "PRAGMA foreign_key_list(items)" : """
            SELECT ccu.table_name AS "table" FROM information_schema.table_constraints AS tc
            JOIN information_schema.constraint_column_usage AS ccu ON ccu.constraint_name = tc.constraint_name
            WHERE tc.table_name = 'items' AND tc.constraint_type = 'FOREIGN KEY'
            """)
        #expect(itemsForeignKeys.map { $0.text("table") } == ["orders"])
    }

    @Test(arguments: Backend.allCases) func refusesFloatingPointIdsAndMalformedMoney(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 1)
        let c = store.connection
        // STRICT: an INTEGER column takes no fraction and no text; this module never binds a REAL at all.
        // (PostgreSQL rounds a numeric literal into a BIGINT and writes 1e300 as its 301 digits, which are decimal
        // text; the store binds integers as int8 and money as text, so neither can reach it from the store.)
        let sqliteOnly: Set<String> = ["UPDATE orders SET transaction_id = 1.5", "UPDATE orders SET amount = 1e300"]
        for statement in ["UPDATE orders SET transaction_id = 1.5",
                          "UPDATE orders SET transaction_id = '2016-1'",
                          "UPDATE orders SET attempt = 'one'",
                          // Money is canonical decimal text: no exponent (a REAL turns into '1.0e+300'), no sign.
                          "UPDATE orders SET amount = 1e300",
                          "UPDATE orders SET amount = '1.5e2'",
                          "UPDATE orders SET captured_amount = '-1'",
                          "UPDATE orders SET refunded_amount = ''",
                          "UPDATE items SET price = '1,000'"] where backend == .sqlite || !sqliteOnly.contains(statement) {
            #expect(throws: (any Error).self, "\(statement) was accepted") { try c.run(statement) }
        }
        #expect(try store.order(orderId: "A1001")?.amount == dec("150.50"))
    }

    @Test(arguments: Backend.allCases) func decimalsRoundTripExactlyAsText(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
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
                "SELECT amount, \(typeOf(backend, "amount")) AS t FROM orders WHERE order_id = ?", [.text("D\(n)")]))
            #expect(raw.text("t") == "text")   // pg_typeof says text too
            #expect(raw.text("amount") == Money.format(dec(text)))
        }
    }

    @Test(arguments: Backend.allCases) func int64MaxTransactionIdRoundTrips(_ backend: Backend) throws {
        let db = try TestDatabase(backend)
        let store = try db.open()
        _ = try store.createOrResume(sampleOrder(), sessionId: "s1", now: 1)
        #expect(try store.beginReserve(orderId: "A1001", now: 2) != nil)
        #expect(try store.markReserved(orderId: "A1001", transactionId: Int64.max, paymentUrl: "https://pay.example/x", now: 3) != nil)
        #expect(try store.order(orderId: "A1001")?.transactionId == Int64.max)
        #expect(try store.order(transactionId: Int64.max)?.orderId == "A1001")
        #expect(try store.order(transactionId: Int64.max - 1) == nil)   // as a Double both would be 2^63
        #expect(try store.connection.queryOne("SELECT \(typeOf(backend, "transaction_id")) AS t FROM orders")?.text("t")
                == (backend == .sqlite ? "integer" : "bigint"))
        #expect(try store.beginConfirm(orderId: "A1001", transactionId: Int64.max - 1, now: 4) == nil)
        #expect(try store.beginConfirm(orderId: "A1001", transactionId: Int64.max, now: 4) != nil)
    }
}

/// The SQL for a column's stored type: SQLite's typeof, PostgreSQL's pg_typeof.
private func typeOf(_ backend: Backend, _ column: String) -> String {
    backend == .sqlite ? "typeof(\(column))" : "pg_typeof(\(column))::text"
}
