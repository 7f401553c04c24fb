import Foundation
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import Testing
import TestSupport

/// Helpers for driving the responder as a shop and a shopper would.
enum Flow {
    /// A signed handoff, as the shop's PHP helper makes it.
    static func handoff(orderId: String, items: [(name: String, price: String, quantity: Int)] = [("Cony plush", "120", 3)],
                        currency: String = "TWD", amount: String? = nil, shippingFee: String? = nil, locale: String? = nil,
                        extra: [(String, String)] = [], ts: Int64 = Int64(Date().timeIntervalSince1970), secret: String = ResponderHarness.handoffSecret) -> [(String, String)] {
        var f: [(String, String)] = [("orderId", orderId), ("currency", currency), ("ts", String(ts))]
        var total = Decimal(0)
        for (i, item) in items.enumerated() {
            f += [("items[\(i)][name]", item.name), ("items[\(i)][price]", item.price), ("items[\(i)][quantity]", String(item.quantity))]
            total += Decimal(string: item.price)! * Decimal(item.quantity)
        }
        if let shippingFee { f.append(("shippingFee", shippingFee)); total += Decimal(string: shippingFee)! }
        if let locale { f.append(("locale", locale)) }
        f.append(("amount", amount ?? "\(total)"))
        f += extra
        return f + [("signature", SignedFields.sign(f, secret: secret))]
    }

    static func newOrderId() -> String { "T-" + UUID().uuidString.prefix(12).replacingOccurrences(of: "-", with: "") }

    /// The first match of `pattern`'s first group in `text`.
    static func capture(_ pattern: String, _ text: String) -> String? {
        guard let re = try? NSRegularExpression(pattern: pattern),
              let m = re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), m.numberOfRanges > 1,
              let r = Range(m.range(at: 1), in: text) else { return nil }
        return String(text[r]).replacingOccurrences(of: "&amp;", with: "&")
    }

    static func page(_ r: HTTPResponse) -> String? { capture(#"<body[^>]*data-page="([^"]+)""#, r.text) }

    /// Posts the handoff and then Pay, as the shopper's browser; returns the Pay answer.
    static func checkoutAndPay(_ h: ResponderHarness, _ browser: Browser, orderId: String,
                               handoff: [(String, String)]? = nil) throws -> HTTPResponse {
        let co = try browser.go("POST", h.baseURL + "/checkout", form: handoff ?? Flow.handoff(orderId: orderId))
        #expect(co.status == 200, "checkout: \(co.status) \(co.text.prefix(300))")
        let csrf = try #require(capture(#"name="csrf" value="([^"]+)""#, co.text))
        return try browser.go("POST", h.baseURL + "/pay", form: [("orderId", orderId), ("csrf", csrf)])
    }

    /// Plays the shopper at the sandbox's payment page: login (desktop), Approve; returns the redirect to confirmUrl.
    static func approveAtLinePay(_ browser: Browser, paymentURL: String) throws -> HTTPResponse {
        let first = try browser.go("GET", paymentURL)
        if first.text.contains("data-page=\"sandbox-login\"") { try browser.go("POST", paymentURL + "/login") }
        return try browser.go("POST", paymentURL + "/approve")
    }

    /// The query of a URL as pairs, percent-decoded.
    static func query(_ url: String) -> [(String, String)] {
        guard let q = URLComponents(string: url)?.percentEncodedQuery else { return [] }
        return q.split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            return (kv[0], kv.count > 1 ? kv[1] : "")
        }
    }
}
