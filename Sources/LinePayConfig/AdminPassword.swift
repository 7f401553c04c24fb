import COpenSSL
import Foundation
import LinePay

/// Who may use /admin (config `admin_auth`).
public enum AdminAuthMode: String, Sendable {
    /// /admin answers 404: the default, so a shop that never configured it exposes nothing.
    case off
    /// A login form checking `admin_user` and `admin_password_hash`, with throttling and a session cookie.
    case password
    /// The web server authenticates (auth_basic, mod_auth_*, SSO) and passes REMOTE_USER; empty means 403.
    case remote_user

    /// A login name: 1 to 64 of A-Z a-z 0-9 . _ @ -.
    static func isUserName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.utf8.allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || [46, 95, 64, 45].contains(b)
        }
    }
}

/// Admin password hashes: `pbkdf2-sha256$ITERATIONS$SALT$HASH` (salt and hash in base64), PBKDF2-HMAC-SHA256 through
/// libcrypto with a 16-byte random salt, 32-byte output and 600 000 iterations by default (OWASP's figure for
/// PBKDF2-HMAC-SHA256). Verification compares in constant time.
public enum AdminPassword {
    public static let defaultIterations = 600_000
    /// Fewer are refused in the configuration: the hash would be cheap to attack if the file leaked.
    public static let minimumIterations = 100_000

    /// The hash line for `password`, with a fresh salt.
    public static func hash(password: String, iterations: Int = defaultIterations) -> String {
        let salt = secureRandomBytes(16)
        let derived = pbkdf2(Array(password.utf8), salt: salt, iterations: iterations)
        return "pbkdf2-sha256$\(iterations)$\(Data(salt).base64EncodedString())$\(Data(derived).base64EncodedString())"
    }

    /// The parts of a hash line, or nil when it is not one this program makes.
    public static func parse(_ encoded: String) -> (iterations: Int, salt: [UInt8], hash: [UInt8])? {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let iterations = Int(parts[1]),
              (minimumIterations...10_000_000).contains(iterations),
              let salt = Data(base64Encoded: String(parts[2])), salt.count >= 8,
              let hash = Data(base64Encoded: String(parts[3])), hash.count == 32 else { return nil }
        return (iterations, Array(salt), Array(hash))
    }

    /// Whether `password` matches `encoded`. An unreadable hash never matches.
    public static func verify(password: String, against encoded: String) -> Bool {
        guard let (iterations, salt, expected) = parse(encoded) else { return false }
        return constantTimeEquals(pbkdf2(Array(password.utf8), salt: salt, iterations: iterations), expected)
    }

    static func pbkdf2(_ password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = password.withUnsafeBufferPointer { p in
            salt.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    p.withMemoryRebound(to: CChar.self) { pc in
                        PKCS5_PBKDF2_HMAC(pc.baseAddress, Int32(p.count), s.baseAddress, Int32(s.count), Int32(iterations),
                                          EVP_sha256(), Int32(o.count), o.baseAddress)
                    }
                }
            }
        }
        precondition(ok == 1, "PKCS5_PBKDF2_HMAC failed in libcrypto")
        return out
    }
}
