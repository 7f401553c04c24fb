import Foundation

/// A currency LINE Pay v3 accepts (002_...txt, Confirm: USD, JPY, TWD, THB), with how many decimals it allows.
public enum Currency: String, Codable, Sendable, CaseIterable {
    case USD, JPY, TWD, THB

    /// JPY and TWD are whole units; USD and THB allow cents.
    public var maximumScale: Int16 {
        switch self {
        case .JPY, .TWD: return 0
        case .USD, .THB: return 2
        }
    }
}

/// A language of LINE Pay's payment page (002_...txt, options.display.locale).
public enum PaymentPageLocale: String, Codable, Sendable, CaseIterable {
    case en, ja, ko, th, zh_TW, zh_CN
}

/// Amount arithmetic and checks on Decimal: money never passes through Double here.
public enum Money {
    /// Parses a plain decimal literal (`360`, `150.50`); rejects exponents, signs other than a leading `-`, spaces and `NaN`.
    public static func parse(_ text: String) -> Decimal? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 32 else { return nil }
        var i = 0
        if bytes[0] == UInt8(ascii: "-") { i = 1 }
        var digits = 0, dots = 0, fraction = 0
        var significand: UInt64 = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: ".") {
                dots += 1
                if dots > 1 || digits == 0 { return nil }
            } else if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                digits += 1
                if dots == 1 { fraction += 1 }
                if digits <= 18 { significand = significand * 10 + UInt64(b - UInt8(ascii: "0")) }
            } else {
                return nil
            }
            i += 1
        }
        guard digits > 0, dots == 0 || fraction > 0 else { return nil }
        // The common case (every stored amount is read back on every request): exact from the digits, without
        // Decimal(string:) and a Locale per call. Negative and longer literals take the general parser.
        if digits <= 18 && bytes[0] != UInt8(ascii: "-") {
            return significand == 0 ? Decimal(0) : Decimal(sign: .plus, exponent: -fraction, significand: Decimal(significand))
        }
        return Decimal(string: text)   // no locale: "." is the separator, and no ICU locale data is loaded
    }

    /// How many decimal places the value really needs (`150.50` -> 1, `100.0` -> 0).
    public static func scale(of value: Decimal) -> Int {
        var v = value
        var places = 0
        while places < 40 {
            var rounded = Decimal()
            NSDecimalRound(&rounded, &v, places, .plain)
            if rounded == value { return places }
            places += 1
        }
        return places
    }

    /// The canonical text of an amount, as it is put on the wire and in signed fields: no exponent, no trailing `.0`.
    public static func format(_ value: Decimal) -> String {
        var v = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &v, scale(of: value), .plain)
        return rounded.description   // locale-free digits, "." and "-" (NSDecimalString with a Locale loads ICU data)
    }

    /// Whether `value` fits `currency`'s decimals.
    public static func fits(_ value: Decimal, _ currency: Currency) -> Bool {
        scale(of: value) <= Int(currency.maximumScale)
    }
}
