import Foundation
import LinePay

/// The shop's shipping methods (`shipping_rules` file): which countries and postal-code prefixes each serves, at
/// what fee in which currency, and when it delivers. Our ShippingMethods answer is computed from them.
public struct ShippingRules: Sendable, Equatable {
    /// One `[id]` section.
    public struct Method: Sendable, Equatable {
        /// 1 to 50 of A-Z a-z 0-9 _ - (LINE Pay hands it back as shippingMethodId).
        public var id: String
        /// Up to 100 characters, shown by LINE Pay.
        public var name = ""
        public var currency: Currency = .TWD
        public var fee: Decimal = 0
        /// ISO 3166 alpha-2 codes, upper case.
        public var countries: [String] = []
        /// Empty: every postal code of those countries.
        public var postalPrefixes: [String] = []
        /// toDeliveryYmd = the day of the inquiry (in `timeZone`) plus this many days; nil: not answered.
        public var deliveryDays: Int? = nil
        /// fromDeliveryHm and toDeliveryHm ("0900", "1800").
        public var deliveryHours: (String, String)? = nil

        public static func == (a: Method, b: Method) -> Bool {
            a.id == b.id && a.name == b.name && a.currency == b.currency && a.fee == b.fee && a.countries == b.countries
                && a.postalPrefixes == b.postalPrefixes && a.deliveryDays == b.deliveryDays
                && a.deliveryHours?.0 == b.deliveryHours?.0 && a.deliveryHours?.1 == b.deliveryHours?.1
        }

        /// Whether this method ships to the address, in the order's currency.
        public func serves(country: String, postalCode: String, currency: Currency) -> Bool {
            guard currency == self.currency, countries.contains(country) else { return false }
            let code = postalCode.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "-", with: "").uppercased()
            return postalPrefixes.isEmpty || postalPrefixes.contains { code.hasPrefix($0) }
        }
    }

    public var methods: [Method] = []
    /// The shop's time zone for delivery dates (`timezone = Asia/Taipei`; default UTC).
    public var timeZone = TimeZone(identifier: "UTC")!

    /// The methods serving this address, in the file's order.
    public func methods(country: String, postalCode: String, currency: Currency) -> [Method] {
        methods.filter { $0.serves(country: country, postalCode: postalCode, currency: currency) }
    }

    /// `YYYYMMDD` of `days` after `now` in the shop's time zone.
    public func deliveryDate(_ days: Int, now: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let day = calendar.date(byAdding: .day, value: days, to: Date(timeIntervalSince1970: TimeInterval(now)))!
        let c = calendar.dateComponents([.year, .month, .day], from: day)
        return String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
    }

    /// Parses the file: `timezone = NAME` first, then `[method-id]` sections of `name`, `currency`, `fee`, `countries`,
    /// `postal_prefixes`, `delivery_days`, `delivery_hours`. An error names the file, line and key.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> ShippingRules {
        var rules = ShippingRules()
        var current: Method? = nil
        var seenKeys = Set<String>()
        func finish(_ at: String) throws(ConfigurationError) {
            guard let m = current else { return }
            if m.name.isEmpty { throw ConfigurationError("\(at): [\(m.id)] needs a name") }
            if m.countries.isEmpty { throw ConfigurationError("\(at): [\(m.id)] needs countries") }
            if !seenKeys.contains("fee") { throw ConfigurationError("\(at): [\(m.id)] needs a fee") }
            if !seenKeys.contains("currency") { throw ConfigurationError("\(at): [\(m.id)] needs a currency") }
            if !Money.fits(m.fee, m.currency) { throw ConfigurationError("\(at): [\(m.id)] fee has too many decimals for \(m.currency.rawValue)") }
            rules.methods.append(m)
        }
        let lines = text.components(separatedBy: "\n")
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let at = "\(file):\(index + 1)"
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), let id = Optional(String(line.dropFirst().dropLast())), ShippingRules.isMethodId(id) else {
                    throw ConfigurationError("\(at): a section is [method-id]: 1 to 50 of A-Z a-z 0-9 _ -")
                }
                try finish(at)
                if rules.methods.contains(where: { $0.id == id }) { throw ConfigurationError("\(at): [\(id)] is defined twice") }
                current = Method(id: id)
                seenKeys = []
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { throw ConfigurationError("\(at): expected 'key = value' or [method-id]") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard var m = current else {
                guard key == "timezone", let tz = TimeZone(identifier: value) else {
                    throw ConfigurationError("\(at): before the first [method-id] only 'timezone = Area/City' may be set")
                }
                rules.timeZone = tz
                continue
            }
            guard seenKeys.insert(key).inserted else { throw ConfigurationError("\(at): '\(key)' is set twice in [\(m.id)]") }
            let list = value.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            switch key {
            case "name":
                guard !value.isEmpty, value.count <= 100, !value.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else { throw ConfigurationError("\(at): name must be 1 to 100 characters") }
                m.name = value
            case "currency":
                guard let c = Currency(rawValue: value) else { throw ConfigurationError("\(at): currency must be TWD, JPY, THB or USD") }
                m.currency = c
            case "fee":
                guard let fee = Money.parse(value), !value.hasPrefix("-") else { throw ConfigurationError("\(at): fee must be a plain amount like 60 or 4.50") }
                m.fee = fee
            case "countries":
                guard !list.isEmpty, list.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isUppercase } }) else {
                    throw ConfigurationError("\(at): countries must be ISO 3166 codes like TW JP, separated by spaces")
                }
                m.countries = list
            case "postal_prefixes":
                guard !list.isEmpty, list.allSatisfy({ $0.count <= 10 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }) else {
                    throw ConfigurationError("\(at): postal_prefixes must be letters and digits, up to 10 each, separated by spaces")
                }
                m.postalPrefixes = list.map { $0.uppercased() }
            case "delivery_days":
                guard let d = Int(value), (0...365).contains(d) else { throw ConfigurationError("\(at): delivery_days must be 0 to 365") }
                m.deliveryDays = d
            case "delivery_hours":
                let parts = value.split(separator: "-").map(String.init)
                guard parts.count == 2, parts.allSatisfy(ShippingRules.isHourMinute) else {
                    throw ConfigurationError("\(at): delivery_hours must be HHmm-HHmm, like 0900-1800")
                }
                m.deliveryHours = (parts[0], parts[1])
            default:
                throw ConfigurationError("\(at): unknown key '\(key)' (name, currency, fee, countries, postal_prefixes, delivery_days, delivery_hours)")
            }
            current = m
        }
        try finish("\(file):\(lines.count)")
        if rules.methods.isEmpty { throw ConfigurationError("\(file): no [method-id] section") }
        return rules
    }

    /// A shipping method id: 1 to 50 of A-Z a-z 0-9 _ - (it comes back in confirmUrl's query).
    public static func isMethodId(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 50 && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 || $0 == 45 }
    }

    /// HHmm of a day.
    public static func isHourMinute(_ s: String) -> Bool {
        guard s.count == 4, s.allSatisfy(\.isNumber), let v = Int(s) else { return false }
        return v / 100 < 24 && v % 100 < 60
    }
}
