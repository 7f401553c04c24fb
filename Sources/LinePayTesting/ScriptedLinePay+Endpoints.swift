import Foundation
import LinePay

/// The money-moving endpoints, with the reference's codes for each refusal (002_512f401f406b59bc.txt).
extension ScriptedLinePay {
    func handle(_ route: Route, _ request: TransportRequest, _ note: inout CallNote) -> Answer {
        let body = request.body ?? []
        let v4 = route.version == "v4"
        switch route.operation {
        case .request: return requestPayment(body, &note)
        case .confirm: return withPayment(route, .confirm) { confirm(&$0, body, v4) }
        case .capture: return withPayment(route, .capture) { capture(&$0, body, v4) }
        case .void: return withPayment(route, .void) { void(&$0) }
        case .refund: return withPayment(route, .refund) { refund(&$0, body) }
        case .paymentDetails: return paymentDetails(query: request.query ?? "", v4: v4)
        case .checkPaymentStatus: return withPayment(route, .checkPaymentStatus) { checkStatus($0) }
        case .checkRegKey: return withRegKey(route, .checkRegKey) { _ in Answer(code: "0000", message: "Success.") }
        case .expireRegKey:
            return withRegKey(route, .expireRegKey) { key in
                regKeys[key]?.expired = true
                return Answer(code: "0000", message: "Success.")
            }
        case .payPreapproved: return withRegKey(route, .payPreapproved) { payPreapproved($0, body, v4, &note) }
        }
    }

    /// Runs `body` on the payment in the path, or answers 1150 when LINE Pay has none.
    private func withPayment(_ route: Route, _ op: LinePayOperation, _ body: (inout StoredTransaction) -> Answer) -> Answer {
        guard let id = route.key.flatMap(TransactionID.init), var tx = transactions[id] else {
            return .refuse("1150", op, "no transaction \(route.key ?? "")")
        }
        let answer = body(&tx)
        transactions[id] = tx
        return answer
    }

    private func requestPayment(_ body: [UInt8], _ note: inout CallNote) -> Answer {
        guard let r = try? JSONDecoder().decode(RequestBody.self, from: Data(body)) else {
            return .refuse("2102", .request, "the body is not a payment request")
        }
        guard let currency = Currency(rawValue: r.currency) else { return .refuse("1178", .request, r.currency) }
        if r.amount <= 0 { return .refuse("1183", .request, "amount \(Money.format(r.amount))") }
        if !Money.fits(r.amount, currency) { return .refuse("1124", .request, "too many decimals for \(currency.rawValue)") }
        let total = r.packages.reduce(Decimal(0)) { $0 + $1.amount + ($1.userFee ?? 0) } + (r.options?.shipping?.feeAmount ?? 0)
        if total != r.amount { return .refuse("1124", .request, "amount is not the sum of packages, fees and shipping") }
        if r.orderId.isEmpty || r.packages.isEmpty { return .refuse("2101", .request, "orderId and packages are required") }
        if transactions.values.contains(where: { $0.orderId == r.orderId }) {
            return .refuse("1172", .request, "orderId \(r.orderId) already used")
        }
        let id = nextId()
        let tx = StoredTransaction(
            id: id, orderId: r.orderId, amount: r.amount, currency: currency,
            productName: r.packages.first?.products.first?.name ?? r.orderId, packages: r.packages,
            capture: r.options?.payment?.capture ?? true, payType: r.options?.payment?.payType ?? .NORMAL,
            confirmUrl: r.redirectUrls.confirmUrl, cancelUrl: r.redirectUrls.cancelUrl, createdAt: clock,
            status: .awaitingShopper)
        transactions[id] = tx
        note.transactionId = id
        let token = String(format: "%012lld", id.rawValue % 1_000_000_000_000)
        return Answer(code: "0000", message: "Success.", info: .object([
            ("transactionId", .id(id)), ("paymentAccessToken", .string(token)),
            ("paymentUrl", .object([
                ("web", .string("https://sandbox-web-pay.line.me/web/payment/wait?transactionReserveId=scripted\(id)")),
                ("app", .string("line://pay/payment/scripted\(id)")),
            ])),
        ]))
    }

