import FastCGI
import Foundation
import LinePay
import SQLite

/// An API answer before faults are applied.
struct APIAnswer {
    var code: String
    var message: String
    var info: JSONText? = nil
    var verdict: String = "ok"

    static func error(_ code: String, _ verdict: String, operation: LinePayOperation?) -> APIAnswer {
        let words = operation.flatMap { ReturnCode(code).explanation(for: $0) } ?? fallbackWords[code] ?? "Error"
        return APIAnswer(code: code, message: words, verdict: verdict)
    }

    static let fallbackWords = ["1104": "Nonexistent merchant", "1106": "Header information error",
                                "2101": "Parameter error", "2102": "JSON data format error", "1150": "Can't find the transaction history"]

    var body: String {
        JSONText.object([("returnCode", .string(code)), ("returnMessage", .string(message)), ("info", info)]).rendered
    }
}

extension SandboxWorker {
    /// The API (v3 and v4): authenticate, log, apply an armed fault, process.
    func api(_ request: FastCGIRequest, path: String) throws -> FastCGIResponse {
        let operation = Self.operation(method: request.method, path: path)
        var call = CallRecord(at: now, method: request.method, path: path, query: request.queryString,
                              channelId: request.header("X-LINE-ChannelId"), nonce: request.header("X-LINE-Authorization-Nonce"),
                              signatureOK: false, verdict: "", operation: operation?.op.rawValue, returnCode: nil,
                              httpStatus: 200, fault: nil, body: String(decoding: request.body, as: UTF8.self))
        func finish(_ answer: APIAnswer, fault: (kind: String, value: String)? = nil) throws -> FastCGIResponse {
            var response = FastCGIResponse(status: 200, headers: [("Content-Type", "application/json;charset=UTF-8")],
                                           body: Array(answer.body.utf8))
            call.verdict = answer.verdict
            call.returnCode = answer.code
            if fault == nil, let op = operation?.op, !answer.code.isEmpty, !SandboxCodes.mayAnswer(answer.code, for: op) {
                // A sandbox bug, not a client's: say so in the log where tests and developers look.
                call.verdict += " [code \(answer.code) is not one the reference lists for \(op.rawValue)]"
            }
            if let fault {
                call.fault = "\(fault.kind)\(fault.value.isEmpty ? "" : ":" + fault.value)"
                response = apply(fault, to: response, answer: answer)
                if fault.kind == "status" { call.returnCode = nil }   // nothing was processed or answered
            }
            call.httpStatus = response.status
            try store.logCall(call)
            return response
        }

        guard let operation else {
            return try finish(.error("2101", "no such endpoint: \(request.method) \(path)", operation: nil))
        }
        // What LINE Pay checks first: the channel, the headers, the signature, the nonce.
        guard let channelId = call.channelId, let channel = channels[channelId] else {
            return try finish(.error("1104", call.channelId == nil ? "missing X-LINE-ChannelId" : "unknown channel", operation: operation.op))
        }
        guard let nonce = call.nonce, !nonce.isEmpty else { return try finish(.error("1106", "missing X-LINE-Authorization-Nonce", operation: operation.op)) }
        guard let signature = request.header("X-LINE-Authorization"), !signature.isEmpty else {
            return try finish(.error("1106", "missing X-LINE-Authorization", operation: operation.op))
        }
        if request.header("X-LINE-ChannelSecret") != nil {
            return try finish(.error("1106", "X-LINE-ChannelSecret sent: v3 and v4 never send the secret", operation: operation.op))
        }
        let payload = request.method == "GET" ? Array(request.queryString.utf8) : request.body
        guard LinePaySignature.verify(signature, channelSecret: channel.secret, path: path, payload: payload, nonce: nonce) else {
            return try finish(.error("1106", "signature does not match", operation: operation.op))
        }
        call.signatureOK = true
        guard try store.useNonce(channel: channelId, nonce: nonce, at: now) else {
            return try finish(.error("1106", "nonce reused", operation: operation.op))
        }

        var fault = try store.takeFault(operation: operation.op.rawValue)
        // Amount-digit faults for manual rehearsal (VeriTrans's pseudo environment is the model): 7 stalls,
        // 8 drops the connection after processing, 9 is refused with 1281 (card error).
        if fault == nil, configuration.faultByAmount, operation.op == .confirm, let digit = confirmAmountDigit(request.body) {
            switch digit {
            case 7: fault = ("delay", String(configuration.stallMilliseconds))
            case 8: fault = ("drop", "")
            case 9: fault = ("code", "1281")
            default: break
            }
        }
        if let fault, fault.kind == "internal" {
            // Fail the way a store error does, through the same path: handle() answers 9000 in JSON.
            call.verdict = "fault: internal"; call.returnCode = "9000"; call.fault = "internal"
            try store.logCall(call)
            throw SandboxInternalFailure()
        }
        if let fault, fault.kind == "code" {
            // A definitive refusal of a confirm ends the payment, as LINE Pay's does; "look it up" codes change nothing.
            if operation.op == .confirm, !ReturnCode.meansCheck.contains(fault.value), let id = operation.id {
                _ = try store.transition(id, from: ["approved"], to: "failed")
            }
            // Capture answered 1199 or 1280-1298: "the transaction will be automatically canceled" (reference,
            // Capture). The authorization is gone; payment details shows it as VOIDED_AUTHORIZATION.
            if operation.op == .capture, Self.captureCodesThatCancel.contains(fault.value), let id = operation.id {
                _ = try store.transition(id, from: ["authorized"], to: "voided")
            }
            return try finish(.error(fault.value, "fault: code \(fault.value)", operation: operation.op), fault: fault)
        }
        if let fault, fault.kind == "status" {
            return try finish(APIAnswer(code: "", message: "", verdict: "fault: HTTP \(fault.value)"), fault: fault)
        }
        var answer: APIAnswer
        do {
            answer = try process(operation, request: request, channel: channel)
        } catch let e as ParameterError {
            answer = .error(e.code, e.verdict, operation: operation.op)
        }
        return try finish(answer, fault: fault)
    }

