/// A request field that breaks a rule of the reference, found before anything was sent.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field's path as the reference writes it, e.g. `packages[0].products[1].name`.
    public let field: String
    /// What is wrong, in words.
    public let reason: String

    public init(field: String, reason: String) { self.field = field; self.reason = reason }
    public var description: String { "\(field): \(reason)" }
}

/// A definitive answer from LINE Pay that is not success.
public struct Refusal: Sendable, Equatable, CustomStringConvertible {
    /// The operation that was refused.
    public let operation: LinePayOperation
    /// LINE Pay's return code.
    public let code: ReturnCode
    /// LINE Pay's returnMessage, as sent.
    public let message: String
    /// The reference's words for the code on this operation ("unlisted code" when it has none).
    public var explanation: String { code.explanation(for: operation) ?? "Return code not listed in the reference" }
    public var description: String { "LINE Pay \(operation.rawValue) refused: \(code) \(explanation) (\(message))" }

    public init(operation: LinePayOperation, code: ReturnCode, message: String) {
        self.operation = operation; self.code = code; self.message = message
    }
}

/// Why the outcome of a call is not known: it may or may not have been processed by LINE Pay.
public enum UnknownReason: Sendable, Equatable, CustomStringConvertible {
    /// No complete answer within the read timeout after the request was sent.
    case timedOut
    /// The connection broke after the request was sent (reset, closed, truncated).
    case connectionLost(String)
    /// An HTTP status other than 200 without a LINE Pay answer in the body (502 from a proxy, say).
    case httpStatus(Int)
    /// A body that is not the JSON LINE Pay answers with.
    case unparseableBody(String)
    /// A return code that means "look it up" on a call that moves money (1145, 1198, 1152, 1172, 9000, 1199).
    case ambiguousCode(ReturnCode, String)

    public var description: String {
        switch self {
        case .timedOut: return "no answer within the read timeout"
        case .connectionLost(let why): return "connection lost after sending (\(why))"
        case .httpStatus(let s): return "HTTP status \(s) without a LINE Pay answer"
        case .unparseableBody(let why): return "unparseable answer (\(why))"
        case .ambiguousCode(let c, let m): return "return code \(c) means the outcome must be looked up (\(m))"
        }
    }
}

/// Every way a LINE Pay call can end other than success. Callers switch on it; none of its texts hold a secret.
public enum LinePayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// We refused to send: a field breaks a rule of the reference. Nothing was sent.
    case invalid(ValidationError)
    /// LINE Pay answered with a definitive refusal. Nothing happened on LINE Pay's side for this call.
    case refused(Refusal)
    /// LINE Pay answered "temporary error, try again" (void's 1900/1902/1999) on every bounded retry.
    case retryable(Refusal)
    /// The request never left: no connection, DNS failure, TLS verification failure. Safe to try again.
    case notSent(String)
    /// The request may have been processed. Never report this as failure: reconcile through payment details.
    case outcomeUnknown(LinePayOperation, UnknownReason)

    /// True when the caller must find the truth through payment details or check payment status.
    public var isOutcomeUnknown: Bool { if case .outcomeUnknown = self { return true } else { return false } }

    public var description: String {
        switch self {
        case .invalid(let v): return "invalid request: \(v)"
        case .refused(let r): return r.description
        case .retryable(let r): return "temporary LINE Pay error after retries: \(r)"
        case .notSent(let why): return "request not sent: \(why)"
        case .outcomeUnknown(let op, let why): return "outcome of \(op.rawValue) unknown: \(why)"
        }
    }
}
