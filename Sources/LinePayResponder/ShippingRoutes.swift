import FastCGI
import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayStore

/// POST /shipping-methods: LINE Pay's ShippingMethods inquiry for a `shipping=line` order. Always HTTP 200 with
/// LINE Pay's codes: 0000 and the methods serving the address, 4001 none does, 4002 a bad address, 5001 anything
/// else (an unknown payment, the shop's URL unreachable), or the shop URL's own 9999. Every answer with methods is
/// kept per transaction, so confirmUrl's choice can be checked against it.
extension ResponderWorker {
    func shippingMethods(_ request: FastCGIRequest, now: Int64) throws -> FastCGIResponse {
        let inquiry: ShippingInquiry
        do { inquiry = try ShippingInquiry.parse(request.body) } catch {
            log("shipping-methods: refused: \(error.code) \(error.message)")
            return json(200, shippingAnswer(error.code, error.message))
        }
        // Only a payment we reserved for an address, by LINE Pay's own orderId and transactionId pair.
        guard let order = try store.order(linePayOrderId: inquiry.orderId), order.transactionId == inquiry.transactionId,
              order.lineShipping, order.state == .reserved, let currency = Currency(rawValue: order.currency) else {
            log("shipping-methods: no reserved shipping payment for orderId \(inquiry.orderId.prefix(100)) tx \(inquiry.transactionId)")
            return json(200, shippingAnswer("5001", "Unknown payment"))
        }
        if let c = inquiry.currency, c != order.currency {
            return json(200, shippingAnswer("5001", "currency \(c) is not the payment's \(order.currency)"))
        }
        let (code, message, methods): (String, String, [QuotedMethod])
        if let url = configuration.shippingRulesURL {
            guard let answer = askShop(url, inquiry: inquiry, order: order, currency: currency, now: now) else {
                return json(200, shippingAnswer("5001", "The shop's shipping service did not answer"))
            }
            (code, message, methods) = answer
        } else if let rules = configuration.shippingRules {
            let found = rules.methods(country: inquiry.country, postalCode: inquiry.postalCode, currency: currency).map { m in
                QuotedMethod(id: m.id, name: m.name, amount: m.fee, toDeliveryYmd: m.deliveryDays.map { rules.deliveryDate($0, now: now) },
                             fromDeliveryHm: m.deliveryHours?.0, toDeliveryHm: m.deliveryHours?.1)
            }
            (code, message, methods) = found.isEmpty ? ("4001", "Unsupported shipping region", []) : ("0000", "Success", found)
        } else {
            return json(200, shippingAnswer("5001", "The shop has no shipping rules"))
        }
        if code == "0000" || code == "4001" {
            try store.recordShippingQuotes(orderRow: order.rowId, transactionId: inquiry.transactionId,
                                           quotes: methods.map { ShippingQuote(methodId: $0.id, name: $0.name, fee: $0.amount) }, now: now)
        }
        return json(200, shippingAnswer(code, message.isEmpty ? (code == "0000" ? "Success" : "Unsupported shipping region") : message, methods))
    }

    /// The shop's own answer: a form POST signed as a `shipping` message (kind=shipping, ts, signature), 3 s to
    /// connect and 10 s in all (LINE Pay waits 20 s for us); nil when it cannot be used.
    private func askShop(_ url: String, inquiry: ShippingInquiry, order: Order, currency: Currency, now: Int64)
        -> (String, String, [QuotedMethod])? {
        let fields: [(String, String)] = [
            ("orderId", order.orderId), ("transactionId", String(inquiry.transactionId)), ("currency", order.currency),
            ("amount", Money.format(order.amount)), ("country", inquiry.country), ("postalCode", inquiry.postalCode),
            ("state", inquiry.state ?? ""), ("city", inquiry.city ?? ""), ("detail", inquiry.detail ?? ""), ("ts", String(now)),
        ]
        let body = Array(SignedFields.signedMessage(.shipping, fields, secret: configuration.handoffSecret).utf8)
        switch CurlLinePayTransport().exchange(method: "POST", url: url, contentType: "application/x-www-form-urlencoded", body: body,
                                               connectTimeout: .seconds(3), readTimeout: .seconds(7)) {
        case .response(200, let answer):
            guard let parsed = parseShopShippingAnswer(Array(answer.prefix(64 * 1024)), currency: currency) else {
                log("shipping-methods: \(url) answered HTTP 200, not LINE Pay's shipping format")
                return nil
            }
            return parsed
        case .response(let status, _):
            log("shipping-methods: \(url) answered HTTP \(status), not LINE Pay's shipping format")
        case .notSent(let why):
            log("shipping-methods: \(url) could not be reached (\(why))")
        case .lost(let why):
            log("shipping-methods: \(url) gave no complete answer within 10 s (\(why))")
        }
        return nil
    }

    func log(_ line: String) {
        FileHandle.standardError.write(Data("linepay-fcgi: \(line)\n".utf8))
    }
}
