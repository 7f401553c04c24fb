/// The same migration steps as `Schema.migrations`, in PostgreSQL's SQL: step i here is step i there (same tables,
/// columns, indexes and trigger effects), so one version number means one schema on either database.
/// Differences: BIGINT everywhere (ids, Unix times, 19-digit transaction ids), `GENERATED ALWAYS AS IDENTITY` for
/// SQLite's INTEGER PRIMARY KEY, CHECKs as regular expressions (`~`) instead of GLOB, triggers in PL/pgSQL,
/// `"user"` quoted (reserved), order ids in the "C" collation so that the admin list's prefix range
/// (`>= prefix AND < prefix || '~'`) means what it means in SQLite whatever the server's locale.
/// Two helpers stand in for SQLite built-ins the store's shared SQL uses: `printf('%s%07d', ...)` (seed) and
/// `substr(text, bigint, bigint)` (a `?` binds as bigint).
enum PostgreSQLSchema {
    static let migrations: [String] = [version1, version2, version3, versionTrust, versionShipping]

    private static let amount = "~ '^[0-9][0-9.]*$'"

    private static let version1 = """
        CREATE FUNCTION printf(format text, a text, b bigint) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
          IF format <> '%s%07d' THEN RAISE EXCEPTION 'printf: only %%s%%07d is provided, not %', format; END IF;
          RETURN a || lpad(b::text, 7, '0');
        END $$;
        CREATE FUNCTION substr(s text, start bigint, count bigint) RETURNS text LANGUAGE sql IMMUTABLE
          AS $$ SELECT pg_catalog.substr(s, start::integer, count::integer) $$;

        CREATE TABLE sessions (
          id TEXT PRIMARY KEY,
          csrf_token TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          expires_at BIGINT NOT NULL
        );
        CREATE INDEX sessions_expires ON sessions(expires_at);

        CREATE TABLE orders (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          order_id TEXT COLLATE "C" NOT NULL,
          currency TEXT NOT NULL,
          amount TEXT NOT NULL CHECK (amount \(amount)),
          shipping_fee TEXT NOT NULL CHECK (shipping_fee \(amount)),
          locale TEXT,
          state TEXT NOT NULL,
          previous_state TEXT,
          attempt BIGINT NOT NULL DEFAULT 0 CHECK (attempt >= 0),
          linepay_order_id TEXT,
          transaction_id BIGINT,
          payment_url TEXT,
          session_id TEXT NOT NULL,
          content_digest TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          updated_at BIGINT NOT NULL,
          reserved_at BIGINT,
          authorized_amount TEXT NOT NULL DEFAULT '0' CHECK (authorized_amount \(amount)),
          captured_amount TEXT NOT NULL DEFAULT '0' CHECK (captured_amount \(amount)),
          refunded_amount TEXT NOT NULL DEFAULT '0' CHECK (refunded_amount \(amount)),
          reg_key TEXT,
          last_check_at BIGINT,
          last_error TEXT
        );
        CREATE UNIQUE INDEX orders_order_id ON orders(order_id);
        CREATE UNIQUE INDEX orders_transaction_id ON orders(transaction_id);
        CREATE UNIQUE INDEX orders_linepay_order_id ON orders(linepay_order_id);
        CREATE INDEX orders_state_updated ON orders(state, updated_at);
        CREATE INDEX orders_created ON orders(created_at);

        CREATE TABLE items (
          order_row BIGINT NOT NULL REFERENCES orders(id),
          position BIGINT NOT NULL,
          item_id TEXT,
          name TEXT NOT NULL,
          price TEXT NOT NULL CHECK (price ~ '^-?[0-9][0-9.]*$'),
          quantity BIGINT NOT NULL,
          image_url TEXT,
          PRIMARY KEY (order_row, position)
        );

        CREATE TABLE refunds (
          refund_transaction_id BIGINT PRIMARY KEY,
          order_row BIGINT NOT NULL REFERENCES orders(id),
          amount TEXT NOT NULL CHECK (amount \(amount)),
          at BIGINT NOT NULL
        );
        CREATE INDEX refunds_order ON refunds(order_row);

        CREATE TABLE events (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          order_row BIGINT REFERENCES orders(id),
          at BIGINT NOT NULL,
          kind TEXT NOT NULL,
          actor TEXT NOT NULL,
          detail TEXT NOT NULL
        );
        CREATE INDEX events_order ON events(order_row, id);
        CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();

        CREATE TABLE outbox (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          order_row BIGINT NOT NULL REFERENCES orders(id),
          order_id TEXT NOT NULL,
          status TEXT NOT NULL,
          transaction_id BIGINT,
          amount TEXT NOT NULL CHECK (amount \(amount)),
          event_at BIGINT NOT NULL,
          attempts BIGINT NOT NULL DEFAULT 0,
          next_at BIGINT NOT NULL,
          delivered_at BIGINT,
          last_error TEXT
        );
        CREATE INDEX outbox_due ON outbox(delivered_at, next_at);
        CREATE INDEX outbox_order ON outbox(order_row, id);
        """

