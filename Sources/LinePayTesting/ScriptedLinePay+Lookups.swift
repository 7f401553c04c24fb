import Foundation
import LinePay

/// Payment details, check payment status and the preapproved (regKey) endpoints.
extension ScriptedLinePay {
    /// Payment details: confirmed payments and refund transactions by `transactionId`, payments by `orderId`.
    /// Reads `transactionId=`, `transactionId[]=` and `transactionId[0]=` (PHP's http_build_query) alike.
    func paymentDetails(query: String, v4: Bool) -> Answer {
        var ids: [String] = [], orders: [String] = [], fields: String? = nil
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            let name = kv[0].split(separator: "[", maxSplits: 1).first.map(String.init) ?? kv[0]
            let value = kv.count > 1 ? kv[1] : ""
            switch name {
            case "transactionId": ids.append(value)
            case "orderId": orders.append(value)
            case "fields": fields = value
            default: break
            }
        }
        if ids.isEmpty && orders.isEmpty { return .refuse("1150", .paymentDetails, "neither transactionId nor orderId given") }
        if ids.count + orders.count > 100 { return .refuse("1177", .paymentDetails, "\(ids.count + orders.count) ids") }
        var entries: [JSONValue] = [], seen = Set<TransactionID>()
        func add(_ tx: StoredTransaction) {
            if tx.inHistory, seen.insert(tx.id).inserted { entries.append(detail(tx, fields: fields, v4: v4)) }
        }
        for text in ids {
            guard let id = TransactionID(text) else { continue }
            if let tx = transactions[id] { add(tx) }
            if let owner = refundOwners[id], let tx = transactions[owner],
               let r = tx.refunds.first(where: { $0.refundTransactionId == id }), seen.insert(id).inserted {
                entries.append(.object([
                    ("transactionId", .id(id)), ("transactionDate", .string(Self.iso(r.date))),
                    ("transactionType", .string(r.transactionType)), ("productName", .string(tx.productName)),
                    ("currency", .string(tx.currency.rawValue)), ("originalTransactionId", .id(tx.id)),
                    ("payInfo", .array([.object([("method", .string("CREDIT_CARD")), ("amount", .amount(-r.amount))])])),
                ]))
            }
        }
        for order in orders {
            for tx in transactions.values.filter({ $0.orderId == order }).sorted(by: { $0.id < $1.id }) { add(tx) }
        }
        if entries.isEmpty { return .refuse("1150", .paymentDetails, "no confirmed payment or refund matches") }
        return Answer(code: "0000", message: "Success.", info: .array(entries))
    }

    /// One payment; refunds listed with a negative refundAmount, as real LINE Pay answers show.
    private func detail(_ tx: StoredTransaction, fields: String?, v4: Bool) -> JSONValue {
        var out: [(String, JSONValue?)] = [("transactionId", .id(tx.id)), ("orderId", .string(tx.orderId))]
        if fields != "ORDER" {
            let payStatus: String? = switch tx.status {
            case .authorized: "AUTHORIZATION"
            case .voided: "VOIDED_AUTHORIZATION"
            case .authorizationExpired: "EXPIRED_AUTHORIZATION"
            default: capturedStatus
            }
            let paid = tx.status == .captured ? tx.capturedAmount : tx.authorizedAmount
            out += [
                ("transactionDate", .string(Self.iso(tx.confirmedAt ?? tx.createdAt))), ("transactionType", .string("PAYMENT")),
                ("payStatus", payStatus.map { .string($0) }), ("productName", .string(tx.productName)),
                ("merchantName", .string(merchantName)), ("currency", .string(tx.currency.rawValue)),
                ("authorizationExpireDate", tx.status == .captured ? nil : tx.authorizationExpiresAt.map { .string(Self.iso($0)) }),
                ("payInfo", Self.payInfo(paid)),
                ("refundList", tx.refunds.isEmpty ? nil : .array(tx.refunds.map { r in .object([
                    ("refundTransactionId", .id(r.refundTransactionId)), ("transactionType", .string(r.transactionType)),
                    ("refundAmount", .amount(-r.amount)), ("refundTransactionDate", .string(Self.iso(r.date))),
                ]) })),
                ("paymentProvider", v4 ? .string("TSP") : nil),
            ]
        }
        if fields != "TRANSACTION" { out.append(("packages", encoded(tx.packages))) }
        return .object(out)
    }

    /// Check payment status: 0000 waiting, 0110 approved, 0121 cancelled or expired, 0122 failed, 0123 confirmed.
    func checkStatus(_ tx: StoredTransaction) -> Answer {
        let code = switch tx.status {
        case .awaitingShopper: "0000"
        case .approved: "0110"
        case .cancelledByShopper, .expired: "0121"
        case .failed: "0122"
        case .authorized, .captured, .voided, .authorizationExpired: "0123"
        }
        return Answer(code: code, message: ReturnCode(code).explanation(for: .checkPaymentStatus) ?? "")
    }

    /// Runs `body` on the regKey in the path: 1190 when never issued, 1193 when expired.
    func withRegKey(_ route: Route, _ op: LinePayOperation, _ body: (RegKey) -> Answer) -> Answer {
        guard let key = route.key.flatMap(RegKey.init), let entry = regKeys[key] else {
            return .refuse("1190", op, "no regKey \(route.key ?? "")")
        }
        if entry.expired { return .refuse("1193", op, "regKey \(key) expired") }
        return body(key)
    }

    /// Pay preapproved: a new payment on the key, captured or (capture=false) authorized; a reused orderId is 1172.
    func payPreapproved(_ key: RegKey, _ body: [UInt8], _ v4: Bool, _ note: inout CallNote) -> Answer {
        guard let b = try? JSONDecoder().decode(PreapprovedBody.self, from: Data(body)), let currency = Currency(rawValue: b.currency) else {
            return .refuse("1124", .payPreapproved, "productName, amount, currency and orderId are required")
        }
        if b.amount <= 0 || !Money.fits(b.amount, currency) { return .refuse("1124", .payPreapproved, "amount \(Money.format(b.amount))") }
        if transactions.values.contains(where: { $0.orderId == b.orderId }) {
            return .refuse("1172", .payPreapproved, "orderId \(b.orderId) already used")
        }
        let capture = b.capture ?? true
        let id = nextId()
        var tx = StoredTransaction(id: id, orderId: b.orderId, amount: b.amount, currency: currency, productName: b.productName,
                                   packages: [], capture: capture, payType: .PREAPPROVED, confirmUrl: "", cancelUrl: "",
                                   createdAt: clock, status: capture ? .captured : .authorized)
        tx.confirmedAt = clock
        tx.authorizedAmount = b.amount
        tx.capturedAmount = capture ? b.amount : 0
        tx.authorizationExpiresAt = capture ? nil : clock + lifetime
        tx.regKey = key
        transactions[id] = tx
        note.transactionId = id
        return Answer(code: "0000", message: "Success.", info: .object([
            ("orderId", .string(b.orderId)), ("transactionId", .id(id)), ("transactionDate", .string(Self.iso(clock))),
            ("authorizationExpireDate", tx.authorizationExpiresAt.map { .string(Self.iso($0)) }),
            ("paymentProvider", v4 ? .string("TSP") : nil),
        ]))
    }
}

struct PreapprovedBody: Decodable {
    var productName: String
    var amount: Decimal
    var currency: String
    var orderId: String
    var capture: Bool?
}
