@_exported import DatabaseCore

/// The names this module had before the values moved to DatabaseCore (shared with PostgreSQL): code keeps compiling.
public typealias SQLiteValue = SQLValue
/// The row type under its SQLite name.
public typealias SQLiteRow = SQLRow

extension SQLiteConnection: SQLDatabase {
    /// SQLite's SQL.
    public var dialect: SQLDialect { .sqlite }

    /// SQLite migrates inside BEGIN IMMEDIATE, which already shuts other processes out: nothing more to hold.
    public func withMigrationLock<T>(_ body: () throws -> T) throws -> T { try body() }
}
