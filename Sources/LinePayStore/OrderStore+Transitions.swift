import Foundation
import LinePay
import SQLite

/// The stored half of the payment state machine (LinePayCheckout decides which transition to ask for). Each public
/// method is one BEGIN IMMEDIATE holding a conditional UPDATE ... RETURNING, the `state.<new state>` event and, when
/// the shop must hear of it, the outbox row; it returns the order as changed, or nil when another caller won.
extension OrderStore {
    /// new|cancelled|failed|expired -> reserving; attempt += 1; sets linePayOrderId for the new attempt; clears transactionId/paymentUrl;
    /// keeps the capture flag the Request will carry. Nil when the order was not in one of those states (another click won).
    @discardableResult
    public func beginReserve(orderId: String, capture: Bool = true, now: Int64, actor: String = "system") throws -> Order? {
        try change {
            // SET reads the old row: `attempt` on the right is the previous attempt. A fresh LINE Pay orderId per
            // attempt, because LINE Pay refuses a reused one (1172) even when the earlier Request's fate is unknown.
            try transition(orderId, from: [.new, .cancelled, .failed, .expired], to: .reserving,
                           set: """
                               attempt = attempt + 1,
                               linepay_order_id = CASE WHEN attempt = 0 THEN order_id ELSE order_id || '__' || (attempt + 1) END,
                               transaction_id = NULL, payment_url = NULL, reserved_at = NULL, last_error = NULL,
                               capture_requested = ?, authorization_expires_at = NULL
                               """, [.integer(capture ? 1 : 0)],
                           now: now, actor: actor) { "attempt \($0.attempt) as \($0.linePayOrderId ?? "?")" }
        }
    }

    /// reserving -> reserved with LINE Pay's transactionId and paymentUrl; nil when not reserving.
    @discardableResult
    public func markReserved(orderId: String, transactionId: Int64, paymentUrl: String, now: Int64,
                             actor: String = "system") throws -> Order? {
        try change {
            try transition(orderId, from: [.reserving], to: .reserved,
                           set: "transaction_id = ?, payment_url = ?, reserved_at = ?",
                           [.integer(transactionId), .text(paymentUrl), .integer(now)],
                           now: now, actor: actor) { _ in "tx \(transactionId)" }
        }
    }

    /// reserving -> new, lastError set (LINE Pay refused the Request, or it was never sent); nil when not reserving.
    @discardableResult
    public func abortReserve(orderId: String, error: String, now: Int64, actor: String = "system") throws -> Order? {
        try change {
            try transition(orderId, from: [.reserving], to: .new, set: "last_error = ?", [.text(error)],
                           now: now, actor: actor) { _ in error }
        }
    }

    /// reserved -> confirming, only when transactionId matches the order's: the one caller that gets the order makes the Confirm call.
    @discardableResult
    public func beginConfirm(orderId: String, transactionId: Int64, now: Int64, actor: String = "system") throws -> Order? {
        try change {
            try transition(orderId, from: [.reserved], to: .confirming,
                           andWhere: "transaction_id = ?", [.integer(transactionId)],
                           now: now, actor: actor) { _ in "tx \(transactionId)" }
        }
    }

    /// confirming -> confirming: takes the right to make another Confirm call for an order whose earlier call has
    /// ended with an unknown outcome (LINE Pay then says "approved, not confirmed"), only if nobody changed the order
    /// since the caller read it at `seenUpdatedAt` (and, when given, it still has `transactionId`). updatedAt moves
    /// strictly forward, to max(now, seenUpdatedAt + 1), so a second claimer holding the same reading loses even
    /// within the same second.
    @discardableResult
    public func claimReconfirm(orderId: String, seenUpdatedAt: Int64, transactionId: Int64? = nil, now: Int64,
                               actor: String = "system") throws -> Order? {
        try change {
            try transition(orderId, from: [.confirming], to: .confirming, updatedAt: max(now, seenUpdatedAt + 1),
                           andWhere: "updated_at = ? AND (? IS NULL OR transaction_id = ?)",
                           [.integer(seenUpdatedAt), SQLiteValue(transactionId), SQLiteValue(transactionId)],
                           now: now, actor: actor) { "confirm again, tx \($0.transactionId.map(String.init) ?? "?")" }
        }
    }

