import FastCGI
import LinePayPages
import Foundation
import LinePay

/// Checkout with the shopper's address, as LINE Pay plays it (002_...txt, "Inquiry ShippingMethods"): on a SHIPPING
/// payment the page asks for an address (a stored one or typed), POSTs it to the merchant's feeInquiryUrl (5 s to
/// connect, 20 s to read), shows the methods it answers (or its 4001 / 4002), and appends the chosen
/// shippingFeeAmount and shippingMethodId to confirmUrl. Confirm must then carry the amount plus that fee.
extension SandboxWorker {
    /// The addresses "stored in LINE" the page offers, by id.
    static let storedAddresses: [(id: String, label: String, fields: [String: String])] = [
        ("home", "王小明 · 台北市中山區南京東路三段 100 號", ["lastName": "王", "firstName": "小明", "phoneNo": "0912345678",
         "email": "ming@example.com", "country": "TW", "postalCode": "10491", "state": "台北市", "city": "中山區", "detail": "南京東路三段 100 號 5 樓"]),
        ("office", "山田 花子 · 東京都千代田区丸の内 1-1", ["lastName": "山田", "firstName": "花子", "phoneNo": "0312345678",
         "email": "hanako@example.jp", "country": "JP", "postalCode": "100-0005", "state": "東京都", "city": "千代田区", "detail": "丸の内 1-1"]),
    ]

    /// One method as the merchant answered it.
    struct OfferedMethod: Decodable {
        let id: String; let name: String; let amount: Decimal
        let toDeliveryYmd: String?; let fromDeliveryHm: String?; let toDeliveryHm: String?
    }

    func offeredMethods(_ tx: SandboxTransaction) -> [OfferedMethod] {
        guard let json = tx.shippingMethodsJSON else { return [] }
        return (try? JSONDecoder().decode([OfferedMethod].self, from: Data(json.utf8))) ?? []
    }

    /// POST /sandbox/pay/{token}/address: a stored address (`address=home`) or typed fields; asks the merchant.
    /// Answers the notice to show on the payment page (nil: methods are ready).
    func chooseAddress(_ tx: SandboxTransaction, form: [String: String]) throws -> String? {
        var a = Self.storedAddresses.first { $0.id == form["address"] }?.fields ?? [:]
        if a.isEmpty {
            for key in ["lastName", "firstName", "phoneNo", "email", "country", "postalCode", "state", "city", "detail"] {
                a[key] = (form[key] ?? "").trimmingCharacters(in: .whitespaces)
            }
            a["country"] = a["country"]?.uppercased()
        }
        let address = JSONText.object([("country", .string(a["country"] ?? "")), ("postalCode", .string(a["postalCode"] ?? "")),
                                       ("state", .string(a["state"] ?? "")), ("city", .string(a["city"] ?? "")),
                                       ("detail", .string(a["detail"] ?? ""))])
        let inquiry = JSONText.object([("currency", .string(tx.currency)), ("orderId", .string(tx.orderId)),
                                       ("transactionId", .id(tx.id)), ("shippingAddress", address)]).rendered
        guard let url = tx.feeInquiryURL, let (status, body) = post(url, json: inquiry) else {
            return text(tx.locale, "shipUnreachable")
        }
        struct Answer: Decodable {
            struct Info: Decodable { let shippingMethods: [OfferedMethod]? }
            let returnCode: String; let returnMessage: String?; let info: Info?
        }
        guard status == 200, let answer = try? JSONDecoder().decode(Answer.self, from: Data(body)) else { return text(tx.locale, "shipUnreachable") }
        switch answer.returnCode {
        case "0000" where !(answer.info?.shippingMethods ?? []).isEmpty:
            let methods = JSONText.array((answer.info?.shippingMethods ?? []).map { m in
                .object([("id", .string(m.id)), ("name", .string(m.name)), ("amount", .amount(m.amount)),
                         ("toDeliveryYmd", m.toDeliveryYmd.map { .string($0) }), ("fromDeliveryHm", m.fromDeliveryHm.map { .string($0) }),
                         ("toDeliveryHm", m.toDeliveryHm.map { .string($0) })])
            })
            let recipient = JSONText.object(["firstName", "lastName", "email", "phoneNo"].map { ($0, a[$0].flatMap { $0.isEmpty ? nil : .string($0) }) })
            let full = JSONText.object([("country", .string(a["country"] ?? "")), ("postalCode", .string(a["postalCode"] ?? "")),
                                        ("state", .string(a["state"] ?? "")), ("city", .string(a["city"] ?? "")),
                                        ("detail", .string(a["detail"] ?? "")), ("recipient", recipient)])
            try store.db.run("UPDATE transactions SET shipping_address = ?, shipping_methods = ? WHERE id = ? AND status = 'reserved'",
                             [.text(full.rendered), .text(methods.rendered), .integer(tx.id)])
            return nil
        case "4001": return text(tx.locale, "ship4001")
        case "4002": return text(tx.locale, "ship4002")
        default: return "\(text(tx.locale, "shipUnreachable")) (\(answer.returnCode))"
        }
    }

