import Foundation
import LinePay
import SQLite

/// A transaction as the sandbox keeps it.
struct SandboxTransaction {
    var id: Int64
    var channelId: String
    var orderId: String
    var amount: Decimal
    var currency: String
    var productName: String
    var packagesJSON: String
    var confirmUrl: String
    var confirmUrlType: String
    var cancelUrl: String
    var capture: Bool
    var payType: String
    var locale: String
    var checkBrowser: Bool
    /// reserved, approved, cancelled, failed, authorized, captured, voided (an authorization past its expiry
    /// stays `authorized` in the row: it is judged expired by the sandbox's clock, see `authorizationExpiresAt`).
    var status: String
    var createdAt: Int64
    var browserToken: String?
    var accessToken: String
    var authorizedAmount: Decimal
    var capturedAmount: Decimal
    var refundedAmount: Decimal
    var regKey: String?
    var confirmedAt: Int64?
    /// When an authorization (capture=false) expires: the date confirm answered in authorizationExpireDate.
    var authorizationExpiresAt: Int64?
    /// options.shipping of the Request: SHIPPING with its feeInquiryUrl, or nil (NO_SHIPPING).
    var shippingType: String?
    var feeInquiryURL: String?
    /// What the shopper chose on the payment page: the method and fee from the merchant's answer, and the address
    /// as the JSON `info.shipping.address` answers.
    var shippingMethodId: String?
    var shippingFee: Decimal
    var shippingAddressJSON: String?
    /// The methods the merchant's last inquiry answered (JSON array), for the payment page.
    var shippingMethodsJSON: String?

    /// What Confirm must carry: the requested amount plus the chosen shipping fee.
    var totalWithShipping: Decimal { amount + shippingFee }

    init(row: SQLiteRow) {
        id = row.int("id") ?? 0
        channelId = row.text("channel_id") ?? ""
        orderId = row.text("order_id") ?? ""
        amount = Money.parse(row.text("amount") ?? "0") ?? 0
        currency = row.text("currency") ?? ""
        productName = row.text("product_name") ?? ""
        packagesJSON = row.text("packages_json") ?? "[]"
        confirmUrl = row.text("confirm_url") ?? ""
        confirmUrlType = row.text("confirm_url_type") ?? "CLIENT"
        cancelUrl = row.text("cancel_url") ?? ""
        capture = row.int("capture") != 0
        payType = row.text("pay_type") ?? "NORMAL"
        locale = row.text("locale") ?? "en"
        checkBrowser = row.int("check_browser") != 0
        status = row.text("status") ?? ""
        createdAt = row.int("created_at") ?? 0
        browserToken = row.text("browser_token")
        accessToken = row.text("access_token") ?? ""
        authorizedAmount = Money.parse(row.text("authorized_amount") ?? "0") ?? 0
        capturedAmount = Money.parse(row.text("captured_amount") ?? "0") ?? 0
        refundedAmount = Money.parse(row.text("refunded_amount") ?? "0") ?? 0
        regKey = row.text("reg_key")
        confirmedAt = row.int("confirmed_at")
        // Rows from before the column: the 30 days from confirm that were answered then.
        authorizationExpiresAt = row.int("authorization_expires_at") ?? (capture ? nil : confirmedAt.map { $0 + SandboxWorker.authorizationLifetime })
        shippingType = row.text("shipping_type")
        feeInquiryURL = row.text("fee_inquiry_url")
        shippingMethodId = row.text("shipping_method_id")
        shippingFee = Money.parse(row.text("shipping_fee") ?? "0") ?? 0
        shippingAddressJSON = row.text("shipping_address")
        shippingMethodsJSON = row.text("shipping_methods")
    }
}

/// The sandbox's SQLite file: transactions, refunds, regKeys, nonces, faults and the call log.
/// One instance per thread (one connection each); every change is a conditional update inside BEGIN IMMEDIATE.
final class SandboxStore {
    let db: SQLiteConnection

