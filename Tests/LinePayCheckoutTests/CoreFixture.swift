import Foundation
import LinePay
import LinePayCheckout
import LinePayStore
import LinePayTesting
import TestSupport

/// The payment core in-process: a real SQLite store, the real client, a scripted LINE Pay, one clock for both.
final class CoreFixture: @unchecked Sendable {   // one test's thread only
    let pay: ScriptedLinePay
    let store: OrderStore
    let core: PaymentCore
    private let clockBox: ClockBox

    final class ClockBox: @unchecked Sendable {
        let lock = NSLock()
        var value: Int64
        init(_ v: Int64) { value = v }
        var now: Int64 { lock.lock(); defer { lock.unlock() }; return value }
    }

    static let start: Int64 = 1_796_083_200   // 2026-12-01T00:00:00Z

    init(capture: Bool = true, payType: PayType = .NORMAL, confirmURLType: ConfirmUrlType = .CLIENT) throws {
        pay = ScriptedLinePay(now: Date(timeIntervalSince1970: TimeInterval(Self.start)))
        store = try OrderStore(path: makeTemporaryDirectory("core") + "/orders.sqlite3")
        let config = LinePayConfiguration(channelId: pay.channelId, channelSecret: "scripted-channel-secret",
                                          environment: .custom("https://api-pay.example"),
                                          retry: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(1)))
        let box = ClockBox(Self.start)
        clockBox = box
        core = PaymentCore(settings: CheckoutSettings(publicBaseURL: "https://shop.example/linepay", capture: capture, payType: payType,
                                                      confirmURLType: confirmURLType, linePay: config, reconcileMinAge: 60),
                           client: LinePayClient(configuration: config, transport: pay), store: store, clock: { box.now })
    }

    var now: Int64 { clockBox.now }

    /// Moves our clock and LINE Pay's together.
    func advance(_ seconds: Int64) {
        clockBox.lock.lock(); clockBox.value += seconds; clockBox.lock.unlock()
        pay.advance(seconds: TimeInterval(seconds))
    }

    /// A stored checkout of one item, in TWD.
    @discardableResult
    func newOrder(_ orderId: String, amount: Decimal = 100) throws -> Order {
        let new = NewOrder(orderId: orderId, currency: "TWD", amount: amount, items: [Item(name: "Tea", price: amount, quantity: 1)],
                           contentDigest: "digest-\(orderId)")
        guard case .created(let order) = try store.createOrResume(new, sessionId: "session-\(orderId)", now: now) else {
            throw Failure("\(orderId) not created")
        }
        return order
    }

    /// Reserved at LINE Pay and approved by the shopper; returns the transaction.
    func approved(_ orderId: String, amount: Decimal = 100) throws -> TransactionID {
        try newOrder(orderId, amount: amount)
        guard case .reserved(let o)? = try core.reserve(orderId: orderId, now: now), let tx = o.transactionId else { throw Failure("not reserved") }
        guard pay.approve(transactionId: TransactionID(tx)) != nil else { throw Failure("approve refused") }
        return TransactionID(tx)
    }

    /// Approved and confirmed through confirmUrl.
    func confirmed(_ orderId: String, amount: Decimal = 100) throws -> Order {
        let tx = try approved(orderId, amount: amount)
        guard case .done(let o) = try core.confirmReturned(linePayOrderId: orderId, transactionId: tx.rawValue, now: now) else {
            throw Failure("confirm not done")
        }
        return o
    }

    /// Runs the reconciler `rounds` times, `step` seconds apart (past every in-flight limit and grace).
    func reconcile(rounds: Int = 4, step: Int64 = 120) throws {
        for _ in 0..<rounds {
            advance(step)
            _ = try Reconciler(core: core).run(now: now)
        }
    }

    func order(_ orderId: String) throws -> Order {
        guard let o = try store.order(orderId: orderId) else { throw Failure("no order \(orderId)") }
        return o
    }

    /// The outbox rows (notifications to the shop) of an order, oldest first, as their statuses.
    func notified(_ orderId: String) throws -> [String] {
        try store.connection.query("SELECT status FROM outbox WHERE order_id = ? ORDER BY id", [.text(orderId)]).compactMap { $0.text("status") }
    }

    /// The order's event kinds, oldest first.
    func events(_ orderId: String) throws -> [String] { try store.events(orderId: orderId).map(\.kind) }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
