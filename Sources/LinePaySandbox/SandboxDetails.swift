import FastCGI
import Foundation
import LinePay
import SQLite

/// Payment details and check payment status: what LINE Pay reports about a transaction, by the sandbox's clock.
extension SandboxWorker {
    // MARK: details and checks

    func expired(_ tx: SandboxTransaction) -> Bool {
        (tx.status == "reserved" || tx.status == "approved") && now - tx.createdAt >= 20 * 60
    }

    func details(_ query: [(String, String)], channel: SandboxChannel) throws -> APIAnswer {
        let ids = query.filter { $0.0 == "transactionId" || $0.0 == "transactionId[]" }.map(\.1)
        let orders = query.filter { $0.0 == "orderId" || $0.0 == "orderId[]" }.map(\.1)
        let fields = query.first { $0.0 == "fields" }?.1
        if ids.count + orders.count == 0 { throw ParameterError("2101", "transactionId or orderId is required") }
        if ids.count + orders.count > 100 { throw ParameterError("1177", "more than 100 ids") }
        if let fields, fields != "TRANSACTION", fields != "ORDER" { throw ParameterError("2101", "fields \(fields)") }
        var entries: [JSONText] = []
        var seen = Set<Int64>()
        func add(_ tx: SandboxTransaction) throws {
            guard ["authorized", "captured", "voided"].contains(tx.status), seen.insert(tx.id).inserted else { return }
            entries.append(try detail(tx, channel: channel, fields: fields))
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
                ]))
            }
        }
        for order in orders { for tx in try store.transactions(channel: channel.id, orderId: order) { try add(tx) } }
        if entries.isEmpty { throw ParameterError("1150", "no transaction found") }
        return APIAnswer(code: "0000", message: "Success.", info: .array(entries))
    }

    private func detail(_ tx: SandboxTransaction, channel: SandboxChannel, fields: String?) throws -> JSONText {
        let refunds = try store.refunds(of: tx.id)
        let paid = tx.status == "captured" ? tx.capturedAmount : tx.authorizedAmount
        let payStatus: String? = tx.status == "authorized" ? "AUTHORIZATION" : tx.status == "voided" ? "VOIDED_AUTHORIZATION" : nil
        var fieldsOut: [(String, JSONText?)] = [("transactionId", .id(tx.id)), ("orderId", .string(tx.orderId))]
        if fields != "ORDER" {
            fieldsOut += [
                ("transactionDate", .string(isoDate(tx.confirmedAt ?? tx.createdAt))), ("transactionType", .string("PAYMENT")),
                ("payStatus", payStatus.map { .string($0) }), ("productName", .string(tx.productName)),
                ("merchantName", .string(channel.merchantName)), ("currency", .string(tx.currency)),
                ("authorizationExpireDate", tx.status == "authorized" ? .string(isoDate((tx.confirmedAt ?? now) + 30 * 86400)) : nil),
                ("payInfo", payInfo(paid)),
                ("refundList", refunds.isEmpty ? nil : .array(refunds.map { r in .object([
                    ("refundTransactionId", .id(r.int("id") ?? 0)), ("transactionType", .string(r.text("kind") ?? "PARTIAL_REFUND")),
                    ("refundAmount", .number(r.text("amount") ?? "0")), ("refundTransactionDate", .string(isoDate(r.int("created_at") ?? 0))),
                ]) })),
            ]
        }
        if fields != "TRANSACTION" { fieldsOut += [("packages", .number(tx.packagesJSON))] }
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
        return APIAnswer(code: code, message: ReturnCode(code).explanation(for: .checkPaymentStatus) ?? "")
    }
}
