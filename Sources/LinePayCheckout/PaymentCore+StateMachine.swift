import Foundation
import LinePay
import LinePayStore

// The order's life in one table. Every arrow is one conditional store transition (one winner however many callers);
// "unknown" outcomes never move an order to failed: they stay where they are until LINE Pay's records settle them.
//
// | from         | event (who)                                   | LINE Pay call                  | to                                       |
// |--------------|-----------------------------------------------|--------------------------------|------------------------------------------|
// | new*         | Pay pressed (shopper)                         | Request                        | reserving -> reserved; refused/unknown: new (next attempt: new orderId) |
// | reserving    | no answer recorded for 20 min (reconciler)    | -                              | new                                      |
// | reserved     | confirmUrl (shopper or LINE Pay)              | Confirm, once (beginConfirm)   | confirming -> paid / authorized / failed / expired |
// | reserved     | confirmUrl of a shipping=line order           | - (our quotes checked first)   | a method or fee we did not quote: stays reserved, not confirmed; else Confirm of order + fee |
// | reserved     | check says 0110 (reconciler, /status on NONE) | Confirm, once (beginConfirm)   | as above                                 |
// | reserved     | cancelUrl, check says 0121 / 0122             | check payment status           | cancelled / failed                       |
// | reserved     | check says 0121 after 20 min (reconciler)     | check payment status           | expired                                  |
// | confirming   | outcome unknown (reconciler, /status, confirmUrl again) | payment details, then check | paid / authorized / expired / cancelled / failed; on 0110 once no earlier Confirm can run: Confirm again (claimReconfirm) |
// | authorized   | capture (admin)                               | Capture                        | paid; 1199, 1280-1298: voided (LINE Pay cancelled the hold) |
// | authorized   | void (admin)                                  | Void                           | voided                                   |
// | authorized   | daily and the day before expiry (reconciler)  | payment details                | expired / voided / paid as LINE Pay shows |
// | paid, partially_refunded | refund (admin)                    | Refund                         | partially_refunded / refunded            |
// | any with an open operation | unknown (reconciler, 1165)      | payment details                | as LINE Pay shows; the operation done / not_done |
//   (* new, cancelled, failed, expired: a shopper may pay again with a new attempt.)
extension PaymentCore {
    /// What pressing Pay led to.
    public enum ReserveOutcome: Sendable {
        /// Reserved now or before: send the shopper to paymentUrl.
        case reserved(Order)
        /// Already paid, checking, or otherwise past reservation: show its state instead.
        case past(Order)
        /// Another click is reserving right now.
        case busy(Order)
        /// LINE Pay refused the request (the order is back to new, the reason kept).
        case refused(Order, Refusal)
        /// LINE Pay could not be reached or did not answer clearly; nothing moved, the shopper may try again.
        case unavailable(Order, String)
    }

    /// What a return from LINE Pay (confirmUrl or cancelUrl) led to.
    public enum ReturnOutcome: Sendable {
        case done(Order)
        case notFound
        /// The transactionId does not belong to the order: a tampered or stale link.
        case mismatch
        /// confirmUrl's shipping method or fee is not one we quoted for this payment: not confirmed.
        case shippingRefused(Order)
    }

    /// Pay: reserves the payment at LINE Pay (Request), once however often Pay is clicked.
    public func reserve(orderId: String, now: Int64) throws -> ReserveOutcome? {
        guard let order = try store.order(orderId: orderId) else { return nil }
        switch order.state {
        case .reserved: return .reserved(order)
        case .reserving: return .busy(order)
        case .new, .cancelled, .failed, .expired: break
        default: return .past(order)
        }
        guard var reserving = try store.beginReserve(orderId: orderId, capture: settings.capture, now: now, actor: actor) else {
            return try reserve(orderId: orderId, now: now)   // another click won the race: show what it did
        }
        if reserving.shippingMethodId != nil { reserving = try store.clearShippingChoice(orderId: orderId, now: now, actor: actor) ?? reserving }
        let request = makeRequest(reserving)
        switch attempt({ () throws(LinePayError) in try client.request(request) }) {
        case .success(let info):
            // The answer's event and the transition it causes commit together (one transaction, one fsync).
            return .reserved(try store.inOneTransaction {
                try store.appendEvent(orderId: orderId, kind: "api.request", actor: actor,
                                      detail: "0000 transactionId \(info.transactionId) orderId \(request.orderId)", now: now)
                return try store.markReserved(orderId: orderId, transactionId: info.transactionId.rawValue,
                                              paymentUrl: info.paymentUrl.web, now: now, actor: actor) ?? reserving
            })
        case .failure(let error):
            let back = try store.inOneTransaction {
                try store.appendEvent(orderId: orderId, kind: "api.request", actor: actor, detail: "\(error)", now: now)
                return try store.abortReserve(orderId: orderId, error: "\(error)", now: now, actor: actor) ?? reserving
            }
            // An unknown outcome moves no money: the next attempt uses a new LINE Pay orderId (attempt suffix).
            if case .refused(let refusal) = error { return .refused(back, refusal) }
            return .unavailable(back, "\(error)")
        }
    }

