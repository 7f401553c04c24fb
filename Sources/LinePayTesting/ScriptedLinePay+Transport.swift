import Foundation
import LinePay

/// One answer of LINE Pay's logic, before any fault changes how it arrives.
struct Answer {
    var code: String
    var message: String
    var info: JSONValue? = nil

    /// A refusal in the reference's words for `code` on `operation`, with what exactly was wrong.
    static func refuse(_ code: String, _ operation: LinePayOperation, _ detail: String) -> Answer {
        let words = ReturnCode(code).explanation(for: operation) ?? "Error"
        return Answer(code: code, message: "\(words) (\(detail))")
    }

    var body: [UInt8] {
        Array(JSONValue.object([("returnCode", .string(code)), ("returnMessage", .string(message)), ("info", info)]).text.utf8)
    }
}

/// What the call log learns about a call while it is handled.
struct CallNote {
    var transactionId: TransactionID?
    var orderId: String?
    var regKey: RegKey?
    var amount: Decimal?
}

/// A path of the Online API: the operation, the version and the id or regKey in it.
struct Route {
    let operation: LinePayOperation
    let version: String
    let key: String?

    /// `/v3/...` or `/v4/...`, exactly the ten endpoints of the reference.
    init?(method: String, path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0].isEmpty, parts[1] == "v3" || parts[1] == "v4", parts[2] == "payments" else { return nil }
        version = parts[1]
        let rest = Array(parts.dropFirst(3))
        switch (method, rest.count, rest.first, rest.last) {
        case ("POST", 1, "request", _): (operation, key) = (.request, nil)
        case ("POST", 2, _, "confirm"): (operation, key) = (.confirm, rest[0])
        case ("POST", 2, _, "refund"): (operation, key) = (.refund, rest[0])
        case ("POST", 3, "authorizations", "capture"): (operation, key) = (.capture, rest[1])
        case ("POST", 3, "authorizations", "void"): (operation, key) = (.void, rest[1])
        case ("GET", 0, _, _): (operation, key) = (.paymentDetails, nil)
        case ("GET", 3, "requests", "check"): (operation, key) = (.checkPaymentStatus, rest[1])
        case ("GET", 3, "preapprovedPay", "check"): (operation, key) = (.checkRegKey, rest[1])
        case ("POST", 3, "preapprovedPay", "payment"): (operation, key) = (.payPreapproved, rest[1])
        case ("POST", 3, "preapprovedPay", "expire"): (operation, key) = (.expireRegKey, rest[1])
        default: return nil
        }
    }
}

extension ScriptedLinePay {
    /// Receives one call: a scripted fault may strike before LINE Pay sees it; otherwise LINE Pay checks the
    /// headers and signature, carries the call out, and a fault may then spoil the answer.
    public func perform(_ request: TransportRequest) -> TransportResult {
        locked {
            sweep()
            let route = Route(method: request.method, path: request.path)
            let operation = route?.operation ?? request.operation
            let fault = faults[operation]?.isEmpty == false ? faults[operation]!.removeFirst() : nil
            var note = CallNote()
            if let key = route?.key {
                if [.checkRegKey, .payPreapproved, .expireRegKey].contains(operation) { note.regKey = RegKey(key) }
                else if let id = TransactionID(key) { note.transactionId = id; note.orderId = transactions[refundOwners[id] ?? id]?.orderId }
            }
            if let body = request.body, let peek = try? JSONDecoder().decode(Peek.self, from: Data(body)) {
                note.orderId = peek.orderId ?? note.orderId
                note.amount = peek.amount ?? peek.refundAmount
            }
            func record(processed: Bool, code: String?) {
                log.append(RecordedCall(operation: operation, method: request.method, path: request.path,
                                        apiVersion: route?.version ?? "", transactionId: note.transactionId,
                                        orderId: note.orderId, regKey: note.regKey, amount: note.amount, fault: fault,
                                        processed: processed, returnCode: code, at: clock))
            }
            if let fault, !fault.processes, !(operation == .capture && fault.cancelsAuthorizationOnCapture) {
                record(processed: false, code: nil)
                return Self.spoiled(fault, operation, answer: nil)
            }
            guard let route else {
                record(processed: false, code: nil)
                return .response(status: 404, body: Array(Self.html(404, "Not Found").utf8))
            }
            let answer: Answer
            if let refusal = authenticate(request, route) {
                answer = refusal
            } else if operation == .capture, let fault, fault.cancelsAuthorizationOnCapture, case .returnCode(let code, _) = fault {
                answer = cancelAuthorization(route, code: code)
            } else {
                answer = handle(route, request, &note)
            }
            record(processed: true, code: answer.code)
            guard let fault else { return .response(status: 200, body: answer.body) }
            return Self.spoiled(fault, operation, answer: answer)
        }
    }

