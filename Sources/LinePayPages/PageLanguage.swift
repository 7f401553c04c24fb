import Foundation

/// A language the pages are written in.
public enum PageLanguage: String, Sendable, CaseIterable {
    case en, ja, zh_TW, th

    /// The BCP 47 tag for `<html lang>` and `Content-Language`: `en`, `ja`, `zh-Hant-TW`, `th`.
    public var htmlLang: String {
        switch self {
        case .en: return "en"
        case .ja: return "ja"
        case .zh_TW: return "zh-Hant-TW"
        case .th: return "th"
        }
    }

    /// Picks the language: an explicit preference ("ja", "zh_TW", "zh-TW", "th", "en"; case-insensitive, "zh-Hant" -> zh_TW) wins,
    /// else the best match of an Accept-Language header with q-values, else en.
    public static func negotiate(preferred: String?, acceptLanguage: String?) -> PageLanguage {
        if let preferred, let language = match(tag: preferred) {
            return language
        }
        guard let header = acceptLanguage else { return .en }
        var best: (language: PageLanguage, q: Double)?
        for entry in header.split(separator: ",") {
            let parts = entry.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first, !tag.isEmpty else { continue }
            var q = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0].lowercased() == "q" else { continue }
                guard let value = Double(pair[1]), value >= 0, value <= 1 else { q = 0; break }
                q = value
            }
            guard q > 0, let language = match(tag: tag) else { continue }
            // The first entry wins ties, as the header lists the user's order.
            if best == nil || q > best!.q { best = (language, q) }
        }
        return best?.language ?? .en
    }

    /// One language tag to one of ours: `ja`, `ja-JP`, `th-TH`, `en-GB`, `zh-TW`, `zh_TW`, `zh-Hant`, `zh-Hant-TW`,
    /// `zh-HK`, `zh-MO` and a bare `zh`; nil for anything else (including Simplified Chinese: `zh-CN`, `zh-Hans`).
    static func match(tag: String) -> PageLanguage? {
        let subtags = tag.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: "_", with: "-")
            .split(separator: "-").map(String.init)
        guard let primary = subtags.first else { return nil }
        switch primary {
        case "en": return .en
        case "ja": return .ja
        case "th": return .th
        case "zh":
            let rest = Set(subtags.dropFirst())
            if rest.contains("hant") { return .zh_TW }
            if rest.contains("hans") || rest.contains("cn") || rest.contains("sg") { return nil }
            return .zh_TW
        default: return nil
        }
    }
}