    /// The Request body from our own records: one package of the order's items, shipping as its own line.
    public func makeRequest(_ order: Order) -> RequestPayment {
        var products = order.items.map {
            Product(id: $0.itemId, name: $0.name, imageUrl: $0.imageUrl, quantity: $0.quantity, price: $0.price)
        }
        if order.shippingFee > 0 { products.append(Product(id: "shipping", name: "Shipping", quantity: 1, price: order.shippingFee)) }
        let package = PaymentPackage(id: "order", amount: order.amount, name: String(settings.shopName.prefix(100)), products: products)
        let locale = (order.locale ?? settings.locale).flatMap { PaymentPageLocale(rawValue: $0) }
        return RequestPayment(
            amount: order.amount, currency: Currency(rawValue: order.currency) ?? .TWD,
            orderId: order.linePayOrderId ?? order.orderId, packages: [package],
            redirectUrls: RedirectUrls(confirmUrl: settings.publicBaseURL + "/confirm", cancelUrl: settings.publicBaseURL + "/cancel",
                                       confirmUrlType: settings.confirmURLType),
            options: RequestOptions(payment: .init(capture: order.captureRequested ?? settings.capture,
                                                   payType: settings.payType == .PREAPPROVED ? .PREAPPROVED : nil),
                                    display: .init(locale: locale, checkConfirmUrlBrowser: settings.checkConfirmURLBrowser),
                                    shipping: shippingOptions(order)))
    }

    /// confirmUrl: the order's transaction, confirmed once however many requests arrive; for a `shipping=line`
    /// order only with the method and fee LINE Pay appended, checked against what we quoted.
    public func confirmReturned(linePayOrderId: String, transactionId: Int64, shippingMethodId: String? = nil,
                                shippingFeeAmount: String? = nil, now: Int64) throws -> ReturnOutcome {
        guard let order = try store.order(linePayOrderId: linePayOrderId) else { return .notFound }
        guard order.transactionId == transactionId else { return .mismatch }
        if case .refused(let refused, _) = try shippingReturned(linePayOrderId: linePayOrderId, transactionId: transactionId,
                                                                methodId: shippingMethodId, feeAmount: shippingFeeAmount, now: now) {
            return .shippingRefused(refused)
        }
        defer { wake() }
        if order.state == .reserved, let claimed = try store.beginConfirm(orderId: order.orderId, transactionId: transactionId, now: now, actor: actor) {
            return .done(try confirmClaimed(claimed, now: now))
        }
        let current = try store.order(orderId: order.orderId) ?? order
        // Another request is confirming, or the outcome is unknown: look it up at most once a second, not per hit.
        if current.state == .confirming, try store.claimStatusCheck(orderId: current.orderId, now: now) {
            return .done(try settleConfirming(current, ownsCall: false, now: now))
        }
        return .done(current)
    }

