import LinePay

extension ScriptedLinePay {
    /// What goes wrong with one call. Enqueued per operation with `enqueueFault(_:for:)`; each matching call
    /// consumes one, first in first out. "Processed" means LINE Pay carried the call out (money moved, state
    /// changed) before the answer went wrong.
    public enum Fault: Sendable, Equatable, CustomStringConvertible {
        /// LINE Pay processes the call, then the connection breaks: `.lost(.connectionLost)`.
        case lostAfterProcessing
        /// The connection breaks before LINE Pay sees the call: nothing happens, `.lost(.connectionLost)`.
        case lostBeforeProcessing
        /// LINE Pay processes the call but no answer comes within the read timeout: `.lost(.timedOut)`.
        case timeoutAfterProcessing
        /// No connection at all (DNS, refused, TLS): `.notSent`.
        case notSent
        /// A proxy's HTTP status (502, 503, 504...) with an HTML body; `processed` says whether LINE Pay acted first.
        case httpStatus(Int, processed: Bool = false)
        /// HTTP 200 with a body that is not JSON.
        case malformedBody(processed: Bool)
        /// HTTP 200 with the JSON answer cut in half (LINE Pay's real answer when processed).
        case truncatedBody(processed: Bool)
        /// Answers `code` with the reference's words for it. 1199 and 1280-1298 on capture cancel the
        /// authorization, as the reference says LINE Pay does; otherwise `processed` says whether LINE Pay acted.
        case returnCode(String, processed: Bool = false)

        /// Whether LINE Pay carries the call out before the answer goes wrong.
        public var processes: Bool {
            switch self {
            case .lostAfterProcessing, .timeoutAfterProcessing: return true
            case .lostBeforeProcessing, .notSent: return false
            case .httpStatus(_, let p), .malformedBody(let p), .truncatedBody(let p), .returnCode(_, let p): return p
            }
        }

        /// A short name, for test output and matrix cells.
        public var description: String {
            switch self {
            case .lostAfterProcessing: return "lost after processing"
            case .lostBeforeProcessing: return "lost before processing"
            case .timeoutAfterProcessing: return "timeout after processing"
            case .notSent: return "not sent"
            case .httpStatus(let s, let p): return "HTTP \(s)\(p ? " after processing" : "")"
            case .malformedBody(let p): return "malformed body\(p ? " after processing" : "")"
            case .truncatedBody(let p): return "truncated body\(p ? " after processing" : "")"
            case .returnCode(let c, let p): return "return code \(c)\(p ? " after processing" : "")"
            }
        }
    }

    /// Every code the reference lists for `operation` other than its success codes, ascending: the rows of a
    /// fault matrix's "each return code" column. Read from `ReturnCode`'s table, so there is one list.
    public static func referenceRefusalCodes(for operation: LinePayOperation) -> [String] {
        (0...9999).map { String(format: "%04d", $0) }.filter { code in
            code != "0000" && !(operation == .checkPaymentStatus && code.hasPrefix("01"))
                && ReturnCode(code).explanation(for: operation) != nil
        }
    }

    /// Capture codes after which LINE Pay cancels the authorization itself (reference, Capture:
    /// "If 1199 or 1280~1298 error codes occur, the transaction will be automatically canceled").
    public static func cancelsAuthorization(_ code: String) -> Bool {
        code == "1199" || (Int(code).map { (1280...1298).contains($0) } ?? false)
    }
}
