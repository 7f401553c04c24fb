import Foundation
import LinePay
import SQLite

/// After-sale operations (capture, void, refund, preapproved charge), following the pattern of
/// ../shared/notes/money-safety.md: the intent is recorded as `pending` under the write lock, with our own checks
/// (state, amount never above what remains, one open operation per order), before LINE Pay is called; the caller
/// then records the answer. Success is recorded through the ordinary transitions (markCaptured, markVoided,
/// markRefunded, markConfirmed), and they close the operation in that same transaction (OrderStore.closeOperations).
extension OrderStore {
    /// What the payment core's rules decided for a request, read under the write lock: the exact amount to send
    /// (nil for void) or why it is refused.
    public typealias OperationRules = (_ order: Order, _ open: AfterSaleOperation?, _ asked: Decimal?) -> (amount: Decimal?, refusal: OperationRefusal?)

    /// Records an operation as `rules` decide it (pending, or rejected with its refusal), or returns what the same
    /// idempotency key did before. The rules run inside the write transaction, so nothing changes between the check
    /// and the record. A rejection is recorded too (with its event), so a repeated submit gets the same answer.
    public func beginOperation(_ request: OperationRequest, now: Int64, rules: OperationRules) throws -> BeginOperationResult {
        try change {
            if let existing = try operation(idempotencyKey: request.idempotencyKey) {
                // Like Stripe: a key reused with other parameters is refused, never answered with the first result
                // (a script would read "done" for an amount that was not refunded). No amount means "as the key did".
                guard existing.orderId == request.orderId, existing.kind == request.kind,
                      request.amount == nil || existing.amount == request.amount else { return .keyReused(existing) }
                return .existing(existing)
            }
            guard let order = try loadOrder(orderId: request.orderId) else { return .notFound }
            let (amount, refusal) = rules(order, try openOperation(orderRowId: order.rowId), request.amount)
            let state: OperationState = refusal == nil ? .pending : .rejected
            try connection.run("""
                INSERT INTO operations (idempotency_key, order_row, kind, amount, state, actor, created_at, updated_at, result, refusal)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?)
                """, [.text(request.idempotencyKey), .integer(order.rowId), .text(request.kind.rawValue),
                      amount.map { .text(Money.format($0)) } ?? .null, .text(state.rawValue), .text(request.actor),
                      .integer(now), .integer(now), SQLiteValue(refusal?.code)])
            let stored = try loadOperation(id: connection.lastInsertRowID)
            let what = request.kind.rawValue + (amount.map { " \(Money.format($0)) \(order.currency)" } ?? "")
            try insertEvent(orderRow: order.rowId, kind: "admin.\(request.kind.rawValue)", actor: request.actor, now: now,
                            detail: refusal.map { "\(what) refused by us (\($0.code))" } ?? "\(what) requested")
            return refusal == nil ? .started(stored, order) : .rejected(stored)
        }
    }

    /// Records how an open operation's call ended when it did not succeed (refused, not sent, unknown), with an
    /// event holding LINE Pay's answer. Only an open operation changes; returns it as it is afterwards.
    @discardableResult
    public func finishOperation(id: Int64, state: OperationState, result: String, refusal: OperationRefusal? = nil, now: Int64,
                                actor: String) throws -> AfterSaleOperation {
        try change {
            let op = try loadOperation(id: id)
            let changed = op.state.isOpen ? try connection.run("""
                UPDATE operations SET state = ?, result = ?, refusal = ?, updated_at = ? WHERE id = ? AND state IN ('pending', 'unknown')
                """, [.text(state.rawValue), .text(result), SQLiteValue(refusal?.code), .integer(now), .integer(id)]) : 0
            if changed == 1 {
                try insertEvent(orderRow: op.orderRowId, kind: "api.\(op.kind.rawValue)", actor: actor, now: now, detail: result)
            }
            return try loadOperation(id: id)
        }
    }

