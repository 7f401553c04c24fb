import Foundation
import LinePay
import LinePayCheckout
import LinePayStore

/// Facts the admin page and `linepay show` print beside the amounts: until when LINE Pay holds an authorization,
/// who processed the payment (v4), and a regKey LINE Pay issued that we never saw.
func orderFacts(_ o: Order, now: Int64, shippingAddress: Bool = false) -> [(String, String)] {
    var facts: [(String, String)] = shippingFacts(o, address: shippingAddress)
    if o.state == .authorized, let expires = o.authorizationExpiresAt {
        let days = (expires - now) / 86400
        let left = expires <= now ? "expired, checking with LINE Pay" : days >= 2 ? "expires in \(days) days" : days == 1 ? "expires in 1 day" : "expires today"
        facts.append(("Authorization expires (UTC)", "\(utcText(expires)) (\(left))"))
    }
    if let p = o.paymentProvider { facts.append(("Payment provider", p)) }
    if o.regKeyUnknown {
        facts.append(("RegKey", "unknown: the confirm was settled from payment details, which never shows the regKey; ask LINE Pay's merchant center for it"))
    }
    return facts
}

/// A `shipping=line` order's method and fee (admin page and `linepay show`), and the address (admin page only).
func shippingFacts(_ o: Order, address: Bool) -> [(String, String)] {
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
