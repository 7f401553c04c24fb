import FastCGI
import Foundation
import LinePay
import SQLite

/// The bodies the sandbox accepts, decoded on its own terms (not with the client's types) so it checks independently.
private struct RequestBody: Decodable {
    struct Product: Decodable { let id: String?; let name: String; let imageUrl: String?; let quantity: Int; let price: Decimal; let originalPrice: Decimal? }
    struct Package: Decodable { let id: String; let amount: Decimal; let userFee: Decimal?; let name: String?; let products: [Product] }
    struct Redirect: Decodable { let confirmUrl: String; let cancelUrl: String; let confirmUrlType: String?; let appPackageName: String? }
    struct Options: Decodable {
        struct Payment: Decodable { let capture: Bool?; let payType: String? }
        struct Display: Decodable { let locale: String?; let checkConfirmUrlBrowser: Bool? }
        struct Shipping: Decodable { let type: String?; let feeAmount: String?; let feeInquiryUrl: String?; let feeInquiryType: String? }
        let payment: Payment?; let display: Display?; let shipping: Shipping?
    }
    let amount: Decimal; let currency: String; let orderId: String; let packages: [Package]; let redirectUrls: Redirect; let options: Options?
}

private struct AmountBody: Decodable { let amount: Decimal; let currency: String }
private struct RefundBody: Decodable { let refundAmount: Decimal? }
struct PreapprovedBody: Decodable { let productName: String; let amount: Decimal; let currency: String; let orderId: String; let capture: Bool? }

