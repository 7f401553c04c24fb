import CSQLite
import Foundation

/// Group commit for one database file in this process: every write transaction of every connection runs, one after
/// another, on one shared connection, each inside its own SAVEPOINT; whoever finds nobody queued behind it COMMITs
/// the lot. Writers that queued while a commit was syncing therefore share the next fsync instead of taking one each.
///
/// Durability is unchanged (synchronous=FULL, WAL): a caller learns its outcome only after the COMMIT that holds its
/// changes has returned. A body that throws is rolled back to its savepoint and leaves the others' work alone; a
/// failed COMMIT (or an error that makes SQLite roll back the whole transaction) fails every member of the batch,
/// so nobody is told "done" for work that is not on disk.
final class GroupWriter: @unchecked Sendable {   // @unchecked: every stored property is used under `condition`
    /// Two waits under one mutex: `.turn` (the shared connection is free) and `.batchEnd` (a COMMIT returned). One
    /// NSCondition woke every waiting writer at each hand-over, to find that one of them could go on.
    private let condition = TwoConditions()
    private let path: String
    private let busyTimeout: Int32
    private let synchronous: SQLiteConnection.Synchronous
    /// The shared connection, opened on first use; only the thread holding `busy` touches it.
    private var shared: SQLiteConnection?
    private var busy = false
    private var queued = 0
    private var open = false
    /// The batch now collecting members; batches end strictly in order.
    private var batch = 0
    private var finishedThrough = -1
    private var failures: [Int: any Error] = [:]
    private var commitCount = 0
    /// Members already in the open batch: a batch commits at `maxMembers` even while others queue, so a steady
    /// stream of writers can neither hold the file's write lock (other processes) nor hold back its callers for long.
    private var members = 0
    static let maxMembers = 32

    /// How many COMMITs (fsyncs) this writer has made, and how many callers wait to join: for tests.
    var commits: Int { condition.lock(); defer { condition.unlock() }; return commitCount }
    var waiting: Int { condition.lock(); defer { condition.unlock() }; return queued }
    var isBusy: Bool { condition.lock(); defer { condition.unlock() }; return busy }

    init(path: String, busyTimeout: Int32, synchronous: SQLiteConnection.Synchronous) {
        self.path = path
        self.busyTimeout = busyTimeout
        self.synchronous = synchronous
    }

    /// Closes the shared connection (the last user of the file has gone; no transaction can be running).
    func close() {
        condition.lock()
        while busy { condition.wait(.turn) }
        shared = nil
        condition.signal(.turn)   // the turn it may have taken from a writer
        condition.unlock()
    }

    /// Runs `body` with `caller`'s statements going to the shared connection, inside the batch's transaction;
    /// returns once the batch is committed (or throws the body's error, or the batch's).
    func transaction<T>(_ caller: SQLiteConnection, _ body: () throws -> T) throws -> T {
        condition.lock()
        queued += 1
        while busy { condition.wait(.turn) }
        queued -= 1
        busy = true
        let mine = batch
        let connection: SQLiteConnection
        do {
            if shared == nil { shared = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeout, grouped: false,
                                                             synchronous: synchronous) }
            connection = shared!
            if !open {
                try connection.run("BEGIN IMMEDIATE")
                open = true
            }
        } catch {
            busy = false
            condition.signal(.turn)
            condition.unlock()
            throw error
        }
        condition.unlock()

        var outcome: Result<T, any Error>
        do {
            try connection.run("SAVEPOINT linepay_member")
            caller.delegate = connection
            defer { caller.delegate = nil }
            outcome = .success(try body())
            caller.recordedRowID = connection.lastInsertRowID
        } catch {
            outcome = .failure(error)
        }
        var batchError: (any Error)? = nil
        if connection.inTransaction {
            switch outcome {
            case .success: do { try connection.run("RELEASE linepay_member") } catch { batchError = error }
            case .failure:
                do { try connection.run("ROLLBACK TO linepay_member"); try connection.run("RELEASE linepay_member") }
                catch { batchError = error }
            }
        } else {
            // SQLite rolled the whole transaction back (SQLITE_FULL, IOERR...): the batch's earlier members are gone too.
            batchError = outcome.failureError ?? SQLiteError(code: SQLITE_ABORT, message: "the transaction was rolled back", sql: nil)
        }