    /// cancelUrl: cancelled only from reserved, and only when LINE Pay agrees: the link is untrusted input, and
    /// cancelling an approved payment on its word would strand the shopper's money.
    public func cancelReturned(linePayOrderId: String, transactionId: Int64, now: Int64) throws -> ReturnOutcome {
        guard let order = try store.order(linePayOrderId: linePayOrderId) else { return .notFound }
        guard order.transactionId == transactionId else { return .mismatch }
        guard order.state == .reserved else { return .done(order) }
        defer { wake() }
        switch attempt({ () throws(LinePayError) in try client.checkPaymentStatus(transactionId: TransactionID(transactionId)) }) {
        case .success(.cancelled):
            try store.markCancelled(orderId: order.orderId, from: [.reserved], reason: "shopper cancelled at LINE Pay", now: now, actor: actor)
        case .success(.failed):
            try store.markFailed(orderId: order.orderId, from: [.reserved], reason: "LINE Pay reports that the payment failed (0122).", now: now, actor: actor)
        case .success(.authorized) where !order.lineShipping || order.shippingTransactionId == transactionId:
            // Approved after all (the shopper pressed back?): confirm it rather than leave the money hanging.
            if let claimed = try store.beginConfirm(orderId: order.orderId, transactionId: transactionId, now: now, actor: actor) {
                return .done(try confirmClaimed(claimed, now: now))
            }
        case .success:
            try store.appendEvent(orderId: order.orderId, kind: "cancel.ignored", actor: actor,
                                  detail: "cancelUrl called but LINE Pay has not cancelled the payment", now: now)
        case .failure(let error):
            // LINE Pay unreachable: record the shopper's cancel; the order stays reserved until LINE Pay can be asked.
            try store.appendEvent(orderId: order.orderId, kind: "cancel.unverified", actor: actor, detail: "\(error)", now: now)
        }
        return .done(try store.order(orderId: order.orderId) ?? order)
    }

    /// /status: settles an unknown outcome, follows LINE Pay when confirmUrlType is NONE (check at most once a
    /// second, confirm on 0110) and notices expired reservations; otherwise only reads.
    public func refresh(_ order: Order, now: Int64) throws -> Order {
        guard refreshIsDue(state: order.state, reservedAt: order.reservedAt, createdAt: order.createdAt, now: now),
              try store.claimStatusCheck(orderId: order.orderId, now: now) else { return order }
        let after: Order
        switch order.state {
        case .confirming: after = try settleConfirming(order, ownsCall: false, now: now)
        case .reserved: after = try followReservation(order, now: now)
        default: return order
        }
        // Only a change wakes the notifier: /status is the hot path (a poll every 2 s per shopper).
        if after.state != order.state { wake() }
        return after
    }

    /// Whether `refresh` would look beyond the store for an order in this state: an unknown outcome, or a reservation
    /// under confirmUrlType NONE or past its lifetime. /status loads the whole order only then.
    public func refreshIsDue(state: OrderState, reservedAt: Int64?, createdAt: Int64, now: Int64) -> Bool {
        switch state {
        case .confirming: true
        case .reserved: settings.confirmURLType == .NONE || now - (reservedAt ?? createdAt) >= Self.reservationLifetime
        default: false
        }
    }

    /// Pauses (microseconds) before sending again a Confirm that never left this process.
    static let notSentRetryPauses: [UInt32] = [100_000, 300_000]

    /// LINE Pay keeps a payment page for 20 minutes; after that a reservation cannot be approved any more.
    public static let reservationLifetime: Int64 = 20 * 60

    /// A reserved order: asks LINE Pay how the shopper is doing and acts on it (confirm on 0110, once).
    func followReservation(_ order: Order, now: Int64) throws -> Order {
        guard let tx = order.transactionId else { return order }
        let status: CheckPaymentStatus.Status
        var chosen: ShippingInfo? = nil
        switch attempt({ () throws(LinePayError) in try client.checkPaymentStatusAndShipping(transactionId: TransactionID(tx)) }) {
        case .success(let s): (status, chosen) = s
        case .failure(let error):
            try store.appendEvent(orderId: order.orderId, kind: "api.check", actor: actor, detail: "\(error)", now: now)
            return order
        }
        let stale = now - (order.reservedAt ?? order.createdAt) >= Self.reservationLifetime
        switch status {
        case .authorized:
            // Without confirmUrl (NONE, or a lost redirect) the choice comes from check's info.shipping, checked alike.
            guard try shippingChosen(order, from: chosen, now: now) else { break }
            if let claimed = try store.beginConfirm(orderId: order.orderId, transactionId: tx, now: now, actor: actor) {
                return try confirmClaimed(claimed, now: now)
            }
        case .cancelled:
            if stale { try store.markExpired(orderId: order.orderId, from: [.reserved], reason: "The payment was not completed within 20 minutes (0121).", now: now, actor: actor) }
            else { try store.markCancelled(orderId: order.orderId, from: [.reserved], reason: "The payment was cancelled at LINE Pay (0121).", now: now, actor: actor) }
        case .failed:
            try store.markFailed(orderId: order.orderId, from: [.reserved], reason: "LINE Pay reports that the payment failed (0122).", now: now, actor: actor)
        case .completed:
            // Confirmed already (by an earlier call whose answer we lost): payment details says how.
            if let claimed = try store.beginConfirm(orderId: order.orderId, transactionId: tx, now: now, actor: actor) {
                return try settleConfirming(claimed, ownsCall: false, now: now)
            }
        case .beforeAuthorization:
            break
        }
        return try store.order(orderId: order.orderId) ?? order
    }

