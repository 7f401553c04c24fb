import Foundation

/// Checks shared by the endpoints; each throws a ValidationError naming the field.
enum Check {
    static func fail(_ field: String, _ reason: String) -> ValidationError { ValidationError(field: field, reason: reason) }

    /// A required string, at most `max` characters (the reference counts characters).
    static func text(_ value: String, _ field: String, max: Int, required: Bool = true) throws(ValidationError) {
        if required && value.isEmpty { throw fail(field, "is required") }
        if value.count > max { throw fail(field, "is longer than \(max) characters") }
    }

    static func optionalText(_ value: String?, _ field: String, max: Int) throws(ValidationError) {
        if let value { try text(value, field, max: max, required: false) }
    }

    /// orderId: 1 to 100 characters of `[A-Za-z0-9_-]`.
    static func orderId(_ value: String, _ field: String = "orderId") throws(ValidationError) {
        try text(value, field, max: 100)
        let ok = value.utf8.allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        }
        if !ok { throw fail(field, "may hold only A-Z, a-z, 0-9, '_' and '-'") }
    }

    /// An amount that is positive and fits the currency's decimals.
    static func positiveAmount(_ value: Decimal, _ field: String, _ currency: Currency) throws(ValidationError) {
        if value.isNaN { throw fail(field, "is not a number") }
        if value <= 0 { throw fail(field, "must be greater than 0") }
        try scale(value, field, currency)
    }

    /// An amount that is zero or more and fits the currency's decimals.
    static func nonNegativeAmount(_ value: Decimal, _ field: String, _ currency: Currency) throws(ValidationError) {
        if value.isNaN { throw fail(field, "is not a number") }
        if value < 0 { throw fail(field, "must not be negative") }
        try scale(value, field, currency)
    }

    static func scale(_ value: Decimal, _ field: String, _ currency: Currency) throws(ValidationError) {
        if !Money.fits(value, currency) {
            throw fail(field, currency.maximumScale == 0 ? "\(currency.rawValue) takes whole amounts only"
                                                         : "\(currency.rawValue) takes at most \(currency.maximumScale) decimals")
        }
        if value > Decimal(string: "99999999999")! { throw fail(field, "is too large") }
    }

    /// A merchant URL LINE Pay will send the shopper or its server to: https, except for loopback hosts in development.
    static func url(_ value: String, _ field: String, max: Int) throws(ValidationError) {
        try text(value, field, max: max)
        guard let c = URLComponents(string: value), let scheme = c.scheme?.lowercased(), let host = c.host, !host.isEmpty else {
            throw fail(field, "is not an absolute URL")
        }
        if scheme == "https" { return }
        if scheme == "http" && isLoopback(host) { return }
        throw fail(field, "must use https (http is allowed only for loopback hosts)")
    }

    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h == "[::1]" || h.hasPrefix("127.")
    }
}
