import COpenSSL
import Foundation

/// The v3 request signature: `Base64(HMAC-SHA256(secret, secret + path + payload + nonce))` (002_...txt, "Hmac Signature").
public enum LinePaySignature {
    /// Signs exactly the bytes that are sent: the POST body, or the GET query string without `?`.
    public static func make(channelSecret: String, path: String, payload: some Collection<UInt8>, nonce: String) -> String {
        var message = [UInt8]()
        message.reserveCapacity(channelSecret.utf8.count * 2 + path.utf8.count + payload.count + nonce.utf8.count)
        message.append(contentsOf: channelSecret.utf8)
        message.append(contentsOf: path.utf8)
        message.append(contentsOf: payload)
        message.append(contentsOf: nonce.utf8)
        return Data(hmacSHA256(key: Array(channelSecret.utf8), message: message)).base64EncodedString()
    }

    /// Convenience for a payload held as a string (its UTF-8 bytes are signed).
    public static func make(channelSecret: String, path: String, payload: String, nonce: String) -> String {
        make(channelSecret: channelSecret, path: path, payload: Array(payload.utf8), nonce: nonce)
    }

    /// Checks a received signature in constant time, as a server (our sandbox) must.
    public static func verify(_ signature: String, channelSecret: String, path: String, payload: some Collection<UInt8>, nonce: String) -> Bool {
        constantTimeEquals(Array(signature.utf8), Array(make(channelSecret: channelSecret, path: path, payload: payload, nonce: nonce).utf8))
    }
}

/// HMAC-SHA256 on libcrypto's SHA-256 (`copenssl_hmac_sha256`): no EVP fetch, so a CGI run never loads OpenSSL's
/// providers for it, and no context to share or keep per thread.
public func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 32)
    key.withUnsafeBufferPointer { k in
        message.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in
                copenssl_hmac_sha256(k.baseAddress, k.count, m.baseAddress, m.count, o.baseAddress)
            }
        }
    }
    return out
}

/// Compares two byte strings without leaking where they differ.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<a.count { diff |= a[i] ^ b[i] }
    return diff == 0
}

/// Bytes from OpenSSL's CSPRNG.
public func secureRandomBytes(_ count: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    let rc = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
    precondition(rc == 1, "RAND_bytes failed")
    return bytes
}

/// A fresh UUIDv4 nonce from the CSPRNG, lower-case (002_...txt, "X-LINE-Authorization-Nonce").
public func makeNonce() -> String {
    var b = secureRandomBytes(16)
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    let h = Array(lowerHex(b))
    return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
}

/// Lower-case hex of `bytes`, two digits each (a table, not String(format:): this runs on every request).
public func lowerHex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    lowerHex(Array(bytes))
}

/// The same for an array, written straight into the string's storage (the generic one, unspecialised across
/// modules, was 4% of a /status).
public func lowerHex(_ bytes: [UInt8]) -> String {
    let digits: StaticString = "0123456789abcdef"
    return digits.withUTF8Buffer { table in
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (i, b) in bytes.enumerated() {
                out[2 * i] = table[Int(b >> 4)]
                out[2 * i + 1] = table[Int(b & 0x0F)]
            }
            return bytes.count * 2
        }
    }
}
