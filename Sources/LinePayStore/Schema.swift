import SQLite

/// The store's schema as migration steps, tracked by PRAGMA user_version.
enum Schema {
    /// Step i brings a database from user_version i to i + 1. A new version is one more element at the end;
    /// a shipped step is never edited (files in the field already ran it).
    static let migrations: [String] = [version1]

    /// The version this program writes.
    static var currentVersion: Int { migrations.count }

    /// Applies the missing steps, each in its own BEGIN IMMEDIATE, re-reading user_version under the write lock
    /// so that processes opening the same new file at once migrate it exactly once.
    static func migrate(_ db: SQLiteConnection) throws {
        let found = try db.userVersion
        guard found <= currentVersion else { throw OrderStoreError.schemaTooNew(found: found, supported: currentVersion) }
        for (index, script) in migrations.enumerated() where index >= found {
            try db.immediateTransaction {
                guard try db.userVersion == index else { return }   // another connection got here first
                try db.execute(script)
                try db.setUserVersion(index + 1)
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
}
