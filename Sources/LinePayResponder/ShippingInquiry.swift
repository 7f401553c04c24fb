import Foundation
import LinePay
import LinePayConfig

/// LINE Pay's ShippingMethods inquiry (002_...txt, "Inquiry ShippingMethods"): a POSTed JSON body, untrusted input
/// like any other. Parsed field by field; a problem names the field and the LINE Pay code to answer.
struct ShippingInquiry {
    var currency: String?
    var orderId: String
    var transactionId: Int64
    var country: String
    var postalCode: String
    var state: String?
    var city: String?
    var detail: String?

    /// Why an inquiry gets no methods: LINE Pay's code (4002 a bad address, 5001 anything else) and our words.
    struct Problem: Error {
        let code: String
        let message: String
    }

    /// A body above this is not an address.
    static let maxBody = 16 * 1024

    static func parse(_ body: [UInt8]) throws(Problem) -> ShippingInquiry {
        guard !body.isEmpty, body.count <= maxBody else { throw Problem(code: "5001", message: "the body must be 1 byte to 16 KB of JSON") }
        struct Wire: Decodable {
            struct Address: Decodable { let country: String?; let postalCode: String?; let state: String?; let city: String?; let detail: String? }
            let currency: String?; let orderId: String?; let transactionId: TransactionID?; let shippingAddress: Address?
        }
        let w: Wire
        do { w = try JSONDecoder().decode(Wire.self, from: Data(body)) } catch {
            throw Problem(code: "5001", message: "the body is not the inquiry's JSON (orderId, transactionId, shippingAddress)")
        }
        guard let orderId = w.orderId, !orderId.isEmpty, orderId.utf8.count <= 100, !Handoff.hasControlCharacters(orderId) else { throw Problem(code: "5001", message: "orderId is required (up to 100 characters)") }
        // Digits only, as LINE Pay writes its 19-digit ids: never an exponent or a fraction that a decoder rounds.
        let text = String(decoding: body, as: UTF8.self)
        guard let tx = w.transactionId, text.range(of: #""transactionId"\s*:\s*"?[0-9]{1,19}"?\s*[,}]"#, options: .regularExpression) != nil else { throw Problem(code: "5001", message: "transactionId must be LINE Pay's 19-digit id") }
        if let c = w.currency, Currency(rawValue: c) == nil { throw Problem(code: "5001", message: "currency must be TWD, JPY, THB or USD") }
        guard let a = w.shippingAddress else { throw Problem(code: "4002", message: "shippingAddress is required") }
        guard let country = a.country, country.count == 2, country.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw Problem(code: "4002", message: "shippingAddress.country must be a 2-letter country code")
        }
        let postal = a.postalCode ?? ""
        guard postal.count <= 10, postal.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == " ") }) else {
            throw Problem(code: "4002", message: "shippingAddress.postalCode must be up to 10 letters, digits, spaces or -")
        }
        for (value, name, max) in [(a.state, "state", 100), (a.city, "city", 300), (a.detail, "detail", 1000)] {
            if let v = value, v.count > max || Handoff.hasControlCharacters(v) {
                throw Problem(code: "4002", message: "shippingAddress.\(name) must be up to \(max) characters without control characters")
            }
        }
        return ShippingInquiry(currency: w.currency, orderId: orderId, transactionId: tx.rawValue, country: country, postalCode: postal,
                               state: a.state, city: a.city, detail: a.detail)
    }
}

/// One method as LINE Pay gets it in `info.shippingMethods[]`.
struct QuotedMethod: Equatable {
    var id: String
    var name: String
    var amount: Decimal
    var toDeliveryYmd: String?
    var fromDeliveryHm: String?
    var toDeliveryHm: String?
}

/// Our answer to LINE Pay, in its format: returnCode, returnMessage and, on 0000, info.shippingMethods.
func shippingAnswer(_ code: String, _ message: String, _ methods: [QuotedMethod] = []) -> String {
    var body = #"{"returnCode":"\#(code)","returnMessage":"\#(jsonEscaped(message))""#
    if code == "0000" {
        let list = methods.map { m in
            var o = #"{"id":"\#(jsonEscaped(m.id))","name":"\#(jsonEscaped(m.name))","amount":\#(Money.format(m.amount))"#
            if let d = m.toDeliveryYmd { o += #","toDeliveryYmd":"\#(d)""# }
            if let f = m.fromDeliveryHm { o += #","fromDeliveryHm":"\#(f)""# }
            if let t = m.toDeliveryHm { o += #","toDeliveryHm":"\#(t)""# }
            return o + "}"
        }
        body += #","info":{"shippingMethods":[\#(list.joined(separator: ","))]}"#
    }
    return body + "}"
}

/// The shop's answer from `shipping_rules_url`, in LINE Pay's format, checked as strictly as we check our own rules.
func parseShopShippingAnswer(_ body: [UInt8], currency: Currency) -> (code: String, message: String, methods: [QuotedMethod])? {
    struct Wire: Decodable {
        struct Method: Decodable {
            let id: String; let name: String; let amount: Amount
            let toDeliveryYmd: String?; let fromDeliveryHm: String?; let toDeliveryHm: String?
        }
        struct Info: Decodable { let shippingMethods: [Method]? }
        let returnCode: String; let returnMessage: String?; let info: Info?
    }
    guard let w = try? JSONDecoder().decode(Wire.self, from: Data(body)), ["0000", "4001", "4002", "5001", "9999"].contains(w.returnCode) else { return nil }
    let message = String((w.returnMessage ?? "").prefix(100))
    guard w.returnCode == "0000" else { return (w.returnCode, message, []) }
    var methods: [QuotedMethod] = []
    for m in w.info?.shippingMethods ?? [] {
        guard ShippingRules.isMethodId(m.id), !m.name.isEmpty, m.name.count <= 100, !Handoff.hasControlCharacters(m.name),
              m.amount.value >= 0, Money.fits(m.amount.value, currency),
              m.toDeliveryYmd.map({ $0.count == 8 && $0.allSatisfy(\.isNumber) }) ?? true,
              (m.fromDeliveryHm.map(ShippingRules.isHourMinute) ?? true), (m.toDeliveryHm.map(ShippingRules.isHourMinute) ?? true)
        else { return nil }
        methods.append(QuotedMethod(id: m.id, name: m.name, amount: m.amount.value, toDeliveryYmd: m.toDeliveryYmd,
                                    fromDeliveryHm: m.fromDeliveryHm, toDeliveryHm: m.toDeliveryHm))
    }
    return methods.isEmpty ? ("4001", message, []) : ("0000", message, methods)
}

/// An amount written as a JSON number or a string of digits, exact.
struct Amount: Decodable {
    let value: Decimal
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self), let v = Money.parse(s) { value = v; return }
        value = try c.decode(Decimal.self)
    }
}
