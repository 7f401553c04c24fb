import Foundation

/// A bulkhead around another transport: at most `slots` LINE Pay calls at once in this process.
///
/// A LINE Pay on a bad day answers Confirm in up to 40 s and Capture in up to 60 s (the reference's read timeouts).
/// Without a limit every FastCGI thread can end up waiting on LINE Pay, and pages that never call it (a shopper's
/// /status, the receipt, the admin pages) queue behind them. A call over the limit waits at most `wait` for a slot,
/// then returns `.notSent` without touching the network: nothing left this process, so it is safe to try again, and
/// the payment core treats it exactly as "LINE Pay could not be reached" (a Confirm stays to be settled by lookup).
/// Once a call has waited all of `wait` in vain, the slots are held by slow calls: until one comes free, later calls
/// are refused at once, so a stalled LINE Pay does not make every refused call hold its thread for `wait` too.
public final class LimitedTransport: LinePayTransport, @unchecked Sendable {   // @unchecked: state only under `condition`
    /// The transport that really sends (libcurl in production).
    public let inner: any LinePayTransport
    /// How many calls may be in flight at once.
    public let slots: Int
    /// How long a call over the limit waits for a slot before it is refused.
    public let wait: Duration
    private let condition = NSCondition()
    private var inUse = 0
    /// A call waited all of `wait` and no slot came free since.
    private var saturated = false
    private var refusedWithoutWaiting = 0

    /// A limit of `slots` (at least 1) concurrent calls through `inner`.
    public init(_ inner: any LinePayTransport, slots: Int, wait: Duration = .zero) {
        self.inner = inner
        self.slots = max(1, slots)
        self.wait = wait
    }

    /// Calls in flight now (for tests and diagnostics).
    public var callsInFlight: Int {
        condition.lock()
        defer { condition.unlock() }
        return inUse
    }

    /// Calls refused at once because another had just waited in vain (for tests and diagnostics).
    public var refusedAtOnce: Int {
        condition.lock()
        defer { condition.unlock() }
        return refusedWithoutWaiting
    }

    public func perform(_ request: TransportRequest) -> TransportResult {
        guard acquire() else {
            return .notSent("busy: all \(slots) LINE Pay call slots of this process are in use (linepay_call_slots); try again")
        }
        defer { release() }
        return inner.perform(request)
    }

    private func acquire() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if inUse < slots { inUse += 1; return true }
        if saturated { refusedWithoutWaiting += 1; return false }
        let (s, atto) = wait.components
        let deadline = Date(timeIntervalSinceNow: Double(s) + Double(atto) / 1e18)
        while inUse >= slots {
            // NSCondition may wake spuriously: loop until a slot is free or the deadline has passed.
            if !condition.wait(until: deadline) && inUse >= slots { saturated = true; return false }
        }
        inUse += 1
        return true
    }

    private func release() {
        condition.lock()
        inUse -= 1
        saturated = false
        condition.signal()
        condition.unlock()
    }
}