    private static let version2 = """
        CREATE TABLE admin_sessions (
          id TEXT PRIMARY KEY,
          "user" TEXT NOT NULL,
          csrf_token TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          expires_at BIGINT NOT NULL
        );
        CREATE INDEX admin_sessions_expires ON admin_sessions(expires_at);

        CREATE TABLE admin_login_failures (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          key TEXT NOT NULL,
          at BIGINT NOT NULL
        );
        CREATE INDEX admin_login_failures_key ON admin_login_failures(key, at);

        CREATE TABLE operations (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          idempotency_key TEXT NOT NULL UNIQUE,
          order_row BIGINT NOT NULL REFERENCES orders(id),
          kind TEXT NOT NULL,
          amount TEXT CHECK (amount IS NULL OR amount \(amount)),
          state TEXT NOT NULL,
          actor TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          updated_at BIGINT NOT NULL,
          result TEXT NOT NULL DEFAULT '',
          refund_transaction_id BIGINT,
          source_order_row BIGINT REFERENCES orders(id)
        );
        CREATE UNIQUE INDEX operations_open ON operations(order_row) WHERE state IN ('pending', 'unknown');
        CREATE INDEX operations_order ON operations(order_row, id);

        CREATE FUNCTION operations_capture_settled() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
          UPDATE operations SET updated_at = NEW.updated_at,
            state = CASE WHEN (kind = 'capture' AND NEW.state = 'paid') OR (kind = 'void' AND NEW.state = 'voided')
                         THEN 'done' ELSE 'not_done' END
          WHERE order_row = NEW.id AND kind IN ('capture', 'void') AND state IN ('pending', 'unknown');
          RETURN NULL;
        END $$;
        CREATE TRIGGER operations_capture_settled AFTER UPDATE OF state ON orders FOR EACH ROW
          WHEN (OLD.state = 'authorized' AND NEW.state IN ('paid', 'voided', 'expired'))
          EXECUTE FUNCTION operations_capture_settled();
        CREATE FUNCTION operations_charge_settled() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
          UPDATE operations SET updated_at = NEW.updated_at,
            state = CASE WHEN NEW.state IN ('paid', 'authorized') THEN 'done' ELSE 'not_done' END
          WHERE order_row = NEW.id AND kind = 'charge' AND state IN ('pending', 'unknown');
          RETURN NULL;
        END $$;
        CREATE TRIGGER operations_charge_settled AFTER UPDATE OF state ON orders FOR EACH ROW
          WHEN (OLD.state = 'confirming' AND NEW.state <> 'confirming')
          EXECUTE FUNCTION operations_charge_settled();
        CREATE FUNCTION operations_refund_settled() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
          UPDATE operations SET state = 'done', updated_at = NEW.at, refund_transaction_id = NEW.refund_transaction_id
          WHERE order_row = NEW.order_row AND kind = 'refund' AND state IN ('pending', 'unknown') AND amount = NEW.amount;
          RETURN NULL;
        END $$;
        CREATE TRIGGER operations_refund_settled AFTER INSERT ON refunds FOR EACH ROW
          EXECUTE FUNCTION operations_refund_settled();

        CREATE TABLE leases (
          name TEXT PRIMARY KEY,
          holder TEXT NOT NULL,
          until BIGINT NOT NULL
        );

        CREATE TABLE regkey_states (
          order_row BIGINT PRIMARY KEY REFERENCES orders(id),
          status TEXT NOT NULL,
          checked_at BIGINT,
          check_result TEXT,
          expired_at BIGINT
        );
        CREATE INDEX orders_reg_key ON orders(reg_key) WHERE reg_key IS NOT NULL;
        CREATE VIEW regkeys AS
          SELECT o.id AS order_row, o.order_id, o.reg_key, o.currency, o.created_at,
                 coalesce(s.status, 'active') AS status, s.checked_at, s.check_result, s.expired_at
          FROM orders AS o LEFT JOIN regkey_states AS s ON s.order_row = o.id
          WHERE o.reg_key IS NOT NULL;

        CREATE TABLE payment_snapshots (
          order_row BIGINT PRIMARY KEY REFERENCES orders(id),
          fetched_at BIGINT NOT NULL,
          body TEXT NOT NULL
        );

        CREATE INDEX orders_state_created ON orders(state, created_at);
        CREATE INDEX orders_state_order ON orders(state, order_id);

        -- Exact integer hundredths of a canonical decimal text (at most 2 decimals), as Schema.sales computes in SQLite.
        CREATE FUNCTION linepay_hundredths(t text) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
          SELECT split_part(t, '.', 1)::bigint * 100 + CASE WHEN position('.' in t) > 0
                 THEN substring(split_part(t, '.', 2) || '00' from 1 for 2)::bigint ELSE 0 END $$;
        CREATE FUNCTION linepay_sales(state text, captured text, refunded text, what text) RETURNS bigint LANGUAGE sql
          IMMUTABLE AS $$ SELECT CASE WHEN state IN ('paid', 'partially_refunded', 'refunded')
                 THEN CASE WHEN what = 'net' THEN linepay_hundredths(captured) - linepay_hundredths(refunded) ELSE 1 END
                 ELSE 0 END $$;
        CREATE TABLE daily_sales (
          day BIGINT NOT NULL,
          currency TEXT NOT NULL,
          net BIGINT NOT NULL,
          orders BIGINT NOT NULL,
          PRIMARY KEY (day, currency)
        );
        INSERT INTO daily_sales (day, currency, net, orders)
          SELECT created_at / 86400, currency, sum(linepay_sales(state, captured_amount, refunded_amount, 'net')),
                 sum(linepay_sales(state, captured_amount, refunded_amount, 'count'))
          FROM orders GROUP BY 1, 2;
        CREATE FUNCTION daily_sales_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
          INSERT INTO daily_sales AS d (day, currency, net, orders)
            VALUES (NEW.created_at / 86400, NEW.currency, linepay_sales(NEW.state, NEW.captured_amount, NEW.refunded_amount, 'net'), 1)
          ON CONFLICT (day, currency) DO UPDATE SET net = d.net + excluded.net, orders = d.orders + excluded.orders;
          RETURN NULL;
        END $$;
        CREATE TRIGGER daily_sales_insert AFTER INSERT ON orders FOR EACH ROW
          WHEN (NEW.state IN ('paid', 'partially_refunded', 'refunded')) EXECUTE FUNCTION daily_sales_insert();
        CREATE FUNCTION daily_sales_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
          INSERT INTO daily_sales AS d (day, currency, net, orders)
            VALUES (NEW.created_at / 86400, NEW.currency,
                    linepay_sales(NEW.state, NEW.captured_amount, NEW.refunded_amount, 'net')
                      - linepay_sales(OLD.state, OLD.captured_amount, OLD.refunded_amount, 'net'),
                    linepay_sales(NEW.state, NEW.captured_amount, NEW.refunded_amount, 'count')
                      - linepay_sales(OLD.state, OLD.captured_amount, OLD.refunded_amount, 'count'))
          ON CONFLICT (day, currency) DO UPDATE SET net = d.net + excluded.net, orders = d.orders + excluded.orders;
          RETURN NULL;
        END $$;
        CREATE TRIGGER daily_sales_update AFTER UPDATE OF state, captured_amount, refunded_amount ON orders FOR EACH ROW
          EXECUTE FUNCTION daily_sales_update();
        """