    /// Confirm: only after approval (1169), once (1152), with the requested amount and currency (1153).
    private func confirm(_ tx: inout StoredTransaction, _ body: [UInt8], _ v4: Bool) -> Answer {
        guard let b = try? JSONDecoder().decode(AmountBody.self, from: Data(body)) else {
            return .refuse("2101", .confirm, "amount and currency are required")
        }
        switch tx.status {
        case .approved: break
        case .awaitingShopper: return .refuse("1169", .confirm, "the shopper has not approved yet")
        case .expired: return .refuse("1180", .confirm, "not confirmed within 20 minutes")
        case .cancelledByShopper, .failed: return .refuse("1159", .confirm, "the payment request is \(tx.status.rawValue)")
        case .authorized, .captured, .voided, .authorizationExpired:
            return .refuse("1152", .confirm, "transaction \(tx.id) was already confirmed")
        }
        if !Money.fits(b.amount, tx.currency) { return .refuse("1124", .confirm, "too many decimals") }
        if b.amount != tx.amount || b.currency != tx.currency.rawValue {
            return .refuse("1153", .confirm, "\(Money.format(b.amount)) \(b.currency) is not the requested \(Money.format(tx.amount)) \(tx.currency.rawValue)")
        }
        tx.confirmedAt = clock
        tx.authorizedAmount = tx.amount
        if tx.capture {
            tx.status = .captured
            tx.capturedAmount = tx.amount
        } else {
            tx.status = .authorized
            tx.authorizationExpiresAt = clock + lifetime
        }
        if tx.payType == .PREAPPROVED, let key = RegKey("RK" + String(format: "%013lld", tx.id.rawValue % 10_000_000_000_000)) {
            tx.regKey = key
            regKeys[key] = (tx.id, false)
        }
        return Answer(code: "0000", message: "Success.", info: .object([
            ("orderId", .string(tx.orderId)), ("transactionId", .id(tx.id)),
            ("authorizationExpireDate", tx.authorizationExpiresAt.map { .string(Self.iso($0)) }),
            ("regKey", tx.regKey.map { .string($0.rawValue) }), ("payInfo", Self.payInfo(tx.amount)),
            ("packages", encoded(tx.packages)), ("paymentProvider", v4 ? .string("TSP") : nil),
        ]))
    }

    /// Capture: only an authorization (1155), more than zero (1183), at most what was authorized (1184).
    private func capture(_ tx: inout StoredTransaction, _ body: [UInt8], _ v4: Bool) -> Answer {
        guard let b = try? JSONDecoder().decode(AmountBody.self, from: Data(body)) else {
            return .refuse("1179", .capture, "amount and currency are required")
        }
        guard tx.status == .authorized else { return .refuse("1155", .capture, "not an authorization (\(tx.status.rawValue))") }
        if b.amount <= 0 { return .refuse("1183", .capture, "amount \(Money.format(b.amount))") }
        if b.currency != tx.currency.rawValue { return .refuse("1179", .capture, "currency \(b.currency) is not \(tx.currency.rawValue)") }
        if b.amount > tx.authorizedAmount {
            return .refuse("1184", .capture, "\(Money.format(b.amount)) is above the authorized \(Money.format(tx.authorizedAmount))")
        }
        tx.status = .captured
        tx.capturedAmount = b.amount
        return Answer(code: "0000", message: "Success.", info: .object([
            ("orderId", .string(tx.orderId)), ("transactionId", .id(tx.id)), ("payInfo", Self.payInfo(b.amount)),
            ("paymentProvider", v4 ? .string("TSP") : nil),
        ]))
    }

    /// Void: an authorization only (1155); a second void answers 1165.
    private func void(_ tx: inout StoredTransaction) -> Answer {
        if tx.status == .voided { return .refuse("1165", .void, "already voided") }
        guard tx.status == .authorized else { return .refuse("1155", .void, "not an authorization (\(tx.status.rawValue))") }
        tx.status = .voided
        return Answer(code: "0000", message: "Success.")
    }

    /// Refund: captured payments only (1155), nothing left answers 1165, above what is left 1164.
    private func refund(_ tx: inout StoredTransaction, _ body: [UInt8]) -> Answer {
        let b = (try? JSONDecoder().decode(RefundBody.self, from: Data(body))) ?? RefundBody(refundAmount: nil)
        guard tx.status == .captured else { return .refuse("1155", .refund, "not a captured payment (\(tx.status.rawValue))") }
        let remaining = tx.capturedAmount - tx.refunded
        if remaining <= 0 { return .refuse("1165", .refund, "nothing left to refund") }
        let amount = b.refundAmount ?? remaining
        if amount <= 0 { return .refuse("1179", .refund, "refundAmount \(Money.format(amount))") }
        if amount > remaining { return .refuse("1164", .refund, "\(Money.format(amount)) is above the remaining \(Money.format(remaining))") }
        let id = nextId()
        let kind = tx.refunds.isEmpty && amount == tx.capturedAmount ? "PAYMENT_REFUND" : "PARTIAL_REFUND"
        tx.refunds.append(.init(refundTransactionId: id, amount: amount, transactionType: kind, date: clock))
        refundOwners[id] = tx.id
        return Answer(code: "0000", message: "Success.", info: .object([
            ("refundTransactionId", .id(id)), ("refundTransactionDate", .string(Self.iso(clock))),
        ]))
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    static func payInfo(_ amount: Decimal) -> JSONValue {
        .array([.object([("method", .string("CREDIT_CARD")), ("amount", .amount(amount)),
                         ("creditCardNickname", .string("Scripted card")), ("creditCardBrand", .string("VISA")),
                         ("maskedCreditCardNumber", .string("**** **** **** 1234"))])])
    }
}

struct RequestBody: Decodable {
    var amount: Decimal
    var currency: String
    var orderId: String
    var packages: [PaymentPackage]
    var redirectUrls: RedirectUrls
    var options: RequestOptions?
}

struct AmountBody: Decodable {
    var amount: Decimal
    var currency: String
}

struct RefundBody: Decodable {
    var refundAmount: Decimal?
}
