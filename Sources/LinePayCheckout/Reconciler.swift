import Foundation
import LinePay
import LinePayStore

/// Brings every order that is not final to where LINE Pay's records are, on a schedule with backoff: reserved
/// orders from a minute after the shopper left until LINE Pay's 20 minutes are over (confirm on 0110, once),
/// confirming orders (payment details; confirm again only once no earlier Confirm can still run), stale
/// reservations, authorizations (daily and the day before they expire), and after-sale operations left unknown.
/// It looks up and never repeats a call that moves money, except the state machine's own "confirm on 0110".
///
/// Safe to run in every process at once (linepay-fcgi's background loop, cron's `linepay reconcile`): each order
/// and operation is taken under a lease first, and every change is a conditional transition only one caller wins.
public struct Reconciler {
    let core: PaymentCore
    /// This run's name on the leases it takes.
    let holder = lowerHex(secureRandomBytes(8))

    /// After an unknown call has ended, how long before "LINE Pay shows nothing" is taken as "it did not happen".
    static let absentGrace: Int64 = 60
    /// Long enough for the slowest lookup-and-confirm a settle may make.
    static let leaseSeconds: Int64 = 180

    public init(core: PaymentCore) {
        self.core = core.actor == "system" ? core.acting(as: "reconcile") : core
    }

    var store: OrderStore { core.store }
    var client: LinePayClient { core.client }
    var actor: String { core.actor }

    /// What a run did, one line per order or operation it changed or could not settle.
    public struct Report: Sendable {
        /// "T-1: confirming -> paid", "T-2 refund 100 TWD: done", "T-3: still unknown (...)".
        public var lines: [String] = []
        /// How many orders and operations were looked at.
        public var looked = 0
        /// How many changed.
        public var changed = 0
        /// How many are still unknown after this run (confirming, or an operation still open).
        public var unsettled = 0
        /// How many were left alone because another run holds them.
        public var skipped = 0
    }

    /// One pass over everything due; `minAge` overrides the settings' (seconds an order's state must have lasted).
    public func run(now: Int64, minAge: Int64? = nil) throws -> Report {
        var report = Report()
        defer { if report.changed > 0 { core.wake() } }
        for order in try store.ordersToReconcile(now: now, minAge: minAge ?? core.settings.reconcileMinAge) {
            let lease = "order:\(order.rowId)"
            guard try store.claimLease(lease, holder: holder, now: now, seconds: Self.leaseSeconds) else { report.skipped += 1; continue }
            defer { try? store.releaseLease(lease, holder: holder) }
            guard let fresh = try store.order(orderId: order.orderId), fresh.updatedAt == order.updatedAt else { continue }
            report.looked += 1
            let line = try settleOrder(fresh, now: now, force: false)
            let after = try store.order(orderId: order.orderId) ?? fresh
            if after.state != fresh.state || after.updatedAt != fresh.updatedAt { report.changed += 1 }
            let open = try store.openOperation(orderRowId: after.rowId)
            if after.state == .confirming || open != nil { report.unsettled += 1 }
            if after.updatedAt == fresh.updatedAt, after.state == fresh.state, after.state != .new {
                try store.scheduleCheck(orderId: after.orderId, seenUpdatedAt: after.updatedAt, at: now + nextLook(after, now: now))
            }
            if let line { report.lines.append(line) }
        }
        return report
    }

    /// Seconds until the reconciler looks at an unchanged order again.
    func nextLook(_ order: Order, now: Int64) -> Int64 {
        let age = now - order.updatedAt
        switch order.state {
        case .reserved:
            // Often while the shopper may still approve; after LINE Pay's 20 minutes, once more for 0121.
            return age < 5 * 60 ? 30 : age < PaymentCore.reservationLifetime ? 60 : 300
        case .confirming:
            // Soon after no earlier Confirm can run (that is when it may confirm again); then with backoff.
            let inFlightEnds = order.updatedAt + core.settings.confirmInFlightLimit - now
            return inFlightEnds > 0 ? max(5, min(30, inFlightEnds)) : min(max(30, age / 4), 3600)
        case .authorized:
            // Daily, and on the day before and just after the hold's end.
            guard let expires = order.authorizationExpiresAt else { return 86400 }
            let dayBefore = expires - 86400
            if dayBefore > now { return min(86400, dayBefore - now) }
            return expires > now ? expires - now + 60 : 3600
        default:
            return 300
        }
    }

