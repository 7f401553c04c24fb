/// Every visible string of the pages; each language has one table holding all of them (`Catalog+*.swift`).
enum TextKey: String, CaseIterable, Sendable {
    // Shared pieces.
    case footer, orderNumber, transactionId, itemsHeading, itemQuantity, itemUnitPrice, shipping, total
    case returnToShop, tryAgain
    // Checkout.
    case checkoutHeading, checkoutNote, payWithLinePay
    // Pay (desktop popup) and the live status texts shared with the checking page.
    case payHeading, payHint, openLinePay, showLinePay, openInThisWindow
    case statusWaiting, statusBlocked, statusChecking, statusPaid, statusCancelled, statusFailed, statusExpired
    case statusNotCompleted
    // Receipt.
    case headlinePaid, headlineAuthorized, headlineOther, receiptPaidNote, receiptAuthorizedNote
    case stateAwaiting, statePaid, stateAuthorized, stateCancelled, stateFailed, stateExpired, stateChecking, stateRefunded
    case statePartiallyRefunded
    // Another browser than the one that started the checkout.
    case otherBrowserBody, otherBrowserNotCompletedTitle, otherBrowserNotCompletedBody, otherBrowserHint
    case otherBrowserCheckingTitle, otherBrowserCheckingBody
    case otherWindowTitle, otherWindowBody
    // Checking, cancelled, failed.
    case checkingTitle, checkingBody, cancelledTitle, cancelledBody, failedTitle, failedBody, failedReason
    // Errors.
    case errorBadRequest, errorForbidden, errorNotFound, errorConflict, errorExpired, errorUnavailable
    case errorCode, errorHint
    case explainBadRequest, explainForbidden, explainNotFound, explainConflict, explainExpired, explainUnavailable
}

/// The string tables, one per language, and the lookup with `{name}` placeholders.
enum Catalog {
    static func table(_ language: PageLanguage) -> [TextKey: String] {
        switch language {
        case .en: return en
        case .ja: return ja
        case .zh_TW: return zhTW
        case .th: return th
        }
    }

    /// The text for `key` in `language` (English if a table lacks it; the tests make sure none does), with each
    /// `{name}` replaced by `arguments[name]`. Arguments are inserted as they are: the caller escapes the result.
    static func text(_ key: TextKey, _ language: PageLanguage, _ arguments: [String: String] = [:]) -> String {
        let template = table(language)[key] ?? en[key] ?? key.rawValue
        guard !arguments.isEmpty, template.contains("{") else { return template }
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "}") else { break }
            out += rest[..<open]
            let name = String(rest[afterOpen..<close])
            if let value = arguments[name] { out += value } else { out += rest[open...close] }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
