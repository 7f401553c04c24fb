import CPostgreSQL
import DatabaseCore
import Foundation

/// One PostgreSQL connection (libpq), owned by one thread like SQLiteConnection, speaking the store's `?` SQL.
///
/// It survives a server restart or fail-over: a statement that finds the connection broken throws
/// (`PostgreSQLError.isUnavailable`), and the next one reconnects, at most once per backoff step (0.1 s doubling to
/// 5 s), so a thread never hammers a server that is down and a request never waits for one.
public final class PostgreSQLConnection {
    private var conn: OpaquePointer?
    private let options: PostgreSQLOptions
    private var inTransaction = false
    private var nextAttempt = Date.distantPast
    private var backoff = 0.1
    private var lastError: PostgreSQLError?

    /// Every writer takes this transaction-level advisory lock first (see immediateTransaction).
    public static let writerLockKey: Int64 = 0x4C50_5354_4F52_4501   // "LPSTORE" + 1
    /// Migrations hold this session-level advisory lock.
    public static let migrationLockKey: Int64 = 0x4C50_5354_4F52_4502

    /// Connects (throwing when the server cannot be reached) and sets the session's statement timeout.
    public init(options: PostgreSQLOptions) throws {
        self.options = options
        try connect()
    }

    deinit { cpq_finish(conn) }

    /// Where this connection goes, for messages: "host:port/dbname" (never the password).
    public var target: String { options.target }

    private func connect() throws {
        if let why = cpq_load() {   // libpq is loaded on first use (CPostgreSQL)
            throw PostgreSQLError(sqlState: "08001", message: "cannot connect to \(options.target): \(String(cString: why))")
        }
        cpq_finish(conn)
        conn = nil
        var keys = ["dbname", "fallback_application_name", "connect_timeout"]
        var values = [options.url, "linepay", String(options.connectTimeoutSeconds)]
        if let password = options.password { keys.append("password"); values.append(password) }
        let c: OpaquePointer? = withCStrings(keys) { k in withCStrings(values) { v in cpq_connectdb_params(k, v, 1) } }
        guard let c, cpq_status(c) == CONNECTION_OK else {
            let message = c.map { Self.firstLine(cpq_error_message($0)) } ?? "out of memory"
            cpq_finish(c)
            throw PostgreSQLError(sqlState: "08001", message: "cannot connect to \(options.target): \(message)")
        }
        conn = c
        // Text everywhere, UTC, and a bound on every statement (a lock wait included): a stuck query fails clearly.
        try simple("SET statement_timeout = \(options.statementTimeoutMilliseconds); SET TIME ZONE 'UTC'; SET client_min_messages = warning; "
                   + "SET client_encoding = 'UTF8'")
    }

    /// A usable connection: the current one, or a new one when the last broke and the backoff step has passed.
    private func ready() throws -> OpaquePointer {
        if let conn, cpq_status(conn) == CONNECTION_OK { return conn }
        guard !inTransaction else {
            throw PostgreSQLError(sqlState: "08006", message: "connection to \(options.target) lost in a transaction")
        }
        guard Date() >= nextAttempt else {
            throw lastError ?? PostgreSQLError(sqlState: "08006", message: "\(options.target) is unavailable")
        }
        do {
            try connect()
            backoff = 0.1
            lastError = nil
            return conn!
        } catch let error as PostgreSQLError {
            lastError = error
            nextAttempt = Date().addingTimeInterval(backoff)
            backoff = min(backoff * 2, 5)
            throw error
        }
    }

    // MARK: Statements

    /// Runs a script through the simple query protocol (several statements, no bindings).
    public func execute(_ sql: String) throws {
        try simple(sql)
    }

    /// Runs one statement and returns how many rows it changed.
    @discardableResult
    public func run(_ sql: String, _ bindings: [SQLValue] = []) throws -> Int {
        try withWriterLockIfNeeded(sql) { try exec(sql, bindings).changes }
    }

