import Foundation
import LinePayPages
import LinePay
import LinePayConfig
import LinePayCheckout
import LinePayStore

/// One run of `linepay`: the parsed arguments, and the configuration and store opened on first use.
final class CommandContext {
    var arguments: Arguments
    let environment: [String: String]
    let input: FileHandle
    private var loaded: (ResponderConfiguration, OrderStore)?

    init(arguments: Arguments, environment: [String: String], input: FileHandle) {
        self.arguments = arguments; self.environment = environment; self.input = input
    }

    var configPath: String {
        get throws {
            guard let p = arguments.configPath else { throw UsageError("no configuration: pass --config FILE or set LINEPAY_CONFIG") }
            return p
        }
    }

    var configuration: ResponderConfiguration { get throws { try open().0 } }
    var store: OrderStore { get throws { try open().1 } }
    /// The payment core acting as this command's user (notifications it queues go out with `linepay notify` or linepay-fcgi).
    var core: PaymentCore {
        get throws {
            let (c, s) = try open()
            return PaymentCore(settings: c.checkout, client: LinePayClient(configuration: c.linePay), store: s, actor: actor)
        }
    }

    private func open() throws -> (ResponderConfiguration, OrderStore) {
        if let loaded { return loaded }
        let c = try ResponderConfiguration.load(path: try configPath)
        let s: OrderStore
        do { s = try OrderStore(c.store) } catch { throw ConfigurationError("database \(c.store.description): \(error)") }
        loaded = (c, s)
        return (c, s)
    }

    /// "cli:NAME" for the event log: the Unix user running the command.
    var actor: String {
        let name = environment["SUDO_USER"] ?? environment["USER"] ?? environment["LOGNAME"]
            ?? getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid\(getuid())"
        return "cli:\(name)"
    }

    func now() -> Int64 { unixNow() }

    func run(_ command: String) throws -> LinePayCommand.Exit {
        switch command {
        case "orders": return try orders()
        case "show": return try show()
        case "capture", "void", "refund": return try operate(OperationKind(rawValue: command)!)
        case "details": return try details()
        case "reconcile": return try reconcile()
        case "notify": return try notify()
        case "regkey": return try regKey()
        case "admin-password": return try adminPassword()
        case "admin-sessions": return try adminSessions()
        case "config": return try configCheck()
        case "sign": return try sign()
        case "seed": return try seed()
        case "migrate": return try migrate()
        default: throw UsageError("unknown command '\(command)'")
        }
    }

    // MARK: Output

    /// One line of text output. Stored and LINE Pay-supplied text (item names, results, event details) passes
    /// through here, so control characters are escaped: none can forge a line or drive the terminal.
    func say(_ text: String) { print(terminalSafe(text)) }

    func printJSON(_ value: Any) {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        print(String(decoding: data, as: UTF8.self))
    }

    func orderJSON(_ o: Order, open: AfterSaleOperation? = nil) -> [String: Any] {
        var j: [String: Any] = [
            "orderId": o.orderId, "state": o.state.rawValue, "status": o.state.publicStatus, "currency": o.currency,
            "amount": Money.format(o.amount), "shippingFee": Money.format(o.shippingFee), "authorized": Money.format(o.authorizedAmount),
            "captured": Money.format(o.capturedAmount), "refunded": Money.format(o.refundedAmount),
            "refundable": Money.format(o.capturedAmount - o.refundedAmount), "createdAt": o.createdAt, "updatedAt": o.updatedAt,
            "created": utcText(o.createdAt), "transactionId": o.transactionId.map { String($0) as Any } ?? NSNull(),
            "linePayOrderId": o.linePayOrderId as Any? ?? NSNull(), "regKey": o.regKey.map { RegKeyRecord.mask($0) as Any } ?? NSNull(),
        ]
        if let open { j["checking"] = operationJSON(open) }
        return j
    }

    func operationJSON(_ op: AfterSaleOperation, replayed: Bool? = nil) -> [String: Any] {
        var j: [String: Any] = ["operation": op.kind.rawValue, "orderId": op.orderId, "state": op.state.rawValue, "result": op.summary, "refusal": op.refusal?.code as Any? ?? NSNull(),
                                "actor": op.actor, "at": op.updatedAt, "amount": op.amount.map { Money.format($0) as Any } ?? NSNull(),
                                "refundTransactionId": op.refundTransactionId.map { String($0) as Any } ?? NSNull()]
        if let replayed { j["replayed"] = replayed }
        return j
    }

    static func exit(for state: OperationState) -> LinePayCommand.Exit {
        switch state {
        case .done: return .ok
        case .refused: return .refusedByLinePay
        case .rejected: return .refusedByUs
        case .pending, .unknown: return .unknown
        case .not_sent, .not_done: return .unavailable
        }
    }

    // MARK: orders, show

