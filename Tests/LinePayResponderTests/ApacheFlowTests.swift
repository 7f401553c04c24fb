import Foundation
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import Testing
import TestSupport

/// The same flow behind real Apache: mod_proxy_fcgi to the FastCGI socket, and plain CGI (mod_cgid execs the
/// binary per request), both with the snippets shipped in apache/.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ApacheFlowTests {
    func payOnce(_ h: ResponderHarness, desktop: Bool) throws {
        let shopper = Browser(desktop ? Browser.desktop : Browser.iPhone)
        let orderId = Flow.newOrderId()
        let pay = try Flow.checkoutAndPay(h, shopper, orderId: orderId)
        let paymentURL: String
        if desktop {
            #expect(pay.status == 200 && Flow.page(pay) == "pay" && pay.text.contains(#"data-popup-width="700""#))
            paymentURL = try #require(Flow.capture(#"data-payment-url="([^"]+)""#, pay.text))
        } else {
            #expect(pay.status == 302)
            paymentURL = try #require(pay.headers["location"])
        }
        let approved = try Flow.approveAtLinePay(shopper, paymentURL: paymentURL)
        let confirmURL = try #require(approved.headers["location"])
        #expect(confirmURL.hasPrefix(h.baseURL + "/confirm?"))
        let confirmed = try shopper.go("GET", confirmURL)
        let receipt = try shopper.follow(confirmed, base: h.origin)
        #expect(Flow.page(receipt) == "receipt", "\(receipt.status) \(receipt.text.prefix(300))")
        let back = try #require(Flow.capture(#"id="lp-return"[^>]*href="([^"]+)""#, receipt.text) ?? Flow.capture(#"href="([^"]+)"[^>]*id="lp-return""#, receipt.text))
        let fields = Flow.query(back)
        #expect(SignedFields.verifyMessage(.return, fields, secret: ResponderHarness.handoffSecret))
        #expect(try shopper.go("GET", h.baseURL + "/status?orderId=\(orderId)").text.contains(#""status":"paid""#))
        #expect(waitUntil(timeout: 10) { h.notifications.received.contains { String(decoding: $0.body, as: UTF8.self).contains("orderId=\(orderId)") } })
    }

    @Test func throughApacheProxyFcgi() throws {
        let h = try ResponderHarness(front: .apacheFastCGI)
        try payOnce(h, desktop: true)
        try payOnce(h, desktop: false)
    }

    @Test func asCGIUnderApache() throws {
        let h = try ResponderHarness(front: .apacheCGI)
        try payOnce(h, desktop: false)
    }
}
