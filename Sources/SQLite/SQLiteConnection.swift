import Foundation
import CSQLite

/// Process-wide settings, once, before the first connection (SQLITE_MISUSE if SQLite was initialised already: ignored).
private let libraryConfigured: Void = { _ = csqlite_disable_memory_statistics() }()

/// One SQLite connection with a statement cache. Owned by one thread: not Sendable, opened NOMUTEX.
public final class SQLiteConnection {
    private var db: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    /// Column names and their positions per prepared statement, read once (not per query).
    private var columnNames: [OpaquePointer: (names: [String], positions: [String: Int])] = [:]
    /// The file, as opened: it names the process-wide writer lock.
    private let path: String
    /// True inside immediateTransaction, which already holds the writer lock (it is not recursive).
    private var holdsWriterLock = false
    /// Write transactions go through the file's GroupWriter (false for it, for read-only and in-memory databases).
    private let grouped: Bool
    private let busyTimeout: Int32
    /// Inside a grouped transaction: the shared connection this one's statements run on.
    var delegate: SQLiteConnection?
    /// The rowid of the last INSERT this connection made through the shared connection.
    var recordedRowID: Int64?
    private let synchronous: Synchronous
    /// This connection counts as a user of its file's GroupWriter (released in deinit).
    private var retainsGroup = false

    /// Opens (creating unless `readOnly`) the database at `path`, then sets WAL (except for ":memory:"
    /// and read-only), foreign_keys=ON, synchronous=FULL and the busy timeout.
    ///
    /// synchronous=FULL: in WAL mode NORMAL may lose the last commits on power loss, and a lost commit
    /// here is a lost payment record.
    ///
    /// `.normal` is for files whose last commits may be lost on power loss (the sandbox's; never the store's, which
    /// OrderStore checks); every connection of a process to one file must ask for the same.
    public convenience init(path: String, busyTimeoutMilliseconds: Int32 = 5000, readOnly: Bool = false,
                            synchronous: Synchronous = .full) throws {
        try self.init(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, readOnly: readOnly,
                      grouped: !readOnly && path != ":memory:" && !path.isEmpty && !path.hasPrefix("file:"), synchronous: synchronous)
    }

    /// PRAGMA synchronous in WAL mode: FULL syncs the WAL at every commit, NORMAL only at checkpoints.
    public enum Synchronous: String, Sendable { case full = "FULL", normal = "NORMAL" }

