import Foundation
import LinePayPages
import LinePay
import LinePayConfig
import LinePayCheckout
import LinePayStore

/// reconcile, notify, regkey, admin-password, config check, sign and seed.
extension CommandContext {
    // MARK: reconcile

    /// Prints one line per thing it settled or could not settle, nothing when there was nothing to do (cron mails
    /// only output). Exit 3 while something stays unknown.
    func reconcile() throws -> LinePayCommand.Exit {
        try arguments.only(["--min-age"], positional: 0...0)
        var minAge = try configuration.reconcileMinAge
        if let text = arguments.options["--min-age"] {
            guard let n = Int64(text), (0...86400).contains(n) else { throw UsageError("--min-age: seconds from 0 to 86400") }
            minAge = n
        }
        let report = try Reconciler(core: try core.acting(as: "reconcile")).run(now: now(), minAge: minAge)
        if arguments.json {
            printJSON(["lines": report.lines, "looked": report.looked, "changed": report.changed, "unsettled": report.unsettled,
                       "skipped": report.skipped])
        } else {
            report.lines.forEach(say)
            if report.skipped > 0 { say("\(report.skipped) left to another reconcile running now") }
        }
        return report.unsettled > 0 ? .unknown : .ok
    }

    // MARK: notify

    func notify() throws -> LinePayCommand.Exit {
        try arguments.only([], positional: 0...0)
        let c = try configuration, s = try store
        guard c.notifyURL != nil else { throw ConfigurationError("notify_url is not set: there is nobody to notify") }
        let start = now()
        try s.makeNotificationsDue(now: start)
        guard let notifier = c.notifier(store: s) else { throw ConfigurationError("notify_url is not set: there is nobody to notify") }
        var delivered = 0
        while try !s.dueNotifications(now: start, limit: 1).isEmpty {
            let n = notifier.deliverDue(now: start)
            delivered += n
            if n == 0 { break }   // the rest failed this time (their next try is scheduled)
        }
        let waiting = try s.undeliveredNotifications()
        if arguments.json { printJSON(["delivered": delivered, "waiting": waiting]) } else { say("delivered \(delivered), still waiting \(waiting)") }
        return waiting == 0 ? .ok : .unavailable
    }

    // MARK: regkey

    func regKey() throws -> LinePayCommand.Exit {
        guard !arguments.positional.isEmpty else { throw UsageError("regkey needs list, charge, check or expire") }
        let sub = arguments.positional.removeFirst()
        let use = { try self.core }
        switch sub {
        case "list":
            try arguments.only([], positional: 0...0)
            let keys = try store.regKeys(limit: 1000)
            if arguments.json {
                printJSON(["regKeys": keys.map { k -> [String: Any] in
                    ["orderId": k.orderId, "regKey": k.masked, "currency": k.currency, "issuedAt": k.issuedAt, "status": k.status,
                     "checkedAt": k.checkedAt.map { $0 as Any } ?? NSNull(), "lastAnswer": k.checkResult as Any? ?? NSNull()]
                }])
            } else {
                for k in keys {
                    say("\(k.orderId)  \(k.masked)  \(k.currency)  issued \(utcText(k.issuedAt))  \(k.status)" + (k.checkResult.map { "  \($0)" } ?? ""))
                }
            }
            return .ok
        case "charge":
            try arguments.only(["--amount", "--product", "--no-capture", "--order-id", "--key"], positional: 1...1)
            guard let amount = try arguments.amount() else { throw UsageError("regkey charge needs --amount") }
            guard let product = arguments.options["--product"], !product.isEmpty else { throw UsageError("regkey charge needs --product NAME") }
            let source = arguments.positional[0]
            let outcome = try use().chargeRegKey(sourceOrderId: source, amount: amount, productName: product,
                                           capture: !arguments.flags.contains("--no-capture"), newOrderId: arguments.options["--order-id"],
                                           key: try arguments.idempotencyKey(), now: now())
            switch outcome {
            case .notFound: return notFound("order \(source) issued no regKey")
            case .keyReused:
                FileHandle.standardError.write(Data("linepay: --key was used for another action; nothing was done\n".utf8))
                return .keyReused
            case .finished(let op, let replayed):
                if arguments.json { printJSON(operationJSON(op, replayed: replayed)) }
                else { say("charge \(op.amount.map(Money.format) ?? "") as \(op.orderId): \(op.state.rawValue)" + (op.summary.isEmpty ? "" : " — \(op.summary)")) }
                return Self.exit(for: op.state)
            }
        case "check", "expire":
            try arguments.only([], positional: 1...1)
            let source = arguments.positional[0]
            let outcome = sub == "check" ? try use().checkRegKey(sourceOrderId: source, now: now()) : try use().expireRegKey(sourceOrderId: source, now: now())
            switch outcome {
            case .notFound: return notFound("order \(source) issued no regKey")
            case .answered(let ok, let text):
                arguments.json ? printJSON(["ok": ok, "result": text]) : say("regKey of \(source): \(text)")
                return ok ? .ok : .refusedByLinePay
            case .unclear(let unknown, let text):
                arguments.json ? printJSON(["ok": false, "result": text]) : say("regKey of \(source): \(text)")
                return unknown ? .unknown : .unavailable
            }
        default:
            throw UsageError("regkey needs list, charge, check or expire")
        }
    }

