import Foundation
import LinePay
import LinePayStore
import Testing
import TestSupport

/// Issue 13: two "web servers" (two nginx, two linepay-fcgi, each with its own reconciler and notifier) sharing one
/// PostgreSQL, as behind a load balancer. The shopper's requests go to either; every guarantee holds across them.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SeveralServersTests {
    static let fastReconciler = ["reconcile_interval = 1", "reconcile_min_age = 0", "connect_timeout = 1"]

    /// One PostgreSQL, one LINE Pay sandbox, one shop notification endpoint, two servers.
    final class Shop2: @unchecked Sendable {   // read-only after init; the harnesses lock what they record
        /// Its own server only for the test that stops it; the others take a database on the run's shared one.
        let pg: PostgresServer?
        let url: String
        let sandbox: SandboxHarness
        let notifications = ScriptedServer { _ in .respond(status: 200, body: "") }
        let servers: [ResponderHarness]

        init(config: [String] = SeveralServersTests.fastReconciler, ownServer: Bool = false) throws {
            pg = ownServer ? try PostgresServer() : nil
            let url = try pg?.createDatabase("shop") ?? PostgresServer.sharedDatabase("shop")
            let sandbox = try SandboxHarness(extraArguments: ["--no-fault-by-amount"])
            let notifications = self.notifications
            servers = try (0..<2).map { _ in
                try ResponderHarness(config: config, sandbox: sandbox, database: url, notifications: notifications)
            }
            (self.url, self.sandbox) = (url, sandbox)
        }

        /// A URL of server `i`: the same path and query on its origin (what a load balancer choosing `i` would do).
        func on(_ i: Int, _ url: String) -> String {
            guard var c = URLComponents(string: url), let o = URLComponents(string: servers[i].origin) else { return url }
            c.port = o.port
            return c.string ?? url
        }

        func order(_ orderId: String) throws -> Order? { try OrderStore(path: url).order(orderId: orderId) }

        /// How many notifications saying `status` the shop received for `orderId`.
        func notified(_ orderId: String, _ status: String) -> Int {
            notifications.received.filter {
                let body = String(decoding: $0.body, as: UTF8.self)
                return body.contains("status=\(status)") && body.contains(orderId)
            }.count
        }

        /// Checkout on server `checkoutOn`, Pay on the other; returns the transaction id (not yet approved).
        func reserve(_ shopper: Browser, orderId: String, checkoutOn: Int = 0) throws -> Int64 {
            let co = try shopper.go("POST", servers[checkoutOn].baseURL + "/checkout", form: Shop.handoff(orderId: orderId))
            #expect(co.status == 200, "checkout \(co.status)")
            let csrf = try #require(formField("csrf", in: co.text))
            let pay = try shopper.go("POST", servers[1 - checkoutOn].baseURL + "/pay", form: [("orderId", orderId), ("csrf", csrf)])
            #expect(pay.status == 302, "pay on the other server: \(pay.status) \(pay.text.prefix(300))")
            return try #require(try order(orderId)?.transactionId)
        }
    }

    @Test func aShopperAlternatingBetweenTheServersPaysOnceAndTheShopHearsOnce() throws {
        let shop = try Shop2()
        let shopper = Browser(Browser.iPhone)
        let orderId = Shop.newOrderId()
        let tx = try shop.reserve(shopper, orderId: orderId, checkoutOn: 0)
        let confirmURL = try #require(try shop.sandbox.approve(tx)["confirmUrl"] as? String)
        // LINE Pay sends the shopper back to the server that made the Request (1); the balancer picks 0.
        let confirmed = try shopper.go("GET", shop.on(0, confirmURL))
        #expect(confirmed.status == 200 || confirmed.status == 303, "confirm on server 0: \(confirmed.status)")
        let status = try shopper.go("GET", shop.servers[1].baseURL + "/status?orderId=\(orderId)")
        #expect(status.status == 200 && status.text.contains("\"status\":\"paid\""), "status on server 1: \(status.text.prefix(200))")
        #expect(try shop.order(orderId)?.state == .paid)
        #expect(try shop.sandbox.calls(operation: "confirm").count == 1)
        #expect(waitUntil(timeout: 20) { shop.notified(orderId, "paid") >= 1 })
        #expect(waitUntil(timeout: 20) { (try? OrderStore(path: shop.url).undeliveredNotifications()) == 0 })
        #expect(shop.notified(orderId, "paid") == 1, "both notifiers run; the outbox row went out once")
    }

    @Test func fiftyConcurrentConfirmUrlHitsSplitAcrossBothServersMakeOneConfirm() throws {
        let shop = try Shop2()
        let orderId = Shop.newOrderId()
        let tx = try shop.reserve(Browser(Browser.iPhone), orderId: orderId)
        let confirmURL = try #require(try shop.sandbox.approve(tx)["confirmUrl"] as? String)
        let statuses = Locked([Int]())
        let group = DispatchGroup()
        for i in 0..<50 {
            group.enter()
            Thread {
                defer { group.leave() }
                let r = try? httpRequest(url: shop.on(i % 2, confirmURL), headers: [("User-Agent", Browser.iPhone)], timeout: 60)
                statuses.withLock { $0.append(r?.status ?? -1) }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        #expect(!statuses.current.contains(-1), "every hit was answered: \(statuses.current)")
        #expect(!statuses.current.contains(500))
        #expect(waitUntil(timeout: 30) { (try? shop.order(orderId)?.state) == .paid })
        #expect(try shop.sandbox.calls(operation: "confirm").count == 1)
        let store = try OrderStore(path: shop.url)
        #expect(try store.events(orderId: orderId).filter { $0.kind == "state.paid" }.count == 1)
        #expect(waitUntil(timeout: 20) { (try? store.undeliveredNotifications()) == 0 })
        #expect(shop.notified(orderId, "paid") == 1)
    }

    @Test func bothReconcilersRunAndSettleEachOrderOnce() throws {
        // No browser comes back (confirm_url_type = NONE): only the reconcilers, racing on every order, settle them.
        let shop = try Shop2(config: Self.fastReconciler + ["confirm_url_type = NONE"])
        var orders: [String] = []
        for i in 0..<6 {
            let orderId = Shop.newOrderId()
            _ = try shop.sandbox.approve(try shop.reserve(Browser(Browser.iPhone), orderId: orderId, checkoutOn: i % 2))
            orders.append(orderId)
        }
        #expect(waitUntil(timeout: 60) { orders.allSatisfy { (try? shop.order($0)?.state) == .paid } },
                "\(orders.map { String(describing: try? shop.order($0)?.state) })")
        #expect(shop.servers.allSatisfy { $0.process.isRunning })
        #expect(waitUntil(timeout: 30) { ((try? shop.sandbox.calls(operation: "confirm").count) ?? 0) >= orders.count })
        #expect(try shop.sandbox.calls(operation: "confirm").count == orders.count, "one Confirm per order")
        let store = try OrderStore(path: shop.url)
        for orderId in orders {
            #expect(try store.events(orderId: orderId).filter { $0.kind == "state.paid" }.count == 1)
        }
        #expect(waitUntil(timeout: 30) { (try? store.undeliveredNotifications()) == 0 })
        for orderId in orders { #expect(shop.notified(orderId, "paid") == 1) }
    }

    @Test func aServerKilledInTheMiddleOfAConfirmIsSettledByTheOther() throws {
        let shop = try Shop2()
        let orderId = Shop.newOrderId()
        let tx = try shop.reserve(Browser(Browser.iPhone), orderId: orderId)
        let confirmURL = try #require(try shop.sandbox.approve(tx)["confirmUrl"] as? String)
        // LINE Pay processes the Confirm, then holds the answer: server 0 dies before it can store it.
        try shop.sandbox.fault("confirm", "delay", "8000")
        let shopper = Thread { _ = try? httpRequest(url: shop.on(0, confirmURL), headers: [("User-Agent", Browser.iPhone)], timeout: 30) }
        shopper.start()
        #expect(waitUntil(timeout: 20) { CrashAndReconcileTests.linePay(shop.servers[0], tx)["status"] as? String == "captured" })
        #expect(try shop.order(orderId)?.state == .confirming, "the answer is still held back")
        shop.servers[0].killResponder()
        #expect(waitUntil(timeout: 60) { (try? shop.order(orderId)?.state) == .paid }, "still \(String(describing: try? shop.order(orderId)?.state))")
        #expect(waitUntil(timeout: 30) { ((try? shop.sandbox.calls(operation: "confirm").count) ?? 0) >= 1 })
        #expect(try shop.sandbox.calls(operation: "confirm").count == 1)
        #expect(waitUntil(timeout: 20) { shop.notified(orderId, "paid") == 1 })
    }

    @Test func postgreSQLStoppedDuringTrafficAnswers503AndWhatWasInFlightSettlesAfter() throws {
        let shop = try Shop2(ownServer: true)
        let pg = try #require(shop.pg)
        let orderId = Shop.newOrderId()
        let tx = try shop.reserve(Browser(Browser.iPhone), orderId: orderId)
        let confirmURL = try #require(try shop.sandbox.approve(tx)["confirmUrl"] as? String)
        // A Confirm LINE Pay processes while the database goes away under it: its answer cannot be stored.
        try shop.sandbox.fault("confirm", "delay", "3000")
        let confirmStatus = Locked(0)
        let shopper = Thread {
            let r = try? httpRequest(url: shop.on(0, confirmURL), headers: [("User-Agent", Browser.iPhone)], timeout: 30)
            confirmStatus.withLock { $0 = r?.status ?? -1 }
        }
        shopper.start()
        #expect(waitUntil(timeout: 20) { CrashAndReconcileTests.linePay(shop.servers[0], tx)["status"] as? String == "captured" })
        try pg.stop()

        #expect(waitUntil(timeout: 30) { confirmStatus.current != 0 })
        #expect(confirmStatus.current == 503, "the confirm whose answer could not be stored: \(confirmStatus.current)")
        // New traffic on both servers while the database is down: a clear 503 page, never a half-written order.
        let lateOrder = Shop.newOrderId()
        for i in 0..<2 {
            let r = try Browser().go("POST", shop.servers[i].baseURL + "/checkout", form: Shop.handoff(orderId: lateOrder))
            #expect(r.status == 503, "server \(i) without its database: \(r.status)")
            #expect(r.text.contains("try again"), "\(r.text.prefix(300))")
        }
        for i in 0..<2 { #expect(!shop.servers[i].process.output.contains("password")) }

        try pg.start()
        // The reconcilers settle the interrupted Confirm from LINE Pay's records, without a second Confirm.
        #expect(waitUntil(timeout: 60) { (try? shop.order(orderId)?.state) == .paid }, "still \(String(describing: try? shop.order(orderId)?.state))")
        #expect(try shop.sandbox.calls(operation: "confirm").count == 1)
        #expect(try shop.order(lateOrder) == nil, "the checkout refused with 503 left nothing behind")
        #expect(try count(in: shop.url, "SELECT count(*) AS n FROM items WHERE order_row NOT IN (SELECT id FROM orders)") == 0)
        // Once each server has reconnected (its backoff has passed), new flows complete on either.
        let next = Shop.newOrderId()
        let shopper2 = Browser(Browser.iPhone)
        var csrf: String? = nil
        #expect(waitUntil(timeout: 30) {
            guard let co = try? shopper2.go("POST", shop.servers[1].baseURL + "/checkout", form: Shop.handoff(orderId: next)),
                  co.status == 200 else { return false }
            csrf = formField("csrf", in: co.text)
            return true
        })
        let token = try #require(csrf)
        #expect(waitUntil(timeout: 30) {
            (try? shopper2.go("POST", shop.servers[0].baseURL + "/pay", form: [("orderId", next), ("csrf", token)]).status) == 302
        })
        let tx2 = try #require(try shop.order(next)?.transactionId)
        let confirm2 = try #require(try shop.sandbox.approve(tx2)["confirmUrl"] as? String)
        let r = try shopper2.go("GET", shop.on(1, confirm2))
        #expect(r.status == 200 || r.status == 303)
        #expect(try shop.order(next)?.state == .paid)
    }

    private func count(in url: String, _ sql: String) throws -> Int64 {
        try OrderStore(path: url).connection.queryOne(sql)?.int("n") ?? -1
    }
}