    /// Settles one order; a line describing what changed (or why it could not), or nil when there was nothing to do.
    /// `force`: look whatever the schedule says (the admin's refresh).
    public func settleOrder(_ order: Order, now: Int64, force: Bool) throws -> String? {
        if let op = try store.openOperation(orderRowId: order.rowId) {
            guard op.state == .unknown || now - op.updatedAt >= core.settings.pendingLimit(op.kind) else { return nil }
            return try settle(op, now: now, graceOver: now - op.updatedAt >= Self.absentGrace)
        }
        let before = order.state
        switch order.state {
        case .confirming where order.transactionId != nil:
            _ = try core.settleConfirming(order, ownsCall: false, now: now)
        case .reserved:
            _ = try core.followReservation(order, now: now)
        case .reserving where now - order.updatedAt >= PaymentCore.reservationLifetime:
            try store.abortReserve(orderId: order.orderId, error: "the Request's outcome was never recorded; abandoned after 20 minutes "
                                   + "(a new attempt uses a new LINE Pay orderId)", now: now, actor: actor)
        case .authorized:
            try followAuthorization(order, now: now)
        default:
            return nil
        }
        let after = try store.order(orderId: order.orderId)?.state ?? before
        if after != before { return "\(order.orderId): \(before.rawValue) -> \(after.rawValue)" }
        // Routine looks at a reservation or a hold that changed nothing are not news; an unknown outcome still is.
        return before == .confirming ? "\(order.orderId): still \(before.publicStatus)" : nil
    }

    /// An authorization: payment details tells whether LINE Pay still holds it, let it expire, or it was captured elsewhere.
    func followAuthorization(_ order: Order, now: Int64) throws {
        guard let tx = order.transactionId else { return }
        let details: [PaymentDetails.Detail]
        switch attempt({ () throws(LinePayError) in try client.paymentDetails(transactionIds: [TransactionID(tx)]) }) {
        case .success(let d): details = d
        case .failure(let error):
            try store.appendEvent(orderId: order.orderId, kind: "reconcile.details", actor: actor, detail: "\(error)", now: now)
            return
        }
        guard let payment = details.first(where: { ($0.transactionType ?? "PAYMENT") == "PAYMENT" }) else { return }
        switch payment.status {
        case "EXPIRED_AUTHORIZATION":
            try store.markExpired(orderId: order.orderId, from: [.authorized], reason: "The authorization expired at LINE Pay (EXPIRED_AUTHORIZATION).",
                                  now: now, actor: actor)
        case "VOIDED_AUTHORIZATION":
            try store.markVoided(orderId: order.orderId, reason: "LINE Pay shows the authorization voided", now: now, actor: actor)
        case "AUTHORIZATION":
            break
        default:
            try store.markCaptured(orderId: order.orderId, amount: payment.paidAmount, now: now, actor: actor)
        }
    }

