import CSQLite

/// A value bound to or read from SQLite. No floating point: this project keeps money as integers or decimal text.
public enum SQLiteValue: Sendable, Equatable, Hashable {
    /// SQL NULL.
    case null
    /// A 64-bit integer.
    case integer(Int64)
    /// UTF-8 text.
    case text(String)
    /// Raw bytes.
    case blob([UInt8])

    /// `.integer`, or `.null` for nil.
    public init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }
    /// `.integer`, or `.null` for nil.
    public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    /// `.text`, or `.null` for nil.
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    /// `.blob`, or `.null` for nil.
    public init(_ value: [UInt8]?) { self = value.map { .blob($0) } ?? .null }
}

extension SQLiteValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    /// `1` in a bindings array is `.integer(1)`.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// `"a"` in a bindings array is `.text("a")`.
    public init(stringLiteral value: String) { self = .text(value) }
    /// `nil` in a bindings array is `.null`.
    public init(nilLiteral: ()) { self = .null }
}

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

/// One result row: values by column name or position.
public struct SQLiteRow: Sendable {
    /// Column names in result order.
    public let columns: [String]
    /// Values in result order.
    public let values: [SQLiteValue]
    /// Name -> position, shared by every row of one prepared statement (nil: search `columns`).
    let positions: [String: Int]?

    /// A row from names and values of equal length.
    public init(columns: [String], values: [SQLiteValue]) {
        self.columns = columns
        self.values = values
        self.positions = nil
    }

    init(columns: [String], positions: [String: Int], values: [SQLiteValue]) {
        self.columns = columns
        self.values = values
        self.positions = positions
    }

    /// The value of a named column. A name not in the result is a programming error and traps,
    /// rather than reading as NULL and hiding a typo in money code.
    public subscript(_ column: String) -> SQLiteValue {
        guard let index = positions.map({ $0[column] }) ?? columns.firstIndex(of: column) else {
            preconditionFailure("no column \"\(column)\" in result (\(columns.joined(separator: ", ")))")
        }
        return values[index]
    }

    /// The value at a position.
    public subscript(index: Int) -> SQLiteValue { values[index] }

    /// The column as an integer; nil for NULL or another type.
    public func int(_ column: String) -> Int64? {
        if case .integer(let v) = self[column] { return v }
        return nil
    }

    /// The column as text; nil for NULL or another type.
    public func text(_ column: String) -> String? {
        if case .text(let v) = self[column] { return v }
        return nil
    }

    /// The column as bytes; nil for NULL or another type.
    public func blob(_ column: String) -> [UInt8]? {
        if case .blob(let v) = self[column] { return v }
        return nil
    }
}
