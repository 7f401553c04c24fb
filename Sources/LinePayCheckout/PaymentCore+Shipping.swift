import Foundation
import LinePay
import LinePayStore

// Checkout with the shopper's address (issue 12; 002_...txt "Inquiry ShippingMethods"). The order's amount is the
// goods until the shopper's choice is accepted; then it is goods + fee, so Confirm, the ledger, the receipt and the
// notifications all read one total. A choice is accepted only when one of our own quotes for that LINE Pay
// transaction has exactly that method at exactly that fee: confirmUrl's parameters are never trusted alone.
extension PaymentCore {
    /// What confirmUrl's shippingMethodId and shippingFeeAmount led to.
    public enum ShippingReturn: Sendable, Equatable {
        /// Nothing to check (not a shipping order, or not ours), or the choice matches a quote: go on and confirm.
        case accepted
        /// Refused: the order is not confirmed. The reason is for the log and the page (no secrets, no address).
        case refused(Order, String)
    }

    /// `options.shipping` of Request: SHIPPING with our inquiry URL for `shipping=line` orders; nil otherwise.
    func shippingOptions(_ order: Order) -> RequestOptions.Shipping? {
        guard order.lineShipping else { return nil }
        return RequestOptions.Shipping(type: .SHIPPING, feeInquiryUrl: settings.publicBaseURL + "/shipping-methods",
                                       feeInquiryType: settings.shippingFeeInquiryType)
    }

    /// Checks confirmUrl's shipping parameters against our quotes and records the choice (before Confirm).
    func shippingReturned(linePayOrderId: String, transactionId: Int64, methodId: String?, feeAmount: String?,
                                 now: Int64) throws -> ShippingReturn {
        guard let order = try store.order(linePayOrderId: linePayOrderId), order.transactionId == transactionId, order.lineShipping else {
            return .accepted   // confirmReturned answers unknown and mismatched links itself
        }
        guard let methodId, !methodId.isEmpty, let feeAmount, let fee = Money.parse(feeAmount), !feeAmount.hasPrefix("-"),
              Money.fits(fee, Currency(rawValue: order.currency) ?? .TWD) else {
            if order.shippingTransactionId == transactionId, methodId == nil, feeAmount == nil { return .accepted }   // chosen before
            return try refuse(order, "confirmUrl has no valid shippingMethodId and shippingFeeAmount", now: now)
        }
        switch try store.chooseShipping(orderId: order.orderId, transactionId: transactionId, methodId: methodId, fee: fee, now: now, actor: actor) {
        case .chosen: return .accepted
        case .notQuoted:
            return try refuse(order, "shipping \(clip(methodId)) \(Money.format(fee)) was not quoted by us for this payment", now: now)
        case .differs(let o):
            return try refuse(o, "shipping \(clip(methodId)) \(Money.format(fee)) differs from the \(o.shippingMethodId ?? "?") \(Money.format(o.shippingFee)) chosen before", now: now)
        }
    }

    private func refuse(_ order: Order, _ reason: String, now: Int64) throws -> ShippingReturn {
        try store.appendEvent(orderId: order.orderId, kind: "shipping.mismatch", actor: actor, detail: reason + "; not confirmed", now: now)
        return .refused(order, reason)
    }

    private func clip(_ s: String) -> String {
        String(s.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(50).map(Character.init))
    }

    /// For the reconciler's confirm (no confirmUrl): the choice check payment status reports, checked as confirmUrl's is.
    /// True when Confirm may go ahead.
    func shippingChosen(_ order: Order, from info: ShippingInfo?, now: Int64) throws -> Bool {
        guard order.lineShipping, let tx = order.transactionId else { return true }
        if order.shippingTransactionId == tx { return true }
        guard let id = info?.methodId, let fee = info?.feeAmount else {
            try store.appendEvent(orderId: order.orderId, kind: "shipping.unknown", actor: actor,
                                  detail: "approved, but LINE Pay names no shipping choice yet; not confirmed", now: now)
            return false
        }
        if case .chosen = try store.chooseShipping(orderId: order.orderId, transactionId: tx, methodId: id, fee: fee, now: now, actor: actor) {
            return true
        }
        _ = try refuse(order, "check payment status names shipping \(clip(id)) \(Money.format(fee)), which we did not quote", now: now)
        return false
    }

    /// After Confirm or from payment details: keeps the address and recipient; a method or fee other than ours is logged.
    func keepShipping(_ info: ShippingInfo?, of order: Order, now: Int64) throws {
        guard let info else { return }
        if let address = info.address { try store.recordShippingAddress(orderId: order.orderId, address: address, now: now, actor: actor) }
        if order.lineShipping, let id = info.methodId, id != order.shippingMethodId || (info.feeAmount.map { $0 != order.shippingFee } ?? false) {
            try store.appendEvent(orderId: order.orderId, kind: "shipping.mismatch", actor: actor,
                                  detail: "LINE Pay answers shipping \(clip(id)) \(info.feeAmount.map(Money.format) ?? "?"), we recorded \(order.shippingMethodId ?? "none") \(Money.format(order.shippingFee))",
                                  now: now)
        }
    }
}

/// The shipping lines a notification, `linepay show` or the admin page print; the address only when asked for
/// (never in the browser's return link).
public func shippingFields(_ order: Order, address: Bool) -> [(String, String)] {
    guard order.lineShipping else { return [] }
    var f: [(String, String)] = [("shippingMethodId", order.shippingMethodId ?? ""), ("shippingMethodName", order.shippingMethodName ?? ""),
                                 ("shippingFee", Money.format(order.shippingFee))]
    guard address else { return f }
    let a = order.shippingAddress
    let r = a?.recipient
    let name = [r?.lastName, r?.firstName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
    f += [("shipToName", name), ("shipToPhone", r?.phoneNo ?? ""), ("shipToEmail", r?.email ?? ""),
          ("shipToCountry", a?.country ?? ""), ("shipToPostalCode", a?.postalCode ?? ""), ("shipToState", a?.state ?? ""),
          ("shipToCity", a?.city ?? ""), ("shipToDetail", a?.detail ?? ""), ("shipToOptional", a?.optional ?? "")]
    return f
}

/// A `shipping=line` order's method and fee (admin page and `linepay show`), and the address (admin page only).
public func shippingFacts(_ o: Order, address: Bool) -> [(String, String)] {
    guard o.lineShipping else { return [] }
    var facts: [(String, String)] = [
        ("Shipping method", o.shippingMethodId.map { "\($0) (\(o.shippingMethodName ?? ""))" } ?? "not chosen yet (LINE Pay collects the address)"),
        ("Shipping fee", "\(Money.format(o.shippingFee)) \(o.currency)"),
    ]
    guard address else { return facts }
    let f = Dictionary(shippingFields(o, address: true), uniquingKeysWith: { a, _ in a })
    let to = ["shipToName", "shipToPhone", "shipToEmail"].compactMap { f[$0] }.filter { !$0.isEmpty }.joined(separator: ", ")
    let place = ["shipToCountry", "shipToPostalCode", "shipToState", "shipToCity", "shipToDetail", "shipToOptional"]
        .compactMap { f[$0] }.filter { !$0.isEmpty }.joined(separator: " ")
    facts.append(("Ship to", o.shippingAddress == nil ? "not known yet (LINE Pay answers it at confirm)" : [to, place].filter { !$0.isEmpty }.joined(separator: " — ")))
    return facts
}