    init(path: String) throws {
        // NORMAL: a simulator's records need not survive power loss (a killed process loses nothing either way), and
        // its fsyncs competed with the responder's on the same disk in every end-to-end run and bench.
        db = try SQLiteConnection(path: path, synchronous: .normal)
        try migrate()
    }

    private func migrate() throws {
        try db.immediateTransaction {
            if try db.userVersion >= 3 { return }
            if try db.userVersion == 2 { try addShipping(); return }
            if try db.userVersion == 1 {
                try db.execute("ALTER TABLE transactions ADD COLUMN authorization_expires_at INTEGER")
                try addShipping()
                return
            }
            try db.execute("""
            CREATE TABLE IF NOT EXISTS transactions (
              id INTEGER PRIMARY KEY, channel_id TEXT NOT NULL, order_id TEXT NOT NULL, amount TEXT NOT NULL,
              currency TEXT NOT NULL, product_name TEXT NOT NULL, packages_json TEXT NOT NULL, confirm_url TEXT NOT NULL,
              confirm_url_type TEXT NOT NULL, cancel_url TEXT NOT NULL, capture INTEGER NOT NULL, pay_type TEXT NOT NULL,
              locale TEXT NOT NULL, check_browser INTEGER NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL,
              browser_token TEXT, access_token TEXT NOT NULL, authorized_amount TEXT NOT NULL DEFAULT '0',
              captured_amount TEXT NOT NULL DEFAULT '0', refunded_amount TEXT NOT NULL DEFAULT '0', reg_key TEXT,
              confirmed_at INTEGER, authorization_expires_at INTEGER, UNIQUE (channel_id, order_id));
            CREATE UNIQUE INDEX IF NOT EXISTS transactions_token ON transactions(access_token);
            CREATE TABLE IF NOT EXISTS refunds (
              seq INTEGER PRIMARY KEY, id INTEGER NOT NULL UNIQUE, transaction_id INTEGER NOT NULL REFERENCES transactions(id), amount TEXT NOT NULL,
              kind TEXT NOT NULL, created_at INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS refunds_tx ON refunds(transaction_id);
            CREATE TABLE IF NOT EXISTS reg_keys (
              reg_key TEXT PRIMARY KEY, channel_id TEXT NOT NULL, transaction_id INTEGER NOT NULL, currency TEXT NOT NULL,
              status TEXT NOT NULL, created_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS nonces (channel_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_at INTEGER NOT NULL,
              PRIMARY KEY (channel_id, nonce));
            CREATE TABLE IF NOT EXISTS faults (
              id INTEGER PRIMARY KEY, operation TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, remaining INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS calls (
              id INTEGER PRIMARY KEY, at INTEGER NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, query TEXT NOT NULL,
              channel_id TEXT, nonce TEXT, signature_ok INTEGER NOT NULL, verdict TEXT NOT NULL, operation TEXT,
              return_code TEXT, http_status INTEGER NOT NULL, fault TEXT, body TEXT NOT NULL);
            """)
            try addShipping()
        }
    }

    /// Version 3: checkout with the shopper's address (options.shipping, the ShippingMethods inquiry).
    private func addShipping() throws {
        try db.execute("""
            ALTER TABLE transactions ADD COLUMN shipping_type TEXT;
            ALTER TABLE transactions ADD COLUMN fee_inquiry_url TEXT;
            ALTER TABLE transactions ADD COLUMN shipping_method_id TEXT;
            ALTER TABLE transactions ADD COLUMN shipping_fee TEXT;
            ALTER TABLE transactions ADD COLUMN shipping_address TEXT;
            ALTER TABLE transactions ADD COLUMN shipping_methods TEXT;
            """)
        try db.setUserVersion(3)
    }

    func transaction(id: Int64) throws -> SandboxTransaction? {
        try db.queryOne("SELECT * FROM transactions WHERE id = ?", [.integer(id)]).map(SandboxTransaction.init)
    }

