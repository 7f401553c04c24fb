import Foundation
import LinePay
import PostgreSQL
import SQLite

/// Orders, items, sessions, the event log and the notification outbox in one SQLite file or one PostgreSQL database.
///
/// One per thread (one connection each; not Sendable); the responder's threads, the `linepay` CLI and cron
/// reconcile each open their own on the same file (or database, from several machines). Every state change is a conditional UPDATE inside
/// BEGIN IMMEDIATE, and its caller learns whether it won; the event and the outbox row commit with it.
/// Times are Unix seconds passed in by the caller, so tests and reconciliation control the clock.
public final class OrderStore {
    /// The connection, for callers that need a raw query (admin listings); writes belong in this type.
    public let connection: any SQLDatabase

    private var db: any SQLDatabase { connection }

    /// True inside `inOneTransaction`: the store's methods then join its transaction instead of beginning their own.
    private var joined = false

    /// Opens (creating if needed) the file at `path`, checks that WAL, foreign keys, synchronous=FULL and the
    /// busy timeout are in effect, then migrates. A file path is required (":memory:" has no WAL).
    /// A `postgresql://` URL opens that database instead (no password: see `init(_:)` for one).
    public convenience init(path: String, busyTimeoutMilliseconds: Int32 = 5000) throws {
        if PostgreSQLOptions.isURL(path) {
            try self.init(.postgresql(try PostgreSQLOptions(url: path)))
        } else {
            try self.init(.sqlite(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds))
        }
    }

    /// Opens the store at `location` and migrates it (once, whichever process comes first).
    public init(_ location: StoreLocation) throws {
        switch location {
        case .sqlite(let path, let busyTimeoutMilliseconds):
            connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            try expectPragma("journal_mode", .text("wal"))
            try expectPragma("foreign_keys", .integer(1))
            try expectPragma("synchronous", .integer(2))   // FULL: in WAL, NORMAL may lose commits on power loss
            try expectPragma("busy_timeout", .integer(Int64(busyTimeoutMilliseconds)))
        case .postgresql(let options):
            connection = try PostgreSQLConnection(options: options)
        }
        try Schema.migrate(connection)
    }

    /// The schema version the database records (equal to `schemaVersion` once opened).
    public func storedSchemaVersion() throws -> Int { try connection.userVersion }

    /// The schema version this program writes (PRAGMA user_version after opening).
    public static var schemaVersion: Int { Schema.currentVersion }

    private func expectPragma(_ name: String, _ expected: SQLiteValue) throws {
        let actual = try db.queryOne("PRAGMA \(name)")?.values.first ?? .null
        let matches: Bool
        if case .text(let a) = actual, case .text(let e) = expected { matches = a.lowercased() == e } else { matches = actual == expected }
        guard matches else {
            throw OrderStoreError.pragma(name: name, expected: "\(expected)", actual: "\(actual)")
        }
    }

    // MARK: Transactions

    /// Several of this store's changes committed as one (one transaction, one fsync): every method called inside
    /// `body` joins it instead of beginning its own, and when `body` throws none of them is kept. For changes that
    /// belong together (a LINE Pay answer's event and the transition it causes); never around a LINE Pay call,
    /// whose intent (reserving, confirming) must be on disk before the call is made.
    public func inOneTransaction<T>(_ body: () throws -> T) throws -> T {
        if joined { return try body() }
        joined = true
        defer { joined = false }
        return try connection.immediateTransaction(body)
    }

    /// The store's unit of change: an immediate transaction of its own, or its part of `inOneTransaction`'s.
    func change<T>(_ body: () throws -> T) throws -> T {
        if joined { return try body() }
        return try connection.immediateTransaction(body)
    }

    // MARK: Sessions

    /// Stores a new session valid for `lifetime` seconds; throws (a constraint error) if the id exists.
    public func createSession(id: String, csrfToken: String, now: Int64, lifetime: Int64) throws -> Session {
        try db.run("INSERT INTO sessions (id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?)",
                   [.text(id), .text(csrfToken), .integer(now), .integer(now + lifetime)])
        return Session(id: id, csrfToken: csrfToken, createdAt: now, expiresAt: now + lifetime)
    }

    /// The session, or nil when it is missing or expired (expiresAt <= now).
    public func session(id: String, now: Int64) throws -> Session? {
        try db.queryOne("SELECT * FROM sessions WHERE id = ? AND expires_at > ?", [.text(id), .integer(now)])
            .map(Session.init)
    }

    /// Deletes sessions expired at `now` and returns how many (orders keep their session id as history).
    @discardableResult
    public func deleteExpiredSessions(now: Int64) throws -> Int {
        try db.run("DELETE FROM sessions WHERE expires_at <= ?", [.integer(now)])
    }

    // MARK: Orders

    /// States in which a resumed checkout may follow the shopper's new browser session: nothing is in flight.
    /// Beyond `.new`, only when the session that owns the order has ended (issue 10, attack 2): an order in payment
    /// belongs to the browser that started it, and a handoff re-posted from another browser does not take it over.
    static let rebindableStates: [OrderState] = [.new, .reserved, .cancelled, .failed, .expired]

