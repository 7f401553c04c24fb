import Foundation
import LinePay
import LinePayStore

/// What became of an after-sale request, for the admin pages and `linepay` alike.
public enum OperationOutcome: Sendable {
    /// The operation as stored (its `state` says done, refused, rejected, unknown...); `replayed` when this
    /// idempotency key had been used before and nothing new was done.
    case finished(AfterSaleOperation, replayed: Bool)
    /// No such order (or regKey).
    case notFound
    /// The idempotency key belongs to another request; nothing was done.
    case keyReused(AfterSaleOperation)
}

/// Capture, void and refund, shared by /admin and `linepay`: the intent is recorded (and checked against our own
/// records) before LINE Pay is called, the answer is recorded after; an unknown outcome is settled from payment
/// details by the reconciler, never retried here.
extension PaymentCore {
    /// Captures (amount nil: all that is authorized), voids, or refunds (amount nil: all that remains) `orderId`,
    /// once per idempotency `key`.
    public func perform(_ kind: OperationKind, orderId: String, amount: Decimal?, key: String, now: Int64) throws -> OperationOutcome {
        precondition(kind != .charge, "charges go through charge(sourceOrderId:...)")
        let request = OperationRequest(idempotencyKey: key, orderId: orderId, kind: kind, amount: amount, actor: actor)
        let begun = try store.beginOperation(request, now: now, rules: { order, open, asked in Self.check(kind, order, open: open, amount: asked) })
        return try outcome(of: begun) { op, order in .finished(try call(op, order, now: now), replayed: false) }
    }

    /// What a begun operation tells its caller: an earlier or refused operation as it stands, or what `started`
    /// made of the one this caller may now send to LINE Pay (the notifier is woken after it).
    func outcome(of begun: BeginOperationResult,
                 started: (AfterSaleOperation, Order) throws -> OperationOutcome) throws -> OperationOutcome {
        switch begun {
        case .notFound: return .notFound
        case .keyReused(let op): return .keyReused(op)
        case .existing(let op): return .finished(op, replayed: true)
        case .rejected(let op): return .finished(op, replayed: false)
        case .started(let op, let order):
            defer { wake() }
            return try started(op, order)
        }
    }

    /// Makes the one LINE Pay call for an operation this caller started, and records its answer.
    private func call(_ op: AfterSaleOperation, _ order: Order, now: Int64) throws -> AfterSaleOperation {
        guard let txId = order.transactionId, let currency = Currency(rawValue: order.currency) else {
            return try store.finishOperation(id: op.id, state: .rejected, result: "", refusal: .noTransaction, now: now, actor: actor)
        }
        let tx = TransactionID(txId)
        let amount = op.amount ?? 0
        let money = "\(Money.format(amount)) \(order.currency)"
        switch op.kind {
        case .capture:
            switch attempt({ () throws(LinePayError) in try client.capture(transactionId: tx, amount: amount, currency: currency) }) {
            case .success(let info):
                try store.markCaptured(orderId: order.orderId, amount: amount, paymentProvider: info.paymentProvider?.rawValue, now: clock(), actor: actor)
                return try store.noteOperationResult(id: op.id, result: "LINE Pay 0000: captured \(money)", now: clock(), actor: actor)
            case .failure(.refused(let r)) where Self.captureRefusalCancelsAuthorization(r.code.rawValue):
                // The reference (Capture): after these codes "the transaction will be automatically canceled".
                let done = try failed(op, .refused(r))
                try store.markVoided(orderId: order.orderId, reason: "LINE Pay cancelled the authorization after refusing the capture (\(r.code.rawValue))",
                                     now: clock(), actor: actor)
                return done
            case .failure(let error): return try failed(op, error)
            }
        case .void:
            switch attempt({ () throws(LinePayError) in try client.void(transactionId: tx) }) {
            case .success:
                try store.markVoided(orderId: order.orderId, now: clock(), actor: actor)
                return try store.noteOperationResult(id: op.id, result: "LINE Pay 0000: authorization voided", now: clock(), actor: actor)
            case .failure(let error): return try failedOrAlreadyDone(op, error)
            }
        case .refund:
            switch attempt({ () throws(LinePayError) in try client.refund(transactionId: tx, amount: amount, currency: currency) }) {
            case .success(let info):
                let refundTx = info.refundTransactionId.rawValue
                try store.markRefunded(orderId: order.orderId, amount: amount, refundTransactionId: refundTx, now: clock(), actor: actor)
                return try store.noteOperationResult(id: op.id, result: "LINE Pay 0000: refunded \(money) (refund transaction \(refundTx))",
                                                     now: clock(), actor: actor)
            case .failure(let error): return try failedOrAlreadyDone(op, error)
            }
        case .charge:
            return op
        }
    }

