import SQLite

/// The store's schema as migration steps, tracked by PRAGMA user_version (PostgreSQL: the schema_version table).
enum Schema {
    /// Step i brings a database from user_version i to i + 1. A new version is one more element at the end;
    /// a shipped step is never edited (files in the field already ran it).
    static let migrations: [String] = [version1, version2, version3, versionTrust, versionShipping]

    /// The version this program writes.
    static var currentVersion: Int { migrations.count }

    /// Applies the missing steps, each in its own BEGIN IMMEDIATE, re-reading user_version under the write lock
    /// so that processes opening the same new file at once migrate it exactly once.
    /// On PostgreSQL the same steps in its SQL (`PostgreSQLSchema`), under its migration advisory lock, each step in
    /// its own transaction (PostgreSQL's DDL is transactional: a failed step leaves the version where it was).
    static func migrate(_ db: any SQLDatabase) throws {
        let steps = db.dialect == .postgresql ? PostgreSQLSchema.migrations : migrations
        precondition(steps.count == migrations.count, "one PostgreSQL step per SQLite step")
        let found = try db.userVersion
        guard found <= currentVersion else { throw OrderStoreError.schemaTooNew(found: found, supported: currentVersion) }
        guard found < currentVersion else { return }
        try db.withMigrationLock {
            for (index, script) in steps.enumerated() where index >= found {
                try db.immediateTransaction {
                    guard try db.userVersion == index else { return }   // another connection got here first
                    try db.execute(script)
                    try db.setUserVersion(index + 1)
                }
            }
        }
        let now = try db.userVersion
        guard now == currentVersion else { throw OrderStoreError.schemaTooNew(found: now, supported: currentVersion) }
    }

    // STRICT tables: an INTEGER column refuses REAL (transaction ids stay exact), a TEXT column stays text.
    // Money is decimal TEXT from Money.format; the CHECKs refuse anything else (a REAL, an exponent, a sign).
    // No CHECK on state names: SQLite cannot alter a CHECK, and a new state would then need a table rebuild;
    // reading an unknown state throws instead.
    private static let version1 = """
        CREATE TABLE sessions (
          id TEXT PRIMARY KEY,
          csrf_token TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX sessions_expires ON sessions(expires_at);

        CREATE TABLE orders (
          id INTEGER PRIMARY KEY,
          order_id TEXT NOT NULL,
          currency TEXT NOT NULL,
          amount TEXT NOT NULL CHECK (amount GLOB '[0-9]*' AND amount NOT GLOB '*[^0-9.]*'),
          shipping_fee TEXT NOT NULL CHECK (shipping_fee GLOB '[0-9]*' AND shipping_fee NOT GLOB '*[^0-9.]*'),
          locale TEXT,
          state TEXT NOT NULL,
          previous_state TEXT,
          attempt INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),
          linepay_order_id TEXT,
          transaction_id INTEGER,
          payment_url TEXT,
          session_id TEXT NOT NULL,
          content_digest TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          reserved_at INTEGER,
          authorized_amount TEXT NOT NULL DEFAULT '0'
            CHECK (authorized_amount GLOB '[0-9]*' AND authorized_amount NOT GLOB '*[^0-9.]*'),
          captured_amount TEXT NOT NULL DEFAULT '0'
            CHECK (captured_amount GLOB '[0-9]*' AND captured_amount NOT GLOB '*[^0-9.]*'),
          refunded_amount TEXT NOT NULL DEFAULT '0'
            CHECK (refunded_amount GLOB '[0-9]*' AND refunded_amount NOT GLOB '*[^0-9.]*'),
          reg_key TEXT,
          last_check_at INTEGER,
          last_error TEXT
        ) STRICT;
        CREATE UNIQUE INDEX orders_order_id ON orders(order_id);
        -- Unique: one LINE Pay transaction belongs to one order, and LINE Pay itself refuses a reused orderId.
        CREATE UNIQUE INDEX orders_transaction_id ON orders(transaction_id);
        CREATE UNIQUE INDEX orders_linepay_order_id ON orders(linepay_order_id);
        CREATE INDEX orders_state_updated ON orders(state, updated_at);
        CREATE INDEX orders_created ON orders(created_at);

        CREATE TABLE items (
          order_row INTEGER NOT NULL REFERENCES orders(id),
          position INTEGER NOT NULL,
          item_id TEXT,
          name TEXT NOT NULL,
          price TEXT NOT NULL CHECK ((price GLOB '[0-9]*' OR price GLOB '-[0-9]*') AND substr(price, 2) NOT GLOB '*[^0-9.]*'),
          quantity INTEGER NOT NULL,
          image_url TEXT,
          PRIMARY KEY (order_row, position)
        ) STRICT;

        -- Each LINE Pay refund once: a repeated markRefunded for the same refund transaction changes nothing.
        CREATE TABLE refunds (
          refund_transaction_id INTEGER PRIMARY KEY,
          order_row INTEGER NOT NULL REFERENCES orders(id),
          amount TEXT NOT NULL CHECK (amount GLOB '[0-9]*' AND amount NOT GLOB '*[^0-9.]*'),
          at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX refunds_order ON refunds(order_row);

        CREATE TABLE events (
          id INTEGER PRIMARY KEY,
          order_row INTEGER REFERENCES orders(id),
          at INTEGER NOT NULL,
          kind TEXT NOT NULL,
          actor TEXT NOT NULL,
          detail TEXT NOT NULL
        ) STRICT;
        CREATE INDEX events_order ON events(order_row, id);
        -- The audit trail is append-only: even a connection that bypasses this module cannot rewrite it.
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
          BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
          BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

        CREATE TABLE outbox (
          id INTEGER PRIMARY KEY,
          order_row INTEGER NOT NULL REFERENCES orders(id),
          order_id TEXT NOT NULL,
          status TEXT NOT NULL,
          transaction_id INTEGER,
          amount TEXT NOT NULL CHECK (amount GLOB '[0-9]*' AND amount NOT GLOB '*[^0-9.]*'),
          event_at INTEGER NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0,
          next_at INTEGER NOT NULL,
          delivered_at INTEGER,
          last_error TEXT
        ) STRICT;
        CREATE INDEX outbox_due ON outbox(delivered_at, next_at);
        CREATE INDEX outbox_order ON outbox(order_row, id);
        """

