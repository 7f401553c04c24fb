import Foundation
import LinePay
import LinePayStore

/// What a regKey check or expiry ended in.
public enum KeyOutcome: Sendable, Equatable {
    /// LINE Pay's answer was clear: `usable` (check) / done (expire), and the words recorded.
    case answered(ok: Bool, String)
    /// The outcome is unknown or LINE Pay could not be reached: nothing recorded but the event.
    case unclear(unknown: Bool, String)
    case notFound
}

/// RegKeys issued at the confirm of PREAPPROVED payments (config `pay_type = PREAPPROVED`): charge (pay
/// preapproved, as a new order), check and expire. A key is named by the order that issued it, so forms, commands
/// and logs never carry the key itself.
extension PaymentCore {
    /// Charges the regKey issued to `sourceOrderId` for `amount` (in its currency) as a new order, captured or only
    /// authorized; `newOrderId` defaults to the source's id plus a time stamp. Once per idempotency key.
    public func chargeRegKey(sourceOrderId: String, amount: Decimal, productName: String, capture: Bool, newOrderId: String?,
                       key: String, now: Int64) throws -> OperationOutcome {
        let orderId = newOrderId ?? Self.chargeOrderId(source: sourceOrderId, now: now)
        let begun = try store.beginCharge(idempotencyKey: key, sourceOrderId: sourceOrderId, orderId: orderId, productName: productName,
                                          amount: amount, actor: actor, now: now)
        return try outcome(of: begun) { op, order in
            guard let record = try store.regKey(orderId: sourceOrderId), let regKey = RegKey(record.regKey),
                  let currency = Currency(rawValue: order.currency) else {
                let done = try store.finishOperation(id: op.id, state: .rejected, result: "", refusal: .regKeyUnreadable,
                                                     now: clock(), actor: actor)
                try store.markFailed(orderId: orderId, from: [.confirming], reason: "not charged", now: clock(), actor: actor)
                return .finished(done, replayed: false)
            }
            let request = PayPreapproved(regKey: regKey, productName: productName, amount: amount, currency: currency,
                                         orderId: orderId, capture: capture)
            switch attempt({ () throws(LinePayError) in try client.payPreapproved(request) }) {
            case .success(let info):
                let at = clock()
                try store.attachTransaction(orderId: orderId, transactionId: info.transactionId.rawValue, now: at, actor: actor)
                try store.markConfirmed(orderId: orderId, captured: capture, amount: amount, regKey: nil,
                                        authorizationExpiresAt: unixTime(linePayDate: info.authorizationExpireDate),
                                        paymentProvider: info.paymentProvider?.rawValue, now: at, actor: actor)
                let done = try store.noteOperationResult(
                    id: op.id, result: "LINE Pay 0000: \(capture ? "charged" : "authorized") \(Money.format(amount)) \(order.currency), "
                        + "transaction \(info.transactionId)", now: at, actor: actor)
                return .finished(done, replayed: false)
            case .failure(let error):
                let (state, text) = Self.describe(error)
                let done = try store.finishOperation(id: op.id, state: state, result: text, now: clock(), actor: actor)
                if state != .unknown {
                    // Nothing was charged: the new order ends failed (its operation says why).
                    try store.markFailed(orderId: orderId, from: [.confirming], reason: text, now: clock(), actor: actor)
                }
                if case .refused(let r) = error, r.code.rawValue == "1193" {
                    try store.recordRegKey(orderId: sourceOrderId, expired: true, result: text, kind: "regkey.expired", actor: actor, now: clock())
                }
                return .finished(done, replayed: false)
            }
        }
    }

    /// Asks LINE Pay whether the key can still be charged, and records the answer.
    public func checkRegKey(sourceOrderId: String, now: Int64) throws -> KeyOutcome {
        guard let record = try store.regKey(orderId: sourceOrderId), let key = RegKey(record.regKey) else { return .notFound }
        switch attempt({ () throws(LinePayError) in try client.checkRegKey(key) }) {
        case .success:
            let text = "LINE Pay 0000: the regKey can be charged"
            try store.recordRegKey(orderId: sourceOrderId, expired: false, result: text, kind: "regkey.check", actor: actor, now: now)
            return .answered(ok: true, text)
        case .failure(let error):
            return try unclearOrRefused(error, sourceOrderId: sourceOrderId, kind: "regkey.check", now: now)
        }
    }

    /// Ends the key for good at LINE Pay (an already expired key counts as done), and records it.
    public func expireRegKey(sourceOrderId: String, now: Int64) throws -> KeyOutcome {
        guard let record = try store.regKey(orderId: sourceOrderId), let key = RegKey(record.regKey) else { return .notFound }
        switch attempt({ () throws(LinePayError) in try client.expireRegKey(key) }) {
        case .success:
            let text = "LINE Pay 0000: the regKey is expired"
            try store.recordRegKey(orderId: sourceOrderId, expired: true, result: text, kind: "regkey.expire", actor: actor, now: now)
            return .answered(ok: true, text)
        case .failure(.refused(let r)) where r.code.rawValue == "1193":
            let text = "LINE Pay (1193): \(r.explanation)"
            try store.recordRegKey(orderId: sourceOrderId, expired: true, result: text, kind: "regkey.expire", actor: actor, now: now)
            return .answered(ok: true, text)
        case .failure(let error):
            return try unclearOrRefused(error, sourceOrderId: sourceOrderId, kind: "regkey.expire", now: now)
        }
    }

    private func unclearOrRefused(_ error: LinePayError, sourceOrderId: String, kind: String, now: Int64) throws -> KeyOutcome {
        let (state, text) = Self.describe(error)
        if case .refused(let r) = error {
            try store.recordRegKey(orderId: sourceOrderId, expired: r.code.rawValue == "1193", result: text, kind: kind, actor: actor, now: now)
            return .answered(ok: false, text)
        }
        try store.appendEvent(orderId: sourceOrderId, kind: kind, actor: actor, detail: text, now: now)
        return .unclear(unknown: state == .unknown, text)
    }

    /// `SOURCE-C<unix time>-<4 hex>`, within LINE Pay's 100 characters.
    static func chargeOrderId(source: String, now: Int64) -> String {
        "\(source.prefix(70))-C\(now)-" + lowerHex(secureRandomBytes(2))
    }
}