    func transaction(token: String) throws -> SandboxTransaction? {
        try db.queryOne("SELECT * FROM transactions WHERE access_token = ?", [.text(token)]).map(SandboxTransaction.init)
    }

    func transactions(channel: String, orderId: String) throws -> [SandboxTransaction] {
        try db.query("SELECT * FROM transactions WHERE channel_id = ? AND order_id = ?", [.text(channel), .text(orderId)])
            .map(SandboxTransaction.init)
    }

    /// Moves a transaction from one status to another; false when it was not in `from` (someone else won).
    func transition(_ id: Int64, from: [String], to: String, extra: String = "", _ bindings: [SQLiteValue] = []) throws -> Bool {
        let placeholders = from.map { _ in "?" }.joined(separator: ",")
        let set = extra.isEmpty ? "status = ?" : "status = ?, \(extra)"
        let changed = try db.run("UPDATE transactions SET \(set) WHERE id = ? AND status IN (\(placeholders))",
                                 [.text(to)] + bindings + [.integer(id)] + from.map { .text($0) })
        return changed == 1
    }

    func refunds(of id: Int64) throws -> [SQLiteRow] {
        try db.query("SELECT * FROM refunds WHERE transaction_id = ? ORDER BY seq", [.integer(id)])
    }

    func refund(id: Int64) throws -> SQLiteRow? {
        try db.queryOne("SELECT * FROM refunds WHERE id = ?", [.integer(id)])
    }

    /// Records a nonce; false when the channel used it before.
    func useNonce(channel: String, nonce: String, at: Int64) throws -> Bool {
        try db.run("INSERT OR IGNORE INTO nonces (channel_id, nonce, seen_at) VALUES (?, ?, ?)",
                   [.text(channel), .text(nonce), .integer(at)]) == 1
    }

    /// Takes one use of the first armed fault for `operation`, if any.
    func takeFault(operation: String) throws -> (kind: String, value: String)? {
        // Nearly every call finds none: a plain read first, and a write transaction (a commit) only when one is armed.
        guard try db.queryOne("SELECT 1 AS armed FROM faults WHERE operation IN (?, '*') AND remaining > 0 LIMIT 1",
                              [.text(operation)]) != nil else { return nil }
        return try db.immediateTransaction {
            guard let row = try db.queryOne("SELECT * FROM faults WHERE operation IN (?, '*') AND remaining > 0 ORDER BY id LIMIT 1",
                                            [.text(operation)]) else { return nil }
            try db.run("UPDATE faults SET remaining = remaining - 1 WHERE id = ?", [row["id"]])
            return (row.text("kind") ?? "", row.text("value") ?? "")
        }
    }

    func logCall(_ call: CallRecord) throws {
        try db.run("""
            INSERT INTO calls (at, method, path, query, channel_id, nonce, signature_ok, verdict, operation, return_code,
                               http_status, fault, body) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
            """, [.integer(call.at), .text(call.method), .text(call.path), .text(call.query), SQLiteValue(call.channelId),
                  SQLiteValue(call.nonce), .integer(call.signatureOK ? 1 : 0), .text(call.verdict), SQLiteValue(call.operation),
                  SQLiteValue(call.returnCode), .integer(Int64(call.httpStatus)), SQLiteValue(call.fault), .text(call.body)])
    }
}

/// One call received on the API (v3 or v4), with the sandbox's verdict on it.
struct CallRecord {
    var at: Int64
    var method: String
    var path: String
    var query: String
    var channelId: String?
    var nonce: String?
    var signatureOK: Bool
    var verdict: String
    var operation: String?
    var returnCode: String?
    var httpStatus: Int
    var fault: String?
    var body: String
}

/// A 19-digit id above 2^53 from the CSPRNG (LINE Pay's ids are 19 digits).
func newTransactionID() -> Int64 {
    let bytes = secureRandomBytes(8)
    let r = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    return 1_000_000_000_000_000_000 + Int64(r % 8_000_000_000_000_000_000)
}