    // The admin pages and the `linepay` command (issue 5): admin sessions, login throttling, after-sale operations
    // with their idempotency keys, reconcile leases, regKey states, payment-details snapshots and the list indexes.
    // Triggers close an open operation in the same transaction as the ledger change that proves it happened, so an
    // operation can never read "pending" while the order already shows its effect (or the other way round).
    private static let version2 = """
        CREATE TABLE admin_sessions (
          id TEXT PRIMARY KEY,
          user TEXT NOT NULL,
          csrf_token TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX admin_sessions_expires ON admin_sessions(expires_at);

        -- One row per failed login, keyed by a hash of user + client address; counted over a sliding window.
        CREATE TABLE admin_login_failures (
          id INTEGER PRIMARY KEY,
          key TEXT NOT NULL,
          at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX admin_login_failures_key ON admin_login_failures(key, at);

        -- Capture, void, refund and preapproved charges: the intent is written (pending) before LINE Pay is called.
        -- The idempotency key of the form or command makes a repeated submit return the stored result.
        CREATE TABLE operations (
          id INTEGER PRIMARY KEY,
          idempotency_key TEXT NOT NULL UNIQUE,
          order_row INTEGER NOT NULL REFERENCES orders(id),
          kind TEXT NOT NULL,
          amount TEXT CHECK (amount IS NULL OR (amount GLOB '[0-9]*' AND amount NOT GLOB '*[^0-9.]*')),
          state TEXT NOT NULL,
          actor TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          result TEXT NOT NULL DEFAULT '',
          refund_transaction_id INTEGER,
          source_order_row INTEGER REFERENCES orders(id)
        ) STRICT;
        -- At most one operation in flight (or of unknown outcome) per order: the claim is this index.
        CREATE UNIQUE INDEX operations_open ON operations(order_row) WHERE state IN ('pending', 'unknown');
        CREATE INDEX operations_order ON operations(order_row, id);

        CREATE TRIGGER operations_capture_settled AFTER UPDATE OF state ON orders
          WHEN OLD.state = 'authorized' AND NEW.state IN ('paid', 'voided', 'expired')
          BEGIN
            UPDATE operations SET updated_at = NEW.updated_at,
              state = CASE WHEN (kind = 'capture' AND NEW.state = 'paid') OR (kind = 'void' AND NEW.state = 'voided')
                           THEN 'done' ELSE 'not_done' END
            WHERE order_row = NEW.id AND kind IN ('capture', 'void') AND state IN ('pending', 'unknown');
          END;
        CREATE TRIGGER operations_charge_settled AFTER UPDATE OF state ON orders
          WHEN OLD.state = 'confirming' AND NEW.state <> 'confirming'
          BEGIN
            UPDATE operations SET updated_at = NEW.updated_at,
              state = CASE WHEN NEW.state IN ('paid', 'authorized') THEN 'done' ELSE 'not_done' END
            WHERE order_row = NEW.id AND kind = 'charge' AND state IN ('pending', 'unknown');
          END;
        CREATE TRIGGER operations_refund_settled AFTER INSERT ON refunds
          BEGIN
            UPDATE operations SET state = 'done', updated_at = NEW.at, refund_transaction_id = NEW.refund_transaction_id
            WHERE order_row = NEW.order_row AND kind = 'refund' AND state IN ('pending', 'unknown') AND amount = NEW.amount;
          END;

        -- Reconcile runs (cron, by hand) take a lease per order or operation, so two runs never work on one at once.
        CREATE TABLE leases (
          name TEXT PRIMARY KEY,
          holder TEXT NOT NULL,
          until INTEGER NOT NULL
        ) STRICT;

        -- What we learned about a regKey after confirm (check, expire); no row means active as issued.
        CREATE TABLE regkey_states (
          order_row INTEGER PRIMARY KEY REFERENCES orders(id),
          status TEXT NOT NULL,
          checked_at INTEGER,
          check_result TEXT,
          expired_at INTEGER
        ) STRICT;
        CREATE INDEX orders_reg_key ON orders(reg_key) WHERE reg_key IS NOT NULL;
        CREATE VIEW regkeys AS
          SELECT o.id AS order_row, o.order_id, o.reg_key, o.currency, o.created_at,
                 coalesce(s.status, 'active') AS status, s.checked_at, s.check_result, s.expired_at
          FROM orders AS o LEFT JOIN regkey_states AS s ON s.order_row = o.id
          WHERE o.reg_key IS NOT NULL;

        -- The last payment details LINE Pay gave for an order (admin refresh), as the JSON the pages show.
        CREATE TABLE payment_snapshots (
          order_row INTEGER PRIMARY KEY REFERENCES orders(id),
          fetched_at INTEGER NOT NULL,
          body TEXT NOT NULL
        ) STRICT;

        -- The order list: newest first overall (orders_created), per status, or by orderId prefix (orders_order_id),
        -- or by status and prefix.
        CREATE INDEX orders_state_created ON orders(state, created_at);
        CREATE INDEX orders_state_order ON orders(state, order_id);

        -- Net sales (captured minus refunded) per UTC day of creation and currency, for the dashboard's chart, kept
        -- by triggers in exact integer hundredths (never floating point), so the chart reads 30 rows, not the orders.
        CREATE TABLE daily_sales (
          day INTEGER NOT NULL,
          currency TEXT NOT NULL,
          net INTEGER NOT NULL,
          orders INTEGER NOT NULL,
          PRIMARY KEY (day, currency)
        ) STRICT;
        INSERT INTO daily_sales (day, currency, net, orders)
          SELECT created_at / 86400, currency, sum(\(sales("orders", "net"))), sum(\(sales("orders", "count")))
          FROM orders GROUP BY 1, 2;
        CREATE TRIGGER daily_sales_insert AFTER INSERT ON orders
          WHEN NEW.state IN ('paid', 'partially_refunded', 'refunded')
          BEGIN
            INSERT INTO daily_sales (day, currency, net, orders) VALUES (NEW.created_at / 86400, NEW.currency, \(sales("NEW", "net")), 1)
            ON CONFLICT (day, currency) DO UPDATE SET net = net + excluded.net, orders = orders + excluded.orders;
          END;
        CREATE TRIGGER daily_sales_update AFTER UPDATE OF state, captured_amount, refunded_amount ON orders
          BEGIN
            INSERT INTO daily_sales (day, currency, net, orders)
              VALUES (NEW.created_at / 86400, NEW.currency, \(sales("NEW", "net")) - \(sales("OLD", "net")),
                      \(sales("NEW", "count")) - \(sales("OLD", "count")))
            ON CONFLICT (day, currency) DO UPDATE SET net = net + excluded.net, orders = orders + excluded.orders;
          END;
        """

