import Foundation
import LinePay
import SQLite

/// What the admin pages and the `linepay` command need besides orders: admin sessions, login throttling that holds
/// across threads and processes, reconcile leases, regKeys and payment-details snapshots. Each write is one
/// BEGIN IMMEDIATE (or one statement) whose effect the caller can check.
extension OrderStore {
    // MARK: Admin sessions

    /// Stores a new admin session valid for `lifetime` seconds; throws (a constraint error) if the id exists.
    public func createAdminSession(id: String, user: String, csrfToken: String, now: Int64, lifetime: Int64,
                                   credential: String = "") throws {
        try connection.run("""
            INSERT INTO admin_sessions (id, user, csrf_token, created_at, expires_at, credential) VALUES (?, ?, ?, ?, ?, ?)
            """, [.text(id), .text(user), .text(csrfToken), .integer(now), .integer(now + lifetime), .text(credential)])
    }

    /// The live admin session with this id, or nil when missing or expired.
    public func adminSession(id: String, now: Int64) throws -> AdminSession? {
        try connection.queryOne("SELECT * FROM admin_sessions WHERE id = ? AND expires_at > ?", [.text(id), .integer(now)])
            .map(AdminSession.init)
    }

    /// Ends a session (logout, or the old session at a new login); also drops every expired one.
    public func deleteAdminSession(id: String, now: Int64) throws {
        try change {
            _ = try connection.run("DELETE FROM admin_sessions WHERE id = ? OR expires_at <= ?", [.text(id), .integer(now)])
        }
    }

    /// Drops every expired admin session (called when a new one is made, so they never pile up).
    public func deleteExpiredAdminSessions(now: Int64) throws {
        _ = try connection.run("DELETE FROM admin_sessions WHERE expires_at <= ?", [.integer(now)])
    }

    // MARK: Login throttling: OrderStore+Trust.swift (beginLoginAttempt records an attempt before its hash runs)

    // MARK: Leases

    /// Takes the lease `name` until `now + seconds` for `holder` unless another holder has it; true when taken.
    /// Reconcile runs use one per order and per operation, so two runs never settle the same thing at once.
    public func claimLease(_ name: String, holder: String, now: Int64, seconds: Int64) throws -> Bool {
        try change {
            try connection.run("""
                INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until WHERE leases.until <= ?
                """, [.text(name), .text(holder), .integer(now + seconds), .integer(now)]) == 1
        }
    }

    /// Gives a lease back (only the holder's).
    public func releaseLease(_ name: String, holder: String) throws {
        _ = try connection.run("DELETE FROM leases WHERE name = ? AND holder = ?", [.text(name), .text(holder)])
    }

    // MARK: RegKeys

    /// Every regKey issued at a confirm, newest first.
    public func regKeys(limit: Int = 200) throws -> [RegKeyRecord] {
        try connection.query("SELECT * FROM regkeys ORDER BY created_at DESC, order_row DESC LIMIT ?", [.integer(Int64(limit))])
            .map(RegKeyRecord.init)
    }

    /// The regKey issued at the confirm of `orderId`, or nil when that order has none.
    public func regKey(orderId: String) throws -> RegKeyRecord? {
        try connection.queryOne("SELECT * FROM regkeys WHERE order_id = ?", [.text(orderId)]).map(RegKeyRecord.init)
    }

    /// Records the answer of a check or an expiry for the regKey of `orderId`, with an event (the key itself is
    /// never written to the log). `expired` true marks it expired for good.
    public func recordRegKey(orderId: String, expired: Bool, result: String, kind: String, actor: String, now: Int64) throws {
        try change {
            guard let key = try connection.queryOne("SELECT order_row FROM regkeys WHERE order_id = ?", [.text(orderId)])?
                .int("order_row") else { throw OrderStoreError.unknownOrder(orderId) }
            try connection.run("""
                INSERT INTO regkey_states (order_row, status, checked_at, check_result, expired_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (order_row) DO UPDATE SET checked_at = excluded.checked_at, check_result = excluded.check_result,
                  status = CASE WHEN regkey_states.status = 'expired' THEN 'expired' ELSE excluded.status END,
                  expired_at = coalesce(regkey_states.expired_at, excluded.expired_at)
                """, [.integer(key), .text(expired ? "expired" : "active"), .integer(now), .text(result),
                      expired ? .integer(now) : .null])
            try insertEvent(orderRow: key, kind: kind, actor: actor, now: now, detail: result)
        }
    }

