import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// Issue 10, attacks 3 and 10: a flood of login POSTs from one address computes at most the throttle's number of
/// password hashes (counted by the store), parallel guesses cannot pass the limit, and shoppers are served meanwhile.
@Suite(.serialized, .timeLimit(.minutes(5))) struct LoginFloodTests {
    /// The login form's cookie and token, fetched once: a script reuses them for every POST.
    static func loginToken(_ h: ResponderHarness) throws -> (cookie: String, token: String) {
        let b = Browser()
        let form = try b.go("GET", h.baseURL + "/admin/login")
        return ("lp_admin_login=" + (try #require(b.cookies["lp_admin_login"])), try #require(formField("csrf", in: form.text)))
    }

    static func post(_ base: String, _ login: (cookie: String, token: String), user: String, password: String,
                     headers: [(String, String)] = []) throws -> HTTPResponse {
        let body = [("csrf", login.token), ("user", user), ("password", password)].map { "\(formEscape($0.0))=\(formEscape($0.1))" }.joined(separator: "&")
        return try httpRequest(method: "POST", url: base + "/admin/login",
                               headers: [("Cookie", login.cookie), ("Content-Type", "application/x-www-form-urlencoded")] + headers,
                               body: Array(body.utf8))
    }

    /// Runs `body(i)` for i in 0..<count on `threads` real threads at once; returns when all are done.
    static func parallel(threads: Int, count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        let next = Counter()
        for _ in 0..<threads {
            group.enter()
            Thread {
                while case let i = next.next(), i < count { body(i) }
                group.leave()
            }.start()
        }
        group.wait()
    }

    @Test func twoHundredRandomUserNamesFromOneAddressHashAtMostTheThrottle() throws {
        // The real cost: the default 600 000 iterations (about 0.35 s of CPU per hash).
        let hash = AdminPassword.hash(password: Admin.password)
        let h = try ResponderHarness(config: ["admin_auth = password", "admin_password_hash = \(hash)"])
        let shopper = Browser(Browser.iPhone)
        let orderId = Shop.newOrderId()
        let co = try shopper.go("POST", h.baseURL + "/checkout", form: Shop.handoff(orderId: orderId))
        #expect(co.status == 200)
        let login = try Self.loginToken(h)
        let hURL = h.baseURL

        let statuses = Locked<[Int]>([])
        let flood = Thread {
            Self.parallel(threads: 8, count: 200) { _ in
                let user = "u" + UUID().uuidString.prefix(8)
                let status = (try? Self.post(hURL, login, user: String(user), password: "guess"))?.status ?? 0
                statuses.withLock { $0.append(status) }
            }
        }
        flood.start()
        // The shopper polls /status while the flood runs.
        var slowest = 0.0
        var polls = 0
        while statuses.withLock({ $0.count }) < 200 {
            let started = Date()
            let r = try shopper.go("GET", h.baseURL + "/status?orderId=\(orderId)")
            slowest = max(slowest, Date().timeIntervalSince(started))
            polls += 1
            #expect(r.status == 200 && r.text.contains(#""status":"new""#), "\(r.status)")
        }
        let all = statuses.withLock { $0 }
        let hashes = try OrderStore(path: h.database).counter(OrderStore.passwordHashCounter)
        print("login flood: 200 POSTs -> \(all.filter { $0 == 401 }.count) x 401, \(all.filter { $0 == 429 }.count) x 429; "
              + "\(hashes) password hashes; shopper: \(polls) /status polls, slowest \(String(format: "%.3f", slowest)) s")
        #expect(all.count == 200 && all.allSatisfy { $0 == 401 || $0 == 429 })
        #expect(hashes <= 10 && hashes >= 1, "hashes: \(hashes)")
        #expect(all.filter { $0 == 401 }.count == Int(hashes))
        #expect(polls >= 1 && slowest < 2.0, "a shopper's /status took \(slowest) s")
        // Guesses one at a time (never busy) use up the rest of the address's budget: exactly 10 hashes in the window.
        while try Self.post(hURL, login, user: "u" + UUID().uuidString.prefix(8), password: "guess").status == 401 {}
        #expect(try OrderStore(path: h.database).counter(OrderStore.passwordHashCounter) == 10)
        // Now the right password too is refused, without a hash.
        #expect(try Self.post(hURL, login, user: Admin.user, password: Admin.password).status == 429)
        #expect(try OrderStore(path: h.database).counter(OrderStore.passwordHashCounter) == 10)
    }

    /// Attack 10: sixteen simultaneous guesses never record more attempts than the limit, and no later guess in the
    /// window gets through, right password or not.
    @Test func parallelGuessesCannotPassTheLimit() throws {
        let h = try Admin.harness()
        let login = try Self.loginToken(h)
        let hURL = h.baseURL
        for _ in 0..<3 {   // rounds of 16 at once, until every slot of the window is used
            Self.parallel(threads: 16, count: 16) { i in _ = try? Self.post(hURL, login, user: Admin.user, password: "wrong \(i)") }
        }
        let store = try OrderStore(path: h.database)
        #expect(try store.counter(OrderStore.passwordHashCounter) <= 10)
        let rows = try store.connection.queryOne("SELECT count(*) AS n FROM admin_login_failures")?.int("n") ?? 0
        #expect(rows <= 20, "two keys (address, user) per allowed attempt: \(rows)")
        var sequential = 0
        while try Self.post(hURL, login, user: Admin.user, password: "wrong again").status == 401 { sequential += 1 }
        #expect(try store.counter(OrderStore.passwordHashCounter) == 10, "exactly the limit in the window")
        #expect(try Self.post(hURL, login, user: Admin.user, password: Admin.password).status == 429)
    }

    /// The per-user lock is apart from the per-address throttle. Behind a proxy (real_ip_header, believed from loopback)
    /// one noisy address locks out only itself; guesses for one user from many addresses stop at the user's limit.
    @Test func theUserLockIsSeparateFromTheAddressThrottleBehindAProxy() throws {
        let h = try Admin.harness(["real_ip_header = X-Real-IP"])
        let login = try Self.loginToken(h)
        let hURL = h.baseURL
        // One noisy address uses up its own budget...
        for i in 0..<10 { #expect(try Self.post(hURL, login, user: "guess\(i)", password: "x", headers: [("X-Real-IP", "203.0.113.9")]).status == 401) }
        #expect(try Self.post(hURL, login, user: "guess", password: "x", headers: [("X-Real-IP", "203.0.113.9")]).status == 429)
        // ...but the admin at another address still logs in: five failures behind a proxy do not lock out everyone.
        #expect(try Self.post(hURL, login, user: Admin.user, password: Admin.password, headers: [("X-Real-IP", "198.51.100.7")]).status == 303)
        // Twenty failures for one user from twenty addresses lock that user, from any address.
        for i in 0..<20 {
            #expect(try Self.post(hURL, login, user: Admin.user, password: "x", headers: [("X-Real-IP", "192.0.2.\(i + 1)")]).status == 401)
        }
        let locked = try Self.post(hURL, login, user: Admin.user, password: Admin.password, headers: [("X-Real-IP", "192.0.2.200")])
        #expect(locked.status == 429 && locked.text.contains("for this user"))
        // Without real_ip_header the header is ignored: every request is the proxy's 127.0.0.1.
        let plain = try Admin.harness()
        let plainLogin = try Self.loginToken(plain)
        let plainURL = plain.baseURL
        for i in 0..<10 { _ = try Self.post(plainURL, plainLogin, user: "g\(i)", password: "x", headers: [("X-Real-IP", "192.0.2.\(i)")]) }
        #expect(try Self.post(plainURL, plainLogin, user: "g", password: "x", headers: [("X-Real-IP", "192.0.2.99")]).status == 429)
    }
}

/// A shared counter for the flood threads.
final class Counter: @unchecked Sendable {   // value guarded by lock
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value - 1 }
}
