import Foundation
import LinePay

/// An in-memory LINE Pay (Online API v3, and v4 under `/v4/`) to hand to `LinePayClient(configuration:transport:)`
/// in tests: it checks each request's headers and signature as LINE Pay does, keeps transactions, plays the
/// shopper through methods, runs on a clock the test moves, and breaks calls as scripted with `enqueueFault`.
/// Thread-safe: one lock guards all of it, so concurrent callers see one consistent LINE Pay.
public final class ScriptedLinePay: LinePayTransport, @unchecked Sendable {
    /// The channel LINE Pay knows (X-LINE-ChannelId).
    public let channelId: String
    /// The secret requests must be signed with. Never part of an answer.
    let channelSecret: String
    /// The merchant name payment details reports.
    public let merchantName: String

    /// How long a request waits for the shopper and for Confirm: 20 minutes (then check payment status says 0121).
    public static let requestLifetime: TimeInterval = 20 * 60

    let lock = NSLock()
    var clock: Date
    var lifetime: TimeInterval = 30 * 86400
    var capturedStatus: String? = nil
    var transactions: [TransactionID: StoredTransaction] = [:]
    /// Refund transaction id -> the payment it refunds.
    var refundOwners: [TransactionID: TransactionID] = [:]
    var regKeys: [RegKey: (payment: TransactionID, expired: Bool)] = [:]
    var usedNonces: Set<String> = []
    var faults: [LinePayOperation: [Fault]] = [:]
    var log: [RecordedCall] = []
    var lastId: Int64

    /// A LINE Pay that knows one channel. `now` starts its clock; ids start from a 19-digit value of that day.
    public init(channelId: String = "1234567890", channelSecret: String = "scripted-channel-secret",
                merchantName: String = "Scripted Shop", now: Date = Date()) {
        self.channelId = channelId
        self.channelSecret = channelSecret
        self.merchantName = merchantName
        self.clock = now
        let day = now.formatted(.iso8601.year().month().day().dateSeparator(.omitted))
        lastId = (Int64(day) ?? 20261201) * 100_000_000_000
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    // MARK: clock and settings

    /// The scripted clock: request expiry (20 minutes) and authorization expiry follow it, not the wall clock.
    public var now: Date {
        get { locked { clock } }
        set { locked { clock = newValue; sweep() } }
    }

    /// Moves the clock forward.
    public func advance(seconds: TimeInterval) { locked { clock += seconds; sweep() } }

    /// How long an authorization (capture=false) lasts after Confirm: 30 days unless a test says otherwise.
    public var authorizationLifetime: TimeInterval {
        get { locked { lifetime } }
        set { locked { lifetime = newValue } }
    }

    /// The payStatus payment details gives a captured payment: nil (left out, as the reference lists no value
    /// for it) unless a test wants to see how the shop copes with another (e.g. "CAPTURE").
    public var capturedPayStatus: String? {
        get { locked { capturedStatus } }
        set { locked { capturedStatus = newValue } }
    }

    // MARK: faults and the call log

    /// Scripts `fault` for the next call of `operation` that has no earlier fault waiting (first in, first out).
    public func enqueueFault(_ fault: Fault, for operation: LinePayOperation) {
        locked { faults[operation, default: []].append(fault) }
    }

    /// Faults not yet consumed, per operation.
    public var pendingFaults: [LinePayOperation: [Fault]] { locked { faults.filter { !$0.value.isEmpty } } }

    /// Every call so far, oldest first.
    public var calls: [RecordedCall] { locked { log } }

    /// How many calls of `operation` (for `transactionId`, `orderId` or `regKey` when given) match `filter`.
    public func count(of operation: LinePayOperation, transactionId: TransactionID? = nil, orderId: String? = nil,
                      regKey: RegKey? = nil, _ filter: CallFilter = .all) -> Int {
        calls.filter { c in
            c.operation == operation && (transactionId == nil || c.transactionId == transactionId)
                && (orderId == nil || c.orderId == orderId) && (regKey == nil || c.regKey == regKey)
                && { switch filter { case .all: true; case .processed: c.processed; case .succeeded: c.succeeded } }()
        }.count
    }

    // MARK: what LINE Pay holds

    /// The payment (or the payment a refund id belongs to), as it stands now.
    public func transaction(_ id: TransactionID) -> ScriptedTransaction? {
        locked { sweep(); return transactions[refundOwners[id] ?? id]?.snapshot }
    }

    /// Every payment of `orderId` (a request, or a pay preapproved charge), oldest first.
    public func transactions(orderId: String) -> [ScriptedTransaction] {
        locked { sweep(); return transactions.values.filter { $0.orderId == orderId }.sorted { $0.id < $1.id }.map(\.snapshot) }
    }

    /// Whether `regKey` was issued and is still usable: nil if never issued.
    public func regKeyIsActive(_ regKey: RegKey) -> Bool? { locked { regKeys[regKey].map { !$0.expired } } }

    // MARK: the shopper

    /// The shopper approves at LINE Pay. Returns the confirmUrl LINE Pay sends them (or calls, for SERVER) with
    /// `transactionId` and `orderId` appended; nil if the payment is not waiting for the shopper.
    @discardableResult
    public func approve(transactionId: TransactionID) -> String? {
        shopper(transactionId, to: .approved) { $0.confirmUrl }
    }

    /// The shopper cancels at LINE Pay. Returns the cancelUrl with the ids appended; nil if not waiting.
    @discardableResult
    public func cancelByShopper(transactionId: TransactionID) -> String? {
        shopper(transactionId, to: .cancelledByShopper) { $0.cancelUrl }
    }

    /// The payment fails at LINE Pay while waiting for the shopper (check payment status 0122). False if not waiting.
    @discardableResult
    public func failPayment(transactionId: TransactionID) -> Bool {
        shopper(transactionId, to: .failed) { _ in "" } != nil
    }

    private func shopper(_ id: TransactionID, to status: ScriptedTransaction.Status,
                         url: (StoredTransaction) -> String) -> String? {
        locked {
            sweep()
            guard var tx = transactions[id], tx.status == .awaitingShopper else { return nil }
            tx.status = status
            transactions[id] = tx
            return Self.appendIds(url(tx), tx)
        }
    }

    /// The reference: transactionId and orderId go into the query; orderId only when the URL lacks it.
    static func appendIds(_ url: String, _ tx: StoredTransaction) -> String {
        let query = url.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        let hasOrderId = query.split(separator: "&").contains { $0.hasPrefix("orderId=") }
        var out = url + (url.contains("?") ? "&" : "?") + "transactionId=\(tx.id)"
        if !hasOrderId { out += "&orderId=\(percentEncode(tx.orderId))" }
        return out
    }

    /// Applies the clock: requests past 20 minutes expire; authorizations past their date expire.
    func sweep() {
        for (id, tx) in transactions {
            if tx.status == .awaitingShopper || tx.status == .approved, clock >= tx.createdAt + Self.requestLifetime {
                transactions[id]?.status = .expired
            } else if tx.status == .authorized, let end = tx.authorizationExpiresAt, clock >= end {
                transactions[id]?.status = .authorizationExpired
            }
        }
    }

    func nextId() -> TransactionID {
        lastId += 1
        return TransactionID(lastId)
    }
}