    // The payment core's reconciler (issue 9): what we asked LINE Pay for (capture flag), what Confirm said about the
    // hold (its expiry), whether a regKey was lost to a settled confirm, when the reconciler looks next, and v4's provider.
    private static let version3 = """
        ALTER TABLE orders ADD COLUMN capture_requested INTEGER;
        ALTER TABLE orders ADD COLUMN authorization_expires_at INTEGER;
        ALTER TABLE orders ADD COLUMN reg_key_unknown INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE orders ADD COLUMN next_check_at INTEGER;
        ALTER TABLE orders ADD COLUMN payment_provider TEXT;
        ALTER TABLE operations ADD COLUMN refusal TEXT;
        ALTER TABLE outbox ADD COLUMN payment_provider TEXT;
        -- Operations are closed by the transitions that prove them, in Swift (OrderStore.closeOperations), in the
        -- same transaction as before: the life cycle is read in one place, and every backend does the same.
        DROP TRIGGER operations_capture_settled;
        DROP TRIGGER operations_charge_settled;
        DROP TRIGGER operations_refund_settled;
        CREATE INDEX orders_open_checks ON orders(state, next_check_at)
          WHERE state IN ('reserving', 'reserved', 'confirming', 'authorized');
        """

    // Trust boundaries (issue 10). Notifications carry a per-order `seq` and what they report (the order amount,
    // authorized, captured, refunded) as of the change; rows written before this step get them from the order now.
    // Admin sessions carry a fingerprint of the credential that made them: sessions from before have none and end.
    // `counters` holds plain tallies a test or an operator can read (password hashes computed by the login).
    private static let versionTrust = """
        ALTER TABLE outbox ADD COLUMN seq INTEGER;
        ALTER TABLE outbox ADD COLUMN currency TEXT;
        ALTER TABLE outbox ADD COLUMN order_amount TEXT;
        ALTER TABLE outbox ADD COLUMN authorized TEXT;
        ALTER TABLE outbox ADD COLUMN captured TEXT;
        ALTER TABLE outbox ADD COLUMN refunded TEXT;
        UPDATE outbox SET
          seq = (SELECT count(*) FROM outbox AS p WHERE p.order_row = outbox.order_row AND p.id <= outbox.id),
          currency = (SELECT currency FROM orders WHERE orders.id = outbox.order_row),
          order_amount = (SELECT amount FROM orders WHERE orders.id = outbox.order_row),
          authorized = (SELECT authorized_amount FROM orders WHERE orders.id = outbox.order_row),
          captured = (SELECT captured_amount FROM orders WHERE orders.id = outbox.order_row),
          refunded = (SELECT refunded_amount FROM orders WHERE orders.id = outbox.order_row);
        CREATE UNIQUE INDEX outbox_order_seq ON outbox(order_row, seq);

        ALTER TABLE admin_sessions ADD COLUMN credential TEXT NOT NULL DEFAULT '';
        CREATE INDEX admin_sessions_user ON admin_sessions(user);

        CREATE TABLE counters (
          name TEXT PRIMARY KEY,
          value INTEGER NOT NULL
        ) STRICT;
        """