    /// Creates the order with its items, or: same orderId + same contentDigest -> .resumed (and the order's session becomes
    /// `sessionId` when the state is new, or is reserved, cancelled, failed or expired and the owning session is no longer
    /// live); same orderId + other digest -> .conflict. Nothing is written on conflict; a rebinding writes no event (a
    /// replayed handoff must not grow the log). One immediate transaction. The caller compares the resumed order's
    /// sessionId with its own to learn whether it owns it.
    public func createOrResume(_ order: NewOrder, sessionId: String, now: Int64, actor: String = "system") throws -> CreateResult {
        try change {
            let inserted = try db.run("""
                INSERT INTO orders (order_id, currency, amount, shipping_fee, locale, state, session_id, content_digest,
                                    created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 'new', ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING
                """, [.text(order.orderId), .text(order.currency), .text(Money.format(order.amount)),
                      .text(Money.format(order.shippingFee)), SQLiteValue(order.locale), .text(sessionId),
                      .text(order.contentDigest), .integer(now), .integer(now)])
            if inserted == 1 {
                let rowId = try db.lastInsertRowID
                for (position, item) in order.items.enumerated() {
                    try db.run("""
                        INSERT INTO items (order_row, position, item_id, name, price, quantity, image_url)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, [.integer(rowId), .integer(Int64(position)), SQLiteValue(item.itemId), .text(item.name),
                              .text(Money.format(item.price)), .integer(Int64(item.quantity)), SQLiteValue(item.imageUrl)])
                }
                if order.lineShipping { try db.run("UPDATE orders SET line_shipping = 1 WHERE id = ?", [.integer(rowId)]) }
                try insertEvent(orderRow: rowId, kind: "state.new", actor: actor, now: now,
                                detail: "created: \(Money.format(order.amount)) \(order.currency), \(order.items.count) items")
                return .created(try loadOrder(rowId: rowId))
            }
            guard let existing = try loadOrder(orderId: order.orderId) else {
                throw OrderStoreError.unknownOrder(order.orderId)   // unreachable: the conflict was on this orderId
            }
            guard existing.contentDigest == order.contentDigest else { return .conflict(existing) }
            let states = Self.rebindableStates
            let rebound = try db.run("""
                UPDATE orders SET session_id = ?
                WHERE id = ? AND content_digest = ? AND session_id <> ? AND state IN (\(placeholders(states.count)))
                  AND (state = 'new' OR NOT EXISTS (SELECT 1 FROM sessions WHERE sessions.id = orders.session_id AND expires_at > ?))
                """, [.text(sessionId), .integer(existing.rowId), .text(order.contentDigest), .text(sessionId)]
                     + states.map { .text($0.rawValue) } + [.integer(now)])
            guard rebound == 1 else { return .resumed(existing) }
            return .resumed(try loadOrder(rowId: existing.rowId))
        }
    }

    /// The order with this shop order id, or nil.
    public func order(orderId: String) throws -> Order? {
        try loadOrder(orderId: orderId)
    }

    /// The order whose current attempt has this LINE Pay transaction id, or nil.
    public func order(transactionId: Int64) throws -> Order? {
        try db.queryOne("SELECT * FROM orders WHERE transaction_id = ?", [.integer(transactionId)]).map(order(row:))
    }

    /// The order whose current attempt sent this orderId to LINE Pay, or nil.
    public func order(linePayOrderId: String) throws -> Order? {
        try db.queryOne("SELECT * FROM orders WHERE linepay_order_id = ?", [.text(linePayOrderId)]).map(order(row:))
    }

    // MARK: Helpers shared by the extensions

    func loadOrder(orderId: String) throws -> Order? {
        try db.queryOne("SELECT * FROM orders WHERE order_id = ?", [.text(orderId)]).map(order(row:))
    }

    func loadOrder(rowId: Int64) throws -> Order {
        guard let row = try db.queryOne("SELECT * FROM orders WHERE id = ?", [.integer(rowId)]) else {
            throw OrderStoreError.unknownOrder("#\(rowId)")
        }
        return try order(row: row)
    }

    /// An order from its row, with its items (items never change after creation).
    func order(row: SQLiteRow) throws -> Order {
        let rowId = try row.requiredInt("id", table: "orders")
        let items = try db.query("SELECT * FROM items WHERE order_row = ? ORDER BY position", [.integer(rowId)])
            .map(Item.init)
        return try Order(row: row, items: items)
    }

    func insertEvent(orderRow: Int64?, kind: String, actor: String, now: Int64, detail: String) throws {
        try db.run("INSERT INTO events (order_row, at, kind, actor, detail) VALUES (?, ?, ?, ?, ?)",
                   [SQLiteValue(orderRow), .integer(now), .text(kind), .text(actor), .text(detail)])
    }
}

/// "?, ?, ?" for an IN list of `count` bindings.
func placeholders(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}
