/// Which SQL a connection speaks: the store keeps one text per statement and lets the driver translate the little
/// that differs (placeholders, a reserved word); the schema is written once per dialect.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgresql
}

/// One connection to the store's database, owned by one thread. SQLiteConnection and PostgreSQLConnection both are
/// one; the store is written against this protocol only.
///
/// `immediateTransaction` is the store's unit of change: its body runs with every other writer of the same database
/// shut out (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN plus one transaction-level advisory lock), so a read inside
/// it stays true until the COMMIT, in every process on every machine.
public protocol SQLDatabase: AnyObject {
    /// The SQL this connection speaks.
    var dialect: SQLDialect { get }
    /// Runs a script of statements without bindings (schema steps).
    func execute(_ sql: String) throws
    /// Runs one statement with `?` bindings and returns how many rows it changed.
    @discardableResult
    func run(_ sql: String, _ bindings: [SQLValue]) throws -> Int
    /// Runs one statement with `?` bindings and returns its rows.
    func query(_ sql: String, _ bindings: [SQLValue]) throws -> [SQLRow]
    /// The id the last INSERT on this connection gave its row (SQLite's rowid, PostgreSQL's identity via lastval()).
    var lastInsertRowID: Int64 { get throws }
    /// `body` with every other writer shut out; COMMIT when it returns, ROLLBACK when it throws.
    func immediateTransaction<T>(_ body: () throws -> T) throws -> T
    /// `body`'s reads in one snapshot and under one lock acquisition (SQLite: one BEGIN instead of one per statement).
    func readTransaction<T>(_ body: () throws -> T) throws -> T
    /// The schema version recorded in the database (0 for an empty one).
    var userVersion: Int { get throws }
    /// Records the schema version (inside the migration's transaction).
    func setUserVersion(_ version: Int) throws
    /// Runs `body` holding the database-wide migration lock, so that processes starting together migrate once.
    func withMigrationLock<T>(_ body: () throws -> T) throws -> T
}

extension SQLDatabase {
    /// Reads statement by statement (PostgreSQL: each statement sees a committed snapshot; nothing to gain here).
    public func readTransaction<T>(_ body: () throws -> T) throws -> T { try body() }
    /// `run` without bindings.
    @discardableResult
    public func run(_ sql: String) throws -> Int { try run(sql, []) }
    /// `query` without bindings.
    public func query(_ sql: String) throws -> [SQLRow] { try query(sql, []) }
    /// The first row, or nil.
    public func queryOne(_ sql: String, _ bindings: [SQLValue] = []) throws -> SQLRow? { try query(sql, bindings).first }
}
