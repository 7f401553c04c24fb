import Foundation
import LinePay
import LinePayStore

/// Confirms an approved payment exactly once, with the amount and currency from our records, and settles an
/// unknown outcome from LINE Pay's own records (payment details, then check payment status).
struct ConfirmOrder {
    let configuration: ResponderConfiguration
    let client: LinePayClient
    let store: OrderStore

    enum Outcome {
        case done(Order)
        case notFound
        /// The transactionId does not belong to the order: a tampered or stale link.
        case mismatch
    }

    /// How long after a Confirm began it may still be running somewhere (its read timeout, plus margin):
    /// before that, nobody but its caller may confirm the order again.
    var confirmInFlightLimit: Int64 {
        Int64(configuration.timeouts.read(.confirm).components.seconds) + configuration.timeouts.connect.components.seconds + 5
    }

    /// confirmUrl: the order's transaction, confirmed once however many requests arrive.
    func execute(linePayOrderId: String, transactionId: Int64, now: Int64) throws -> Outcome {
        guard let order = try store.order(linePayOrderId: linePayOrderId) else { return .notFound }
        guard order.transactionId == transactionId else { return .mismatch }
        if order.state == .reserved, try store.beginConfirm(orderId: order.orderId, transactionId: transactionId, now: now) {
            return .done(try confirm(order, now: now, settleIfUnknown: true))
        }
        let current = try store.order(orderId: order.orderId) ?? order
        // Another request is confirming, or the outcome is unknown: look it up at most once a second, not per hit.
        if current.state == .confirming, try store.claimStatusCheck(orderId: current.orderId, now: now) {
            return .done(try settle(current, now: now, ownsCall: false))
        }
        return .done(current)
    }

    /// Makes the Confirm call for an order this caller moved to confirming.
    func confirm(_ order: Order, now: Int64, settleIfUnknown: Bool) throws -> Order {
        guard let tx = order.transactionId, let currency = Currency(rawValue: order.currency) else { return order }
        switch attempt({ () throws(LinePayError) in try client.confirm(transactionId: TransactionID(tx), amount: order.amount, currency: currency) }) {
        case .success(let info):
            let captured = info.authorizationExpireDate == nil
            try store.appendEvent(orderId: order.orderId, kind: "api.confirm", actor: "system",
                                  detail: "0000 \(captured ? "captured" : "authorized") \(Money.format(order.amount)) \(order.currency)", now: now)
            _ = try store.markConfirmed(orderId: order.orderId, captured: captured, amount: order.amount, regKey: info.regKey?.rawValue, now: now)
        case .failure(let error):
            try store.appendEvent(orderId: order.orderId, kind: "api.confirm", actor: "system", detail: "\(error)", now: now)
            switch error {
            case .refused(let r) where r.code.rawValue == "1180":
                _ = try store.markExpired(orderId: order.orderId, from: [.confirming], reason: r.explanation, now: now)
            case .refused(let r), .retryable(let r):
                _ = try store.markFailed(orderId: order.orderId, from: [.confirming], reason: r.explanation, now: now)
            case .invalid(let v):
                _ = try store.markFailed(orderId: order.orderId, from: [.confirming], reason: v.description, now: now)
            case .notSent, .outcomeUnknown:
                // Never "failed": the payment may have gone through. Look it up; our own call has ended.
                if settleIfUnknown { return try settle(try store.order(orderId: order.orderId) ?? order, now: now, ownsCall: true) }
            }
        }
        return try store.order(orderId: order.orderId) ?? order
    }

    /// Settles an order whose Confirm outcome is unknown, from LINE Pay's records. `ownsCall`: the caller's own
    /// Confirm has ended, so confirming again is safe when LINE Pay says the payment is approved but not confirmed.
    func settle(_ order: Order, now: Int64, ownsCall: Bool) throws -> Order {
        guard order.state == .confirming, let tx = order.transactionId else { return order }
        switch attempt({ () throws(LinePayError) in try client.paymentDetails(transactionIds: [TransactionID(tx)]) }) {
        case .success(let details):
            if let d = details.first(where: { $0.transactionId.rawValue == tx }) {
                let amount = (d.payInfo ?? []).reduce(Decimal(0)) { $0 + $1.amount }
                try store.appendEvent(orderId: order.orderId, kind: "settle.details", actor: "system",
                                      detail: "found \(d.payStatus ?? "CAPTURED") \(Money.format(amount))", now: now)
                switch d.payStatus {
                case "AUTHORIZATION":
                    _ = try store.markConfirmed(orderId: order.orderId, captured: false, amount: amount, regKey: nil, now: now)
                case "VOIDED_AUTHORIZATION", "EXPIRED_AUTHORIZATION":
                    _ = try store.markExpired(orderId: order.orderId, from: [.confirming], reason: d.payStatus ?? "", now: now)
                default:
                    _ = try store.markConfirmed(orderId: order.orderId, captured: true, amount: amount, regKey: nil, now: now)
                }
                return try store.order(orderId: order.orderId) ?? order
            }
        case .failure(.refused(let r)) where r.code.rawValue == "1150":
            break   // not in LINE Pay's history: not confirmed (yet); ask the payment request's status
        case .failure(let error):
            try store.appendEvent(orderId: order.orderId, kind: "settle.details", actor: "system", detail: "\(error)", now: now)
            return order
        }
        guard ownsCall || now - order.updatedAt >= confirmInFlightLimit else { return order }
        switch attempt({ () throws(LinePayError) in try client.checkPaymentStatus(transactionId: TransactionID(tx)) }) {
        case .success(let status):
            try store.appendEvent(orderId: order.orderId, kind: "settle.check", actor: "system", detail: "\(status)", now: now)
            switch status {
            case .authorized:
                // Approved and not confirmed: confirm it, once (only the caller that claims the order does).
                if try store.claimReconfirm(orderId: order.orderId, seenUpdatedAt: order.updatedAt, now: now) {
                    return try confirm(try store.order(orderId: order.orderId) ?? order, now: now, settleIfUnknown: false)
                }
            case .cancelled:
                _ = try store.markCancelled(orderId: order.orderId, from: [.confirming], reason: "LINE Pay reports that the payment was cancelled or expired (0121).", now: now)
            case .failed:
                _ = try store.markFailed(orderId: order.orderId, from: [.confirming], reason: "LINE Pay reports that the payment failed (0122).", now: now)
            case .completed, .beforeAuthorization:
                break   // completed but not yet in details, or not approved: look again later
            }
        case .failure(let error):
            try store.appendEvent(orderId: order.orderId, kind: "settle.check", actor: "system", detail: "\(error)", now: now)
        }
        return try store.order(orderId: order.orderId) ?? order
    }
}