    /// Our own rules for an after-sale action, before LINE Pay is called: the exact amount to send (nil asked: all
    /// that is authorized, or all that remains) or why not. The admin's confirmation page shows the same answer early.
    public static func check(_ kind: OperationKind, _ order: Order, open: AfterSaleOperation?, amount asked: Decimal?)
        -> (amount: Decimal?, refusal: OperationRefusal?) {
        let remaining = order.capturedAmount - order.refundedAmount
        var amount: Decimal? = nil
        var refusal: OperationRefusal? = nil
        switch kind {
        case .capture:
            amount = asked ?? order.authorizedAmount
            if order.state != .authorized { refusal = .wrongState(kind, order.state) }
            else if let a = amount, a <= 0 || a > order.authorizedAmount { refusal = .amountOutOfRange(kind, max: order.authorizedAmount) }
        case .void:
            if order.state != .authorized { refusal = .wrongState(kind, order.state) }
        case .refund:
            amount = asked ?? remaining
            if order.state != .paid && order.state != .partially_refunded { refusal = .wrongState(kind, order.state) }
            else if let a = amount, a <= 0 || a > remaining { refusal = .amountOutOfRange(kind, max: remaining) }
        case .charge:
            refusal = .wrongState(kind, order.state)   // charges start with chargeRegKey
        }
        if refusal == nil, let a = amount, let currency = Currency(rawValue: order.currency), !Money.fits(a, currency) {
            refusal = .amountScale(currency: currency.rawValue, maximumScale: Int(currency.maximumScale))
        }
        if refusal == nil, order.transactionId == nil { refusal = .noTransaction }
        if refusal == nil, let open { refusal = .operationOpen(open.kind, open.state) }
        return (amount, refusal)
    }

    /// Capture codes after which LINE Pay cancels the authorization itself: 1199 and 1280-1298.
    static func captureRefusalCancelsAuthorization(_ code: String) -> Bool {
        code == "1199" || (Int(code).map { (1280...1298).contains($0) } ?? false)
    }

    /// 1165 ("already voided / refunded") says an earlier call of ours may have done it: look it up, never count it refused.
    private func failedOrAlreadyDone(_ op: AfterSaleOperation, _ error: LinePayError) throws -> AfterSaleOperation {
        guard case .refused(let r) = error, r.code.rawValue == "1165" else { return try failed(op, error) }
        let unknown = try store.finishOperation(id: op.id, state: .unknown, result: "LINE Pay said 1165 (\(r.explanation)): checking payment details",
                                                now: clock(), actor: actor)
        _ = try Reconciler(core: self).settle(unknown, now: clock(), graceOver: true)
        return try store.operation(idempotencyKey: op.idempotencyKey) ?? unknown
    }

    /// Records a call that did not succeed: refused (in LINE Pay's words), not sent, or unknown (left for reconcile).
    func failed(_ op: AfterSaleOperation, _ error: LinePayError) throws -> AfterSaleOperation {
        let (state, text) = Self.describe(error)
        return try store.finishOperation(id: op.id, state: state, result: text, now: clock(), actor: actor)
    }

    /// How a failed call is recorded: the state and the words shown to the admin (LINE Pay's explanation, never a code alone).
    public static func describe(_ error: LinePayError) -> (OperationState, String) {
        switch error {
        case .refused(let r), .retryable(let r):
            return (.refused, "LINE Pay refused (\(r.code.rawValue)): \(r.explanation)" + (r.message.isEmpty ? "" : " LINE Pay said: \"\(r.message)\""))
        case .invalid(let v):
            return (.rejected, "refused by us before sending: \(v)")
        case .notSent(let why):
            return (.not_sent, "LINE Pay could not be reached; nothing was sent (\(why)). It is safe to try again.")
        case .outcomeUnknown(_, let why):
            return (.unknown, "outcome unknown (\(why)): checking with LINE Pay; reconcile settles it from payment details")
        }
    }

