import Foundation
import LinePayStore
import Testing
@testable import LinePayConfig
@testable import LinePayResponder
import LinePayCheckout

/// `database = postgresql://...` (issue 13): the password only from `database_password_file`, and never in an error.
@Suite(.timeLimit(.minutes(5))) struct DatabaseConfigurationTests {
    static let base = ConfigurationTests.good.replacingOccurrences(of: "database = /tmp/x.sqlite\n", with: "")

    func parse(_ extra: String) throws -> ResponderConfiguration {
        try ResponderConfiguration.parse(Self.base + "\n" + extra, file: "linepay.conf")
    }

    @Test func aPasswordWrittenInTheURLIsRefusedWithoutBeingRepeated() {
        do {
            _ = try parse("database = postgresql://shop:hunter2-canary@db.internal:5432/linepay")
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("database_password_file"), "\(error)")
            #expect(!"\(error)".contains("hunter2-canary"))
        }
    }

    @Test func thePasswordComesFromItsFileAndStaysOutOfMessages() throws {
        let directory = NSTemporaryDirectory() + "/dbconf-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "canary-db-password\n".write(toFile: directory + "/pw", atomically: true, encoding: .utf8)
        // Port 9 (discard) on loopback: nothing listens, so opening the store fails at connect.
        let c = try parse("database = postgresql://shop@127.0.0.1:9/linepay?sslmode=disable&connect_timeout=2\n"
                          + "database_password_file = \(directory)/pw\ndatabase_statement_timeout = 2500")
        guard case .postgresql(let options) = c.store else { Issue.record("not PostgreSQL: \(c.store)"); return }
        #expect(options.password == "canary-db-password")
        #expect(options.statementTimeoutMilliseconds == 2500)
        #expect(!c.store.description.contains("canary"))
        #expect(c.store.description == "postgresql://shop@127.0.0.1:9/linepay")
        do {
            _ = try OrderStore(c.store)
            Issue.record("opened a store on a port where nothing listens")
        } catch {
            #expect("\(error)".contains("127.0.0.1:9/linepay"), "\(error)")
            #expect(!"\(error)".contains("canary"), "\(error)")
        }
    }

    @Test func aPasswordFileNeedsAPostgreSQLDatabase() {
        #expect(throws: ConfigurationError.self) { try parse("database = /tmp/x.sqlite\ndatabase_password_file = /etc/hostname") }
        #expect(throws: ConfigurationError.self) { try parse("database = postgresql://u@h/db\ndatabase_password_file = /nonexistent/pw") }
        #expect(throws: ConfigurationError.self) { try parse("database = postgresql://u@h/db\ndatabase_statement_timeout = 5") }
    }

    @Test func aSQLitePathStaysASQLiteStore() throws {
        let c = try parse("database = /var/lib/linepay/linepay.sqlite")
        guard case .sqlite(let path, _) = c.store else { Issue.record("\(c.store)"); return }
        #expect(path == "/var/lib/linepay/linepay.sqlite")
    }
}
