import SQLite

/// A browser session: the shopper's or an admin's. Times are Unix seconds.
public struct Session: Sendable, Equatable {
    /// Hex SHA-256 of the cookie token (the token itself is never stored).
    public var id: String
    /// The token forms must echo back.
    public var csrfToken: String
    /// When it was created.
    public var createdAt: Int64
    /// When it stops being valid.
    public var expiresAt: Int64

    /// A session with the given fields.
    public init(id: String, csrfToken: String, createdAt: Int64, expiresAt: Int64) {
        self.id = id
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    init(row: SQLiteRow) throws {
        id = try row.requiredText("id", table: "sessions")
        csrfToken = try row.requiredText("csrf_token", table: "sessions")
        createdAt = try row.requiredInt("created_at", table: "sessions")
        expiresAt = try row.requiredInt("expires_at", table: "sessions")
    }
}
