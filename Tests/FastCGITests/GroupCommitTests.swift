import Foundation
@testable import SQLite
import Testing
import TestSupport

/// Group commit: transactions queued behind one another share a COMMIT, and each caller still learns only its own
/// outcome, after the commit that holds it.
@Suite(.timeLimit(.minutes(5))) final class GroupCommitTests {
    private let directory = makeTemporaryDirectory("group")
    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Waits (with a deadline) until `n` callers are queued on the file's writer.
    private static func waitForQueued(_ path: String, _ n: Int) -> Bool {
        let writer = GroupWriters.writer(for: path, busyTimeout: 5000)
        let deadline = Date().addingTimeInterval(20)
        while writer.waiting < n { if Date() > deadline { return false }; usleep(1000) }
        return true
    }

    /// The writes of a file opened `.normal` (the sandbox's) commit on a shared connection at NORMAL; every other
    /// file's at FULL, the store's durability.
    @Test func theSharedWriterKeepsItsFilesSynchronousSetting() throws {
        for (name, asked, expected) in [("normal.sqlite", SQLiteConnection.Synchronous.normal, Int64(1)), ("full.sqlite", .full, 2)] {
            let c = try SQLiteConnection(path: directory + "/" + name, synchronous: asked)
            #expect(try c.queryOne("PRAGMA synchronous")?.int("synchronous") == expected)
            let inWriter = try c.immediateTransaction { try c.queryOne("PRAGMA synchronous")?.int("synchronous") }
            #expect(inWriter == expected, "\(name)")
        }
        #expect(try SQLiteConnection(path: directory + "/default.sqlite").queryOne("PRAGMA synchronous")?.int("synchronous") == 2)
    }

    @Test func aQueuedTransactionSharesTheCommitAndEachReturnsAfterIt() throws {
        let path = directory + "/share.sqlite"
        let setup = try SQLiteConnection(path: path)
        try setup.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, who TEXT)")
        let writer = GroupWriters.writer(for: path, busyTimeout: 5000)
        let before = writer.commits
        let seenAfterReturn = Locked([String: Bool]())
        let done = DispatchGroup()
        for (who, key) in [("first", 1), ("second", 2)] {
            done.enter()
            Thread {
                defer { done.leave() }
                do {
                    let db = try SQLiteConnection(path: path)
                    try db.immediateTransaction {
                        try db.run("INSERT INTO t (k, who) VALUES (?, ?)", [.integer(Int64(key)), .text(who)])
                        // The first stays in its transaction until the second is queued behind it.
                        if who == "first" { #expect(Self.waitForQueued(path, 1)) }
                    }
                    // Returned: the row must already be committed (visible to a connection that never wrote).
                    let other = try SQLiteConnection(path: path, readOnly: true)
                    let visible = try other.queryOne("SELECT who FROM t WHERE k = ?", [.integer(Int64(key))])?.text("who") == who
                    seenAfterReturn.withLock { $0[who] = visible }
                } catch {
                    Issue.record("\(who): \(error)")
                }
            }.start()
            if who == "first" {
                // The second starts only once the first is inside its transaction (it holds the writer).
                let deadline = Date().addingTimeInterval(20)
                while !writerBusy(writer) && Date() < deadline { usleep(1000) }
            }
        }
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(seenAfterReturn.current == ["first": true, "second": true])
        #expect(writer.commits - before == 1, "two transactions, one COMMIT")
    }

    @Test func aFailingMemberRollsBackOnlyItself() throws {
        struct Refused: Error {}
        let path = directory + "/fail.sqlite"
        let setup = try SQLiteConnection(path: path)
        try setup.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
        let outcomes = Locked([String: String]())
        let done = DispatchGroup()
        for who in ["keeps", "fails"] {
            done.enter()
            Thread {
                defer { done.leave() }
                do {
                    let db = try SQLiteConnection(path: path)
                    try db.immediateTransaction {
                        try db.run("INSERT INTO t (k) VALUES (?)", [.integer(who == "keeps" ? 1 : 2)])
                        if who == "keeps" { #expect(Self.waitForQueued(path, 1)) } else { throw Refused() }
                    }
                    outcomes.withLock { $0[who] = "ok" }
                } catch {
                    outcomes.withLock { $0[who] = error is Refused ? "refused" : "\(error)" }
                }
            }.start()
            if who == "keeps" { #expect(Self.waitForWriterBusy(path)) }
        }
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(outcomes.current == ["keeps": "ok", "fails": "refused"])
        #expect(try setup.query("SELECT k FROM t").map { $0.int("k") } == [1])
    }

    @Test func concurrentWritersAllLandExactlyOnce() throws {
        let path = directory + "/many.sqlite"
        let setup = try SQLiteConnection(path: path)
        try setup.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        try setup.run("INSERT INTO t (k, n) VALUES (0, 0)")
        let done = DispatchGroup()
        for thread in 0..<8 {
            done.enter()
            Thread {
                defer { done.leave() }
                do {
                    let db = try SQLiteConnection(path: path)
                    for i in 0..<25 {
                        // Read-modify-write inside the transaction: lost updates would show in the counter.
                        try db.immediateTransaction {
                            let n = try db.queryOne("SELECT n FROM t WHERE k = 0")?.int("n") ?? -1
                            try db.run("UPDATE t SET n = ? WHERE k = 0", [.integer(n + 1)])
                            try db.run("INSERT INTO t (k, n) VALUES (?, 0)", [.integer(Int64(1 + thread * 100 + i))])
                            #expect(db.lastInsertRowID == Int64(1 + thread * 100 + i))
                        }
                    }
                } catch {
                    Issue.record("writer \(thread): \(error)")
                }
            }.start()
        }
        #expect(done.wait(timeout: .now() + 120) == .success)
        #expect(try setup.queryOne("SELECT n FROM t WHERE k = 0")?.int("n") == 200)
        #expect(try setup.queryOne("SELECT count(*) AS c FROM t")?.int("c") == 201)
    }

    private func writerBusy(_ writer: GroupWriter) -> Bool { writer.isBusy }

    private static func waitForWriterBusy(_ path: String) -> Bool {
        let writer = GroupWriters.writer(for: path, busyTimeout: 5000)
        let deadline = Date().addingTimeInterval(20)
        while !writer.isBusy { if Date() > deadline { return false }; usleep(1000) }
        return true
    }
}