    // Checkout with the shopper's address (issue 12): the handoff asked LINE Pay to collect it (`line_shipping`); what
    // our ShippingMethods inquiry quoted per LINE Pay transaction (confirmUrl's shippingMethodId and shippingFeeAmount
    // are checked against it); the method chosen (its fee is in shipping_fee and amount, for the transaction in
    // shipping_transaction_id) and the address LINE Pay gave at confirm, as JSON.
    private static let versionShipping = """
        ALTER TABLE orders ADD COLUMN line_shipping INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE orders ADD COLUMN shipping_method_id TEXT;
        ALTER TABLE orders ADD COLUMN shipping_method_name TEXT;
        ALTER TABLE orders ADD COLUMN shipping_transaction_id INTEGER;
        ALTER TABLE orders ADD COLUMN shipping_address TEXT;
        CREATE TABLE shipping_quotes (
          order_row INTEGER NOT NULL REFERENCES orders(id),
          transaction_id INTEGER NOT NULL,
          method_id TEXT NOT NULL,
          fee TEXT NOT NULL CHECK (fee GLOB '[0-9]*' AND fee NOT GLOB '*[^0-9.]*'),
          name TEXT NOT NULL,
          quoted_at INTEGER NOT NULL,
          PRIMARY KEY (order_row, transaction_id, method_id, fee)
        ) STRICT;
        """

    /// SQL for an order row's share of the sales chart: `net` is captured minus refunded in integer hundredths
    /// (amounts are canonical decimal text with at most 2 decimals), `count` 1; both 0 unless paid or refunded.
    private static func sales(_ row: String, _ what: String) -> String {
        func hundredths(_ c: String) -> String {
            "(CAST(CASE WHEN instr(\(c), '.') > 0 THEN substr(\(c), 1, instr(\(c), '.') - 1) ELSE \(c) END AS INTEGER) * 100"
                + " + CASE WHEN instr(\(c), '.') > 0 THEN CAST(substr(substr(\(c), instr(\(c), '.') + 1) || '00', 1, 2) AS INTEGER) ELSE 0 END)"
        }
        let value = what == "net" ? "\(hundredths("\(row).captured_amount")) - \(hundredths("\(row).refunded_amount"))" : "1"
        return "(CASE WHEN \(row).state IN ('paid', 'partially_refunded', 'refunded') THEN \(value) ELSE 0 END)"
    }
}