    /// confirming -> paid (capture) or authorized; records amounts, regKey (or that LINE Pay issued one we never
    /// saw), the hold's expiry and v4's payment provider; enqueues the notification.
    @discardableResult
    public func markConfirmed(orderId: String, captured: Bool, amount: Decimal, regKey: String?, regKeyUnknown: Bool = false,
                              authorizationExpiresAt: Int64? = nil, paymentProvider: String? = nil, now: Int64,
                              actor: String = "system") throws -> Order? {
        let text = SQLiteValue.text(Money.format(amount))
        return try change {
            try transition(orderId, from: [.confirming], to: captured ? .paid : .authorized,
                           set: """
                               authorized_amount = ?, captured_amount = ?, reg_key = ?, reg_key_unknown = ?,
                               authorization_expires_at = ?, payment_provider = coalesce(?, payment_provider)
                               """,
                           [text, captured ? text : .text("0"), SQLiteValue(regKey), .integer(regKeyUnknown ? 1 : 0),
                            SQLiteValue(captured ? nil : authorizationExpiresAt), SQLiteValue(paymentProvider)],
                           now: now, actor: actor) { _ in   // the regKey is a credential: only whether there is one
                "amount \(Money.format(amount))" + (regKey == nil ? "" : ", regKey issued")
                    + (regKeyUnknown ? ", regKey unknown (settled from payment details)" : "")
            }
        }
    }

    /// From the given states -> failed, lastError = reason. Only states before payment may fail (else it throws).
    @discardableResult
    public func markFailed(orderId: String, from: [OrderState], reason: String, now: Int64,
                           actor: String = "system") throws -> Order? {
        try allow(from, to: .failed, only: OrderState.beforePayment)
        return try change {
            try transition(orderId, from: from, to: .failed, set: "last_error = ?", [.text(reason)],
                           now: now, actor: actor) { _ in reason }
        }
    }

    /// From the given states -> cancelled; notifies the shop when from reserved/confirming. Only states before payment
    /// may be cancelled (an authorization is voided instead).
    @discardableResult
    public func markCancelled(orderId: String, from: [OrderState], reason: String, now: Int64,
                              actor: String = "system") throws -> Order? {
        try allow(from, to: .cancelled, only: OrderState.beforePayment)
        return try change {
            try transition(orderId, from: from, to: .cancelled, now: now, actor: actor) { _ in reason }
        }
    }

    /// From the given states -> expired; notifies the shop when from reserved/confirming/authorized. States before
    /// payment may expire, and `authorized` (a hold LINE Pay let lapse); nothing paid may.
    @discardableResult
    public func markExpired(orderId: String, from: [OrderState], reason: String, now: Int64,
                            actor: String = "system") throws -> Order? {
        try allow(from, to: .expired, only: OrderState.beforePayment.union([.authorized]))
        return try change {
            try transition(orderId, from: from, to: .expired, set: "last_error = ?", [.text(reason)],
                           now: now, actor: actor) { _ in reason }
        }
    }

    /// authorized -> paid, capturedAmount = amount; nil when not authorized, amount <= 0 or above the authorized amount.
    @discardableResult
    public func markCaptured(orderId: String, amount: Decimal, paymentProvider: String? = nil, now: Int64,
                             actor: String = "system") throws -> Order? {
        try change {
            guard amount > 0, let order = try loadOrder(orderId: orderId), order.state == .authorized,
                  amount <= order.authorizedAmount else { return nil }
            return try transition(orderId, from: [.authorized], to: .paid,
                                  set: "captured_amount = ?, payment_provider = coalesce(?, payment_provider)",
                                  [.text(Money.format(amount)), SQLiteValue(paymentProvider)],
                                  andWhere: "authorized_amount = ?", [.text(Money.format(order.authorizedAmount))],
                                  now: now, actor: actor) { _ in
                "captured \(Money.format(amount)) of \(Money.format(order.authorizedAmount))"
            }
        }
    }