    /// The capture codes after which LINE Pay cancels the authorization itself.
    static let captureCodesThatCancel: Set<String> = Set(["1199"] + (1280...1298).map(String.init))

    /// Faults that act on an answer already processed: delay, malformed, truncated, drop; and status.
    func apply(_ fault: (kind: String, value: String), to response: FastCGIResponse, answer: APIAnswer) -> FastCGIResponse {
        switch fault.kind {
        case "status":
            let status = Int(fault.value) ?? 500
            return .text("<html><body><h1>\(status)</h1>sandbox fault</body></html>", status: status, contentType: "text/html")
        case "delay":
            usleep(useconds_t(max(0, min(Int(fault.value) ?? configuration.stallMilliseconds, 600_000))) * 1000)
            return response
        case "malformed":
            return .text("<html><body>Service Unavailable</body></html>", status: 200, contentType: "application/json")
        case "truncated":
            var r = response
            r.body = Array(r.body.prefix(r.body.count / 2))
            return r
        case "drop":
            // nginx turns 599 into 444: the connection closes with no answer (see nginx/sandbox.conf).
            return FastCGIResponse(status: 599, headers: [("X-Sandbox-Fault", "drop")], body: [])
        default:
            return response
        }
    }

    private func confirmAmountDigit(_ body: [UInt8]) -> Int? {
        struct A: Decodable { let amount: Decimal }
        guard let a = try? JSONDecoder().decode(A.self, from: Data(body)) else { return nil }
        var whole = Decimal(), v = a.amount
        NSDecimalRound(&whole, &v, 0, .down)
        let text = Money.format(whole)
        return text.last.flatMap { Int(String($0)) }
    }

    /// Which endpoint a method and path name, under which API version, with the ids in the path.
    static func operation(method: String, path: String) -> SandboxRoute? {
        let parts = path.split(separator: "/").map(String.init)   // ["v3" or "v4", "payments", ...]
        guard parts.count >= 2, let version = LinePayAPIVersion(rawValue: parts[0]), parts[1] == "payments" else { return nil }
        let rest = Array(parts.dropFirst(2))
        func route(_ op: LinePayOperation, _ id: String? = nil, regKey: String? = nil) -> SandboxRoute? {
            if let id { return Int64(id).map { SandboxRoute(op: op, id: $0, regKey: nil, version: version) } }
            return SandboxRoute(op: op, id: nil, regKey: regKey, version: version)
        }
        switch (method, rest.count) {
        case ("POST", 1) where rest[0] == "request": return route(.request)
        case ("GET", 0): return route(.paymentDetails)
        case ("POST", 2) where rest[1] == "confirm": return route(.confirm, rest[0])
        case ("POST", 2) where rest[1] == "refund": return route(.refund, rest[0])
        case ("POST", 3) where rest[0] == "authorizations" && rest[2] == "capture": return route(.capture, rest[1])
        case ("POST", 3) where rest[0] == "authorizations" && rest[2] == "void": return route(.void, rest[1])
        case ("GET", 3) where rest[0] == "requests" && rest[2] == "check": return route(.checkPaymentStatus, rest[1])
        case ("GET", 3) where rest[0] == "preapprovedPay" && rest[2] == "check": return route(.checkRegKey, regKey: rest[1])
        case ("POST", 3) where rest[0] == "preapprovedPay" && rest[2] == "payment": return route(.payPreapproved, regKey: rest[1])
        case ("POST", 3) where rest[0] == "preapprovedPay" && rest[2] == "expire": return route(.expireRegKey, regKey: rest[1])
        default: return nil
        }
    }
}

/// One API call's endpoint: the operation, the id or regKey in its path, and `/v3/` or `/v4/`.
struct SandboxRoute {
    let op: LinePayOperation
    let id: Int64?
    let regKey: String?
    let version: LinePayAPIVersion

    /// `info.paymentProvider` of confirm, capture, payment details and pay preapproved: only v4 answers it, and
    /// LINE Pay's change log says online payments answer `TSP` for now.
    var paymentProvider: JSONText? { version == .v4 ? .string("TSP") : nil }
}

/// Thrown to make the sandbox fail inside, as a broken store would (the `internal` fault): answered 9000.
struct SandboxInternalFailure: Error {}

/// A request the sandbox refuses for its content: the return code and the rule broken.
struct ParameterError: Error {
    let code: String
    let verdict: String
    init(_ code: String, _ verdict: String) { self.code = code; self.verdict = verdict }
}