    /// Writes LINE Pay's answer on an operation a transition has just settled (its state is left alone), with the event.
    @discardableResult
    public func noteOperationResult(id: Int64, result: String, now: Int64, actor: String) throws -> AfterSaleOperation {
        try change {
            let op = try loadOperation(id: id)
            try connection.run("UPDATE operations SET result = ? WHERE id = ?", [.text(result), .integer(id)])
            try insertEvent(orderRow: op.orderRowId, kind: "api.\(op.kind.rawValue)", actor: actor, now: now, detail: result)
            return try loadOperation(id: id)
        }
    }

    /// Reconcile found that an open operation did not happen at LINE Pay: not_done, with the reason and an event.
    @discardableResult
    public func markOperationNotDone(id: Int64, reason: String, now: Int64, actor: String) throws -> Bool {
        try change {
            let op = try loadOperation(id: id)
            guard try connection.run("""
                UPDATE operations SET state = 'not_done', result = ?, updated_at = ? WHERE id = ? AND state IN ('pending', 'unknown')
                """, [.text(reason), .integer(now), .integer(id)]) == 1 else { return false }
            try insertEvent(orderRow: op.orderRowId, kind: "reconcile.\(op.kind.rawValue)", actor: actor, now: now, detail: reason)
            return true
        }
    }

    /// The operation recorded under this idempotency key, or nil.
    public func operation(idempotencyKey: String) throws -> AfterSaleOperation? {
        try connection.queryOne(Self.operationSelect + " WHERE p.idempotency_key = ?", [.text(idempotencyKey)])
            .map(AfterSaleOperation.init)
    }

    /// The order's operations, oldest first.
    public func operations(orderId: String) throws -> [AfterSaleOperation] {
        try connection.query(Self.operationSelect + " WHERE o.order_id = ? ORDER BY p.id", [.text(orderId)])
            .map(AfterSaleOperation.init)
    }

    /// The order's pending or unknown operation, if any (there is at most one).
    public func openOperation(orderRowId: Int64) throws -> AfterSaleOperation? {
        try connection.queryOne(Self.operationSelect + " WHERE p.order_row = ? AND p.state IN ('pending', 'unknown')",
                                [.integer(orderRowId)]).map(AfterSaleOperation.init)
    }

    /// Orders in `confirming` whose earlier check is done, plus orders with an open operation: what needs a look.
    public func ordersNeedingAttention(limit: Int) throws -> [Order] {
        try connection.query("""
            SELECT * FROM orders WHERE id IN (
              SELECT id FROM orders WHERE state IN ('confirming', 'reserving')
              UNION SELECT order_row FROM operations WHERE state IN ('pending', 'unknown'))
            ORDER BY updated_at DESC LIMIT ?
            """, [.integer(Int64(limit))]).map(order(row:))
    }

    /// The order with this row id (Order.rowId), or nil.
    public func order(rowId: Int64) throws -> Order? {
        try connection.queryOne("SELECT * FROM orders WHERE id = ?", [.integer(rowId)]).map(order(row:))
    }

    /// The refund transactions recorded for the order (reconcile records the others LINE Pay shows).
    public func refundTransactionIds(orderRowId: Int64) throws -> Set<Int64> {
        Set(try connection.query("SELECT refund_transaction_id FROM refunds WHERE order_row = ?", [.integer(orderRowId)])
            .compactMap { $0.int("refund_transaction_id") })
    }

    // MARK: Preapproved charges