    private static let version3 = """
        ALTER TABLE orders ADD COLUMN capture_requested BIGINT;
        ALTER TABLE orders ADD COLUMN authorization_expires_at BIGINT;
        ALTER TABLE orders ADD COLUMN reg_key_unknown BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE orders ADD COLUMN next_check_at BIGINT;
        ALTER TABLE orders ADD COLUMN payment_provider TEXT;
        ALTER TABLE operations ADD COLUMN refusal TEXT;
        ALTER TABLE outbox ADD COLUMN payment_provider TEXT;
        -- Operations are closed by the transitions in Swift (OrderStore.closeOperations), as on SQLite.
        DROP TRIGGER operations_capture_settled ON orders;
        DROP TRIGGER operations_charge_settled ON orders;
        DROP TRIGGER operations_refund_settled ON refunds;
        DROP FUNCTION operations_capture_settled();
        DROP FUNCTION operations_charge_settled();
        DROP FUNCTION operations_refund_settled();
        CREATE INDEX orders_open_checks ON orders(state, next_check_at)
          WHERE state IN ('reserving', 'reserved', 'confirming', 'authorized');
        """

    private static let versionTrust = """
        ALTER TABLE outbox ADD COLUMN seq BIGINT;
        ALTER TABLE outbox ADD COLUMN currency TEXT;
        ALTER TABLE outbox ADD COLUMN order_amount TEXT;
        ALTER TABLE outbox ADD COLUMN authorized TEXT;
        ALTER TABLE outbox ADD COLUMN captured TEXT;
        ALTER TABLE outbox ADD COLUMN refunded TEXT;
        UPDATE outbox SET
          seq = (SELECT count(*) FROM outbox AS p WHERE p.order_row = outbox.order_row AND p.id <= outbox.id),
          currency = o.currency, order_amount = o.amount, authorized = o.authorized_amount,
          captured = o.captured_amount, refunded = o.refunded_amount
          FROM orders AS o WHERE o.id = outbox.order_row;
        CREATE UNIQUE INDEX outbox_order_seq ON outbox(order_row, seq);

        ALTER TABLE admin_sessions ADD COLUMN credential TEXT NOT NULL DEFAULT '';
        CREATE INDEX admin_sessions_user ON admin_sessions("user");

        CREATE TABLE counters (
          name TEXT PRIMARY KEY,
          value BIGINT NOT NULL
        );
        """

    private static let versionShipping = """
        ALTER TABLE orders ADD COLUMN line_shipping BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE orders ADD COLUMN shipping_method_id TEXT;
        ALTER TABLE orders ADD COLUMN shipping_method_name TEXT;
        ALTER TABLE orders ADD COLUMN shipping_transaction_id BIGINT;
        ALTER TABLE orders ADD COLUMN shipping_address TEXT;
        CREATE TABLE shipping_quotes (
          order_row BIGINT NOT NULL REFERENCES orders(id),
          transaction_id BIGINT NOT NULL,
          method_id TEXT NOT NULL,
          fee TEXT NOT NULL CHECK (fee \(amount)),
          name TEXT NOT NULL,
          quoted_at BIGINT NOT NULL,
          PRIMARY KEY (order_row, transaction_id, method_id, fee)
        );
        """
}
