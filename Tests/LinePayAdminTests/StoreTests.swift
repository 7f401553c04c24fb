import Foundation
import LinePay
import LinePayCheckout
@testable import LinePayStore
import SQLite
import Testing
import TestSupport

/// The store's side of issue 5, without LINE Pay: operations are checked and recorded before any call, closed by
/// the ledger change that proves them, one open per order; the sales table stays exact, also after an upgrade.
@Suite(.timeLimit(.minutes(5))) struct StoreTests {
    /// The store records what the core's rules decide, under its write lock.
    func begin(_ store: OrderStore, _ r: OperationRequest, now: Int64) throws -> BeginOperationResult {
        try store.beginOperation(r, now: now, rules: { PaymentCore.check(r.kind, $0, open: $1, amount: $2) })
    }

    let path = makeTemporaryDirectory("store") + "/orders.sqlite"

    /// A paid order of 360 TWD (transaction 9001).
    func paidOrder(_ store: OrderStore, _ orderId: String = "P-1", createdAt: Int64 = 1_700_000_000) throws {
        let order = NewOrder(orderId: orderId, currency: "TWD", amount: 360, items: [NewItem(name: "Tea", price: 120, quantity: 3)], contentDigest: "d")
        _ = try store.createOrResume(order, sessionId: "s", now: createdAt)
        _ = try store.beginReserve(orderId: orderId, now: createdAt)
        _ = try store.markReserved(orderId: orderId, transactionId: 9000 + createdAt % 1000, paymentUrl: "https://pay.example/x", now: createdAt)
        _ = try store.beginConfirm(orderId: orderId, transactionId: 9000 + createdAt % 1000, now: createdAt)
        _ = try store.markConfirmed(orderId: orderId, captured: true, amount: 360, regKey: nil, now: createdAt)
    }

    @Test func refundsAreCheckedUnderTheLockAndClosedByTheLedger() throws {
        let store = try OrderStore(path: path)
        try paidOrder(store)
        func refund(_ key: String, _ amount: Decimal?) throws -> BeginOperationResult {
            try begin(store, OperationRequest(idempotencyKey: key, orderId: "P-1", kind: .refund, amount: amount, actor: "t"), now: 10)
        }
        guard case .started(let op, _) = try refund("k1", 100) else { Issue.record("not started"); return }
        #expect(op.state == .pending && op.amount == 100)
        // While it is open, nothing else starts (and the index would refuse a second open row anyway).
        guard case .rejected(let busy) = try refund("k2", 10) else { Issue.record("not rejected"); return }
        #expect(busy.summary.contains("in progress"))
        #expect(throws: SQLiteError.self) {
            try store.connection.run("UPDATE operations SET state = 'unknown' WHERE idempotency_key = 'k2'")
        }
        #expect(try refund("k1", 100) == .existing(op))
        guard case .keyReused = try begin(store, OperationRequest(idempotencyKey: "k1", orderId: "P-1", kind: .capture, actor: "t"), now: 10)
        else { Issue.record("key reuse not noticed"); return }
        // Recording the refund closes the operation in the same transaction.
        #expect(try store.markRefunded(orderId: "P-1", amount: 100, refundTransactionId: 77, now: 11) != nil)
        let closed = try #require(try store.operation(idempotencyKey: "k1"))
        #expect(closed.state == .done && closed.refundTransactionId == 77)
        // Never above what remains; nil means all that remains.
        guard case .rejected(let tooMuch) = try refund("k3", 261) else { Issue.record("261 accepted"); return }
        #expect(tooMuch.summary.contains("at most the 260 TWD that remains"))
        guard case .started(let rest, _) = try refund("k4", nil) else { Issue.record("rest not started"); return }
        #expect(rest.amount == 260)
        // A refund of another amount does not close it: only the ledger row of its own amount does.
        #expect(try store.markRefunded(orderId: "P-1", amount: 10, refundTransactionId: 78, now: 12) != nil)
        #expect(try store.operation(idempotencyKey: "k4")?.state == .pending)
        #expect(try store.markOperationNotDone(id: rest.id, reason: "test", now: 12, actor: "t"))
        #expect(try store.operation(idempotencyKey: "k4")?.state == .not_done)
        #expect(try store.events(orderId: "P-1").filter { $0.kind == "admin.refund" }.count == 4)
    }

    @Test func captureAndVoidAreClosedByTheirTransition() throws {
        let store = try OrderStore(path: path)
        let order = NewOrder(orderId: "A-1", currency: "USD", amount: dec("10.50"), items: [NewItem(name: "Tea", price: dec("10.50"), quantity: 1)], contentDigest: "d")
        _ = try store.createOrResume(order, sessionId: "s", now: 1)
        _ = try store.beginReserve(orderId: "A-1", now: 1)
        _ = try store.markReserved(orderId: "A-1", transactionId: 5, paymentUrl: "https://pay.example/x", now: 1)
        _ = try store.beginConfirm(orderId: "A-1", transactionId: 5, now: 1)
        _ = try store.markConfirmed(orderId: "A-1", captured: false, amount: dec("10.50"), regKey: nil, now: 1)
        guard case .rejected(let cents) = try begin(store, OperationRequest(idempotencyKey: "c0", orderId: "A-1", kind: .capture,
                                                                                    amount: dec("1.005"), actor: "t"), now: 2)
        else { Issue.record("three decimals accepted"); return }
        #expect(cents.summary.contains("USD takes at most 2 decimals"))
        guard case .started(let capture, _) = try begin(store, OperationRequest(idempotencyKey: "c1", orderId: "A-1", kind: .capture,
                                                                                        amount: dec("10.25"), actor: "t"), now: 2)
        else { Issue.record("capture not started"); return }
        #expect(try store.markCaptured(orderId: "A-1", amount: dec("10.25"), now: 3) != nil)
        #expect(try store.operation(idempotencyKey: "c1")?.state == .done)
        _ = capture
        guard case .rejected(let void) = try begin(store, OperationRequest(idempotencyKey: "v1", orderId: "A-1", kind: .void, actor: "t"), now: 4)
        else { Issue.record("void after capture accepted"); return }
        #expect(void.summary.contains("refund it instead"))
    }

    @Test func theSalesTableIsExactAndFollowsEveryChange() throws {
        let store = try OrderStore(path: path)
        try paidOrder(store, "S-1", createdAt: 1_700_000_000)
        try paidOrder(store, "S-2", createdAt: 1_700_000_100)
        _ = try store.markRefunded(orderId: "S-2", amount: dec("0.5"), refundTransactionId: 1, now: 1_700_000_200)
        #expect(try store.dailySales(since: 1_699_990_000) == [DailySales(day: 1_700_000_000 / 86400 * 86400, currency: "TWD", net: dec("719.5"), orders: 2)])
        _ = try store.markRefunded(orderId: "S-2", amount: dec("359.5"), refundTransactionId: 2, now: 1_700_000_300)
        #expect(try store.dailySales(since: 1_699_990_000).first?.net == 360)
        #expect(try store.dailySales(since: 1_700_100_000).isEmpty)
    }

    @Test func upgradingAVersion1FileFillsTheSalesTable() throws {
        do {
            let old = try SQLiteConnection(path: path)
            try old.execute(Schema.migrations[0])
            try old.setUserVersion(1)
            for (i, (captured, refunded, state)) in [("360", "0", "paid"), ("150.5", "0.25", "partially_refunded"), ("99", "0", "authorized")].enumerated() {
                try old.run("""
                    INSERT INTO orders (order_id, currency, amount, shipping_fee, state, session_id, content_digest, created_at, updated_at,
                                        captured_amount, refunded_amount)
                    VALUES (?, 'THB', ?, '0', ?, 's', 'd', 86400, 86400, ?, ?)
                    """, [.text("V-\(i)"), .text(captured), .text(state), .text(captured), .text(refunded)])
            }
        }
        let store = try OrderStore(path: path)
        #expect(try store.connection.userVersion == OrderStore.schemaVersion)
        #expect(try store.dailySales(since: 0) == [DailySales(day: 86400, currency: "THB", net: dec("510.25"), orders: 2)])
    }

    /// versionTrust on a version-2 file: waiting notifications get their per-order seq and the order's totals, and
    /// admin sessions made before credential fingerprints no longer match any credential.
    @Test func upgradingAVersion2FileNumbersTheOutboxAndVoidsOldAdminSessions() throws {
        do {
            let old = try SQLiteConnection(path: path)
            try old.execute(Schema.migrations[0])
            try old.execute(Schema.migrations[1])
            try old.setUserVersion(2)
            for (i, order) in ["A", "B"].enumerated() {
                try old.run("""
                    INSERT INTO orders (id, order_id, currency, amount, shipping_fee, state, session_id, content_digest, created_at, updated_at,
                                        authorized_amount, captured_amount, refunded_amount)
                    VALUES (?, ?, 'TWD', '360', '0', 'partially_refunded', 's', 'd', 1, 1, '360', '360', '100')
                    """, [.integer(Int64(i + 1)), .text(order)])
            }
            for (row, order, status) in [(1, "A", "paid"), (2, "B", "paid"), (1, "A", "partially_refunded")] {
                try old.run("INSERT INTO outbox (order_row, order_id, status, amount, event_at, next_at) VALUES (?, ?, ?, '360', 1, 1)",
                            [.integer(Int64(row)), .text(order), .text(status)])
            }
            try old.run("INSERT INTO admin_sessions (id, user, csrf_token, created_at, expires_at) VALUES ('old', 'admin', 'c', 1, 9999999999)")
        }
        let store = try OrderStore(path: path)
        let rows = try store.connection.query("SELECT order_id || ' ' || seq || ' ' || captured || ' ' || refunded AS d FROM outbox ORDER BY id")
        #expect(rows.compactMap { $0.text("d") } == ["A 1 360 100", "B 1 360 100", "A 2 360 100"])
        #expect(try store.adminSession(id: "old", now: 2)?.credential == "")
    }
}

func dec(_ s: String) -> Decimal { Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))! }
