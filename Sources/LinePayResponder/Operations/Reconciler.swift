import Foundation
import LinePay
import LinePayStore

/// Settles everything whose outcome is unknown into LINE Pay's true state: orders in `confirming` (through
/// ConfirmOrder.settle, the same code the confirmUrl uses), reservations older than 20 minutes, and capture, void,
/// refund and charge operations left unknown. It looks up and never repeats a call that moves money (the one
/// exception is ConfirmOrder's own: confirm again only when LINE Pay says "approved, not confirmed").
///
/// Safe from cron every minute, next to the responder and another reconcile: each order and operation is taken
/// under a lease first, and every change is a conditional transition that only one caller can win.
public struct Reconciler {
    let configuration: ResponderConfiguration
    let client: LinePayClient
    let store: OrderStore
    let actor = "reconcile"
    /// This run's name on the leases it takes.
    let holder = secureRandomBytes(8).map { String(format: "%02x", $0) }.joined()

    /// A reservation the shopper has not finished after this long is over at LINE Pay (its payment URL expired).
    static let staleReservation: Int64 = 20 * 60
    /// After an unknown call has ended, how long before "LINE Pay shows nothing" is taken as "it did not happen".
    static let absentGrace: Int64 = 60
    /// Long enough for the slowest lookup-and-confirm a settle may make.
    static let leaseSeconds: Int64 = 180

    public init(configuration: ResponderConfiguration, store: OrderStore) {
        self.init(configuration: configuration, client: LinePayClient(configuration: configuration.linePay), store: store)
    }

    init(configuration: ResponderConfiguration, client: LinePayClient, store: OrderStore) {
        self.configuration = configuration; self.client = client; self.store = store
    }

    /// What a run did, one line per order or operation it looked at.
    public struct Report: Sendable {
        /// "T-1: confirming -> paid", "T-2 refund 100 TWD: done", "T-3: still unknown (...)".
        public var lines: [String] = []
        /// How many are still unknown after this run.
        public var unsettled = 0
        /// How many were left alone because another run holds them.
        public var skipped = 0
    }

    /// A pending operation older than this cannot still have its call running (all attempts and timeouts spent).
    var pendingLimit: Int64 {
        let t = configuration.timeouts
        let slowest = [LinePayOperation.capture, .void, .refund, .payPreapproved].map { t.connect + t.read($0) }.max() ?? .seconds(60)
        return slowest.components.seconds * Int64(configuration.linePay.retry.maxAttempts) + 10
    }

    /// One pass over everything unsettled.
    public func run(now: Int64) throws -> Report {
        var report = Report()
        for order in try store.ordersToReconcile(now: now, olderThan: Self.staleReservation) {
            // A charge without a transaction is settled through its operation below.
            if order.state == .confirming && order.transactionId == nil { continue }
            let lease = "order:\(order.rowId)"
            guard try store.claimLease(lease, holder: holder, now: now, seconds: Self.leaseSeconds) else { report.skipped += 1; continue }
            defer { try? store.releaseLease(lease, holder: holder) }
            guard let fresh = try store.order(orderId: order.orderId), fresh.updatedAt == order.updatedAt else { continue }
            let line = try settle(fresh, now: now)
            let after = try store.order(orderId: order.orderId) ?? fresh
            if [.confirming, .reserving, .reserved].contains(after.state) { report.unsettled += 1 }
            if let line { report.lines.append(line) }
        }
        for op in try store.operationsToReconcile(now: now, pendingOlderThan: pendingLimit) {
            let lease = "operation:\(op.id)"
            guard try store.claimLease(lease, holder: holder, now: now, seconds: Self.leaseSeconds) else { report.skipped += 1; continue }
            defer { try? store.releaseLease(lease, holder: holder) }
            guard let fresh = try store.operation(idempotencyKey: op.idempotencyKey), fresh.state == op.state,
                  fresh.updatedAt == op.updatedAt else { continue }
            let line = try settle(fresh, now: now)
            let after = try store.operation(idempotencyKey: op.idempotencyKey) ?? fresh
            if after.state.isOpen { report.unsettled += 1 }
            report.lines.append(line)
        }
        return report
    }

    /// Settles one order whose own outcome is unknown; a line describing the change, or nil when there was nothing to do.
    func settle(_ order: Order, now: Int64) throws -> String? {
        if let op = try store.openOperation(orderRowId: order.rowId), op.state == .unknown || now - op.updatedAt >= pendingLimit {
            return try settle(op, now: now)
        }
        let before = order.state
        switch order.state {
        case .confirming where order.transactionId != nil:
            _ = try ConfirmOrder(configuration: configuration, client: client, store: store).settle(order, now: now, ownsCall: false)
        case .reserved where now - (order.reservedAt ?? order.updatedAt) >= Self.staleReservation:
            _ = try RefreshStatus(configuration: configuration, client: client, store: store).execute(order, now: now)
        case .reserving where now - order.updatedAt >= Self.staleReservation:
            _ = try store.abortReserve(orderId: order.orderId, error: "the Request's outcome was never recorded; abandoned after 20 minutes "
                                       + "(a new attempt uses a new LINE Pay orderId)", now: now, actor: actor)
        default:
            return nil
        }
        let after = try store.order(orderId: order.orderId)?.state ?? before
        return after == before ? "\(order.orderId): still \(before.publicStatus)" : "\(order.orderId): \(before.rawValue) -> \(after.rawValue)"
    }

