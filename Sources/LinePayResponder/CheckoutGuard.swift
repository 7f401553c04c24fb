import FastCGI
import Foundation
import LinePayConfig

/// What /checkout checks before it decodes, signs or stores anything (issue 10, attacks 2 and 4): that the POST
/// comes from the shop's own pages, and that the body is no larger than a valid handoff can be.
enum CheckoutGuard {
    /// 7 top-level fields (orderId, currency, amount, shippingFee, locale, ts, signature) and 5 per item, 100 items.
    static let maxFields = 7 + 100 * 5
    /// A handoff rule of its own (docs/php.md): the form is at most 256 KB, encoded.
    static let maxBytes = 256 * 1024

    /// Why a body is refused, or nil. Counts `&` in the raw bytes: no decoding, no allocation per field.
    static func sizeProblem(_ body: [UInt8]) -> String? {
        if body.count > maxBytes { return "The checkout form is larger than \(maxBytes / 1024) KB." }
        var fields = body.isEmpty ? 0 : 1
        for b in body where b == UInt8(ascii: "&") {
            fields += 1
            if fields > maxFields { return "The checkout form has more than \(maxFields) fields." }
        }
        return nil
    }

    /// Whether a browser sent this POST from one of `origins`. Origin decides when present (a browser sends it on
    /// every cross-site POST; "null" is refused); else Sec-Fetch-Site must not be cross-site; else a Referer must
    /// be from an allowed origin. A request with none of the three is not from a browser form, so no CSRF risk.
    static func originAllowed(_ request: FastCGIRequest, origins: [String]) -> Bool {
        if let origin = request.header("Origin"), !origin.isEmpty {
            return webOrigin(origin).map(origins.contains) ?? false
        }
        if let site = request.header("Sec-Fetch-Site")?.lowercased(), !site.isEmpty {
            return site != "cross-site"
        }
        if let referer = request.header("Referer"), !referer.isEmpty {
            return webOrigin(referer).map(origins.contains) ?? false
        }
        return true
    }
}