    // MARK: admin-password

    func adminPassword() throws -> LinePayCommand.Exit {
        try arguments.only(["--iterations"], positional: 0...0)
        let iterations = try arguments.options["--iterations"].map { v -> Int in
            guard let n = Int(v), n >= AdminPassword.minimumIterations, n <= 10_000_000 else {
                throw UsageError("--iterations: \(AdminPassword.minimumIterations) to 10000000")
            }
            return n
        } ?? AdminPassword.defaultIterations
        let text = String(decoding: input.readDataToEndOfFile(), as: UTF8.self)
        var password = String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        if password.hasSuffix("\r") { password.removeLast() }
        guard !password.isEmpty else { throw UsageError("admin-password reads the password from stdin: printf '%s\\n' 'the password' | linepay admin-password") }
        guard password.count >= 12 else { throw UsageError("use a password of 12 characters or more") }
        say("admin_password_hash = \(AdminPassword.hash(password: password, iterations: iterations))")
        return .ok
    }

    // MARK: config check

    func configCheck() throws -> LinePayCommand.Exit {
        guard arguments.positional == ["check"] else { throw UsageError("config needs: check") }
        arguments.positional.removeAll()
        try arguments.only([], positional: 0...0)
        let path = try configPath
        let c = try configuration
        let version = try store.connection.userVersion
        let lines: [(String, String)] = [
            ("channel_id", c.channelId), ("channel_secret", "**** (not shown)"), ("api_base_url", c.apiBaseURL),
            ("database", "\(c.database) (schema version \(version))"), ("public_base_url", c.publicBaseURL),
            ("capture", String(c.capture)), ("confirm_url_type", c.confirmURLType.rawValue), ("pay_type", c.payType.rawValue),
            ("notify_url", c.notifyURL ?? "(none)"),
            ("admin_auth", c.adminAuth.rawValue + (c.adminAuth == .password ? " (user \(c.adminUser))" : "")),
            ("admin_session_lifetime", "\(c.adminSessionLifetime) s"),
        ]
        if arguments.json {
            printJSON(["file": path, "ok": true, "settings": Dictionary(uniqueKeysWithValues: lines)])
        } else {
            say("\(path): ok")
            for (k, v) in lines { say("  \(k) = \(v)") }
        }
        return .ok
    }

    // MARK: sign

