import Foundation
import LinePay

/// The shop's signing scheme (../shared/test-vectors/handoff.json): every field but `signature`, sorted by name
/// bytewise, each `rawurlencode(name)=rawurlencode(value)`, joined with `&`; lower-case hex HMAC-SHA256.
/// The handoff is signed with `handoff_secret` itself; the return link and the notifications each with a key derived
/// from it per kind (`MessageKind.key`) and carry `kind` as a signed field, so one kind never verifies as another.
public enum SignedFields {
    /// The canonical string that is signed.
    public static func canonical(_ fields: [(String, String)]) -> String {
        fields.filter { $0.0 != "signature" }
            .sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            .map { "\(rawURLEncode($0.0))=\(rawURLEncode($0.1))" }
            .joined(separator: "&")
    }

    /// The lower-case hex signature of `fields` (any `signature` among them is ignored).
    public static func sign(_ fields: [(String, String)], secret: String) -> String {
        lowerHex(hmacSHA256(key: Array(secret.utf8), message: Array(canonical(fields).utf8)))
    }

    /// Whether `signature` is right for `fields`, compared in constant time.
    public static func verify(_ fields: [(String, String)], signature: String, secret: String) -> Bool {
        constantTimeEquals(Array(sign(fields, secret: secret).utf8), Array(signature.lowercased().utf8))
    }

    /// `fields` plus their signature, as a query string (for the return link).
    public static func signedQuery(_ fields: [(String, String)], secret: String) -> String {
        (fields + [("signature", sign(fields, secret: secret))]).map { "\(rawURLEncode($0.0))=\(rawURLEncode($0.1))" }.joined(separator: "&")
    }

    /// `fields` with `kind` added, plus their signature under the kind's key, as a query string (the return link, the
    /// notification's POST body).
    public static func signedMessage(_ kind: MessageKind, _ fields: [(String, String)], secret: String) -> String {
        signedQuery([("kind", kind.rawValue)] + fields, secret: kind.key(secret))
    }

    /// Whether `fields` (with `kind` and `signature`) are a valid message of `kind`, compared in constant time.
    public static func verifyMessage(_ kind: MessageKind, _ fields: [(String, String)], secret: String) -> Bool {
        guard fields.filter({ $0.0 == "kind" }).map(\.1) == [kind.rawValue],
              let signature = fields.first(where: { $0.0 == "signature" })?.1 else { return false }
        return verify(fields.filter { $0.0 != "signature" }, signature: signature, secret: kind.key(secret))
    }

    /// RFC 3986: only A-Z a-z 0-9 - . _ ~ stay; everything else is %XX upper-case (PHP's rawurlencode).
    public static func rawURLEncode(_ s: String) -> String { percentEncode(s) }
}

/// What a signed message is. The shop signs handoffs with handoff_secret itself (../shared/test-vectors/handoff.json);
/// the responder signs return links and notifications with `key(secret)`: the lower-case hex HMAC-SHA256 of
/// "linepay-fcgi <kind> v1" under handoff_secret (PHP: `hash_hmac('sha256', 'linepay-fcgi return v1', $secret)`).
/// A shopper's signed return link therefore never verifies as a notification, nor a notification as a handoff.
public enum MessageKind: String, Sendable, CaseIterable {
    case handoff
    case `return`
    case notification
    /// Our ShippingMethods question to the shop's `shipping_rules_url`.
    case shipping

    /// The HMAC key of this kind of message.
    public func key(_ secret: String) -> String {
        guard self != .handoff else { return secret }
        return lowerHex(hmacSHA256(key: Array(secret.utf8), message: Array("linepay-fcgi \(rawValue) v1".utf8)))
    }
}
