import Foundation
import LinePay
import LinePayStore
import TestSupport

/// The two databases the store runs on; every store test that is not about one of them runs on both.
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgresql
    var description: String { rawValue }
}

/// One empty database for one test: a file in a private directory (removed when the fixture goes away), or a new
/// database on the shared test PostgreSQL server (TestSupport's PostgresServer). `path` is what `database =` holds.
final class TestDatabase {
    let backend: Backend
    let directory = makeTemporaryDirectory("store")
    let path: String

    init(_ backend: Backend = .sqlite) throws {
        self.backend = backend
        switch backend {
        case .sqlite: path = directory + "/orders.sqlite"
        case .postgresql: path = try PostgresServer.sharedDatabase("store")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// A new OrderStore (a new connection) on the file.
    func open() throws -> OrderStore { try OrderStore(path: path) }
}

/// An exact amount from its text (never a Double literal: `Decimal(150.50)` goes through binary floating point).
func dec(_ text: String) -> Decimal { Money.parse(text)! }

/// A two-line USD checkout of 150.50 with 10.00 shipping.
func sampleOrder(_ orderId: String = "A1001", digest: String = "digest-1", amount: String = "150.50",
                 shipping: String = "10.00") -> NewOrder {
    NewOrder(orderId: orderId, currency: "USD", amount: dec(amount), shippingFee: dec(shipping), locale: "ja",
             items: [NewItem(itemId: "sku-1", name: "Green tea 緑茶", price: dec("70.25"), quantity: 2,
                             imageUrl: "https://shop.example/tea.png"),
                     NewItem(name: "Gift wrap", price: dec("0.00"), quantity: 1)],
             contentDigest: digest)
}

/// Rows in a table, read through the raw connection.
func count(_ table: String, in store: OrderStore, where condition: String = "1 = 1") throws -> Int64 {
    try store.connection.queryOne("SELECT count(*) AS n FROM \(table) WHERE \(condition)")?.int("n") ?? -1
}

/// Every row count the store writes, to show that a refused call wrote nothing.
func snapshot(_ store: OrderStore) throws -> [Int64] {
    try ["orders", "items", "events", "outbox", "refunds", "sessions"].map { try count($0, in: store) }
}

/// Drives an order to `confirming` with transaction `tx`; returns the order as created.
@discardableResult
func reserveAndConfirm(_ store: OrderStore, _ new: NewOrder = sampleOrder(), tx: Int64, at now: Int64 = 1_000) throws -> Order {
    guard case .created(let order) = try store.createOrResume(new, sessionId: "s1", now: now) else {
        throw TestFailure("not created")
    }
    guard try store.beginReserve(orderId: new.orderId, now: now) != nil,
          try store.markReserved(orderId: new.orderId, transactionId: tx, paymentUrl: "https://pay.example/\(tx)", now: now) != nil,
          try store.beginConfirm(orderId: new.orderId, transactionId: tx, now: now) != nil
    else { throw TestFailure("setup transition refused") }
    return order
}

/// Drives an order to `paid` for `amount`.
func pay(_ store: OrderStore, _ new: NewOrder = sampleOrder(), tx: Int64, at now: Int64 = 1_000) throws {
    try reserveAndConfirm(store, new, tx: tx, at: now)
    guard try store.markConfirmed(orderId: new.orderId, captured: true, amount: new.amount, regKey: nil, now: now) != nil else {
        throw TestFailure("markConfirmed refused")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` on `threads` threads, each with its own OrderStore on `path`, released together after all have
/// opened their connection; returns each thread's result.
func race<T: Sendable>(threads: Int, path: String,
                       _ body: @escaping @Sendable (OrderStore) throws -> T) -> [Result<T, any Error>] {
    let ready = DispatchGroup()
    let done = DispatchGroup()
    let go = DispatchSemaphore(value: 0)
    let results = Locked([Result<T, any Error>]())
    for _ in 0..<threads {
        ready.enter()
        done.enter()
        Thread {
            defer { done.leave() }
            let store: OrderStore
            do {
                store = try OrderStore(path: path)
            } catch {
                results.withLock { $0.append(.failure(error)) }
                ready.leave()
                return
            }
            ready.leave()
            go.wait()
            let result = Result { try body(store) }
            results.withLock { $0.append(result) }
        }.start()
    }
    _ = ready.wait(timeout: .now() + 60)
    for _ in 0..<threads { go.signal() }
    _ = done.wait(timeout: .now() + 60)
    return results.current
}
