/// An error from PostgreSQL (or from reaching it), with its SQLSTATE. Never holds the password or the connection
/// string: only what the server said, the statement and where it was sent (host, port, database).
public struct PostgreSQLError: Error, CustomStringConvertible {
    /// The five-character SQLSTATE ("23505" unique violation, "57014" statement timeout); "08006" when the
    /// connection failed or broke, as libpq reports a lost server.
    public let sqlState: String
    /// The server's (or libpq's) message, first line.
    public let message: String
    /// The statement, when there was one.
    public let sql: String?

    /// An error with the given state, message and SQL.
    public init(sqlState: String, message: String, sql: String? = nil) {
        self.sqlState = sqlState
        self.message = message
        self.sql = sql
    }

    /// The server cannot be reached or went away (class 08, or shutting down / starting up: 57P01-57P03).
    public var isUnavailable: Bool { sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState) }
    /// A constraint refused the change (class 23: unique, foreign key, check, not null).
    public var isConstraint: Bool { sqlState.hasPrefix("23") }
    /// statement_timeout (or lock_timeout) cut the statement short.
    public var isTimeout: Bool { sqlState == "57014" || sqlState == "55P03" }

    /// "PostgreSQL error 23505: message [in: SQL]".
    public var description: String {
        "PostgreSQL error \(sqlState): \(message)" + (sql.map { " [in: \($0)]" } ?? "")
    }
}
