import FastCGI
import Foundation
import LinePay
import SQLite

/// The control API for tests and developers: approve or cancel without a browser, arm faults, read the call log,
/// move the clock. Loopback development only: it has no authentication.
extension SandboxWorker {
    static let faultKinds: Set<String> = ["code", "status", "delay", "malformed", "truncated", "drop", "internal"]

    func control(_ request: FastCGIRequest, path: String) throws -> FastCGIResponse {
        let parts = Array(path.split(separator: "/").map(String.init).dropFirst(2))   // after sandbox/control
        let form = Dictionary(request.form + request.query, uniquingKeysWith: { a, _ in a })
        switch (request.method, parts.first ?? "", parts.count) {
        case ("GET", "transactions", 1):
            guard let order = form["orderId"], let channel = form["channelId"] ?? configuration.channels.first?.id else {
                return json(400, .object([("error", .string("orderId is required"))]))
            }
            return json(200, .array(try store.transactions(channel: channel, orderId: order).map(describe)))
        case (_, "transactions", 2), (_, "transactions", 3):
            guard let id = Int64(parts[1]), let tx = try store.transaction(id: id) else {
                return json(404, .object([("error", .string("no such transaction"))]))
            }
            if parts.count == 2 { return json(200, describe(tx)) }
            guard request.method == "POST" else { return json(405, .object([("error", .string("use POST"))])) }
            return try act(parts[2], on: tx, request: request)
        case ("POST", "faults", 1):
            let op = form["operation"] ?? ""
            guard op == "*" || LinePayOperation(rawValue: op) != nil else {
                return json(400, .object([("error", .string("operation must be one of \(LinePayOperation.allCases.map(\.rawValue).joined(separator: ", ")) or *"))]))
            }
            let kind = form["kind"] ?? ""
            guard Self.faultKinds.contains(kind) else {
                return json(400, .object([("error", .string("kind must be one of \(Self.faultKinds.sorted().joined(separator: ", "))"))]))
            }
            let value = form["value"] ?? ""
            if kind == "code", value.range(of: "^[0-9]{4}$", options: .regularExpression) == nil {
                return json(400, .object([("error", .string("value must be a four-digit return code"))]))
            }
            if kind == "status", Int(value).map({ (100...599).contains($0) }) != true {
                return json(400, .object([("error", .string("value must be an HTTP status"))]))
            }
            if kind == "delay", Int(value).map({ $0 >= 0 }) != true {
                return json(400, .object([("error", .string("value must be milliseconds"))]))
            }
            guard let count = Int(form["count"] ?? "1"), count >= 1 else {
                return json(400, .object([("error", .string("count must be 1 or more"))]))
            }
            try store.db.run("INSERT INTO faults (operation, kind, value, remaining) VALUES (?,?,?,?)",
                             [.text(op), .text(kind), .text(value), .integer(Int64(count))])
            return json(201, .object([("id", .number(String(store.db.lastInsertRowID)))]))
        case ("DELETE", "faults", 1),
             ("POST", "faults", 2) where parts.last == "clear":
            try store.db.run("DELETE FROM faults")
            return json(200, .object([("cleared", .bool(true))]))
        case ("GET", "calls", 1):
            let since = Int64(form["since"] ?? "0") ?? 0
            var sql = "SELECT * FROM calls WHERE id > ?"
            var bind: [SQLiteValue] = [.integer(since)]
            if let op = form["operation"] { sql += " AND operation = ?"; bind.append(.text(op)) }
            if let p = form["path"] { sql += " AND path = ?"; bind.append(.text(p)) }
            let rows = try store.db.query(sql + " ORDER BY id", bind)
            return json(200, .array(rows.map { r in .object([
                ("id", .number(String(r.int("id") ?? 0))), ("at", .number(String(r.int("at") ?? 0))),
                ("method", .string(r.text("method") ?? "")), ("path", .string(r.text("path") ?? "")), ("query", .string(r.text("query") ?? "")),
                ("channelId", r.text("channel_id").map { .string($0) }), ("nonce", r.text("nonce").map { .string($0) }),
                ("signatureOk", .bool(r.int("signature_ok") == 1)), ("verdict", .string(r.text("verdict") ?? "")),
                ("operation", r.text("operation").map { .string($0) }), ("returnCode", r.text("return_code").map { .string($0) }),
                ("httpStatus", .number(String(r.int("http_status") ?? 0))), ("fault", r.text("fault").map { .string($0) }),
                ("body", .string(r.text("body") ?? "")),
            ]) }))
        case ("POST", "clock", 1):
            // Moves the sandbox's clock: 20-minute reservations and authorizations expire by it.
            guard let seconds = Int64(form["advance"] ?? "") else { return json(400, .object([("error", .string("advance (seconds) is required"))])) }
            configuration.clock.advance(seconds: seconds)
            return json(200, .object([("now", .number(String(now))), ("nowDate", .string(isoDate(now)))]))
        case ("GET", "clock", 1):
            return json(200, .object([("now", .number(String(now))), ("nowDate", .string(isoDate(now)))]))
        default:
            return json(404, .object([("error", .string("no such control endpoint"))]))
        }
    }