    init(path: String, busyTimeoutMilliseconds: Int32 = 5000, readOnly: Bool = false, grouped: Bool,
         synchronous: Synchronous = .full) throws {
        self.grouped = grouped
        self.synchronous = synchronous
        self.busyTimeout = busyTimeoutMilliseconds
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX
        self.path = path
        _ = libraryConfigured
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            db = nil
            throw SQLiteError(code: rc, message: message, sql: nil)
        }
        if grouped { GroupWriters.retain(path, busyTimeout: busyTimeoutMilliseconds, synchronous: synchronous); retainsGroup = true }
        sqlite3_extended_result_codes(db, 1)
        // First, so that switching to WAL waits for a writer on another connection instead of failing.
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        if !readOnly && path != ":memory:" && !path.isEmpty {
            // Switching a new file to WAL can answer SQLITE_BUSY without consulting the busy handler (another
            // connection is switching it at the same moment): try again within the busy timeout.
            let deadline = ContinuousClock.now + .milliseconds(Int(busyTimeoutMilliseconds))
            var mode: String?
            while true {
                do { mode = try queryOne("PRAGMA journal_mode=WAL")?.text("journal_mode"); break } catch let e as SQLiteError
                    where e.code & 0xff == SQLITE_BUSY && ContinuousClock.now < deadline {
                    usleep(2_000)
                }
            }
            guard mode?.lowercased() == "wal" else {
                throw SQLiteError(code: SQLITE_ERROR, message: "journal_mode is \(mode ?? "?"), not wal", sql: nil)
            }
        }
        // temp_store=MEMORY: the statement journals of the group commit's savepoints and RETURNING's ephemeral tables
        // stay in small heap chunks; with the default they are 64 KiB chunks (spilling to a temp file), allocated
        // and freed per transaction, which made glibc trim and re-fault the heap on every write.
        try execute("PRAGMA foreign_keys=ON; PRAGMA synchronous=\(synchronous.rawValue); PRAGMA temp_store=MEMORY")
        // A thread's reading connection needs the hot index pages, not SQLite's default 2 MiB per connection (one per
        // thread adds up; the OS page cache holds the rest); the shared writer keeps the default.
        if grouped { try execute("PRAGMA cache_size = -512") }
    }

    deinit {
        if retainsGroup { GroupWriters.release(path) }
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(db)
    }

    /// Runs one or more statements without bindings (schema, pragmas), through sqlite3_exec.
    public func execute(_ sql: String) throws {
        if let delegate { return try delegate.execute(sql) }
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &errorMessage)
        guard rc == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(errorMessage)
            throw SQLiteError(code: rc, message: message, sql: sql)
        }
    }

    /// Runs one statement to completion and returns how many rows it changed (sqlite3_changes).
    @discardableResult
    public func run(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> Int {
        if let delegate { return try delegate.run(sql, bindings) }
        if grouped, sqlite3_get_autocommit(db) != 0, sqlite3_stmt_readonly(try prepared(sql)) == 0 {
            // A write outside a transaction is a one-statement transaction of the group (one shared fsync).
            return try immediateTransaction { try run(sql, bindings) }
        }
        return try runHere(sql, bindings)
    }

    private func runHere(_ sql: String, _ bindings: [SQLiteValue]) throws -> Int {
        try withStatement(sql, bindings) { statement in
            // A write outside a transaction takes the process's writer lock too (see immediateTransaction).
            let writer = !holdsWriterLock && sqlite3_get_autocommit(db) != 0 && sqlite3_stmt_readonly(statement) == 0
                ? WriterLocks.lock(for: path) : nil
            writer?.lock()
            defer { writer?.unlock() }
            while try step(statement, sql) {}
        }
        return Int(sqlite3_changes(db))
    }

    /// Runs one statement and returns every row.
    public func query(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> [SQLiteRow] {
        if let delegate { return try delegate.query(sql, bindings) }
        return try withStatement(sql, bindings) { statement in
            var rows: [SQLiteRow] = []
            let count = sqlite3_column_count(statement)
            let described = columns(of: statement, count: count)
            while try step(statement, sql) {
                rows.append(SQLiteRow(columns: described.names, positions: described.positions,
                                      values: (0..<count).map { column(statement, $0) }))
            }
            return rows
        }
    }

    private func columns(of statement: OpaquePointer, count: Int32) -> (names: [String], positions: [String: Int]) {
        if let known = columnNames[statement], known.names.count == Int(count) { return known }
        let names = (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }
        var positions: [String: Int] = [:]
        for (i, name) in names.enumerated() where positions[name] == nil { positions[name] = i }   // first wins, as before
        columnNames[statement] = (names, positions)
        return (names, positions)
    }

    /// BEGIN (deferred) ... COMMIT around reads: several SELECTs see one snapshot and take SQLite's locks once
    /// instead of once each. Inside a transaction already, `body` simply runs in it.
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        guard delegate == nil, sqlite3_get_autocommit(db) != 0 else { return try body() }
        return try transaction(begin: "BEGIN", body)
    }

    /// `begin`, then `body`, then COMMIT; ROLLBACK when it throws.
    private func transaction<T>(begin: String, _ body: () throws -> T) throws -> T {
        try run(begin)
        do {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            // Some errors (SQLITE_FULL, SQLITE_IOERR...) already rolled back; a second ROLLBACK would fail.
            if sqlite3_get_autocommit(db) == 0 { _ = try? run("ROLLBACK") }
            throw error
        }
    }

    /// Runs one statement and returns its first row, or nil when there is none.
    public func queryOne(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> SQLiteRow? {
        try query(sql, bindings).first
    }

    /// The rowid of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 { delegate?.lastInsertRowID ?? recordedRowID ?? sqlite3_last_insert_rowid(db) }

    /// True while a transaction is open on this connection.
    var inTransaction: Bool { sqlite3_get_autocommit(db) == 0 }

    /// BEGIN IMMEDIATE ... COMMIT, ROLLBACK on throw: read-modify-write must take the write lock first (a deferred
    /// transaction that reads then writes gets SQLITE_BUSY that busy_timeout cannot help).
    ///
    /// On a file database the transaction is one member of a group commit (GroupCommit.swift): it runs on the file's
    /// shared writer connection and returns once a COMMIT holding it has returned, sharing that fsync with the
    /// transactions queued beside it. Reads inside `body` see the group's uncommitted work, as in one transaction.
    public func immediateTransaction<T>(_ body: () throws -> T) throws -> T {
        if grouped && delegate == nil {
            return try GroupWriters.writer(for: path, busyTimeout: busyTimeout, synchronous: synchronous).transaction(self, body)
        }
        // Threads of one process queue on a mutex instead of SQLite's busy handler, which sleeps in growing steps
        // and gives long tail latencies under contention; other processes still meet busy_timeout.
        let writer = WriterLocks.lock(for: path)
        writer.lock()
        holdsWriterLock = true
        defer { holdsWriterLock = false; writer.unlock() }
        return try transaction(begin: "BEGIN IMMEDIATE", body)
    }

    /// PRAGMA user_version, the schema version used by migrations.
    public var userVersion: Int {
        get throws { Int(try queryOne("PRAGMA user_version")?.int("user_version") ?? 0) }
    }

    /// Sets PRAGMA user_version (pragmas take no bindings; an Int cannot inject anything).
    public func setUserVersion(_ version: Int) throws {
        try execute("PRAGMA user_version = \(version)")
    }

    /// How many prepared statements the cache holds (for tests).
    var cachedStatementCount: Int { statements.count }

    /// Prepares (once per SQL text), binds, runs `body`, then resets and clears the statement for the next use.
    private func withStatement<T>(_ sql: String, _ bindings: [SQLiteValue],
                                  _ body: (OpaquePointer) throws -> T) throws -> T {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        guard bindings.count == Int(sqlite3_bind_parameter_count(statement)) else {
            throw SQLiteError(code: SQLITE_RANGE, message: "\(bindings.count) bindings for "
                              + "\(sqlite3_bind_parameter_count(statement)) parameters", sql: sql)
        }
        for (offset, value) in bindings.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .integer(let v): rc = sqlite3_bind_int64(statement, index, v)
            case .text(let s): rc = sqlite3_bind_text(statement, index, s, Int32(s.utf8.count), transient)
            case .blob(let bytes) where bytes.isEmpty: rc = sqlite3_bind_zeroblob(statement, index, 0)
            case .blob(let bytes):
                rc = bytes.withUnsafeBytes {
                    sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), transient)
                }
            }
            guard rc == SQLITE_OK else { throw error(rc, sql) }
        }
        return try body(statement)
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        // Bounded, in case a caller builds SQL text per request (the fix is then bindings, not a bigger cache).
        if statements.count >= 256 {
            for statement in statements.values { sqlite3_finalize(statement) }
            statements.removeAll()
            columnNames.removeAll()
        }
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let rc = sql.withCString { text in
            let rc = sqlite3_prepare_v3(db, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            // Only the first statement would run: refuse the rest rather than ignore it silently.
            if rc == SQLITE_OK, let tail, String(cString: tail).contains(where: { !$0.isWhitespace }) {
                return SQLITE_MISUSE
            }
            return rc
        }
        guard rc == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            if rc == SQLITE_MISUSE {
                throw SQLiteError(code: rc, message: "one statement at a time (use execute for scripts)", sql: sql)
            }
            throw error(rc == SQLITE_OK ? SQLITE_MISUSE : rc, sql)   // OK without a statement: empty SQL
        }
        statements[sql] = statement
        return statement
    }

    /// Steps once: true for a row, false when done.
    private func step(_ statement: OpaquePointer, _ sql: String) throws -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc: throw error(rc, sql)
        }
    }

    private func column(_ statement: OpaquePointer, _ index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_NULL:
            return .null
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let base = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: base, count: count)))
        default:
            // TEXT, and FLOAT as SQLite's own text rendering: this API has no floating point on purpose.
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let base = sqlite3_column_text(statement, index) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self))
        }
    }

    private func error(_ rc: Int32, _ sql: String?) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(db)), sql: sql)
    }
}

/// SQLITE_TRANSIENT (a macro that does not import): SQLite copies the bytes before the bind call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One mutex per database file, shared by the connections of this process.
enum WriterLocks {
    private static let table = NSLock()
    nonisolated(unsafe) private static var locks: [String: NSLock] = [:]   // guarded by `table`

    static func lock(for path: String) -> NSLock {
        table.lock()
        defer { table.unlock() }
        if let l = locks[path] { return l }
        let l = NSLock()
        locks[path] = l
        return l
    }
}