    /// Confirm for an order this caller has just moved to confirming; an unknown outcome is looked up at once
    /// (our own call has ended, so confirming again is safe if LINE Pay says "approved, not confirmed").
    func confirmClaimed(_ order: Order, now: Int64) throws -> Order {
        let after = try sendConfirm(order, now: now)
        return after.state == .confirming ? try settleConfirming(after, ownsCall: true, now: now) : after
    }

    /// The one Confirm call, with the amount and currency from our records; records its answer. An unknown outcome
    /// leaves the order confirming: never "failed", the payment may have gone through.
    func sendConfirm(_ order: Order, now: Int64) throws -> Order {
        guard let tx = order.transactionId, let currency = Currency(rawValue: order.currency) else { return order }
        var answer = attempt({ () throws(LinePayError) in try client.confirm(transactionId: TransactionID(tx), amount: order.amount, currency: currency) })
        // Not sent at all (no connection, or every call slot of this process busy): nothing can be running at LINE
        // Pay, so trying again at once is safe, and spares the shopper the reconciler's wait for an in-flight window.
        for pause in Self.notSentRetryPauses {
            guard case .failure(.notSent) = answer else { break }
            usleep(pause)
            answer = attempt({ () throws(LinePayError) in try client.confirm(transactionId: TransactionID(tx), amount: order.amount, currency: currency) })
        }
        // The answer's event, what it tells of shipping and the transition it causes commit together (one fsync).
        return try store.inOneTransaction { try recordConfirm(answer, of: order, now: now) }
    }

    /// Inside sendConfirm's transaction: the Confirm answer's event and the state it leads to.
    private func recordConfirm(_ answer: Result<ConfirmPayment.Info, LinePayError>, of order: Order, now: Int64) throws -> Order {
        switch answer {
        case .success(let info):
            // What we asked for decides captured or held (the expiry date only says until when a hold lasts).
            let captured = order.captureRequested ?? (info.authorizationExpireDate == nil)
            try store.appendEvent(orderId: order.orderId, kind: "api.confirm", actor: actor,
                                  detail: "0000 \(captured ? "captured" : "authorized") \(Money.format(order.amount)) \(order.currency)", now: now)
            try keepShipping(info.shipping, of: order, now: now)
            return try store.markConfirmed(orderId: order.orderId, captured: captured, amount: order.amount, regKey: info.regKey?.rawValue,
                                           authorizationExpiresAt: unixTime(linePayDate: info.authorizationExpireDate),
                                           paymentProvider: info.paymentProvider?.rawValue, now: now, actor: actor) ?? order
        case .failure(let error):
            try store.appendEvent(orderId: order.orderId, kind: "api.confirm", actor: actor, detail: "\(error)", now: now)
            switch error {
            case .refused(let r) where r.code.rawValue == "1180":
                return try store.markExpired(orderId: order.orderId, from: [.confirming], reason: r.explanation, now: now, actor: actor) ?? order
            case .refused(let r), .retryable(let r):
                return try store.markFailed(orderId: order.orderId, from: [.confirming], reason: r.explanation, now: now, actor: actor) ?? order
            case .invalid(let v):
                return try store.markFailed(orderId: order.orderId, from: [.confirming], reason: v.description, now: now, actor: actor) ?? order
            case .notSent, .outcomeUnknown:
                return try store.order(orderId: order.orderId) ?? order
            }
        }
    }