    /// authorized -> voided (by our void, or by LINE Pay itself after a refused capture); nil when not authorized.
    @discardableResult
    public func markVoided(orderId: String, reason: String = "", now: Int64, actor: String = "system") throws -> Order? {
        try change {
            try transition(orderId, from: [.authorized], to: .voided, set: reason.isEmpty ? "" : "last_error = ?",
                           reason.isEmpty ? [] : [.text(reason)], now: now, actor: actor) { _ in reason }
        }
    }

    /// paid|partially_refunded -> partially_refunded or refunded (when refundedAmount + amount == capturedAmount); refuses (returns false)
    /// when amount <= 0 or above what remains. refundTransactionId is recorded in the event detail, and once only:
    /// the same refund reported twice returns nil the second time instead of counting twice.
    @discardableResult
    public func markRefunded(orderId: String, amount: Decimal, refundTransactionId: Int64, now: Int64,
                             actor: String = "system") throws -> Order? {
        try change {
            // Reads under the write lock of BEGIN IMMEDIATE, so nothing changes before the conditional UPDATE.
            guard amount > 0, let order = try loadOrder(orderId: orderId),
                  order.state == .paid || order.state == .partially_refunded,
                  amount <= order.capturedAmount - order.refundedAmount,
                  try connection.queryOne("SELECT 1 AS seen FROM refunds WHERE refund_transaction_id = ?",
                                          [.integer(refundTransactionId)]) == nil
            else { return nil }
            let total = order.refundedAmount + amount
            let target: OrderState = total == order.capturedAmount ? .refunded : .partially_refunded
            let changed = try transition(
                orderId, from: [.paid, .partially_refunded], to: target,
                set: "refunded_amount = ?", [.text(Money.format(total))],
                andWhere: "refunded_amount = ? AND captured_amount = ?",
                [.text(Money.format(order.refundedAmount)), .text(Money.format(order.capturedAmount))],
                now: now, actor: actor
            ) { _ in
                "refund \(Money.format(amount)) tx \(refundTransactionId), refunded \(Money.format(total)) of \(Money.format(order.capturedAmount))"
            }
            guard let changed else { return nil }
            try connection.run("INSERT INTO refunds (refund_transaction_id, order_row, amount, at) VALUES (?, ?, ?, ?)",
                               [.integer(refundTransactionId), .integer(changed.rowId), .text(Money.format(amount)), .integer(now)])
            // The refund this ledger row proves closes the open refund operation of the same amount.
            try connection.run("""
                UPDATE operations SET state = 'done', updated_at = ?, refund_transaction_id = ?
                WHERE order_row = ? AND kind = 'refund' AND state IN ('pending', 'unknown') AND amount = ?
                """, [.integer(now), .integer(refundTransactionId), .integer(changed.rowId), .text(Money.format(amount))])
            return changed
        }
    }

    /// Rate limit for Check Payment Status: true (and lastCheckAt = now) only if the last check was >= 1 second ago or never.
    public func claimStatusCheck(orderId: String, now: Int64) throws -> Bool {
        try change {
            try connection.run("""
                UPDATE orders SET last_check_at = ? WHERE order_id = ? AND (last_check_at IS NULL OR last_check_at <= ?)
                """, [.integer(now), .text(orderId), .integer(now - 1)]) == 1
        }
    }

    /// Orders the reconciler should look at now: not final (reserving, reserved, confirming, authorized), in that
    /// state for at least `minAge` seconds, and due (`next_check_at` unset or past); plus orders with an open
    /// operation. Oldest first, at most `limit`.
    public func ordersToReconcile(now: Int64, minAge: Int64, limit: Int = 500) throws -> [Order] {
        try connection.query("""
            SELECT * FROM orders
            WHERE (state IN ('reserving', 'reserved', 'confirming', 'authorized') AND updated_at <= ?
                   AND (next_check_at IS NULL OR next_check_at <= ?))
               OR id IN (SELECT order_row FROM operations WHERE state IN ('pending', 'unknown'))
            ORDER BY updated_at, id LIMIT ?
            """, [.integer(now - minAge), .integer(now), .integer(Int64(limit))]).map(order(row:))
    }

