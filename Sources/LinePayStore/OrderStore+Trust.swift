import Foundation
import SQLite

/// Issue 10's store side: login attempts recorded before the password is hashed, counters, admin session lists
/// and revocation, and the periodic clean-up of expired sessions.
extension OrderStore {
    /// Whether a login attempt may hash its password now.
    public enum LoginAttempt: Sendable, Equatable {
        /// Recorded (as a failure until `loginSucceeded` clears it): hash now.
        case allowed
        /// Too many attempts within the window: try again after `retryAfter` seconds. Nothing was recorded.
        case throttled(retryAfter: Int64, byAddress: Bool)
    }

    /// The counter bumped for every attempt that was allowed to hash a password.
    public static let passwordHashCounter = "admin.password_hashes"

    /// In one BEGIN IMMEDIATE: counts the attempts of `addressKey` and of `userKey` within `window` seconds; when either
    /// has reached its limit, refuses; otherwise records one attempt for each key and bumps `passwordHashCounter`.
    /// Recording before the hash runs means parallel guesses all count (a check before and a write after would let
    /// 16 simultaneous guesses through a limit of 5).
    public func beginLoginAttempt(addressKey: String, userKey: String, now: Int64, window: Int64,
                                  addressLimit: Int, userLimit: Int) throws -> LoginAttempt {
        try change {
            _ = try connection.run("DELETE FROM admin_login_failures WHERE at <= ?", [.integer(now - window)])
            for (key, limit, byAddress) in [(addressKey, addressLimit, true), (userKey, userLimit, false)] {
                let row = try connection.queryOne("SELECT count(*) AS n, min(at) AS oldest FROM admin_login_failures WHERE key = ? AND at > ?",
                                                  [.text(key), .integer(now - window)])
                if Int(row?.int("n") ?? 0) >= limit {
                    return .throttled(retryAfter: max(1, (row?.int("oldest") ?? now) + window - now), byAddress: byAddress)
                }
            }
            for key in [addressKey, userKey] {
                _ = try connection.run("INSERT INTO admin_login_failures (key, at) VALUES (?, ?)", [.text(key), .integer(now)])
            }
            try bumpCounter(Self.passwordHashCounter)
            return .allowed
        }
    }

    /// A login succeeded: its attempts (and the earlier failures of both keys) are forgotten.
    public func loginSucceeded(addressKey: String, userKey: String) throws {
        try change {
            _ = try connection.run("DELETE FROM admin_login_failures WHERE key IN (?, ?)", [.text(addressKey), .text(userKey)])
        }
    }

    // MARK: Counters

    func bumpCounter(_ name: String) throws {
        try connection.run("INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1",
                           [.text(name)])
    }

    /// A counter's value (0 when never bumped).
    public func counter(_ name: String) throws -> Int64 {
        try connection.queryOne("SELECT value FROM counters WHERE name = ?", [.text(name)])?.int("value") ?? 0
    }

    // MARK: Admin sessions: list, revoke, clean up

    /// The live admin sessions, newest first.
    public func adminSessions(now: Int64) throws -> [AdminSession] {
        try connection.query("SELECT * FROM admin_sessions WHERE expires_at > ? ORDER BY created_at DESC, id", [.integer(now)])
            .map(AdminSession.init)
    }

    /// Ends the sessions whose id starts with `idPrefix` (at least 8 hex characters), or all of `user`'s when
    /// `idPrefix` is nil, or every one when both are nil. Returns how many ended.
    @discardableResult
    public func revokeAdminSessions(idPrefix: String? = nil, user: String? = nil) throws -> Int {
        try change {
            if let idPrefix {
                return try connection.run("DELETE FROM admin_sessions WHERE substr(id, 1, ?) = ?",
                                          [.integer(Int64(idPrefix.utf8.count)), .text(idPrefix)])
            }
            if let user { return try connection.run("DELETE FROM admin_sessions WHERE user = ?", [.text(user)]) }
            return try connection.run("DELETE FROM admin_sessions")
        }
    }

    /// The background loop's clean-up: expired shopper and admin sessions and old login attempts go.
    /// Returns how many rows were deleted.
    @discardableResult
    public func deleteExpired(now: Int64, loginWindow: Int64) throws -> Int {
        try change {
            try connection.run("DELETE FROM sessions WHERE expires_at <= ?", [.integer(now)])
                + connection.run("DELETE FROM admin_sessions WHERE expires_at <= ?", [.integer(now)])
                + connection.run("DELETE FROM admin_login_failures WHERE at <= ?", [.integer(now - loginWindow)])
        }
    }
}