        condition.lock()
        members += 1
        if batchError == nil && queued > 0 && members < Self.maxMembers {
            // Someone is waiting to join: hand the open transaction over; the last of the batch commits.
            busy = false
            condition.signal(.turn)
            while finishedThrough < mine { condition.wait(.batchEnd) }
        } else {
            if batchError == nil {
                condition.unlock()
                do { try connection.run("COMMIT") } catch { batchError = error }   // the fsync, shared by the batch
                condition.lock()
                commitCount += 1
            }
            if connection.inTransaction { _ = try? connection.run("ROLLBACK") }
            if let batchError { failures[mine] = batchError }
            failures[mine - 1000] = nil
            open = false
            members = 0
            batch += 1
            finishedThrough = mine
            busy = false
            condition.broadcast(.batchEnd)
            condition.signal(.turn)
        }
        let failure = failures[mine]
        condition.unlock()
        let result = try outcome.get()   // the body's own error first: its changes were rolled back either way
        if let failure { throw failure }
        return result
    }
}

/// A pthread mutex with two condition variables (NSCondition has one). Every wait is in a `while` loop on the state
/// it waits for, and whoever frees the turn signals `.turn` once: one waiter wakes, or the next freeing does it.
final class TwoConditions: @unchecked Sendable {   // @unchecked: the pthread objects are made for threads
    enum Which: Int { case turn = 0, batchEnd = 1 }
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let conditions = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 2)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(conditions, nil)
        pthread_cond_init(conditions + 1, nil)
    }

    deinit {
        pthread_cond_destroy(conditions + 1)
        pthread_cond_destroy(conditions)
        pthread_mutex_destroy(mutex)
        conditions.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    /// Releases the mutex until `which` is signalled (or spuriously), then holds it again.
    func wait(_ which: Which) { pthread_cond_wait(conditions + which.rawValue, mutex) }
    func signal(_ which: Which) { pthread_cond_signal(conditions + which.rawValue) }
    func broadcast(_ which: Which) { pthread_cond_broadcast(conditions + which.rawValue) }
}

extension Result {
    fileprivate var failureError: (any Error)? { if case .failure(let e) = self { return e } else { return nil } }
}

/// The GroupWriter of each database file of this process, kept while a connection to the file is open: when the
/// last one closes, so does the shared connection, and SQLite removes the -wal and -shm files as it did before
/// (a CGI run as root must not leave them behind for the web server's user).
enum GroupWriters {
    private static let table = NSLock()
    nonisolated(unsafe) private static var writers: [String: (writer: GroupWriter, users: Int)] = [:]   // guarded by `table`

    static func writer(for path: String, busyTimeout: Int32, synchronous: SQLiteConnection.Synchronous = .full) -> GroupWriter {
        table.lock()
        defer { table.unlock() }
        if let w = writers[path] { return w.writer }
        let w = GroupWriter(path: path, busyTimeout: busyTimeout, synchronous: synchronous)
        writers[path] = (w, 0)
        return w
    }

    /// A grouped connection to `path` opened.
    static func retain(_ path: String, busyTimeout: Int32, synchronous: SQLiteConnection.Synchronous) {
        let w = writer(for: path, busyTimeout: busyTimeout, synchronous: synchronous)
        table.lock()
        writers[path] = (w, (writers[path]?.users ?? 0) + 1)
        table.unlock()
    }

    /// A grouped connection to `path` closed; the last one closes the shared connection.
    static func release(_ path: String) {
        table.lock()
        guard let entry = writers[path] else { table.unlock(); return }
        if entry.users > 1 {
            writers[path] = (entry.writer, entry.users - 1)
            table.unlock()
            return
        }
        writers[path] = nil
        table.unlock()
        entry.writer.close()
    }
}
