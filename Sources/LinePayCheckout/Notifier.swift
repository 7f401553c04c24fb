import Foundation
import LinePay
import LinePayStore

/// Tells the shop about paid, authorized, cancelled, voided and refunded orders: the outbox's rows are POSTed to
/// notify_url as signed form fields, retried with backoff until the shop answers 200 (004_...txt's push model).
public struct Notifier {
    /// Where the shop listens.
    let notifyURL: String
    /// The secret the notification key is derived from.
    let handoffSecret: String
    let store: OrderStore
    /// The HTTP client: LINE Pay's own libcurl transport in production (one HTTP client for the whole responder).
    let post: @Sendable (_ url: String, _ body: [UInt8]) -> TransportResult

    public init(notifyURL: String, handoffSecret: String, store: OrderStore,
                post: @escaping @Sendable (String, [UInt8]) -> TransportResult = { CurlLinePayTransport().postForm(url: $0, body: $1) }) {
        self.notifyURL = notifyURL; self.handoffSecret = handoffSecret; self.store = store; self.post = post
    }

    /// How long a claimed notification is ours before another worker may try it.
    static let lease: Int64 = 30

    /// Sends every due notification once; returns how many the shop accepted.
    @discardableResult
    public func deliverDue(now: Int64) -> Int {
        guard let due = try? store.dueNotifications(now: now, limit: 50) else { return 0 }
        var delivered = 0
        for n in due {
            guard (try? store.claimNotification(id: n.id, now: now, lease: Self.lease)) == true else { continue }
            // shipping=line orders: method, fee and the address LINE Pay gave (read from the order: it does not change).
            let shipping = (try? store.order(orderId: n.orderId)).flatMap { $0 }.map { shippingFields($0, address: true) } ?? []
            let body = SignedFields.signedMessage(.notification, Self.fields(n) + shipping, secret: handoffSecret)
            let at = Int64(Date().timeIntervalSince1970)
            switch post(notifyURL, Array(body.utf8)) {
            case .response(200, _):
                try? store.markDelivered(id: n.id, now: at)
                delivered += 1
            case .response(let status, _):
                try? store.markDeliveryFailed(id: n.id, error: "HTTP \(status)", now: at)
            case .notSent(let why):
                try? store.markDeliveryFailed(id: n.id, error: why, now: at)
            case .lost(let why):
                try? store.markDeliveryFailed(id: n.id, error: "\(why)", now: at)
            }
        }
        return delivered
    }

    /// What the shop is told (kind=notification and the signature are added when signing). `eventId` names this
    /// notification for good (the same on every retry); `seq` counts the order's changes, so a shop keeps the
    /// highest it applied and ignores older or replayed ones. Amounts are the order's totals as of the change.
    public static func fields(_ n: LinePayStore.Notification) -> [(String, String)] {
        let tx: String = n.transactionId.map { String($0) } ?? ""
        var f: [(String, String)] = [("eventId", String(n.id)), ("seq", String(n.seq)), ("orderId", n.orderId), ("status", n.status)]
        f += [("transactionId", tx), ("currency", n.currency), ("amount", Money.format(n.orderAmount))]
        f += [("authorized", Money.format(n.authorized)), ("captured", Money.format(n.captured))]
        f += [("refunded", Money.format(n.refunded)), ("refundable", Money.format(n.refundable)), ("ts", String(n.eventAt))]
        if let provider = n.paymentProvider { f.append(("paymentProvider", provider)) }   // v4 only: v3 messages are unchanged
        return f
    }
}