    /// Settles one open operation from payment details; returns a line saying how.
    func settle(_ op: AfterSaleOperation, now: Int64) throws -> String {
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
        let graceOver = now - op.updatedAt >= Self.absentGrace
        let details: [PaymentDetails.Detail]
        switch attempt({ () throws(LinePayError) in try client.send(lookup).info }) {
        case .success(let d): details = d
        case .failure(.refused(let r)) where r.code.rawValue == "1150": details = []
        case .failure(let error):
            return "\(name): still unknown (payment details: \(error))"
        }
        let payment = details.first { $0.transactionType == nil || $0.transactionType == "PAYMENT" }
        let paid = (payment?.payInfo ?? []).reduce(Decimal(0)) { $0 + $1.amount }
        let status = payment.map { $0.payStatus ?? "CAPTURED" }
        func notDone(_ why: String) throws -> String {
            guard graceOver else { return "\(name): still unknown (\(why); looking again after \(Self.absentGrace) s)" }
            _ = try store.markOperationNotDone(id: op.id, reason: "did not happen: \(why)", now: now, actor: actor)
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
            guard let payment else {
                let line = try notDone("LINE Pay has no payment for \(order.linePayOrderId ?? order.orderId)")
                if try store.operation(idempotencyKey: op.idempotencyKey)?.state == .not_done {
                    _ = try store.markFailed(orderId: order.orderId, from: [.confirming], reason: "not charged (LINE Pay has no such payment)",
                                             now: now, actor: actor)
                }
                return line
            }
            _ = try store.attachTransaction(orderId: order.orderId, transactionId: payment.transactionId.rawValue, now: now, actor: actor)
            _ = try store.markConfirmed(orderId: order.orderId, captured: status != "AUTHORIZATION", amount: paid, regKey: nil, now: now, actor: actor)
            return try done("LINE Pay shows \(status ?? "") \(Money.format(paid)) \(order.currency), tx \(payment.transactionId)")
        case .capture, .void:
            switch status {
            case "AUTHORIZATION":
                return try notDone("LINE Pay still shows the authorization")
            case "VOIDED_AUTHORIZATION":
                if op.kind == .capture { _ = try store.markOperationNotDone(id: op.id, reason: "did not happen: LINE Pay shows the authorization voided", now: now, actor: actor) }
                _ = try store.markVoided(orderId: order.orderId, now: now, actor: actor)
                return try done("LINE Pay shows the authorization voided")
            case "EXPIRED_AUTHORIZATION":
                _ = try store.markOperationNotDone(id: op.id, reason: "did not happen: the authorization expired", now: now, actor: actor)
                _ = try store.markExpired(orderId: order.orderId, from: [.authorized], reason: "EXPIRED_AUTHORIZATION", now: now, actor: actor)
                return "\(name): did not happen (the authorization expired)"
            case nil:
                return try notDone("LINE Pay has no payment for this transaction")
            default:
                if op.kind == .void { _ = try store.markOperationNotDone(id: op.id, reason: "did not happen: LINE Pay shows the payment captured", now: now, actor: actor) }
                _ = try store.markCaptured(orderId: order.orderId, amount: paid, now: now, actor: actor)
                return try done("LINE Pay shows \(Money.format(paid)) \(order.currency) captured")
            }
        case .refund:
            guard let payment else { return try notDone("LINE Pay has no payment for this transaction") }
            let known = try store.refundTransactionIds(orderRowId: order.rowId)
            let unrecorded = (payment.refundList ?? []).filter { !known.contains($0.refundTransactionId.rawValue) }
            for refund in unrecorded.sorted(by: { $0.refundTransactionId < $1.refundTransactionId }) {
                _ = try store.markRefunded(orderId: order.orderId, amount: refund.refundAmount,
                                           refundTransactionId: refund.refundTransactionId.rawValue, now: now, actor: actor)
            }
            if try store.operation(idempotencyKey: op.idempotencyKey)?.state == .done {
                let tx = try store.operation(idempotencyKey: op.idempotencyKey)?.refundTransactionId.map(String.init) ?? "?"
                return try done("LINE Pay shows the refund, refund transaction \(tx)")
            }
            return try notDone(unrecorded.isEmpty ? "LINE Pay shows no refund we have not recorded"
                                                  : "LINE Pay shows refunds of \(unrecorded.map { Money.format($0.refundAmount) }.joined(separator: ", ")), none of this amount")
        }
    }
}
