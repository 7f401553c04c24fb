import Foundation
import LinePay
import LinePayStore

/// The payment core of one thread: the state machine (PaymentCore+StateMachine.swift), after-sale operations and the
/// reconciler, over one store and one LINE Pay client. Whoever changes an order's state through it wakes the notifier.
public struct PaymentCore {
    public let settings: CheckoutSettings
    public let client: LinePayClient
    public let store: OrderStore
    /// Who acts, for the event log: "system", "reconcile", "admin:NAME", "cli:NAME".
    public let actor: String
    /// Called after a change the shop must hear of may have been queued (wakes the notifier thread).
    let wake: @Sendable () -> Void
    /// The clock, in Unix seconds (tests move it).
    let clock: @Sendable () -> Int64

    public init(settings: CheckoutSettings, client: LinePayClient, store: OrderStore, actor: String = "system",
                wake: @escaping @Sendable () -> Void = {}, clock: @escaping @Sendable () -> Int64 = unixNow) {
        self.settings = settings; self.client = client; self.store = store; self.actor = actor; self.wake = wake; self.clock = clock
    }

    /// The same core acting for someone else.
    public func acting(as actor: String) -> PaymentCore {
        PaymentCore(settings: settings, client: client, store: store, actor: actor, wake: wake, clock: clock)
    }

    var now: Int64 { clock() }
}

/// The wall clock in Unix seconds (what `PaymentCore` uses unless a test hands it another clock).
public func unixNow() -> Int64 { Int64(Date().timeIntervalSince1970) }

/// Runs one LINE Pay call and keeps its typed outcome apart from store errors thrown around it.
func attempt<T>(_ body: () throws(LinePayError) -> T) -> Result<T, LinePayError> {
    do { return .success(try body()) } catch { return .failure(error) }
}

/// LINE Pay's dates ("2026-12-31T09:00:00Z"), as Unix seconds.
func unixTime(linePayDate text: String?) -> Int64? {
    guard let text else { return nil }
    let f = ISO8601DateFormatter()
    return f.date(from: text).map { Int64($0.timeIntervalSince1970) }
}

extension PaymentDetails.Detail {
    /// What LINE Pay took, from payInfo (payment lines only).
    var paidAmount: Decimal { (payInfo ?? []).reduce(Decimal(0)) { $0 + $1.amount } }
    /// The status with the reference's default: an entry without payStatus is captured.
    var status: String { payStatus ?? "CAPTURED" }
}
