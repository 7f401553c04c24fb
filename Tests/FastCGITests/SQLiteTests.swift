import Foundation
@testable import SQLite
import Testing
import TestSupport

/// The SQLite wrapper on real database files.
@Suite(.timeLimit(.minutes(5))) final class SQLiteTests {
    private let directory = makeTemporaryDirectory("db")   // one per test: Swift Testing makes an instance per test
    private var count = 0
    deinit { try? FileManager.default.removeItem(atPath: directory) }

    private func freshPath() -> String {
        count += 1
        return directory + "/test\(count).sqlite"
    }

    @Test func opensInWALWithForeignKeysAndFullSync() throws {
        let db = try SQLiteConnection(path: freshPath())
        #expect(try db.queryOne("PRAGMA journal_mode")?.text("journal_mode") == "wal")
        #expect(try db.queryOne("PRAGMA foreign_keys")?.int("foreign_keys") == 1)
        #expect(try db.queryOne("PRAGMA synchronous")?.int("synchronous") == 2)
        try db.execute("""
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id));
            """)
        do {
            try db.run("INSERT INTO child (parent_id) VALUES (?)", [42])
            Issue.record("a child without a parent was accepted")
        } catch let error as SQLiteError {
            #expect(error.isConstraint)
            #expect(error.sql == "INSERT INTO child (parent_id) VALUES (?)")
        }
        // The statement failed mid-step; the cached copy must have been reset and work again.
        try db.run("INSERT INTO parent (id) VALUES (42)")
        #expect(try db.run("INSERT INTO child (parent_id) VALUES (?)", [42]) == 1)
    }

    @Test func roundTripsEveryKindOfBinding() throws {
        let db = try SQLiteConnection(path: freshPath())
        try db.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, t TEXT, b BLOB, n ANY)")
        let text = "LINE Pay ¥1,000 ✓ 決済 😀 with a \u{0} inside"
        let bytes = (0...255).map { UInt8($0) }
        let rows: [[SQLiteValue]] = [
            [.integer(Int64.max), .text(text), .blob(bytes), nil],
            [.integer(Int64.min), "", .blob([]), SQLiteValue(nil as String?)],
            [0, SQLiteValue("x" as String?), SQLiteValue([1, 2] as [UInt8]?), SQLiteValue(7 as Int64?)],
        ]
        var ids: [Int64] = []
        for row in rows {
            #expect(try db.run("INSERT INTO v (i, t, b, n) VALUES (?, ?, ?, ?)", row) == 1)
            ids.append(db.lastInsertRowID)
        }
        #expect(ids == [1, 2, 3])
        let back = try db.query("SELECT i, t, b, n FROM v ORDER BY id")
        #expect(back.map(\.values) == rows)
        #expect(back[0].int("i") == Int64.max)
        #expect(back[0].text("t") == text)
        #expect(back[0].blob("b") == bytes)
        #expect(back[0]["n"] == .null)
        #expect(back[1].text("t") == "")
        #expect(back[1].blob("b") == [])
        #expect(back[2]["n"] == .integer(7))
        #expect(try db.queryOne("SELECT typeof(b) AS t FROM v WHERE id = 2")?.text("t") == "blob")
        #expect(try db.queryOne("SELECT i FROM v WHERE t = ?", [.text(text)])?.int("i") == Int64.max)
        #expect(try db.queryOne("SELECT 1.5 AS f")?.text("f") == "1.5", "REAL comes back as SQLite's text")
        #expect(try db.queryOne("SELECT * FROM v WHERE id = ?", [99]) == nil)
    }

    @Test func cachesStatementsBySQLText() throws {
        let db = try SQLiteConnection(path: freshPath())
        try db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
        let before = db.cachedStatementCount
        for k in 0..<500 {
            try db.run("INSERT INTO t (k, v) VALUES (?, ?)", [.integer(Int64(k)), .text("v\(k)")])
        }
        #expect(db.cachedStatementCount == before + 1)
        for k in 0..<500 {
            #expect(try db.queryOne("SELECT v FROM t WHERE k = ?", [.integer(Int64(k))])?.text("v") == "v\(k)")
        }
        #expect(db.cachedStatementCount == before + 2)
        #expect(throws: SQLiteError.self) { try db.run("SELECT ?", []) }   // wrong binding count
        #expect(throws: SQLiteError.self) { try db.run("DELETE FROM t; DELETE FROM t") }   // two statements
        #expect(try db.queryOne("SELECT count(*) AS n FROM t")?.int("n") == 500)
    }

    @Test func immediateTransactionCommitsOrRollsBack() throws {
        struct Abort: Error {}
        let db = try SQLiteConnection(path: freshPath())
        try db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
        #expect(throws: Abort.self) {
            try db.immediateTransaction {
                try db.run("INSERT INTO t (k) VALUES (1)")
                throw Abort()
            }
        }
        #expect(try db.query("SELECT k FROM t").isEmpty)
        let value = try db.immediateTransaction { () throws -> Int in
            try db.run("INSERT INTO t (k) VALUES (2)")
        }
        #expect(value == 1)
        #expect(try db.query("SELECT k FROM t").map { $0.int("k") } == [2])
        // A failing statement inside rolls back everything before it.
        #expect(throws: SQLiteError.self) {
            try db.immediateTransaction {
                try db.run("INSERT INTO t (k) VALUES (3)")
                try db.run("INSERT INTO t (k) VALUES (2)")
            }
        }
        #expect(try db.query("SELECT k FROM t").map { $0.int("k") } == [2])
    }

    @Test func keepsUserVersionForMigrations() throws {
        let path = freshPath()
        do {
            let db = try SQLiteConnection(path: path)
            #expect(try db.userVersion == 0)
            try db.setUserVersion(7)
        }
        let reopened = try SQLiteConnection(path: path, readOnly: true)
        #expect(try reopened.userVersion == 7)
        #expect(throws: SQLiteError.self) { try reopened.execute("CREATE TABLE nope (x)") }
    }

    /// Two connections on two threads race the same conditional UPDATE: exactly one may win each round.
    @Test(arguments: [false, true])
    func conditionalUpdateHasExactlyOneWinner(insideImmediateTransaction: Bool) throws {
        let path = freshPath()
        let setup = try SQLiteConnection(path: path)
        try setup.execute("CREATE TABLE payment (id INTEGER PRIMARY KEY, state TEXT NOT NULL, winner INTEGER)")
        let rounds = 40
        for round in 0..<rounds { try setup.run("INSERT INTO payment (id, state) VALUES (?, 'a')", [.integer(Int64(round))]) }

        let changes = Locked([[Int]](repeating: [], count: rounds))
        let failures = Locked([String]())
        // One go-semaphore per thread: with a shared one, a fast thread could take both releases and run ahead.
        let ready = DispatchSemaphore(value: 0), done = DispatchGroup()
        let go = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        for contender in 0..<2 {
            done.enter()
            Thread {
                defer { done.leave() }
                do {
                    let db = try SQLiteConnection(path: path)   // each thread owns its connection
                    for round in 0..<rounds {
                        ready.signal()
                        go[contender].wait()   // both threads released together for each round
                        let update = { () throws -> Int in
                            try db.run("UPDATE payment SET state = 'b', winner = ? WHERE id = ? AND state = 'a'",
                                       [.integer(Int64(contender)), .integer(Int64(round))])
                        }
                        let changed = insideImmediateTransaction
                            ? try db.immediateTransaction { () throws -> Int in
                                guard try db.queryOne("SELECT state FROM payment WHERE id = ?",
                                                      [.integer(Int64(round))])?.text("state") == "a" else { return 0 }
                                return try update()
                            }
                            : try update()
                        changes.withLock { $0[round].append(changed) }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                    for _ in 0..<rounds { ready.signal() }   // never leave the coordinator waiting
                }
            }.start()
        }
        for _ in 0..<rounds {
            #expect(ready.wait(timeout: .now() + 30) == .success)
            #expect(ready.wait(timeout: .now() + 30) == .success)
            go[0].signal()
            go[1].signal()
        }
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(failures.current.isEmpty)
        for (round, results) in changes.current.enumerated() {
            #expect(results.sorted() == [0, 1], "round \(round): \(results)")
        }
        let rows = try setup.query("SELECT state, winner FROM payment")
        #expect(rows.allSatisfy { $0.text("state") == "b" && $0.int("winner") != nil })
    }
}