    func orders() throws -> LinePayCommand.Exit {
        try arguments.only(["--status", "--limit", "--order", "--transaction", "--from", "--to", "--after"], positional: 0...0)
        var filter = OrderFilter()
        let o = arguments.options
        if let s = o["--status"] {
            guard let state = OrderState(rawValue: s) else {
                throw UsageError("--status must be one of \(OrderState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.state = state
        }
        if let p = o["--order"] { guard OrderStore.isOrderIdText(p) else { throw UsageError("--order: A-Z a-z 0-9 _ - only") }; filter.orderIdPrefix = p }
        if let t = o["--transaction"] { guard let id = TransactionID(t) else { throw UsageError("--transaction: up to 19 digits") }; filter.transactionId = id.rawValue }
        if let f = o["--from"] { guard let t = utcDay(f) else { throw UsageError("--from: YYYY-MM-DD") }; filter.from = t }
        if let f = o["--to"] { guard let t = utcDay(f) else { throw UsageError("--to: YYYY-MM-DD (inclusive)") }; filter.to = t + 86400 }
        let limit = try o["--limit"].map { v -> Int in
            guard let n = Int(v), (1...500).contains(n) else { throw UsageError("--limit: 1 to 500") }
            return n
        } ?? 50
        let after = try o["--after"].map { v -> OrderCursor in
            guard let c = OrderCursor(text: v) else { throw UsageError("--after: a cursor printed by an earlier page") }
            return c
        }
        let page = try store.orders(filter, limit: limit, after: after)
        if arguments.json {
            printJSON(["orders": page.orders.map { orderJSON($0, open: page.openOperations[$0.rowId]) },
                       "next": page.next.map { $0.text as Any } ?? NSNull()])
            return .ok
        }
        for x in page.orders {
            let checking = page.openOperations[x.rowId].map { "  [\($0.kind.rawValue) \($0.state.rawValue)]" } ?? ""
            say([x.orderId, x.state.rawValue, "\(Money.format(x.amount)) \(x.currency)", "captured \(Money.format(x.capturedAmount))",
                 "refunded \(Money.format(x.refundedAmount))", utcText(x.createdAt), x.transactionId.map { "tx \($0)" } ?? "-"]
                    .joined(separator: "  ") + checking)
        }
        if let next = page.next { say("next page: --after \(next.text)") }
        return .ok
    }

    func show() throws -> LinePayCommand.Exit {
        try arguments.only([], positional: 1...1)
        let orderId = arguments.positional[0]
        guard let o = try store.order(orderId: orderId) else { return notFound("no order \(orderId)") }
        let ops = try store.operations(orderId: orderId)
        let events = try store.events(orderId: orderId)
        let open = ops.last { $0.state.isOpen }
        if arguments.json {
            var j = orderJSON(o, open: open)
            j["authorizationExpiresAt"] = o.authorizationExpiresAt.map { $0 as Any } ?? NSNull()
            j["paymentProvider"] = o.paymentProvider as Any? ?? NSNull()
            j["regKeyUnknown"] = o.regKeyUnknown
            j["items"] = o.items.map { ["name": $0.name, "quantity": $0.quantity, "price": Money.format($0.price)] as [String: Any] }
            j["operations"] = ops.map { operationJSON($0) }
            j["events"] = events.map { ["at": $0.at, "kind": $0.kind, "actor": $0.actor, "detail": $0.detail] as [String: Any] }
            printJSON(j)
            return .ok
        }
        say("order \(o.orderId): \(o.state.rawValue)" + (open.map { " (\($0.kind.rawValue) \($0.state.rawValue))" } ?? ""))
        say("  amount \(Money.format(o.amount)) \(o.currency), authorized \(Money.format(o.authorizedAmount)), captured \(Money.format(o.capturedAmount)), "
            + "refunded \(Money.format(o.refundedAmount)), refundable \(Money.format(o.capturedAmount - o.refundedAmount))")
        say("  transaction \(o.transactionId.map(String.init) ?? "-"), LINE Pay orderId \(o.linePayOrderId ?? "-"), created \(utcText(o.createdAt)) UTC")
        if let k = o.regKey { say("  regKey \(RegKeyRecord.mask(k))") }
        for (label, value) in OrderFacts.lines(authorized: o.state == .authorized, authorizationExpiresAt: o.authorizationExpiresAt,
                                               paymentProvider: o.paymentProvider, regKeyUnknown: o.regKeyUnknown, now: now())
            + shippingFacts(o, address: false) {
            say("  \(label): \(value)")
        }
        for i in o.items { say("  item: \(i.quantity) x \(i.name) at \(Money.format(i.price))") }
        for op in ops { say("  operation \(utcText(op.updatedAt)) \(op.actor): \(op.kind.rawValue) \(op.amount.map(Money.format) ?? "") \(op.state.rawValue): \(op.summary)") }
        for e in events { say("  event \(utcText(e.at)) \(e.actor) \(e.kind): \(e.detail)") }
        return .ok
    }

    func notFound(_ message: String) -> LinePayCommand.Exit {
        FileHandle.standardError.write(Data(terminalSafe("linepay: \(message)").utf8 + [10]))
        return .notFound
    }

    // MARK: capture, void, refund

    func operate(_ kind: OperationKind) throws -> LinePayCommand.Exit {
        try arguments.only(kind == .void ? ["--key"] : ["--amount", "--key"], positional: 1...1)
        let orderId = arguments.positional[0]
        let outcome = try core.perform(kind, orderId: orderId, amount: try arguments.amount(), key: try arguments.idempotencyKey(), now: now())
        switch outcome {
        case .notFound: return notFound("no order \(orderId)")
        case .keyReused(let op):
            FileHandle.standardError.write(Data(terminalSafe("linepay: --key was used for a \(op.kind.rawValue)\(op.amount.map { " of " + Money.format($0) } ?? "") on \(op.orderId); nothing was done").utf8 + [10]))
            return .keyReused
        case .finished(let op, let replayed):
            if arguments.json { printJSON(operationJSON(op, replayed: replayed)) } else {
                let currency = try store.order(orderId: orderId)?.currency ?? ""
                say("\(kind.rawValue) \(op.amount.map { Money.format($0) + " " + currency + " " } ?? "")of \(op.orderId): \(op.state.rawValue)"
                    + (replayed ? " (this key was used before; nothing new was done)" : "") + (op.summary.isEmpty ? "" : " — \(op.summary)"))
            }
            return Self.exit(for: op.state)
        }
    }

    // MARK: details

    func details() throws -> LinePayCommand.Exit {
        try arguments.only(["--transaction"], positional: arguments.options["--transaction"] == nil ? 1...1 : 0...0)
        let c = try configuration
        let endpoint: PaymentDetails
        if let t = arguments.options["--transaction"] {
            guard let id = TransactionID(t) else { throw UsageError("--transaction: up to 19 digits") }
            endpoint = PaymentDetails(transactionIds: [id])
        } else {
            let orderId = arguments.positional[0]
            guard let o = try store.order(orderId: orderId) else { return notFound("no order \(orderId)") }
            if let tx = o.transactionId { endpoint = PaymentDetails(transactionIds: [TransactionID(tx)]) }
            else { endpoint = PaymentDetails(orderIds: [o.linePayOrderId ?? o.orderId]) }
        }
        let client = LinePayClient(configuration: c.linePay)
        let answer: Result<[PaymentDetails.Detail], LinePayError>
        do { answer = .success(try client.send(endpoint).info) } catch { answer = .failure(error) }
        switch answer {
        case .success(let list):
            if arguments.json {
                printJSON(["details": list.map { d -> [String: Any] in
                    ["transactionId": String(d.transactionId.rawValue), "orderId": d.orderId as Any? ?? NSNull(),
                     "transactionType": d.transactionType as Any? ?? NSNull(), "payStatus": d.payStatus ?? "CAPTURED",
                     "transactionDate": d.transactionDate as Any? ?? NSNull(), "currency": d.currency as Any? ?? NSNull(),
                     "authorizationExpireDate": d.authorizationExpireDate as Any? ?? NSNull(),
                     "payInfo": (d.payInfo ?? []).map { ["method": $0.method, "amount": Money.format($0.amount)] },
                     "refundList": (d.refundList ?? []).map { ["refundTransactionId": String($0.refundTransactionId.rawValue),
                                                               "refundAmount": Money.format($0.refundAmount),
                                                               "refundTransactionDate": $0.refundTransactionDate as Any? ?? NSNull()] as [String: Any] },
                     "remaining": Money.format(d.remainingAmount)]
                }])
            } else {
                for d in list {
                    let s = PaymentCore.snapshot(d)
                    say("transaction \(d.transactionId) order \(d.orderId ?? "-") \(d.transactionType ?? "") \(s.payStatus) \(d.currency ?? "")")
                    for p in s.payInfo { say("  paid by \(p.method) \(p.amount)" + (p.card.map { " (\($0))" } ?? "")) }
                    for r in s.refunds { say("  refund \(r.refundTransactionId) \(r.amount)" + (r.date.map { " on \($0)" } ?? "")) }
                    say("  remaining \(Money.format(d.remainingAmount))")
                }
            }
            return .ok
        case .failure(.refused(let r)) where r.code.rawValue == "1150":
            return notFound("LINE Pay: \(r.explanation)")
        case .failure(let error):
            let (state, text) = PaymentCore.describe(error)
            FileHandle.standardError.write(Data(terminalSafe("linepay: \(text)").utf8 + [10]))
            return state == .refused ? .refusedByLinePay : .unavailable
        }
    }
}

/// `s` with every C0/C1 control, DEL, line separator and bidi override written as `\u{XX}` (and `\` as `\\` so an
/// escape cannot be faked): what a terminal shows is exactly what was stored.
func terminalSafe(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
        let v = u.value
        if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) {
            out += "\\u{" + String(v, radix: 16) + "}"
        } else if u == "\\" {
            out += "\\\\"
        } else {
            out.unicodeScalars.append(u)
        }
    }
    return out
}