    /// The reconciler looked and found nothing to change: it looks again at `at` (its backoff), unless the order
    /// changed meanwhile. Returns whether the schedule was written.
    @discardableResult
    public func scheduleCheck(orderId: String, seenUpdatedAt: Int64, at: Int64) throws -> Bool {
        try change {
            try connection.run("UPDATE orders SET next_check_at = ? WHERE order_id = ? AND updated_at = ?",
                               [.integer(at), .text(orderId), .integer(seenUpdatedAt)]) == 1
        }
    }

    // MARK: The one way states change

    /// Refuses sources a transition must never leave from, before touching the database (a programming error).
    private func allow(_ from: [OrderState], to: OrderState, only allowed: Set<OrderState>) throws {
        if let bad = from.first(where: { !allowed.contains($0) }) {
            throw OrderStoreError.forbiddenTransition(from: bad, to: to)
        }
    }

    /// Inside the caller's immediate transaction: `UPDATE ... WHERE order_id = ? AND state IN (from)`; when exactly one
    /// row changed, appends the event and, if the shop must hear of it, the outbox row. Nil when another caller won.
    /// `previous_state = state` in SET keeps the state it came from (SET reads the old row; RETURNING shows the new one).
    private func transition(_ orderId: String, from: [OrderState], to: OrderState,
                            set: String = "", _ setBindings: [SQLiteValue] = [],
                            updatedAt: Int64? = nil, andWhere: String = "", _ whereBindings: [SQLiteValue] = [],
                            now: Int64, actor: String, detail: (Order) -> String) throws -> Order? {
        guard !from.isEmpty else { return nil }
        let sql = """
            UPDATE orders SET previous_state = state, state = ?, updated_at = ?, next_check_at = NULL\(set.isEmpty ? "" : ", " + set)
            WHERE order_id = ? AND state IN (\(placeholders(from.count)))\(andWhere.isEmpty ? "" : " AND " + andWhere)
            RETURNING *
            """
        let bindings: [SQLiteValue] = [.text(to.rawValue), .integer(updatedAt ?? now)] + setBindings + [.text(orderId)]
            + from.map { .text($0.rawValue) } + whereBindings
        let rows = try connection.query(sql, bindings)
        guard rows.count == 1 else {
            // More than one row cannot happen (order_id is unique); if it ever did, undo rather than half-apply.
            if rows.count > 1 { throw OrderStoreError.corrupt(table: "orders", column: "order_id", value: orderId) }
            return nil
        }
        let previous = try rows[0].state("previous_state", table: "orders")
        let order = try order(row: rows[0])
        let extra = detail(order)
        try insertEvent(orderRow: order.rowId, kind: "state.\(to.rawValue)", actor: actor, now: now,
                        detail: "\(previous.rawValue) -> \(to.rawValue)" + (extra.isEmpty ? "" : ": " + extra))
        try closeOperations(of: order, from: previous, now: now)
        if to.notifiesShop(from: previous) { try enqueueNotification(order, now: now) }
        return order
    }

    /// Inside a transition: the open operation this change proves done (or proves can no longer happen) is closed
    /// in the same transaction, so an operation never reads "pending" while the order already shows its effect.
    /// A hold that ends closes its capture or void (done when it is the one that happened); a confirm that ends
    /// closes its charge (done when money was taken or held).
    private func closeOperations(of order: Order, from previous: OrderState, now: Int64) throws {
        switch (previous, order.state) {
        case (.authorized, .paid), (.authorized, .voided), (.authorized, .expired):
            try connection.run("""
                UPDATE operations SET updated_at = ?,
                  state = CASE WHEN (kind = 'capture' AND ? = 'paid') OR (kind = 'void' AND ? = 'voided') THEN 'done' ELSE 'not_done' END
                WHERE order_row = ? AND kind IN ('capture', 'void') AND state IN ('pending', 'unknown')
                """, [.integer(now), .text(order.state.rawValue), .text(order.state.rawValue), .integer(order.rowId)])
        case (.confirming, let to) where to != .confirming:
            try connection.run("""
                UPDATE operations SET updated_at = ?, state = ?
                WHERE order_row = ? AND kind = 'charge' AND state IN ('pending', 'unknown')
                """, [.integer(now), .text(to == .paid || to == .authorized ? "done" : "not_done"), .integer(order.rowId)])
        default:
            break
        }
    }
}