    /// Prints a request exactly as it would be sent (method, URL, headers with the signature, body), without sending
    /// it. The channel secret is never printed: the signed message shows `****` where it goes.
    func sign() throws -> LinePayCommand.Exit {
        try arguments.only(["--order", "--transaction", "--amount", "--currency", "--regkey", "--product", "--capture", "--nonce",
                            "--full-request"], positional: 1...1)
        let c = try configuration
        let o = arguments.options
        let order = try o["--order"].map { id -> Order in
            guard let found = try store.order(orderId: id) else { throw UsageError("no order \(id)") }
            return found
        }
        let tx = try o["--transaction"].map { t -> TransactionID in
            guard let id = TransactionID(t) else { throw UsageError("--transaction: up to 19 digits") }
            return id
        } ?? order?.transactionId.map(TransactionID.init)
        let currency = try (o["--currency"] ?? order?.currency).map { t -> Currency in
            guard let cur = Currency(rawValue: t) else { throw UsageError("--currency: USD, JPY, TWD or THB") }
            return cur
        }
        let amount = try arguments.amount()
        let regKey = try (o["--regkey"] ?? (try order.flatMap { try store.regKey(orderId: $0.orderId)?.regKey })).map { k -> RegKey in
            guard let key = RegKey(k) else { throw UsageError("--regkey: letters and digits") }
            return key
        }
        func need<T>(_ v: T?, _ what: String) throws -> T {
            guard let v else { throw UsageError("sign \(arguments.positional[0]) needs \(what)") }
            return v
        }
        let client = LinePayClient(configuration: c.linePay)
        let nonce = o["--nonce"] ?? makeNonce()
        let prepared: LinePayClient.PreparedRequest
        do {
            switch arguments.positional[0] {
            case "request":
                let found = try need(order, "--order (the request is built from the stored order)")
                prepared = try client.prepare(try core.makeRequest(found), nonce: nonce)
            case "confirm":
                prepared = try client.prepare(ConfirmPayment(transactionId: try need(tx, "--transaction or --order"),
                                                             amount: try need(amount ?? order?.amount, "--amount"),
                                                             currency: try need(currency, "--currency")), nonce: nonce)
            case "capture":
                prepared = try client.prepare(CapturePayment(transactionId: try need(tx, "--transaction or --order"),
                                                             amount: try need(amount ?? order?.authorizedAmount, "--amount"),
                                                             currency: try need(currency, "--currency")), nonce: nonce)
            case "void":
                prepared = try client.prepare(VoidAuthorization(transactionId: try need(tx, "--transaction or --order")), nonce: nonce)
            case "refund":
                prepared = try client.prepare(RefundPayment(transactionId: try need(tx, "--transaction or --order"), refundAmount: amount,
                                                            currency: currency), nonce: nonce)
            case "details", "paymentDetails":
                let byOrder = tx == nil ? [try need(order?.linePayOrderId ?? o["--order"], "--transaction or --order")] : []
                prepared = try client.prepare(PaymentDetails(transactionIds: tx.map { [$0] } ?? [], orderIds: byOrder), nonce: nonce)
            case "check", "checkPaymentStatus":
                prepared = try client.prepare(CheckPaymentStatus(transactionId: try need(tx, "--transaction or --order")), nonce: nonce)
            case "checkRegKey":
                prepared = try client.prepare(CheckRegKey(regKey: try need(regKey, "--regkey or --order")), nonce: nonce)
            case "expireRegKey":
                prepared = try client.prepare(ExpireRegKey(regKey: try need(regKey, "--regkey or --order")), nonce: nonce)
            case "payPreapproved":
                let capture = try o["--capture"].map { v -> Bool in
                    guard let b = Bool(v) else { throw UsageError("--capture: true or false") }
                    return b
                }
                prepared = try client.prepare(PayPreapproved(regKey: try need(regKey, "--regkey or --order"),
                                                             productName: try need(o["--product"], "--product"),
                                                             amount: try need(amount, "--amount"), currency: try need(currency, "--currency"),
                                                             orderId: "SIGN-\(now())", capture: capture), nonce: nonce)
            default:
                throw UsageError("sign: OPERATION is request, confirm, capture, void, refund, details, check, checkRegKey, payPreapproved or expireRegKey")
            }
        } catch let error as LinePayError {
            FileHandle.standardError.write(Data("linepay: \(error)\n".utf8))
            return .refusedByUs
        }
        // For a support ticket: the canonical string and its signature. A money-moving request printed whole could be
        // replayed by anyone who reads the ticket (if LINE Pay did not refuse the nonce), so its signature is cut
        // short unless --full-request asks for it; a regKey is masked everywhere, even then.
        let operation = arguments.positional[0]
        let movesMoney = ["confirm", "capture", "void", "refund", "payPreapproved", "expireRegKey"].contains(operation)
        let full = arguments.flags.contains("--full-request")
        let mask = { (text: String) -> String in regKey.map { text.replacingOccurrences(of: $0.rawValue, with: RegKeyRecord.mask($0.rawValue)) } ?? text }
        let body = mask(String(decoding: prepared.payload, as: UTF8.self))
        let canonical = "****" + mask(prepared.path) + body + nonce
        let signature = prepared.headers.first { $0.0 == "X-LINE-Authorization" }?.1 ?? ""
        let shown = movesMoney && !full ? String(signature.prefix(8)) + "…" : signature
        if arguments.json {
            var j: [String: Any] = ["operation": operation, "method": prepared.method, "path": mask(prepared.path), "nonce": nonce,
                                    "canonical": canonical, "signature": shown, "truncated": movesMoney && !full]
            if full {
                j["url"] = mask(prepared.url)
                j["headers"] = prepared.headers.map { [$0.0, mask($0.1)] }
                j["body"] = prepared.isPOST ? body : ""
            }
            printJSON(j)
            return .ok
        }
        if full {
            say("\(prepared.method) \(mask(prepared.url))")
            for (name, value) in prepared.headers { say("\(name): \(mask(value))") }
            say("")
            if prepared.isPOST { say(body); say("") }
        } else {
            say("\(operation): \(prepared.method) \(mask(prepared.path)) (nonce \(nonce))")
        }
        say("canonical string: \(canonical)")
        say("signature: \(shown)" + (movesMoney && !full ? " (cut short: this request moves money; --full-request prints it whole)" : ""))
        say("X-LINE-Authorization = Base64(HMAC-SHA256(key: channel secret, message: channel secret + path + \(prepared.isPOST ? "body" : "query string") + nonce))")
        say("(**** stands for the channel secret, which is never printed" + (regKey == nil ? ")" : "; the regKey is masked)"))
        return .ok
    }

    // MARK: seed

    func seed() throws -> LinePayCommand.Exit {
        try arguments.only(["--orders", "--days"], positional: 0...0)
        guard let n = arguments.options["--orders"].flatMap(Int.init), (1...10_000_000).contains(n) else {
            throw UsageError("seed needs --orders N (1 to 10000000)")
        }
        let days = try arguments.options["--days"].map { v -> Int64 in
            guard let d = Int64(v), (1...3650).contains(d) else { throw UsageError("--days: 1 to 3650") }
            return d
        } ?? 365
        let c = try configuration
        guard c.apiBaseURL != LinePayEnvironment.production.baseURL else {
            throw ConfigurationError("seed refuses a configuration that talks to LINE Pay's production API: synthetic orders are for development")
        }
        let started = Date()
        let inserted = try store.seed(count: n, days: days, tag: String(now(), radix: 36).uppercased(), now: now())
        let seconds = Date().timeIntervalSince(started)
        arguments.json ? printJSON(["inserted": inserted, "seconds": (seconds * 10).rounded() / 10])
                       : say("inserted \(inserted) paid orders in \(String(format: "%.1f", seconds)) s")
        return .ok
    }
}
