/// A value bound to or read from a database (SQLite or PostgreSQL). No floating point: this project keeps money as integers or decimal text.
public enum SQLValue: Sendable, Equatable, Hashable {
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

extension SQLValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    /// `1` in a bindings array is `.integer(1)`.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// `"a"` in a bindings array is `.text("a")`.
    public init(stringLiteral value: String) { self = .text(value) }
    /// `nil` in a bindings array is `.null`.
    public init(nilLiteral: ()) { self = .null }
}

/// One result row: values by column name or position.
public struct SQLRow: Sendable {
    /// Column names in result order.
    public let columns: [String]
    /// Values in result order.
    public let values: [SQLValue]
    /// Name -> position, shared by every row of one prepared statement (nil: search `columns`).
    let positions: [String: Int]?

    /// A row from names and values of equal length.
    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
        self.positions = nil
    }

    /// A row sharing its statement's name -> position table (built once per prepared statement).
    public init(columns: [String], positions: [String: Int], values: [SQLValue]) {
        self.columns = columns
        self.values = values
        self.positions = positions
    }

    /// The value of a named column. A name not in the result is a programming error and traps,
    /// rather than reading as NULL and hiding a typo in money code.
    public subscript(_ column: String) -> SQLValue {
        guard let index = positions.map({ $0[column] }) ?? columns.firstIndex(of: column) else {
            preconditionFailure("no column \"\(column)\" in result (\(columns.joined(separator: ", ")))")
        }
        return values[index]
    }

    /// The value at a position.
    public subscript(index: Int) -> SQLValue { values[index] }

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
