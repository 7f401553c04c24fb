import Foundation
import LinePay

/// The shop's signing scheme (../shared/test-vectors/handoff.json): every field but `signature`, sorted by name
/// bytewise, each `rawurlencode(name)=rawurlencode(value)`, joined with `&`; lower-case hex HMAC-SHA256.
/// The handoff, the signed return link and the notifications all use it, so the shop verifies them all alike.
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

    /// RFC 3986: only A-Z a-z 0-9 - . _ ~ stay; everything else is %XX upper-case (PHP's rawurlencode).
    public static func rawURLEncode(_ s: String) -> String { percentEncode(s) }
}
