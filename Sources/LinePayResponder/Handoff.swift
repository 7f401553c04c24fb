import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayStore

/// The shop's signed checkout handoff (`POST /checkout`), checked field by field before anything is stored.
struct Handoff {
    var order: NewOrder

    /// Why a handoff is refused: shown to the shopper as a 400 page naming the field.
    struct Rejection: Error {
        let field: String
        let reason: String
        var message: String { "\(field): \(reason)" }
    }

    static let maxAge: Int64 = 15 * 60
    /// Clocks of the shop and the responder may differ a little.
    static let allowedSkew: Int64 = 60

    /// Verifies the signature and the time, then every field. Unknown fields are refused: the signature covers
    /// every posted field, so a stray field is a sign of a shop form that does not match its helper.
    static func parse(_ form: [(String, String)], secret: String, now: Int64) throws(Rejection) -> Handoff {
        var fields: [String: String] = [:]
        for (name, value) in form {
            // Control characters would forge lines in logs and terminals (`linepay show`) and bidi overrides
            // would disguise names on the admin pages: no handoff field needs them.
            if hasControlCharacters(name) { throw Rejection(field: "field names", reason: "must not contain control characters") }
            if hasControlCharacters(value) { throw Rejection(field: name, reason: "must not contain control characters") }
            guard fields[name] == nil else { throw Rejection(field: name, reason: "is posted twice") }
            fields[name] = value
        }
        guard let signature = fields["signature"], !signature.isEmpty else { throw Rejection(field: "signature", reason: "is missing") }
        let signed = form.filter { $0.0 != "signature" }
        guard SignedFields.verify(signed, signature: signature, secret: secret) else {
            throw Rejection(field: "signature", reason: "does not match the fields (check handoff_secret and that every field is signed)")
        }
        guard let tsText = fields["ts"], let ts = Int64(tsText), tsText.allSatisfy(\.isNumber) else {
            throw Rejection(field: "ts", reason: "must be unix seconds")
        }
        if ts > now + allowedSkew { throw Rejection(field: "ts", reason: "is in the future") }
        if now - ts > maxAge { throw Rejection(field: "ts", reason: "is older than 15 minutes; go back to the shop and start the checkout again") }

        guard let orderId = fields["orderId"], !orderId.isEmpty else { throw Rejection(field: "orderId", reason: "is required") }
        guard orderId.utf8.count <= 90, orderId.utf8.allSatisfy({ isOrderIdByte($0) }), !orderId.contains("__") else {
            throw Rejection(field: "orderId", reason: "must be 1 to 90 characters of A-Z a-z 0-9 _ - without \"__\" (kept for retries)")
        }
        guard let currencyText = fields["currency"], let currency = Currency(rawValue: currencyText) else {
            throw Rejection(field: "currency", reason: "must be one of \(Currency.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let amount = try money(fields["amount"], "amount", currency, positive: true)
        let shippingFee = try fields["shippingFee"].map { v throws(Rejection) in try money(v, "shippingFee", currency, positive: false) } ?? 0
        var locale: String? = nil
        if let l = fields["locale"] {
            guard ["en", "ja", "zh_TW", "th"].contains(l) else { throw Rejection(field: "locale", reason: "must be en, ja, zh_TW or th") }
            locale = l
        }
        // shipping=line: LINE Pay collects the address and the shopper picks a method there; its fee comes from our
        // ShippingMethods answer, so the handoff carries none of its own.
        let lineShipping = fields["shipping"] != nil
        if let s = fields["shipping"] {
            guard s == "line" else { throw Rejection(field: "shipping", reason: "must be line (LINE Pay collects the address), or left out") }
            if shippingFee != 0 { throw Rejection(field: "shippingFee", reason: "must be left out with shipping=line (the fee is the method the shopper picks at LINE Pay)") }
        }
        var known: Set<String> = ["signature", "ts", "orderId", "currency", "amount", "shippingFee", "locale", "shipping"]
        var items: [NewItem] = []
        while true {
            let n = items.count
            let p = "items[\(n)]"
            guard fields["\(p)[name]"] != nil || fields["\(p)[price]"] != nil || fields["\(p)[quantity]"] != nil else { break }
            guard n < 100 else { throw Rejection(field: "items", reason: "at most 100 items") }
            guard let name = fields["\(p)[name]"], !name.isEmpty, name.count <= 4000 else {
                throw Rejection(field: "\(p)[name]", reason: "is required, up to 4000 characters")
            }
            let price = try money(fields["\(p)[price]"], "\(p)[price]", currency, positive: false)
            guard let qText = fields["\(p)[quantity]"], let quantity = Int(qText), qText.allSatisfy(\.isNumber), (1...100_000).contains(quantity) else {
                throw Rejection(field: "\(p)[quantity]", reason: "must be a whole number from 1 to 100000")
            }
            let id = fields["\(p)[id]"]
            if let id, id.isEmpty || id.count > 50 { throw Rejection(field: "\(p)[id]", reason: "must be 1 to 50 characters") }
            let imageUrl = fields["\(p)[imageUrl]"]
            if let imageUrl, !imageUrl.hasPrefix("https://") || imageUrl.count > 500 || URL(string: imageUrl)?.host == nil {
                throw Rejection(field: "\(p)[imageUrl]", reason: "must be an https URL of up to 500 characters")
            }
            items.append(NewItem(itemId: id, name: name, price: price, quantity: quantity, imageUrl: imageUrl))
            known.formUnion(["name", "price", "quantity", "id", "imageUrl"].map { "\(p)[\($0)]" })
        }
        if items.isEmpty { throw Rejection(field: "items[0][name]", reason: "at least one item is required") }
        if let stray = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw Rejection(field: stray, reason: "is not a handoff field (items must be numbered from 0 without gaps)")
        }
        let sum = items.reduce(Decimal(0)) { $0 + $1.price * Decimal($1.quantity) } + shippingFee
        if sum != amount {
            throw Rejection(field: "amount", reason: "is \(Money.format(amount)) but the items and shipping add up to \(Money.format(sum))")
        }
        // Same content = same checkout: the digest leaves out ts and signature, which change on every post.
        let content = SignedFields.canonical(signed.filter { $0.0 != "ts" })
        let digest = lowerHex(hmacSHA256(key: Array("linepay-handoff-digest".utf8), message: Array(content.utf8)))
        return Handoff(order: NewOrder(orderId: orderId, currency: currency.rawValue, amount: amount, shippingFee: shippingFee,
                                       locale: locale, items: items, contentDigest: digest, lineShipping: lineShipping))
    }

    private static func money(_ text: String?, _ field: String, _ currency: Currency, positive: Bool) throws(Rejection) -> Decimal {
        guard let text, let value = Money.parse(text), !text.hasPrefix("-") else {
            throw Rejection(field: field, reason: "must be a plain decimal amount like 360 or 150.50")
        }
        if positive && value <= 0 { throw Rejection(field: field, reason: "must be greater than 0") }
        if !Money.fits(value, currency) {
            throw Rejection(field: field, reason: currency.maximumScale == 0 ? "\(currency.rawValue) takes whole amounts" : "\(currency.rawValue) takes at most 2 decimals")
        }
        if value > Decimal(string: "99999999999")! { throw Rejection(field: field, reason: "is too large") }
        return value
    }

    /// C0 and C1 controls, DEL, the line and paragraph separators and the bidirectional overrides and isolates.
    static func hasControlCharacters(_ s: String) -> Bool {
        s.unicodeScalars.contains { u in
            let v = u.value
            return v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
                || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
        }
    }

    private static func isOrderIdByte(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }
}
