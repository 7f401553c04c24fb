import Foundation
import LinePay

extension ResponderConfiguration {
    /// A fingerprint of what lets `user` in now: the mode and, in password mode, admin_user and the password hash.
    /// A session stores the one it was made with; when the configuration changes (new hash, renamed user, another
    /// mode) every session made before stops working (issue 10, attack 9).
    public func adminCredentialFingerprint(user: String) -> String {
        let material: String
        switch adminAuth {
        case .password: material = "password\n\(adminUser)\n\(adminPasswordHash ?? "")"
        case .remote_user: material = "remote_user\n\(user)"
        case .off: material = "off"
        }
        return lowerHex(hmacSHA256(key: Array("linepay-admin-credential".utf8), message: Array(material.utf8)))
    }
}