    // MARK: Refresh

    /// What a refresh found.
    public enum RefreshOutcome: Sendable {
        case refreshed(PaymentSnapshot?, settled: String?)
        case failed(String)
        case notFound
    }

    /// Payment details for the order from LINE Pay, kept as its snapshot and logged; an order whose outcome is
    /// unknown (confirming, or an open operation) is then settled from them as the reconciler would.
    public func refreshFromLinePay(orderId: String, now: Int64) throws -> RefreshOutcome {
        guard let order = try store.order(orderId: orderId) else { return .notFound }
        let lookup: PaymentDetails
        if let tx = order.transactionId { lookup = PaymentDetails(transactionIds: [TransactionID(tx)]) }
        else if let lp = order.linePayOrderId, order.state == .confirming { lookup = PaymentDetails(orderIds: [lp]) }
        else { return .failed("this order has no LINE Pay transaction yet") }
        switch attempt({ () throws(LinePayError) in try client.send(lookup).info }) {
        case .success(let details):
            let snapshot = details.first(where: { $0.transactionType == nil || $0.transactionType == "PAYMENT" }).map(Self.snapshot)
            if let snapshot { try store.saveSnapshot(orderId: orderId, snapshot, now: now) }
            try store.appendEvent(orderId: orderId, kind: "admin.refresh", actor: actor,
                                  detail: snapshot.map(Self.summary) ?? "LINE Pay returned no payment for it", now: now)
        case .failure(let error):
            try store.appendEvent(orderId: orderId, kind: "admin.refresh", actor: actor, detail: "\(error)", now: now)
            if case .refused(let r) = error, r.code.rawValue == "1150" {
                // Not in LINE Pay's history: fall through, a charge or confirm of unknown outcome may settle from it.
            } else {
                return .failed(Self.describe(error).1)
            }
        }
        let current = try store.order(orderId: orderId) ?? order
        let settled = try Reconciler(core: self).settleOrder(current, now: now, force: true)
        wake()
        return .refreshed(try store.snapshot(orderRowId: order.rowId), settled: settled)
    }

    /// Payment details as the admin page keeps it (refund amounts as magnitudes).
    public static func snapshot(_ d: PaymentDetails.Detail) -> PaymentSnapshot {
        PaymentSnapshot(
            transactionId: String(d.transactionId.rawValue), payStatus: d.status, transactionType: d.transactionType,
            transactionDate: d.transactionDate, authorizationExpireDate: d.authorizationExpireDate,
            payInfo: (d.payInfo ?? []).map {
                PaymentSnapshot.Line(method: $0.method, amount: Money.format($0.amount),
                                     card: [$0.creditCardBrand, $0.maskedCreditCardNumber].compactMap { $0 }.filter { !$0.isEmpty }
                                         .joined(separator: " ").nilIfEmpty)
            },
            refunds: (d.refundList ?? []).map {
                PaymentSnapshot.RefundLine(refundTransactionId: String($0.refundTransactionId.rawValue), amount: Money.format($0.refundAmount),
                                           date: $0.refundTransactionDate)
            })
    }

    static func summary(_ s: PaymentSnapshot) -> String {
        let paid = s.payInfo.map { "\($0.method) \($0.amount)" }.joined(separator: " + ")
        let refunds = s.refunds.isEmpty ? "" : ", refunds " + s.refunds.map(\.amount).joined(separator: " + ")
        return "LINE Pay: \(s.payStatus) \(paid)\(refunds)"
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// Which after-sale actions the order allows now: the one place the admin page and `linepay show` learn it.
public struct AllowedActions: Sendable, Equatable {
    public var capture: Bool
    public var void: Bool
    public var refund: Bool

    /// Nothing while an operation is open; capture and void only an authorization; refund only what remains captured.
    public init(_ order: Order, open: AfterSaleOperation?) {
        let idle = open == nil && order.transactionId != nil
        capture = idle && order.state == .authorized
        void = idle && order.state == .authorized
        refund = idle && (order.state == .paid || order.state == .partially_refunded) && order.capturedAmount > order.refundedAmount
    }
}