    /// approve, cancel or fail a transaction as the shopper would, without a browser.
    private func act(_ action: String, on tx: SandboxTransaction, request: FastCGIRequest) throws -> FastCGIResponse {
        let base = baseURL(request)
        switch action {
        case "approve":
            if expired(tx) { return json(409, .object([("error", .string("expired"))])) }
            guard try store.transition(tx.id, from: ["reserved"], to: "approved") else {
                return json(409, .object([("error", .string("not reserved (\(tx.status))"))]))
            }
            var serverCall: JSONText? = nil
            if tx.confirmUrlType == "SERVER" {
                serverCall = .bool(callConfirmURL(tx.confirmTarget))
            }
            return json(200, .object([
                ("status", .string("approved")),
                ("confirmUrl", .string(tx.confirmTarget)),
                ("continueUrl", .string("\(base)/sandbox/pay/\(tx.accessToken)/continue")),
                ("serverCallOk", serverCall),
            ]))
        case "cancel":
            guard try store.transition(tx.id, from: ["reserved", "approved"], to: "cancelled") else {
                return json(409, .object([("error", .string("not reserved (\(tx.status))"))]))
            }
            return json(200, .object([("status", .string("cancelled")),
                                      ("cancelUrl", .string(appendingParameters(tx.cancelUrl, transactionId: tx.id, orderId: tx.orderId)))]))
        case "fail":
            guard try store.transition(tx.id, from: ["reserved"], to: "failed") else {
                return json(409, .object([("error", .string("not reserved (\(tx.status))"))]))
            }
            return json(200, .object([("status", .string("failed"))]))
        default:
            return json(404, .object([("error", .string("actions are approve, cancel and fail"))]))
        }
    }

    private func describe(_ tx: SandboxTransaction) -> JSONText {
        .object([("transactionId", .id(tx.id)), ("orderId", .string(tx.orderId)),
                 ("status", .string(expired(tx) ? "expired" : authorizationExpired(tx) ? "expired_authorization" : tx.status)),
                 ("authorizationExpireDate", tx.status == "authorized" ? tx.authorizationExpiresAt.map { .string(isoDate($0)) } : nil),
                 ("amount", .amount(tx.amount)), ("currency", .string(tx.currency)), ("authorizedAmount", .amount(tx.authorizedAmount)),
                 ("capturedAmount", .amount(tx.capturedAmount)), ("refundedAmount", .amount(tx.refundedAmount)),
                 ("confirmUrlType", .string(tx.confirmUrlType)), ("regKey", tx.regKey.map { .string($0) }),
                 ("paymentAccessToken", .string(tx.accessToken))])
    }

    func json(_ status: Int, _ value: JSONText) -> FastCGIResponse {
        FastCGIResponse(status: status, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
                        body: Array(value.rendered.utf8))
    }
}