    /// Runs one statement and returns its rows.
    public func query(_ sql: String, _ bindings: [SQLValue] = []) throws -> [SQLRow] {
        try withWriterLockIfNeeded(sql) { try exec(sql, bindings).rows }
    }

    /// Runs one statement and returns its first row, or nil.
    public func queryOne(_ sql: String, _ bindings: [SQLValue] = []) throws -> SQLRow? {
        try query(sql, bindings).first
    }

    /// The value lastval() gives: the identity the last INSERT on this session drew.
    public var lastInsertRowID: Int64 {
        get throws {
            guard let v = try exec("SELECT lastval() AS id", []).rows.first?.int("id") else {
                throw PostgreSQLError(sqlState: "55000", message: "no INSERT drew an id on this connection")
            }
            return v
        }
    }

    /// BEGIN, the writer lock, `body`, COMMIT (ROLLBACK when it throws). The lock is one transaction-level advisory
    /// lock for the whole database: the store's code was written for BEGIN IMMEDIATE, where a read inside the
    /// transaction stays true until COMMIT, and this keeps exactly that guarantee across processes and machines.
    /// Readers are not blocked (MVCC); under READ COMMITTED each statement after the lock sees every earlier
    /// writer's commit, because PostgreSQL makes a commit visible before it releases the transaction's locks.
    public func immediateTransaction<T>(_ body: () throws -> T) throws -> T {
        precondition(!inTransaction, "immediateTransaction is not recursive")
        do {
            try simple("BEGIN; SELECT pg_advisory_xact_lock(\(Self.writerLockKey))")
        } catch {
            if let conn, cpq_status(conn) == CONNECTION_OK { _ = try? simple("ROLLBACK") }   // the lock wait timed out
            throw error
        }
        inTransaction = true
        defer { inTransaction = false }
        let result: T
        do {
            result = try body()
        } catch {
            if let conn, cpq_status(conn) == CONNECTION_OK { _ = try? simple("ROLLBACK") }
            throw error
        }
        // A statement that failed inside (and whose error the body caught) aborted the transaction: COMMIT then
        // answers ROLLBACK without an error, and must not read as success.
        let status = try simple("COMMIT")
        guard status == "COMMIT" else {
            throw PostgreSQLError(sqlState: "40000", message: "the transaction was rolled back (\(status))")
        }
        return result
    }

    /// A write outside a transaction takes the writer lock too, as SQLite's would: no write slips between another
    /// transaction's read and its dependent write.
    private func withWriterLockIfNeeded<T>(_ sql: String, _ body: () throws -> T) throws -> T {
        guard !inTransaction, Self.writes(sql) else { return try body() }
        return try immediateTransaction(body)
    }

    /// Whether a statement may write: anything but a plain SELECT (or EXPLAIN / SHOW).
    static func writes(_ sql: String) -> Bool {
        let head = sql.drop(while: { $0.isWhitespace || $0 == "(" }).prefix(8).uppercased()
        return !(head.hasPrefix("SELECT") || head.hasPrefix("EXPLAIN") || head.hasPrefix("SHOW") || head.hasPrefix("VALUES"))
            || sql.range(of: "FOR UPDATE", options: .caseInsensitive) != nil
    }

    /// Words PostgreSQL reserves that the store uses as column names; double-quoted on the way.
    public static let quotedIdentifiers: Set<String> = ["user"]