    /// Records a charge of the regKey issued to `sourceOrderId` as a new order `orderId` in `confirming` (with one
    /// item, `productName`) and its pending operation, in one transaction. Same key again: the earlier operation.
    public func beginCharge(idempotencyKey: String, sourceOrderId: String, orderId: String, productName: String,
                            amount: Decimal, actor: String, now: Int64) throws -> BeginOperationResult {
        // The charge's own rules are data checks on its input and the store's uniqueness, so they stay here.
        try change {
            if let existing = try operation(idempotencyKey: idempotencyKey) {
                guard existing.kind == .charge else { return .keyReused(existing) }
                return .existing(existing)
            }
            guard let source = try loadOrder(orderId: sourceOrderId), source.regKey != nil else { return .notFound }
            let status = try connection.queryOne("SELECT status FROM regkeys WHERE order_row = ?", [.integer(source.rowId)])?.text("status")
            var reason: OperationRefusal? = nil
            if status == "expired" { reason = .regKeyExpired }
            if !Self.isOrderIdText(orderId) { reason = .badOrderId }
            else if try loadOrder(orderId: orderId) != nil { reason = .orderIdTaken(orderId) }
            if let currency = Currency(rawValue: source.currency), amount <= 0 || !Money.fits(amount, currency) {
                reason = .chargeAmount(currency: source.currency)
            }
            if productName.isEmpty || productName.count > 4000 { reason = .productName }
            let what = "charge \(Money.format(amount)) \(source.currency) as \(orderId)"
            if let reason {
                try insertEvent(orderRow: source.rowId, kind: "admin.charge", actor: actor, now: now, detail: "\(what) refused by us (\(reason.code))")
                // Recorded against the source order so the key's answer is stored too.
                try connection.run("""
                    INSERT INTO operations (idempotency_key, order_row, kind, amount, state, actor, created_at, updated_at, result, source_order_row, refusal)
                    VALUES (?, ?, 'charge', ?, 'rejected', ?, ?, ?, '', ?, ?)
                    """, [.text(idempotencyKey), .integer(source.rowId), .text(Money.format(amount)), .text(actor), .integer(now),
                          .integer(now), .integer(source.rowId), .text(reason.code)])
                return .rejected(try loadOperation(id: connection.lastInsertRowID))
            }
            let text = SQLiteValue.text(Money.format(amount))
            try connection.run("""
                INSERT INTO orders (order_id, currency, amount, shipping_fee, state, attempt, linepay_order_id, session_id,
                                    content_digest, created_at, updated_at)
                VALUES (?, ?, ?, '0', 'confirming', 1, ?, 'admin', ?, ?, ?)
                """, [.text(orderId), .text(source.currency), text, .text(orderId), .text("charge:" + idempotencyKey),
                      .integer(now), .integer(now)])
            let row = try connection.lastInsertRowID
            try connection.run("INSERT INTO items (order_row, position, item_id, name, price, quantity, image_url) VALUES (?, 0, NULL, ?, ?, 1, NULL)",
                               [.integer(row), .text(productName), text])
            try connection.run("""
                INSERT INTO operations (idempotency_key, order_row, kind, amount, state, actor, created_at, updated_at, source_order_row)
                VALUES (?, ?, 'charge', ?, 'pending', ?, ?, ?, ?)
                """, [.text(idempotencyKey), .integer(row), text, .text(actor), .integer(now), .integer(now), .integer(source.rowId)])
            let op = try loadOperation(id: connection.lastInsertRowID)
            try insertEvent(orderRow: row, kind: "state.confirming", actor: actor, now: now,
                            detail: "new -> confirming: \(what), from the regKey of \(sourceOrderId)")
            try insertEvent(orderRow: source.rowId, kind: "admin.charge", actor: actor, now: now, detail: "\(what) requested")
            return .started(op, try loadOrder(rowId: row))
        }
    }

    /// Gives a charged order (confirming, no transaction yet) the transaction LINE Pay created for it.
    @discardableResult
    public func attachTransaction(orderId: String, transactionId: Int64, now: Int64, actor: String) throws -> Bool {
        try change {
            guard try connection.run("""
                UPDATE orders SET transaction_id = ? WHERE order_id = ? AND state = 'confirming' AND transaction_id IS NULL
                """, [.integer(transactionId), .text(orderId)]) == 1,
                  let row = try loadOrder(orderId: orderId)?.rowId else { return false }
            try insertEvent(orderRow: row, kind: "charge.transaction", actor: actor, now: now, detail: "tx \(transactionId)")
            return true
        }
    }

    // MARK: Helpers

    static let operationSelect = "SELECT p.*, o.order_id, o.currency AS order_currency FROM operations AS p JOIN orders AS o ON o.id = p.order_row"

    func loadOperation(id: Int64) throws -> AfterSaleOperation {
        guard let row = try connection.queryOne(Self.operationSelect + " WHERE p.id = ?", [.integer(id)]) else {
            throw OrderStoreError.corrupt(table: "operations", column: "id", value: String(id))
        }
        return try AfterSaleOperation(row: row)
    }
}
