import Foundation
import LinePay
import PostgreSQL
import SQLite

/// `linepay migrate`: every row of every table from one store (a shop's SQLite file) into another that is empty (a
/// new PostgreSQL database), in one transaction on the target, then counted and summed on both sides.
public enum StoreCopy {
    /// Foreign keys point backwards in this list, so each table's rows find the rows they refer to.
    public static let tables = ["sessions", "orders", "items", "refunds", "events", "outbox", "admin_sessions",
                                "admin_login_failures", "operations", "leases", "regkey_states", "payment_snapshots",
                                "daily_sales", "counters", "shipping_quotes"]
    /// Tables whose id PostgreSQL draws from an identity: copied with their ids, then the identity moves past them.
    static let identityTables = ["orders", "events", "outbox", "admin_login_failures", "operations"]

    /// One figure on both sides.
    public struct Figure: Sendable, Equatable {
        public let name: String
        public let source: String
        public let target: String
        public var matches: Bool { source == target }
    }

    /// Copies `source` into `target` (which must hold no orders), then compares. Triggers on the target are off
    /// during the copy (the rows already hold their effects: daily_sales, settled operations) and on again before
    /// COMMIT; foreign keys stay on. Returns the figures; throws when any differs (the copy is then rolled back).
    public static func copy(from source: OrderStore, to target: OrderStore, progress: (String) -> Void = { _ in }) throws -> [Figure] {
        let s = source.connection, t = target.connection
        guard t.dialect == .postgresql else { throw OrderStoreError.copy("the target must be a PostgreSQL database") }
        guard try t.queryOne("SELECT count(*) AS n FROM orders")?.int("n") == 0 else {
            throw OrderStoreError.copy("the target database already holds orders: migrate into an empty database")
        }
        return try t.immediateTransaction {
            for table in tables { try t.execute("ALTER TABLE \(table) DISABLE TRIGGER USER") }
            for table in tables {
                let n = try copyTable(table, from: s, to: t)
                progress("\(table): \(n) rows")
            }
            for table in identityTables {
                try t.execute("SELECT setval(pg_get_serial_sequence('\(table)', 'id'), coalesce((SELECT max(id) FROM \(table)), 0) + 1, false)")
            }
            for table in tables { try t.execute("ALTER TABLE \(table) ENABLE TRIGGER USER") }
            let figures = try compare(s, t)
            if let bad = figures.first(where: { !$0.matches }) {
                throw OrderStoreError.copy("\(bad.name) is \(bad.source) in the source but \(bad.target) in the target; nothing was kept")
            }
            return figures
        }
    }

    /// Rows in batches of one multi-row INSERT (under PostgreSQL's 65535 parameters), ids as they were.
    private static func copyTable(_ table: String, from s: any SQLDatabase, to t: any SQLDatabase) throws -> Int {
        let rows = try s.query("SELECT * FROM \(table)" + (table == "daily_sales" ? " ORDER BY day, currency" : ""))
        guard let first = rows.first else { return 0 }
        let columns = first.columns
        let perBatch = max(1, 20_000 / columns.count)
        let overriding = identityTables.contains(table) ? " OVERRIDING SYSTEM VALUE" : ""
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        var start = 0
        while start < rows.count {
            let batch = rows[start..<min(start + perBatch, rows.count)]
            let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", ")))\(overriding) VALUES "
                + Array(repeating: tuple, count: batch.count).joined(separator: ", ")
            try t.run(sql, batch.flatMap(\.values))
            start += batch.count
        }
        return rows.count
    }

    /// Row counts of every table; the sums of the order amounts (exact decimals), of item lines, refunds and the
    /// sales chart; the highest ids and transaction ids.
    public static func compare(_ s: any SQLDatabase, _ t: any SQLDatabase) throws -> [Figure] {
        var figures: [Figure] = []
        for table in tables {
            figures.append(Figure(name: "\(table) rows", source: try count(s, table), target: try count(t, table)))
        }
        for column in ["amount", "shipping_fee", "authorized_amount", "captured_amount", "refunded_amount"] {
            figures.append(Figure(name: "sum of orders.\(column)", source: try sum(s, "SELECT \(column) AS v FROM orders"),
                                  target: try sum(t, "SELECT \(column) AS v FROM orders")))
        }
        figures.append(Figure(name: "sum of refunds.amount", source: try sum(s, "SELECT amount AS v FROM refunds"),
                              target: try sum(t, "SELECT amount AS v FROM refunds")))
        figures.append(Figure(name: "sum of item lines", source: try sum(s, "SELECT price AS v, quantity AS q FROM items"),
                              target: try sum(t, "SELECT price AS v, quantity AS q FROM items")))
        for (name, sql) in [("sum of daily_sales.net", "SELECT coalesce(sum(net), 0) AS n FROM daily_sales"),
                            ("max orders.id", "SELECT coalesce(max(id), 0) AS n FROM orders"),
                            ("max events.id", "SELECT coalesce(max(id), 0) AS n FROM events"),
                            ("max orders.transaction_id", "SELECT coalesce(max(transaction_id), 0) AS n FROM orders")] {
            figures.append(Figure(name: name, source: try integer(s, sql), target: try integer(t, sql)))
        }
        return figures
    }

    private static func count(_ db: any SQLDatabase, _ table: String) throws -> String {
        try integer(db, "SELECT count(*) AS n FROM \(table)")
    }

    private static func integer(_ db: any SQLDatabase, _ sql: String) throws -> String {
        guard let row = try db.queryOne(sql) else { return "?" }
        if let v = row.int("n") { return String(v) }
        return row.text("n") ?? "?"
    }

    /// An exact Decimal sum in Swift (never the database's floating point), times `q` when the query has one.
    private static func sum(_ db: any SQLDatabase, _ sql: String) throws -> String {
        var total = Decimal(0)
        for row in try db.query(sql) {
            guard let text = row.text("v"), let v = Money.parse(text) ?? Money.parse(String(text.drop(while: { $0 == "-" }))).map({ -$0 })
            else { throw OrderStoreError.copy("\(sql): '\(row["v"])' is not an amount") }
            let q = row.columns.contains("q") ? Decimal(row.int("q") ?? 0) : Decimal(1)
            total += v * q
        }
        return Money.format(total)
    }
}