    private func exec(_ sql: String, _ bindings: [SQLValue]) throws -> (rows: [SQLRow], changes: Int) {
        let (text, count) = SQLTranslation.postgreSQL(sql, quoting: Self.quotedIdentifiers)
        guard count == bindings.count else {
            throw PostgreSQLError(sqlState: "42P02", message: "\(bindings.count) bindings for \(count) parameters", sql: sql)
        }
        let c = try ready()
        var types: [Oid] = []
        var formats: [Int32] = []
        var lengths: [Int32] = []
        var buffers: [[CChar]?] = []
        for value in bindings {
            switch value {
            case .null: types.append(0); formats.append(0); lengths.append(0); buffers.append(nil)
            case .integer(let v): types.append(20); formats.append(0); lengths.append(0); buffers.append(Array(String(v).utf8CString))
            case .text(let s): types.append(0); formats.append(0); lengths.append(0); buffers.append(Array(s.utf8CString))
            case .blob(let b):
                types.append(17); formats.append(1); lengths.append(Int32(b.count)); buffers.append(b.map { CChar(bitPattern: $0) } + [0])
            }
        }
        let result: OpaquePointer? = withPointers(buffers) { pointers in
            cpq_exec_params(c, text, Int32(bindings.count), types, pointers, lengths, formats, 0)
        }
        defer { cpq_clear(result) }
        try check(result, c, sql)
        return (rows(result!), Int(String(cString: cpq_cmd_tuples(result!))) ?? 0)
    }

    /// Runs `sql` through the simple protocol; returns the last command's status ("COMMIT", "ROLLBACK"...).
    @discardableResult
    private func simple(_ sql: String) throws -> String {
        let c = try ready()
        let result = cpq_exec(c, sql)
        defer { cpq_clear(result) }
        try check(result, c, sql)
        return String(cString: cpq_cmd_status(result!))
    }

    private func check(_ result: OpaquePointer?, _ c: OpaquePointer, _ sql: String) throws {
        let status = result.map(cpq_result_status) ?? PGRES_FATAL_ERROR
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            var state = result.flatMap { cpq_result_error_field($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) } ?? ""
            let message = Self.firstLine(result.flatMap { cpq_result_error_message($0) } ?? cpq_error_message(c))
            if cpq_status(c) != CONNECTION_OK {
                state = state.isEmpty ? "08006" : state
                nextAttempt = Date()   // the first statement after a break may try to reconnect at once
            }
            throw PostgreSQLError(sqlState: state.isEmpty ? "XX000" : state, message: message, sql: sql)
        }
    }

    private func rows(_ result: OpaquePointer) -> [SQLRow] {
        let columns = cpq_nfields(result)
        let names = (0..<columns).map { String(cString: cpq_fname(result, $0)) }
        let types = (0..<columns).map { cpq_ftype(result, $0) }
        return (0..<cpq_ntuples(result)).map { r in
            SQLRow(columns: names, values: (0..<columns).map { f in
                guard cpq_getisnull(result, r, f) == 0 else { return .null }
                let text = String(cString: cpq_getvalue(result, r, f))
                return Self.value(text, type: types[Int(f)])
            })
        }
    }

    /// Integers (int2, int4, int8, oid) as `.integer`; a whole numeric (sum() of bigints) too; bool as 1/0;
    /// bytea from its hex form; everything else as text, as SQLite gives it.
    static func value(_ text: String, type: Oid) -> SQLValue {
        switch type {
        case 20, 21, 23, 26: return Int64(text).map(SQLValue.integer) ?? .text(text)
        case 1700: return Int64(text).map(SQLValue.integer) ?? .text(text)
        case 16: return .integer(text == "t" ? 1 : 0)
        case 17 where text.hasPrefix("\\x"):
            var bytes: [UInt8] = []
            var it = text.utf8.dropFirst(2).makeIterator()
            while let h = it.next(), let l = it.next() {
                guard let b = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16) else { break }
                bytes.append(b)
            }
            return .blob(bytes)
        default: return .text(text)
        }
    }

    static func firstLine(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        return String(cString: message).split(separator: "\n").first.map(String.init) ?? ""
    }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) } + [nil]
    defer { copies.forEach { free($0) } }
    return copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { body($0.baseAddress!) }
}

private func withPointers<R>(_ buffers: [[CChar]?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = buffers.map { buffer in
        guard let buffer else { return nil }
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: buffer.count)
        p.initialize(from: buffer, count: buffer.count)
        return p
    }
    defer { copies.forEach { $0?.deallocate() } }
    return copies.map { $0.map { UnsafePointer($0) } }.withUnsafeBufferPointer { body($0.baseAddress) }
}
