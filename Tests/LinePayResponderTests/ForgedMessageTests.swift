import Foundation
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import Testing
import TestSupport

/// Issue 10, attack 1, through the real responder behind nginx and the shop's real PHP helper: the return link a
/// shopper holds is refused by `linepay_verify_notification`, a notification by `linepay_verify_return`.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ForgedMessageTests {
    /// Runs the PHP helper's `function` on `fields` (as $_GET or $_POST would hold them); true when it accepts them.
    static func phpAccepts(_ function: String, _ fields: [(String, String)]) throws -> Bool {
        let helper = repoRoot() + "/www/examples/linepay-handoff.php"
        let json = String(decoding: try JSONSerialization.data(withJSONObject: Dictionary(fields, uniquingKeysWith: { a, _ in a })), as: UTF8.self)
        let code = "require '\(helper)'; $f = json_decode(stream_get_contents(STDIN), true); echo \(function)($f, '\(ResponderHarness.handoffSecret)') ? 'yes' : 'no';"
        let r = try runProcess("/usr/bin/php", ["-r", code], stdin: json)
        #expect(r.status == 0, "php: \(r.stderr)")
        return r.stdout == "yes"
    }

    @Test func aReturnLinkIsNeverANotificationNorTheOtherWayRound() throws {
        let h = try ResponderHarness()
        let shopper = Browser()
        let orderId = Flow.newOrderId()
        let pay = try Flow.checkoutAndPay(h, shopper, orderId: orderId)
        let paymentURL = try #require(Flow.capture(#"data-payment-url="([^"]+)""#, pay.text))
        let approved = try Flow.approveAtLinePay(shopper, paymentURL: paymentURL)
        let receipt = try shopper.follow(try shopper.go("GET", try #require(approved.headers["location"])), base: h.nginx.baseURL)
        let back = try #require(Flow.capture(#"id="lp-return"[^>]*href="([^"]+)""#, receipt.text) ?? Flow.capture(#"href="([^"]+)"[^>]*id="lp-return""#, receipt.text))
        let returnFields = Flow.query(back)

        #expect(waitUntil(timeout: 10) { !h.notifications.received.isEmpty })
        let note = try #require(h.notifications.received.first)
        let noteFields = Flow.query("http://x/?" + String(decoding: note.body, as: UTF8.self))

        #expect(try Self.phpAccepts("linepay_verify_return", returnFields))
        #expect(try Self.phpAccepts("linepay_verify_notification", noteFields))
        // The attack: the shopper posts the fields of their own return link to notify_url.
        #expect(try !Self.phpAccepts("linepay_verify_notification", returnFields))
        #expect(try !Self.phpAccepts("linepay_verify_return", noteFields))
        // Relabelling the kind does not help: the key is the kind's.
        let relabelled = returnFields.map { $0.0 == "kind" ? ("kind", "notification") : $0 } + [("seq", "99"), ("eventId", "99")]
        #expect(try !Self.phpAccepts("linepay_verify_notification", relabelled))
        // The notification says what it reports.
        let named = Dictionary(noteFields, uniquingKeysWith: { a, _ in a })
        #expect(named["seq"] == "1" && named["amount"] == "360" && named["captured"] == "360" && named["refundable"] == "360")
        #expect(named["eventId"].flatMap { Int64($0) } != nil)
    }
}
