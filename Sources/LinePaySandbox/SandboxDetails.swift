import FastCGI
import Foundation
import LinePay
import SQLite

/// Payment details and check payment status: what LINE Pay reports about a transaction, by the sandbox's clock.
extension SandboxWorker {
    /// How long an authorization lasts after confirm (capture=false): the 30 days of 000_... and 004_....
    static let authorizationLifetime: Int64 = 30 * 86400

    /// A reservation not confirmed within LINE Pay's 20 minutes.
    func expired(_ tx: SandboxTransaction) -> Bool {
        (tx.status == "reserved" || tx.status == "approved") && now - tx.createdAt >= 20 * 60
    }

    /// An authorization whose authorizationExpireDate the sandbox's clock has passed (EXPIRED_AUTHORIZATION).
    func authorizationExpired(_ tx: SandboxTransaction) -> Bool {
        tx.status == "authorized" && tx.authorizationExpiresAt.map { now >= $0 } == true
    }

    /// The values of an array parameter however a client spells it: repeated `name=` (our client, Go, Node),
    /// `name[]=` (the reference's `transactionId[]`), or PHP's `http_build_query` with `name[0]=`, `name[1]=`
    /// (`name%5B0%5D=` on the wire). In the order received.
    static func arrayParameter(_ name: String, in query: [(String, String)]) -> [String] {
        query.filter { key, _ in
            guard key.hasPrefix(name) else { return false }
            let rest = key.dropFirst(name.count)
            if rest.isEmpty || rest == "[]" { return true }
            guard rest.first == "[", rest.last == "]" else { return false }
            let index = rest.dropFirst().dropLast()
            return !index.isEmpty && index.count <= 3 && index.allSatisfy(\.isASCII) && index.allSatisfy(\.isNumber)
        }.map(\.1)
    }

    func details(_ query: [(String, String)], channel: SandboxChannel, provider: JSONText?) throws -> APIAnswer {
        let ids = Self.arrayParameter("transactionId", in: query)
        let orders = Self.arrayParameter("orderId", in: query)
        let fields = query.first { $0.0 == "fields" }?.1
        if ids.count + orders.count == 0 { throw ParameterError("2101", "transactionId or orderId is required") }
        if ids.count + orders.count > 100 { throw ParameterError("1177", "more than 100 ids") }
        if let fields, fields != "TRANSACTION", fields != "ORDER" { throw ParameterError("2101", "fields \(fields)") }
        var entries: [JSONText] = []
        var seen = Set<Int64>()
        func add(_ tx: SandboxTransaction) throws {
            guard ["authorized", "captured", "voided"].contains(tx.status), seen.insert(tx.id).inserted else { return }
            entries.append(try detail(tx, channel: channel, fields: fields, provider: provider))
        }
        for text in ids {
            guard let id = Int64(text) else { throw ParameterError("2101", "transactionId \(text) is not a number") }
            if let tx = try store.transaction(id: id), tx.channelId == channel.id { try add(tx); continue }
            if let r = try store.refund(id: id), let tx = try store.transaction(id: r.int("transaction_id") ?? 0), tx.channelId == channel.id {
                entries.append(.object([
                    ("transactionId", .id(id)), ("transactionDate", .string(isoDate(r.int("created_at") ?? 0))),
                    ("transactionType", .string(r.text("kind") ?? "PARTIAL_REFUND")), ("productName", .string(tx.productName)),
                    ("currency", .string(tx.currency)), ("originalTransactionId", .id(tx.id)),
                    ("payInfo", .array([.object([("method", .string("CREDIT_CARD")), ("amount", .number("-" + (r.text("amount") ?? "0")))])])),
                    ("paymentProvider", provider),
                ]))
            }
        }
        for order in orders { for tx in try store.transactions(channel: channel.id, orderId: order) { try add(tx) } }
        if entries.isEmpty { throw ParameterError("1150", "no transaction found") }
        return APIAnswer(code: "0000", message: "Success.", info: .array(entries))
    }

    private func detail(_ tx: SandboxTransaction, channel: SandboxChannel, fields: String?, provider: JSONText?) throws -> JSONText {
        let refunds = try store.refunds(of: tx.id)
        let paid = tx.status == "captured" ? tx.capturedAmount : tx.authorizedAmount
        // A voided authorization and one LINE Pay cancelled after a failed capture both show VOIDED_AUTHORIZATION,
        // the reference's only status for a cancelled authorization.
        let payStatus: String? = authorizationExpired(tx) ? "EXPIRED_AUTHORIZATION"
            : tx.status == "authorized" ? "AUTHORIZATION" : tx.status == "voided" ? "VOIDED_AUTHORIZATION" : nil
        var fieldsOut: [(String, JSONText?)] = [("transactionId", .id(tx.id)), ("orderId", .string(tx.orderId))]
        if fields != "ORDER" {
            fieldsOut += [
                ("transactionDate", .string(isoDate(tx.confirmedAt ?? tx.createdAt))), ("transactionType", .string("PAYMENT")),
                ("payStatus", payStatus.map { .string($0) }), ("productName", .string(tx.productName)),
                ("merchantName", .string(channel.merchantName)), ("currency", .string(tx.currency)),
                ("authorizationExpireDate", tx.status == "authorized" ? tx.authorizationExpiresAt.map { .string(isoDate($0)) } : nil),
                ("payInfo", payInfo(paid)),
                ("refundList", refunds.isEmpty ? nil : .array(refunds.map { r in .object([
                    ("refundTransactionId", .id(r.int("id") ?? 0)), ("transactionType", .string(r.text("kind") ?? "PARTIAL_REFUND")),
                    // Negative, as real answers write it ("refundAmount": -20 beside PARTIAL_REFUND).
                    ("refundAmount", .number("-" + (r.text("amount") ?? "0"))), ("refundTransactionDate", .string(isoDate(r.int("created_at") ?? 0))),
                ]) })),
            ]
        }
        if fields != "TRANSACTION" { fieldsOut += [("packages", .number(tx.packagesJSON)), ("shipping", shippingInfo(tx, address: true))] }
        fieldsOut.append(("paymentProvider", provider))
        return .object(fieldsOut)
    }

    func check(_ id: Int64, channel: SandboxChannel) throws -> APIAnswer {
        let tx = try mine(id, channel)
        let code: String
        switch tx.status {
        case "reserved": code = expired(tx) ? "0121" : "0000"
        case "approved": code = expired(tx) ? "0121" : "0110"
        case "cancelled": code = "0121"
        case "failed": code = "0122"
        default: code = "0123"
        }
        let shipping = shippingInfo(tx, address: false)
        return APIAnswer(code: code, message: ReturnCode(code).explanation(for: .checkPaymentStatus) ?? "",
                         info: shipping.map { .object([("shipping", $0)]) })
    }
}