    /// Settles one open operation from payment details; returns a line saying how. `graceOver`: long enough since
    /// the call that "LINE Pay shows nothing" means it did not happen.
    func settle(_ op: AfterSaleOperation, now: Int64, graceOver: Bool) throws -> String {
        let name = "\(op.orderId) \(op.kind.rawValue)" + (op.amount.map { " " + Money.format($0) } ?? "")
        guard let order = try store.order(orderId: op.orderId) else { return "\(name): order missing" }
        let lookup: PaymentDetails
        if op.kind == .charge {
            lookup = PaymentDetails(orderIds: [order.linePayOrderId ?? order.orderId])
        } else if let tx = order.transactionId {
            lookup = PaymentDetails(transactionIds: [TransactionID(tx)])
        } else {
            return "\(name): the order has no transaction"
        }
        let details: [PaymentDetails.Detail]
        switch attempt({ () throws(LinePayError) in try client.send(lookup).info }) {
        case .success(let d): details = d
        case .failure(.refused(let r)) where r.code.rawValue == "1150": details = []
        case .failure(let error):
            return "\(name): still unknown (payment details: \(error))"
        }
        let payment = details.first { ($0.transactionType ?? "PAYMENT") == "PAYMENT" }
        let paid = payment?.paidAmount ?? 0
        let status = payment?.status
        func notDone(_ why: String) throws -> String {
            guard graceOver else { return "\(name): still unknown (\(why); looking again after \(Self.absentGrace) s)" }
            try store.markOperationNotDone(id: op.id, reason: "did not happen: \(why)", now: now, actor: actor)
            return "\(name): did not happen (\(why))"
        }
        func done(_ what: String) throws -> String {
            let after = try store.operation(idempotencyKey: op.idempotencyKey)
            if after?.state == .done {
                try store.noteOperationResult(id: op.id, result: "settled from payment details: \(what)", now: now, actor: actor)
                return "\(name): done (\(what))"
            }
            return "\(name): \(after?.state.rawValue ?? "?") (\(what))"
        }

        switch op.kind {
        case .charge:
            guard let payment, let status else {
                let line = try notDone("LINE Pay has no payment for \(order.linePayOrderId ?? order.orderId)")
                if try store.operation(idempotencyKey: op.idempotencyKey)?.state == .not_done {
                    try store.markFailed(orderId: order.orderId, from: [.confirming], reason: "not charged (LINE Pay has no such payment)",
                                         now: now, actor: actor)
                }
                return line
            }
            try store.attachTransaction(orderId: order.orderId, transactionId: payment.transactionId.rawValue, now: now, actor: actor)
            // The charge happened; where its money is now is payment details' status, not "anything but AUTHORIZATION".
            let settled = try core.settleConfirmed(try store.order(orderId: order.orderId) ?? order, from: payment, now: now)
            return try done("LINE Pay shows \(status) \(Money.format(paid)) \(order.currency), tx \(payment.transactionId); the order is \(settled.state.rawValue)")
        case .capture, .void:
            switch status {
            case "AUTHORIZATION":
                return try notDone("LINE Pay still shows the authorization")
            case "VOIDED_AUTHORIZATION":
                if op.kind == .capture { try store.markOperationNotDone(id: op.id, reason: "did not happen: LINE Pay shows the authorization voided", now: now, actor: actor) }
                try store.markVoided(orderId: order.orderId, now: now, actor: actor)
                return try done("LINE Pay shows the authorization voided")
            case "EXPIRED_AUTHORIZATION":
                try store.markOperationNotDone(id: op.id, reason: "did not happen: the authorization expired", now: now, actor: actor)
                try store.markExpired(orderId: order.orderId, from: [.authorized], reason: "EXPIRED_AUTHORIZATION", now: now, actor: actor)
                return "\(name): did not happen (the authorization expired)"
            case nil:
                return try notDone("LINE Pay has no payment for this transaction")
            default:
                if op.kind == .void { try store.markOperationNotDone(id: op.id, reason: "did not happen: LINE Pay shows the payment captured", now: now, actor: actor) }
                try store.markCaptured(orderId: order.orderId, amount: paid, now: now, actor: actor)
                return try done("LINE Pay shows \(Money.format(paid)) \(order.currency) captured")
            }
        case .refund:
            guard let payment else { return try notDone("LINE Pay has no payment for this transaction") }
            let known = try store.refundTransactionIds(orderRowId: order.rowId)
            let unrecorded = (payment.refundList ?? []).filter { !known.contains($0.refundTransactionId.rawValue) }
            for refund in unrecorded.sorted(by: { $0.refundTransactionId < $1.refundTransactionId }) {
                try store.markRefunded(orderId: order.orderId, amount: refund.refundAmount,
                                       refundTransactionId: refund.refundTransactionId.rawValue, now: now, actor: actor)
            }
            if let settled = try store.operation(idempotencyKey: op.idempotencyKey), settled.state == .done {
                return try done("LINE Pay shows the refund, refund transaction \(settled.refundTransactionId.map(String.init) ?? "?")")
            }
            return try notDone(unrecorded.isEmpty ? "LINE Pay shows no refund we have not recorded"
                                                  : "LINE Pay shows refunds of \(unrecorded.map { Money.format($0.refundAmount) }.joined(separator: ", ")), none of this amount")
        }
    }
}
