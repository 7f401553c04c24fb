/// The shopper's pages: pure functions from view values to complete HTML documents.
///
/// Every page has `<body data-page="...">` and links `{assetBase}/linepay.css` and `{assetBase}/linepay.js`; data
/// for the script travels in `data-*` attributes (no inline script or style). Stable ids: `#lp-pay`, `#lp-open`,
/// `#lp-fallback`, `#lp-status`, `#lp-return`, `#lp-retry`, `#lp-total`.
public enum Pages {
    /// What went wrong, for `error(_:kind:message:)`; each has the HTTP status the responder should send.
    public enum ErrorKind: Sendable, CaseIterable {
        case badRequest, forbidden, notFound, conflict, expired, unavailable

        /// 400, 403, 404, 409, 410, 503.
        public var httpStatus: Int {
            switch self {
            case .badRequest: return 400
            case .forbidden: return 403
            case .notFound: return 404
            case .conflict: return 409
            case .expired: return 410
            case .unavailable: return 503
            }
        }

        var title: TextKey {
            switch self {
            case .badRequest: return .errorBadRequest
            case .forbidden: return .errorForbidden
            case .notFound: return .errorNotFound
            case .conflict: return .errorConflict
            case .expired: return .errorExpired
            case .unavailable: return .errorUnavailable
            }
        }

        /// What the shopper can do, in the page's language (the caller's message is in English).
        var explanation: TextKey {
            switch self {
            case .badRequest: return .explainBadRequest
            case .forbidden: return .explainForbidden
            case .notFound: return .explainNotFound
            case .conflict: return .explainConflict
            case .expired: return .explainExpired
            case .unavailable: return .explainUnavailable
            }
        }
    }

    /// The localised name of an order status, or the status itself when unknown.
    static func statusName(_ status: String, _ language: PageLanguage) -> String {
        let key: TextKey?
        switch status.lowercased() {
        case "created", "pending", "reserved", "awaiting", "new": key = .stateAwaiting
        case "paid", "captured", "completed": key = .statePaid
        case "authorized", "authorised": key = .stateAuthorized
        case "cancelled", "canceled", "voided": key = .stateCancelled
        case "failed", "refused": key = .stateFailed
        case "expired": key = .stateExpired
        case "checking", "confirming", "unknown": key = .stateChecking
        case "refunded": key = .stateRefunded
        case "partially_refunded", "partially-refunded": key = .statePartiallyRefunded
        default: key = nil
        }
        return key.map { Catalog.text($0, language) } ?? status
    }

    /// The `data-text-*` attributes linepay.js sets `#lp-status` from, so the script holds no language.
    static func statusTexts(_ language: PageLanguage) -> [(String, String)] {
        let keys: [(String, TextKey)] = [
            ("waiting", .statusWaiting), ("blocked", .statusBlocked), ("checking", .statusChecking),
            ("paid", .statusPaid), ("cancelled", .statusCancelled), ("failed", .statusFailed),
            ("expired", .statusExpired), ("not-completed", .statusNotCompleted),
        ]
        return keys.map { ("text-" + $0.0, Catalog.text($0.1, language)) }
    }
}
