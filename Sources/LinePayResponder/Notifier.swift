import CCurl
import Foundation
import LinePay
import LinePayCheckout
import LinePayStore

/// Tells the shop about paid, authorized, cancelled, voided and refunded orders: the outbox's rows are POSTed to
/// notify_url as signed form fields, retried with backoff until the shop answers 200 (004_...txt's push model).
struct Notifier {
    let configuration: ResponderConfiguration
    let store: OrderStore

    /// How long a claimed notification is ours before another worker may try it.
    static let lease: Int64 = 30

    /// Sends every due notification once; returns how many the shop accepted.
    @discardableResult
    func deliverDue(now: Int64) -> Int {
        guard let url = configuration.notifyURL, let due = try? store.dueNotifications(now: now, limit: 50) else { return 0 }
        var delivered = 0
        for n in due {
            guard (try? store.claimNotification(id: n.id, now: now, lease: Self.lease)) == true else { continue }
            let shipping = (try? store.order(orderId: n.orderId)).flatMap { $0 }.map { shippingFields($0, address: true) } ?? []
            let body = SignedFields.signedMessage(.notification, Self.fields(n) + shipping, secret: configuration.handoffSecret)
            let (status, error) = post(url, body: body)
            if status == 200 {
                try? store.markDelivered(id: n.id, now: unixNow())
                delivered += 1
            } else {
                try? store.markDeliveryFailed(id: n.id, error: error ?? "HTTP \(status)", now: unixNow())
            }
        }
        return delivered
    }

    /// What the shop is told (kind=notification and the signature are added when signing). `eventId` names this
    /// notification for good (the same on every retry); `seq` counts the order's changes, so a shop keeps the
    /// highest it applied and ignores older or replayed ones. Amounts are the order's totals as of the change.
    static func fields(_ n: LinePayStore.Notification) -> [(String, String)] {
        let tx: String = n.transactionId.map { String($0) } ?? ""
        var f: [(String, String)] = [("eventId", String(n.id)), ("seq", String(n.seq)), ("orderId", n.orderId), ("status", n.status)]
        f += [("transactionId", tx), ("currency", n.currency), ("amount", Money.format(n.orderAmount))]
        f += [("authorized", Money.format(n.authorized)), ("captured", Money.format(n.captured))]
        f += [("refunded", Money.format(n.refunded)), ("refundable", Money.format(n.refundable)), ("ts", String(n.eventAt))]
        return f
    }

    /// One form POST with libcurl: 5 s to connect, 10 s in all, TLS verified, no redirects followed.
    private func post(_ url: String, body: String) -> (Int, String?) {
        guard let h = curl_easy_init() else { return (0, "libcurl could not allocate a handle") }
        defer { curl_easy_cleanup(h) }
        var headers: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Content-Type: application/x-www-form-urlencoded")
        headers = curl_slist_append(headers, "Expect:")
        defer { curl_slist_free_all(headers) }
        _ = ccurl_setopt_string(h, CURLOPT_URL, url)
        _ = ccurl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = ccurl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, 5000)
        _ = ccurl_setopt_long(h, CURLOPT_TIMEOUT_MS, 10000)
        _ = ccurl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
        _ = ccurl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
        _ = ccurl_setopt_slist(h, CURLOPT_HTTPHEADER, headers)
        _ = ccurl_setopt_write_function(h, discardBody)
        let bytes = Array(body.utf8)
        _ = bytes.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { ccurl_setopt_postfields(h, $0.baseAddress, CLong(bytes.count)) }
        }
        let rc = curl_easy_perform(h)
        guard rc == CURLE_OK else { return (0, String(cString: curl_easy_strerror(rc))) }
        var status: CLong = 0
        _ = ccurl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        return (Int(status), nil)
    }
}

private func discardBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    size * count
}