    /// LINE Pay's header checks: 1104 for an unknown channel, 1106 for a missing nonce or a wrong signature.
    private func authenticate(_ request: TransportRequest, _ route: Route) -> Answer? {
        let op = route.operation
        guard let channel = request.header("X-LINE-ChannelId"), channel == channelId else {
            return .refuse("1104", op, "X-LINE-ChannelId missing or unknown")
        }
        if request.header("X-LINE-ChannelSecret") != nil { return .refuse("1106", op, "v3 never sends the channel secret") }
        guard let nonce = request.header("X-LINE-Authorization-Nonce"), !nonce.isEmpty else {
            return .refuse("1106", op, "X-LINE-Authorization-Nonce missing")
        }
        guard let signature = request.header("X-LINE-Authorization") else { return .refuse("1106", op, "X-LINE-Authorization missing") }
        let payload = request.body ?? Array((request.query ?? "").utf8)
        guard LinePaySignature.verify(signature, channelSecret: channelSecret, path: request.path, payload: payload, nonce: nonce) else {
            return .refuse("1106", op, "signature does not match")
        }
        guard usedNonces.insert(nonce).inserted else { return .refuse("1106", op, "nonce already used") }
        return nil
    }

    /// Capture answered 1199 or 1280-1298: LINE Pay cancels the authorization itself.
    private func cancelAuthorization(_ route: Route, code: String) -> Answer {
        if let id = route.key.flatMap(TransactionID.init), transactions[id]?.status == .authorized {
            transactions[id]?.status = .voided
        }
        return .refuse(code, .capture, "scripted; the authorization is cancelled")
    }

    /// How a fault turns the answer (nil: LINE Pay never saw the call) into what the client receives.
    static func spoiled(_ fault: Fault, _ operation: LinePayOperation, answer: Answer?) -> TransportResult {
        switch fault {
        case .lostAfterProcessing: return .lost(.connectionLost("connection reset after LINE Pay processed the request"))
        case .lostBeforeProcessing: return .lost(.connectionLost("connection reset before LINE Pay read the request"))
        case .timeoutAfterProcessing: return .lost(.timedOut)
        case .notSent: return .notSent("could not connect (scripted)")
        case .httpStatus(let status, _): return .response(status: status, body: Array(html(status, "Bad Gateway").utf8))
        case .malformedBody: return .response(status: 200, body: Array("<html><body>Service Temporarily Unavailable</body></html>".utf8))
        case .truncatedBody:
            let whole = (answer ?? .refuse("9000", operation, "internal")).body
            return .response(status: 200, body: Array(whole.prefix(whole.count / 2)))
        case .returnCode(let code, _):
            return .response(status: 200, body: Answer.refuse(code, operation, "scripted").body)
        }
    }

    static func html(_ status: Int, _ title: String) -> String {
        "<html><head><title>\(status) \(title)</title></head><body><center><h1>\(status) \(title)</h1></center><hr><center>nginx</center></body></html>"
    }
}

extension ScriptedLinePay.Fault {
    var cancelsAuthorizationOnCapture: Bool {
        if case .returnCode(let code, _) = self { return ScriptedLinePay.cancelsAuthorization(code) }
        return false
    }
}

/// The fields the call log reads from any body.
private struct Peek: Decodable {
    var orderId: String?
    var amount: Decimal?
    var refundAmount: Decimal?
}
