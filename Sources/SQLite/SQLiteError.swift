import CSQLite

/// An error from SQLite, with the statement that caused it.
public struct SQLiteError: Error, CustomStringConvertible {
    /// The extended result code (SQLITE_CONSTRAINT_UNIQUE, SQLITE_BUSY_SNAPSHOT...).
    public let code: Int32
    /// sqlite3_errmsg at the time of the failure.
    public let message: String
    /// The SQL being run, when there was one.
    public let sql: String?

    /// An error with the given code, message and SQL.
    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// SQLITE_BUSY or SQLITE_LOCKED: another connection held the lock longer than busy_timeout.
    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }
    /// SQLITE_CONSTRAINT of any kind (UNIQUE, FOREIGN KEY, CHECK, NOT NULL).
    public var isConstraint: Bool { code & 0xff == SQLITE_CONSTRAINT }

    /// "SQLite error 19 (...): message [in: SQL]".
    public var description: String {
        let name = String(cString: sqlite3_errstr(code))
        return "SQLite error \(code) (\(name)): \(message)" + (sql.map { " [in: \($0)]" } ?? "")
    }
}