    /// Settles a confirming order from LINE Pay's records: payment details first (it lists confirmed payments),
    /// then check payment status. `ownsCall`: the caller's own Confirm has ended, so when LINE Pay says "approved,
    /// not confirmed" it may confirm again at once; anyone else waits until no earlier Confirm can still be running.
    func settleConfirming(_ order: Order, ownsCall: Bool, now: Int64) throws -> Order {
        guard order.state == .confirming, let tx = order.transactionId else { return order }
        switch attempt({ () throws(LinePayError) in try client.paymentDetails(transactionIds: [TransactionID(tx)]) }) {
        case .success(let details):
            if let d = details.first(where: { $0.transactionId.rawValue == tx && ($0.transactionType ?? "PAYMENT") == "PAYMENT" }) {
                return try settleConfirmed(order, from: d, now: now)
            }
        case .failure(.refused(let r)) where r.code.rawValue == "1150":
            break   // not in LINE Pay's history: not confirmed (yet); ask the payment request's status
        case .failure(let error):
            try store.appendEvent(orderId: order.orderId, kind: "settle.details", actor: actor, detail: "\(error)", now: now)
            return order
        }
        guard ownsCall || now - order.updatedAt >= settings.confirmInFlightLimit else { return order }
        switch attempt({ () throws(LinePayError) in try client.checkPaymentStatus(transactionId: TransactionID(tx)) }) {
        case .success(let status):
            try store.appendEvent(orderId: order.orderId, kind: "settle.check", actor: actor, detail: "\(status)", now: now)
            switch status {
            case .authorized:
                // Approved and not confirmed: confirm it, once (only the caller that claims the order does).
                if let claimed = try store.claimReconfirm(orderId: order.orderId, seenUpdatedAt: order.updatedAt, now: now, actor: actor) {
                    return try sendConfirm(claimed, now: now)
                }
            case .cancelled:
                try store.markCancelled(orderId: order.orderId, from: [.confirming], reason: "LINE Pay reports that the payment was cancelled or expired (0121).", now: now, actor: actor)
            case .failed:
                try store.markFailed(orderId: order.orderId, from: [.confirming], reason: "LINE Pay reports that the payment failed (0122).", now: now, actor: actor)
            case .completed, .beforeAuthorization:
                break   // completed but not yet in details, or not approved: look again later
            }
        case .failure(let error):
            try store.appendEvent(orderId: order.orderId, kind: "settle.check", actor: actor, detail: "\(error)", now: now)
        }
        return try store.order(orderId: order.orderId) ?? order
    }

    /// A confirming order that payment details shows confirmed: paid, authorized, or where its hold has gone since.
    func settleConfirmed(_ order: Order, from d: PaymentDetails.Detail, now: Int64) throws -> Order {
        let amount = d.paidAmount
        try store.appendEvent(orderId: order.orderId, kind: "settle.details", actor: actor,
                              detail: "found \(d.status) \(Money.format(amount))", now: now)
        // Payment details never shows a regKey: a PREAPPROVED confirm settled from it must say so.
        let regKeyLost = settings.payType == .PREAPPROVED && order.regKey == nil && order.sessionId != "admin"
        let expires = unixTime(linePayDate: d.authorizationExpireDate)
        let provider = d.paymentProvider?.rawValue
        try keepShipping(d.shipping, of: order, now: now)
        switch d.status {
        case "AUTHORIZATION":
            return try store.markConfirmed(orderId: order.orderId, captured: false, amount: amount, regKey: nil, regKeyUnknown: regKeyLost,
                                           authorizationExpiresAt: expires, paymentProvider: provider, now: now, actor: actor) ?? order
        case "VOIDED_AUTHORIZATION":
            _ = try store.markConfirmed(orderId: order.orderId, captured: false, amount: amount, regKey: nil, regKeyUnknown: regKeyLost,
                                        authorizationExpiresAt: expires, paymentProvider: provider, now: now, actor: actor)
            return try store.markVoided(orderId: order.orderId, reason: "LINE Pay shows the authorization voided", now: now, actor: actor) ?? order
        case "EXPIRED_AUTHORIZATION":
            _ = try store.markConfirmed(orderId: order.orderId, captured: false, amount: amount, regKey: nil, regKeyUnknown: regKeyLost,
                                        authorizationExpiresAt: expires, paymentProvider: provider, now: now, actor: actor)
            return try store.markExpired(orderId: order.orderId, from: [.authorized], reason: "The authorization expired at LINE Pay (EXPIRED_AUTHORIZATION).",
                                         now: now, actor: actor) ?? order
        default:
            return try store.markConfirmed(orderId: order.orderId, captured: true, amount: amount, regKey: nil, regKeyUnknown: regKeyLost,
                                           paymentProvider: provider, now: now, actor: actor) ?? order
        }
    }
}