    // MARK: Payment details snapshots

    /// Keeps what payment details said for the order, replacing the previous snapshot.
    public func saveSnapshot(orderId: String, _ snapshot: PaymentSnapshot, now: Int64) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = String(decoding: try encoder.encode(snapshot), as: UTF8.self)
        try change {
            guard let row = try connection.queryOne("SELECT id FROM orders WHERE order_id = ?", [.text(orderId)])?.int("id") else {
                throw OrderStoreError.unknownOrder(orderId)
            }
            try connection.run("""
                INSERT INTO payment_snapshots (order_row, fetched_at, body) VALUES (?, ?, ?)
                ON CONFLICT (order_row) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body
                """, [.integer(row), .integer(now), .text(body)])
        }
    }

    /// The last snapshot of the order's payment details, or nil.
    public func snapshot(orderRowId: Int64) throws -> PaymentSnapshot? {
        guard let row = try connection.queryOne("SELECT * FROM payment_snapshots WHERE order_row = ?", [.integer(orderRowId)]),
              let body = row.text("body") else { return nil }
        var s = try JSONDecoder().decode(PaymentSnapshot.self, from: Data(body.utf8))
        s.fetchedAt = row.int("fetched_at") ?? 0
        return s
    }

    // MARK: Notifications

    /// Makes every undelivered notification that is waiting out a backoff due now (`linepay notify`). Rows under a
    /// worker's lease without a failure yet are left alone; a notification may still reach the shop twice, which
    /// the shop handles anyway (it carries the status and the totals, not a change).
    @discardableResult
    public func makeNotificationsDue(now: Int64) throws -> Int {
        try change {
            try connection.run("UPDATE outbox SET next_at = ? WHERE delivered_at IS NULL AND next_at > ? AND attempts > 0",
                               [.integer(now), .integer(now)])
        }
    }

    /// How many notifications the shop has not acknowledged yet.
    public func undeliveredNotifications() throws -> Int {
        Int(try connection.queryOne("SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL")?.int("n") ?? 0)
    }

    // MARK: Development data

    /// Inserts `count` synthetic paid orders (one item each) in one transaction, spread over the last `days` days,
    /// with order ids `SEED-<tag>-0000001`... and transaction ids above every stored one. For `make bench` only.
    @discardableResult
    public func seed(count: Int, days: Int64, tag: String, now: Int64) throws -> Int {
        guard count > 0 else { return 0 }
        return try change {
            let base = (try connection.queryOne("SELECT coalesce(max(transaction_id), 0) AS m FROM orders")?.int("m") ?? 0)
                + 1_000_000
            let prefix = "SEED-\(tag)-"
            let inserted = try connection.run("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?),
                  s AS (SELECT i, CAST(100 + (i * 37) % 4900 AS TEXT) AS amount, ? - (i * 7919) % ? AS at FROM n)
                INSERT INTO orders (order_id, currency, amount, shipping_fee, state, previous_state, attempt, linepay_order_id,
                                    transaction_id, session_id, content_digest, created_at, updated_at, reserved_at,
                                    authorized_amount, captured_amount)
                SELECT printf('%s%07d', ?, i), 'TWD', amount, '0', 'paid', 'confirming', 1, printf('%s%07d', ?, i),
                       ? + i, 'seed', 'seed', at, at, at, amount, amount
                FROM s
                """, [.integer(Int64(count)), .integer(now), .integer(max(1, days) * 86400), .text(prefix), .text(prefix), .integer(base)])
            try connection.run("""
                INSERT INTO items (order_row, position, item_id, name, price, quantity, image_url)
                SELECT id, 0, NULL, 'Seed item', amount, 1, NULL FROM orders WHERE order_id >= ? AND order_id < ?
                """, [.text(prefix), .text(prefix + "~")])
            return inserted
        }
    }

    /// Whether `text` is 1 to 100 characters of A-Z a-z 0-9 _ - (what orderIds are made of).
    public static func isOrderIdText(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 100 && text.utf8.allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        }
    }
}
