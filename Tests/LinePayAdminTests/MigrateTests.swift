import Foundation
import LinePay
import LinePayStore
import Testing
import TestSupport

/// `linepay migrate --from FILE --to postgresql://...`: a shop's SQLite database, seeded with 100,000 orders and
/// holding real flows (events, outbox, operations, refunds, sessions), copied whole, checked by the command and here.
/// Part of the serialized SeveralServersTests suite: these long tests run one at a time, leaving the other
/// suites the test threads.
extension SeveralServersTests {
    @Test func migrateASeededDatabaseOfOneHundredThousandOrdersArrivesWithIdenticalCountsAndSums() throws {
        let url = try PostgresServer.sharedDatabase("migrate")
        let directory = makeTemporaryDirectory("migrate")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/shop.sqlite3"
        do {
            // A few orders through the store's own transitions, so every table has rows (not only what seed writes).
            let store = try OrderStore(path: file)
            for i in 0..<3 {
                let id = "M\(i)"
                let order = NewOrder(orderId: id, currency: "TWD", amount: 360, shippingFee: 0, locale: "ja",
                                     items: [NewItem(name: "Cony", price: 120, quantity: 3)], contentDigest: "d\(i)")
                _ = try store.createSession(id: "s\(i)", csrfToken: "c", now: 1, lifetime: 86400 * 365 * 100)
                _ = try store.createOrResume(order, sessionId: "s\(i)", now: 1)
                _ = try store.beginReserve(orderId: id, now: 2)
                _ = try store.markReserved(orderId: id, transactionId: 9_000_000_000_000_000_000 + Int64(i), paymentUrl: "https://x", now: 3)
                _ = try store.beginConfirm(orderId: id, transactionId: 9_000_000_000_000_000_000 + Int64(i), now: 4)
                _ = try store.markConfirmed(orderId: id, captured: true, amount: 360, regKey: nil, now: 5)
            }
            _ = try store.markRefunded(orderId: "M0", amount: Decimal(string: "100.5")!, refundTransactionId: 77, now: 6)
            try store.createAdminSession(id: "a1", user: "admin", csrfToken: "c", now: 1, lifetime: 86400 * 365 * 100)
            _ = try store.claimLease("order:1", holder: "h", now: 1, seconds: 60)
            try store.connection.run("INSERT INTO counters (name, value) VALUES (?, 1)", [.text("password_hashes")])
        }
        let config = directory + "/linepay.conf"
        try """
            channel_id = 1234567890
            channel_secret = test-secret
            api_base_url = http://127.0.0.1:9
            database = \(file)
            public_base_url = http://127.0.0.1:9/linepay
            handoff_secret = \(ResponderHarness.handoffSecret)
            return_url = http://127.0.0.1:9/shop/return.php

            """.write(toFile: config, atomically: true, encoding: .utf8)
        let seeded = try runProcess(builtBinary("linepay"), ["--config", config, "seed", "--orders", "100000"], timeout: 120)
        #expect(seeded.status == 0, "\(seeded.stderr)")

        let migrated = try runProcess(builtBinary("linepay"), ["migrate", "--from", file, "--to", url], timeout: 240)
        #expect(migrated.status == 0, "\(migrated.stdout) \(migrated.stderr)")
        #expect(migrated.stdout.contains("every figure matches"), "\(migrated.stdout)")
        #expect(migrated.stdout.contains("orders rows") && migrated.stdout.contains("100003  100003  same"), "\(migrated.stdout)")

        // Checked again here, independently of the command's own comparison.
        let source = try OrderStore(path: file), target = try OrderStore(path: url)
        let figures = try StoreCopy.compare(source.connection, target.connection)
        #expect(figures.count > 20)
        for f in figures { #expect(f.matches, "\(f.name): \(f.source) vs \(f.target)") }
        #expect(figures.first { $0.name == "orders rows" }?.target == "100003")
        #expect(try target.order(orderId: "M0")?.refundedAmount == Decimal(string: "100.5")!)
        #expect(try target.events(orderId: "M0").map(\.kind) == (try source.events(orderId: "M0").map(\.kind)))
        #expect(try target.counter("password_hashes") == 1)
        // The copy is a working store: new rows get ids after the copied ones, and a second migrate is refused.
        let next = NewOrder(orderId: "AFTER", currency: "TWD", amount: 1, shippingFee: 0, locale: nil,
                            items: [NewItem(name: "x", price: 1, quantity: 1)], contentDigest: "d")
        guard case .created(let created) = try target.createOrResume(next, sessionId: "s0", now: 10) else {
            Issue.record("not created"); return
        }
        #expect(created.rowId == 100_004)
        let again = try runProcess(builtBinary("linepay"), ["migrate", "--from", file, "--to", url], timeout: 60)
        #expect(again.status != 0 && again.stderr.contains("already holds orders"), "\(again.stdout) \(again.stderr)")
    }
}