    /// Records the method picked at Approve; false when it is not one the merchant offered for this address.
    func chooseMethod(_ tx: SandboxTransaction, id: String?) throws -> Bool {
        guard let id, let m = offeredMethods(tx).first(where: { $0.id == id }) else { return false }
        return try store.db.run("UPDATE transactions SET shipping_method_id = ?, shipping_fee = ? WHERE id = ? AND status = 'reserved'",
                                [.text(m.id), .text(Money.format(m.amount)), .integer(tx.id)]) == 1
    }

    /// The shipping part of the payment page: the address step, then the methods to pick from (inside the Approve form).
    func shippingSection(_ tx: SandboxTransaction, base: String, notice: String?) -> (addressForms: String, methodInputs: String?) {
        var forms = "<section class=shipping data-shipping=\"address\"><h2>\(htmlEscape(text(tx.locale, "shipTo")))</h2>"
        if let notice { forms += "<p class=notice id=shipping-notice role=alert>\(htmlEscape(notice))</p>" }
        for a in Self.storedAddresses {
            forms += "<form method=post action=\"\(htmlEscape(base))/address\"><input type=hidden name=address value=\"\(a.id)\">"
                + "<button class=btn type=submit id=\"address-\(a.id)\">\(htmlEscape(a.label))</button></form>"
        }
        forms += "<details><summary>\(htmlEscape(text(tx.locale, "shipTyped")))</summary><form method=post action=\"\(htmlEscape(base))/address\" id=address-typed>"
        for (key, label) in [("lastName", "Last name"), ("firstName", "First name"), ("phoneNo", "Phone"), ("country", "Country (TW, JP...)"),
                             ("postalCode", "Postal code"), ("state", "State"), ("city", "City"), ("detail", "Street, building")] {
            forms += "<label>\(label) <input name=\(key) id=\"ship-\(key)\" autocomplete=off></label>"
        }
        forms += "<button class=btn type=submit id=address-typed-submit>\(htmlEscape(text(tx.locale, "shipAsk")))</button></form></details></section>"
        let methods = offeredMethods(tx)
        guard !methods.isEmpty else { return (forms, nil) }
        var inputs = "<fieldset class=methods><legend>\(htmlEscape(text(tx.locale, "shipMethod")))</legend>"
        for (i, m) in methods.enumerated() {
            let when = [m.toDeliveryYmd, m.fromDeliveryHm.flatMap { f in m.toDeliveryHm.map { "\(f)-\($0)" } }].compactMap { $0 }.joined(separator: " ")
            inputs += "<label><input type=radio name=shippingMethodId value=\"\(htmlEscape(m.id))\" id=\"method-\(htmlEscape(m.id))\"\(i == 0 ? " checked" : "")> "
                + "\(htmlEscape(m.name)) · \(htmlEscape(Money.format(m.amount))) \(htmlEscape(tx.currency)) · "
                + "\(htmlEscape(text(tx.locale, "shipTotal"))) \(htmlEscape(Money.format(tx.amount + m.amount))) \(htmlEscape(tx.currency))"
                + (when.isEmpty ? "" : " · \(htmlEscape(when))") + "</label>"
        }
        return (forms, inputs + "</fieldset>")
    }

    /// LINE Pay's POST to the merchant: JSON, 5 s to connect, 20 s to read; nil when nothing came back.
    func post(_ url: String, json: String) -> (Int, [UInt8])? {
        guard case .response(let status, let body) = CurlLinePayTransport().exchange(
            method: "POST", url: url, contentType: "application/json", body: Array(json.utf8), connectTimeout: .seconds(5),
            readTimeout: .seconds(20)) else { return nil }
        return (status, body)
    }

    /// `info.shipping` of confirm, payment details (with the address) and check (method and fee only).
    func shippingInfo(_ tx: SandboxTransaction, address: Bool) -> JSONText? {
        guard tx.shippingType == "SHIPPING", let id = tx.shippingMethodId else { return nil }
        return .object([("methodId", .string(id)), ("feeAmount", .amount(tx.shippingFee)),
                        ("address", address ? tx.shippingAddressJSON.map { .number($0) } : nil)])
    }
}

extension SandboxTransaction {
    /// confirmUrl with LINE Pay's parameters (and the shopper's shipping choice on a SHIPPING payment).
    var confirmTarget: String {
        appendingParameters(confirmUrl, transactionId: id, orderId: orderId,
                            shipping: shippingType == "SHIPPING" ? shippingMethodId.map { ($0, shippingFee) } : nil)
    }
}