extension SandboxWorker {
    func process(_ operation: SandboxRoute, request: FastCGIRequest, channel: SandboxChannel) throws -> APIAnswer {
        switch operation.op {
        case .request: return try reserve(request.body, channel: channel, base: baseURL(request))
        case .confirm: return try confirm(operation.id!, request.body, channel: channel, provider: operation.paymentProvider)
        case .capture: return try capture(operation.id!, request.body, channel: channel, provider: operation.paymentProvider)
        case .void: return try void(operation.id!, channel: channel)
        case .refund: return try refund(operation.id!, request.body, channel: channel)
        case .paymentDetails: return try details(request.query, channel: channel, provider: operation.paymentProvider)
        case .checkPaymentStatus: return try check(operation.id!, channel: channel)
        case .checkRegKey: return try checkRegKey(operation.regKey!, channel: channel)
        case .payPreapproved: return try payPreapproved(operation.regKey!, request.body, channel: channel, provider: operation.paymentProvider)
        case .expireRegKey: return try expireRegKey(operation.regKey!, channel: channel)
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws -> T {
        guard (try? JSONSerialization.jsonObject(with: Data(body))) != nil else { throw ParameterError("2102", "body is not JSON") }
        do { return try JSONDecoder().decode(type, from: Data(body)) } catch let DecodingError.keyNotFound(key, ctx) {
            throw ParameterError("2101", "missing \((ctx.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw ParameterError("2101", "wrong type at \(ctx.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch {
            throw ParameterError("2101", "unreadable parameters")
        }
    }

    func length(_ s: String?, _ max: Int, _ field: String, required: Bool = false) throws {
        if required && (s ?? "").isEmpty { throw ParameterError("2101", "\(field) is required") }
        if let s, s.count > max { throw ParameterError("2101", "\(field) longer than \(max)") }
    }

    func currency(_ code: String) throws -> Currency {
        guard let c = Currency(rawValue: code) else { throw ParameterError("1178", "unsupported currency \(code)") }
        return c
    }

    func scale(_ v: Decimal, _ c: Currency, _ field: String) throws {
        if !Money.fits(v, c) { throw ParameterError("1124", "\(field) has too many decimals for \(c.rawValue)") }
    }

    func mine(_ id: Int64, _ channel: SandboxChannel) throws -> SandboxTransaction {
        guard let tx = try store.transaction(id: id), tx.channelId == channel.id else { throw ParameterError("1150", "no transaction \(id)") }
        return tx
    }

    // MARK: request

    private func reserve(_ body: [UInt8], channel: SandboxChannel, base: String) throws -> APIAnswer {
        let r = try decode(RequestBody.self, body)
        let cur = try currency(r.currency)
        try length(r.orderId, 100, "orderId", required: true)
        if r.amount <= 0 { throw ParameterError("1183", "amount must be greater than 0") }
        try scale(r.amount, cur, "amount")
        if r.packages.isEmpty { throw ParameterError("2101", "packages is empty") }
        var total = Decimal(0)
        for (i, p) in r.packages.enumerated() {
            try length(p.id, 50, "packages[\(i)].id", required: true)
            try length(p.name, 100, "packages[\(i)].name")
            if p.products.isEmpty { throw ParameterError("2101", "packages[\(i)].products is empty") }
            var sum = Decimal(0)
            for (j, product) in p.products.enumerated() {
                try length(product.id, 50, "packages[\(i)].products[\(j)].id")
                try length(product.name, 4000, "packages[\(i)].products[\(j)].name", required: true)
                try length(product.imageUrl, 500, "packages[\(i)].products[\(j)].imageUrl")
                if product.quantity < 1 { throw ParameterError("2101", "packages[\(i)].products[\(j)].quantity below 1") }
                try scale(product.price, cur, "packages[\(i)].products[\(j)].price")
                sum += Decimal(product.quantity) * product.price
            }
            if sum != p.amount { throw ParameterError("1124", "packages[\(i)].amount is not sum(quantity * price)") }
            try scale(p.amount, cur, "packages[\(i)].amount")
            total += p.amount + (p.userFee ?? 0)
        }
        if let fee = r.options?.shipping?.feeAmount {
            guard let f = Money.parse(fee) else { throw ParameterError("2101", "options.shipping.feeAmount is not an amount") }
            total += f
        }
        if total != r.amount { throw ParameterError("1124", "amount is not sum(packages.amount) + userFee + shipping fee") }
        try length(r.redirectUrls.confirmUrl, 500, "redirectUrls.confirmUrl", required: true)
        try length(r.redirectUrls.cancelUrl, 500, "redirectUrls.cancelUrl", required: true)
        let type = r.redirectUrls.confirmUrlType ?? "CLIENT"
        guard ConfirmUrlType(rawValue: type) != nil else { throw ParameterError("2101", "redirectUrls.confirmUrlType \(type)") }
        let payType = r.options?.payment?.payType ?? "NORMAL"
        guard PayType(rawValue: payType) != nil else { throw ParameterError("2101", "options.payment.payType \(payType)") }
        let shipping = r.options?.shipping
        let shippingType = shipping?.type ?? "NO_SHIPPING"
        guard ["NO_SHIPPING", "FIXED_ADDRESS", "SHIPPING"].contains(shippingType) else { throw ParameterError("2101", "options.shipping.type \(shippingType)") }
        if let t = shipping?.feeInquiryType, t != "CONDITION", t != "FIXED" { throw ParameterError("2101", "options.shipping.feeInquiryType \(t)") }
        if shippingType == "SHIPPING" {
            // The merchant's ShippingMethods API is how LINE Pay learns methods and fees: required for SHIPPING.
            guard let url = shipping?.feeInquiryUrl, url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw ParameterError("2101", "options.shipping.feeInquiryUrl is required for SHIPPING")
            }
            try length(url, 500, "options.shipping.feeInquiryUrl")
        }
        let locale = r.options?.display?.locale ?? "en"
        guard PaymentPageLocale(rawValue: locale) != nil else { throw ParameterError("2101", "options.display.locale \(locale)") }

        let id = newTransactionID()
        let token = String(secureRandomBytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % 1_000_000_000_000)
        let packedProducts = r.packages.flatMap { $0.products.map(\.name) }
        let productName = packedProducts.count > 1 ? "\(packedProducts[0]) and \(packedProducts.count - 1) more" : (packedProducts.first ?? "")
        let packagesJSON = JSONText.array(r.packages.map { p in
            .object([("id", .string(p.id)), ("amount", .amount(p.amount)), ("userFeeAmount", .amount(p.userFee ?? 0)), ("name", p.name.map { .string($0) })])
        }).rendered
        do {
            try store.db.run("""
                INSERT INTO transactions (id, channel_id, order_id, amount, currency, product_name, packages_json, confirm_url,
                  confirm_url_type, cancel_url, capture, pay_type, locale, check_browser, status, created_at, access_token)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,'reserved',?,?)
                """, [.integer(id), .text(channel.id), .text(r.orderId), .text(Money.format(r.amount)), .text(cur.rawValue),
                      .text(productName), .text(packagesJSON), .text(r.redirectUrls.confirmUrl), .text(type), .text(r.redirectUrls.cancelUrl),
                      .integer(r.options?.payment?.capture == false ? 0 : 1), .text(payType), .text(locale),
                      .integer(r.options?.display?.checkConfirmUrlBrowser == true ? 1 : 0), .integer(now), .text(token)])
        } catch let e as SQLiteError where e.isConstraint {
            throw ParameterError("1172", "orderId \(r.orderId) already used")
        }
        if shippingType == "SHIPPING" {
            try store.db.run("UPDATE transactions SET shipping_type = 'SHIPPING', fee_inquiry_url = ? WHERE id = ?",
                             [.text(shipping?.feeInquiryUrl ?? ""), .integer(id)])
        }
        let web = "\(base)/sandbox/pay/\(token)"
        return APIAnswer(code: "0000", message: "Success.", info: .object([
            ("transactionId", .id(id)), ("paymentAccessToken", .string(token)),
            ("paymentUrl", .object([("web", .string(web)), ("app", .string("line://pay/payment/\(token)"))])),
        ]))
    }

    // MARK: confirm, capture, void, refund

    func payInfo(_ amount: Decimal) -> JSONText {
        .array([.object([("method", .string("CREDIT_CARD")), ("amount", .amount(amount)), ("creditCardNickname", .string("")),
                         ("creditCardBrand", .string("VISA")), ("maskedCreditCardNumber", .string("**** **** **** 1234"))])])
    }

    private func confirm(_ id: Int64, _ body: [UInt8], channel: SandboxChannel, provider: JSONText?) throws -> APIAnswer {
        let b = try decode(AmountBody.self, body)
        return try store.db.immediateTransaction {
            let tx = try mine(id, channel)
            switch tx.status {
            case "approved": break
            // 1169: "Must select a payment method and password authorization at LINE Pay": the shopper has not yet.
            case "reserved": throw ParameterError(expired(tx) ? "1180" : "1169", expired(tx) ? "expired (20 minutes)" : "not approved by the shopper yet")
            case "cancelled", "failed": throw ParameterError("1180", "the payment is \(tx.status)")
            // 1152: "There is a history of transactions with the same transactionId." Never a second payment.
            default: throw ParameterError("1152", "already confirmed: a second confirm never pays twice")
            }
            if expired(tx) { throw ParameterError("1180", "expired (20 minutes)") }
            if tx.shippingType == "SHIPPING", tx.shippingMethodId == nil { throw ParameterError("1169", "no shipping method chosen yet") }
            // With shipping, what the shopper approved is the Request's amount plus the fee of the chosen method.
            if b.amount != tx.totalWithShipping || b.currency != tx.currency {
                let fee = tx.shippingType == "SHIPPING" ? " + shipping \(Money.format(tx.shippingFee))" : ""
                throw ParameterError("1153", "confirm \(Money.format(b.amount)) \(b.currency) differs from requested \(Money.format(tx.amount))\(fee) \(tx.currency)")
            }
            var regKey: String? = nil
            if tx.payType == "PREAPPROVED" {
                regKey = "RK" + String(newTransactionID() % 10_000_000_000_000)
                try store.db.run("INSERT INTO reg_keys (reg_key, channel_id, transaction_id, currency, status, created_at) VALUES (?,?,?,?, 'active', ?)",
                                 [.text(regKey!), .text(channel.id), .integer(id), .text(tx.currency), .integer(now)])
            }
            let to = tx.capture ? "captured" : "authorized"
            // An authorization lasts as long as the date confirm gives (the GMO-PG and VeriTrans guides: 30 days);
            // stored, so payment details, capture and void judge it by the sandbox's clock.
            let expiresAt: Int64? = tx.capture ? nil : now + Self.authorizationLifetime
            guard try store.transition(id, from: ["approved"], to: to, extra: "authorized_amount = ?, captured_amount = ?, reg_key = ?, confirmed_at = ?, authorization_expires_at = ?",
                                       [.text(Money.format(tx.totalWithShipping)), .text(tx.capture ? Money.format(tx.totalWithShipping) : "0"), SQLiteValue(regKey), .integer(now),
                                        SQLiteValue(expiresAt)])
            else { throw ParameterError("1198", "concurrent confirm") }
            return APIAnswer(code: "0000", message: "Success.", info: .object([
                ("orderId", .string(tx.orderId)), ("transactionId", .id(id)),
                ("authorizationExpireDate", expiresAt.map { .string(isoDate($0)) }),
                ("regKey", regKey.map { .string($0) }), ("payInfo", payInfo(tx.totalWithShipping)),
                ("packages", .number(tx.packagesJSON)), ("shipping", shippingInfo(tx, address: true)), ("paymentProvider", provider),
            ]))
        }
    }

    private func capture(_ id: Int64, _ body: [UInt8], channel: SandboxChannel, provider: JSONText?) throws -> APIAnswer {
        let b = try decode(AmountBody.self, body)
        return try store.db.immediateTransaction {
            let tx = try mine(id, channel)
            guard tx.status == "authorized" else { throw ParameterError("1155", "not an authorization (\(tx.status))") }
            // An expired authorization is no longer one: 1155 as for any other transaction that is not (the
            // reference names no code of its own for it).
            if authorizationExpired(tx) { throw ParameterError("1155", "the authorization expired at \(isoDate(tx.authorizationExpiresAt ?? 0))") }
            if b.amount <= 0 { throw ParameterError("1183", "amount must be greater than 0") }
            if b.currency != tx.currency { throw ParameterError("2101", "currency differs from the authorization") }
            if b.amount > tx.authorizedAmount { throw ParameterError("1184", "capture above the authorized \(Money.format(tx.authorizedAmount))") }
            guard try store.transition(id, from: ["authorized"], to: "captured", extra: "captured_amount = ?", [.text(Money.format(b.amount))])
            else { throw ParameterError("1198", "concurrent capture") }
            return APIAnswer(code: "0000", message: "Success.", info: .object([
                ("orderId", .string(tx.orderId)), ("transactionId", .id(id)), ("payInfo", payInfo(b.amount)),
                ("paymentProvider", provider),
            ]))
        }
    }

    private func void(_ id: Int64, channel: SandboxChannel) throws -> APIAnswer {
        try store.db.immediateTransaction {
            let tx = try mine(id, channel)
            if tx.status == "voided" { throw ParameterError("1165", "already voided") }
            guard tx.status == "authorized" else { throw ParameterError("1155", "only an authorization can be voided (\(tx.status))") }
            if authorizationExpired(tx) { throw ParameterError("1155", "the authorization expired at \(isoDate(tx.authorizationExpiresAt ?? 0))") }
            _ = try store.transition(id, from: ["authorized"], to: "voided")
            return APIAnswer(code: "0000", message: "Success.")
        }
    }

    private func refund(_ id: Int64, _ body: [UInt8], channel: SandboxChannel) throws -> APIAnswer {
        let b = try decode(RefundBody.self, body)
        return try store.db.immediateTransaction {
            let tx = try mine(id, channel)
            guard tx.status == "captured" else { throw ParameterError("1155", "only a captured payment can be refunded (\(tx.status))") }
            let remaining = tx.capturedAmount - tx.refundedAmount
            if remaining <= 0 { throw ParameterError("1165", "nothing left to refund") }
            let amount = b.refundAmount ?? remaining
            if amount <= 0 { throw ParameterError("2101", "refundAmount must be greater than 0") }
            if amount > remaining { throw ParameterError("1164", "refund \(Money.format(amount)) above the remaining \(Money.format(remaining))") }
            let refundId = newTransactionID()
            let kind = amount == tx.capturedAmount ? "PAYMENT_REFUND" : "PARTIAL_REFUND"
            try store.db.run("INSERT INTO refunds (id, transaction_id, amount, kind, created_at) VALUES (?,?,?,?,?)",
                             [.integer(refundId), .integer(id), .text(Money.format(amount)), .text(kind), .integer(now)])
            try store.db.run("UPDATE transactions SET refunded_amount = ? WHERE id = ?", [.text(Money.format(tx.refundedAmount + amount)), .integer(id)])
            return APIAnswer(code: "0000", message: "Success.", info: .object([
                ("refundTransactionId", .id(refundId)), ("refundTransactionDate", .string(isoDate(now))),
            ]))
        }
    }
}
