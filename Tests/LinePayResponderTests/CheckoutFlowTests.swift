import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import Testing
import TestSupport

/// The whole flow through real nginx against the sandbox: checkout, pay, approve, confirm, receipt, return, notify.
@Suite(.serialized, .timeLimit(.minutes(5))) struct CheckoutFlowTests {
    @Test func desktopPopupFlowEndsPaidWithSignedReturnAndNotification() throws {
        let h = try ResponderHarness()
        let shopper = Browser(Browser.desktop)
        let orderId = Flow.newOrderId()
        let pay = try Flow.checkoutAndPay(h, shopper, orderId: orderId)
        #expect(pay.status == 200 && Flow.page(pay) == "pay")
        let cookie = try #require(pay.headers["set-cookie"] ?? "x").lowercased()
        _ = cookie
        #expect(pay.text.contains(#"data-popup-width="700""#) && pay.text.contains(#"data-popup-height="546""#))
        let paymentURL = try #require(Flow.capture(#"data-payment-url="([^"]+)""#, pay.text))
        #expect(paymentURL.hasPrefix(h.sandbox.baseURL + "/sandbox/pay/"))
        #expect(pay.text.contains(#"id="lp-fallback""#))

        // A second click does not reserve twice.
        let again = try Flow.checkoutAndPay(h, shopper, orderId: orderId)
        #expect(Flow.capture(#"data-payment-url="([^"]+)""#, again.text) == paymentURL)
        #expect(try h.sandbox.calls(operation: "request").count == 1)

        // In the popup: LINE Pay's page, Approve, then confirmUrl in the same browser.
        let approved = try Flow.approveAtLinePay(shopper, paymentURL: paymentURL)
        #expect(approved.status == 303)
        let confirmURL = try #require(approved.headers["location"])
        #expect(confirmURL.hasPrefix(h.baseURL + "/confirm?transactionId="))
        let confirmed = try shopper.go("GET", confirmURL)
        #expect(confirmed.status == 303 && confirmed.headers["location"]?.contains("/result?orderId=\(orderId)") == true)
        let receipt = try shopper.follow(confirmed, base: h.nginx.baseURL)
        #expect(Flow.page(receipt) == "receipt")
        #expect(receipt.text.contains("Cony plush") && receipt.text.contains("360"))

        // The return link carries signed fields the shop can trust.
        let back = try #require(Flow.capture(#"id="lp-return"[^>]*href="([^"]+)""#, receipt.text) ?? Flow.capture(#"href="([^"]+)"[^>]*id="lp-return""#, receipt.text))
        let fields = Flow.query(back)
        #expect(SignedFields.verifyMessage(.return, fields, secret: ResponderHarness.handoffSecret))
        #expect(!SignedFields.verifyMessage(.notification, fields, secret: ResponderHarness.handoffSecret))
        #expect(fields.contains { $0 == ("status", "paid") } && fields.contains { $0 == ("orderId", orderId) } && fields.contains { $0 == ("amount", "360") })

        let status = try shopper.go("GET", h.baseURL + "/status?orderId=\(orderId)")
        #expect(status.status == 200 && status.text.contains(#""status":"paid""#))

        // The shop is told, with fields signed the same way.
        #expect(waitUntil(timeout: 10) { !h.notifications.received.isEmpty })
        let note = try #require(h.notifications.received.first)
        let noted = Flow.query("http://x/?" + String(decoding: note.body, as: UTF8.self))
        #expect(SignedFields.verifyMessage(.notification, noted, secret: ResponderHarness.handoffSecret))
        #expect(!SignedFields.verifyMessage(.return, noted, secret: ResponderHarness.handoffSecret))
        #expect(noted.contains { $0 == ("status", "paid") } && noted.contains { $0 == ("orderId", orderId) })
        #expect(noted.contains { $0 == ("seq", "1") } && noted.contains { $0 == ("captured", "360") } && noted.contains { $0 == ("refundable", "360") })

        // One Request, one Confirm, for this order.
        #expect(try h.sandbox.calls(operation: "confirm").count == 1)
    }

    @Test func phoneIsRedirectedAndInAppBrowserToo() throws {
        let h = try ResponderHarness()
        for agent in [Browser.iPhone, Browser.lineInApp] {
            let phone = Browser(agent)
            let orderId = Flow.newOrderId()
            let pay = try Flow.checkoutAndPay(h, phone, orderId: orderId)
            #expect(pay.status == 302)
            let paymentURL = try #require(pay.headers["location"])
            #expect(paymentURL.hasPrefix(h.sandbox.baseURL + "/sandbox/pay/"))
            let approved = try Flow.approveAtLinePay(phone, paymentURL: paymentURL)
            let confirmed = try phone.go("GET", try #require(approved.headers["location"]))
            #expect(Flow.page(try phone.follow(confirmed, base: h.nginx.baseURL)) == "receipt")
        }
    }

    @Test func fiftySimultaneousConfirmsMakeOneConfirmCall() throws {
        let h = try ResponderHarness(threads: 16)
        let shopper = Browser(Browser.iPhone)
        let orderId = Flow.newOrderId()
        let pay = try Flow.checkoutAndPay(h, shopper, orderId: orderId)
        let paymentURL = try #require(pay.headers["location"])
        let approved = try Flow.approveAtLinePay(shopper, paymentURL: paymentURL)
        let confirmURL = try #require(approved.headers["location"])
        let statuses = Locked<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 50) { _ in
            let r = try? httpRequest(url: confirmURL, headers: [("User-Agent", Browser.iPhone)])
            statuses.withLock { $0.append(r?.status ?? 0) }
        }
        #expect(statuses.current.count == 50 && statuses.current.allSatisfy { $0 == 200 })
        #expect(try h.sandbox.calls(operation: "confirm").count == 1)
        // The other 49 did not each ask LINE Pay either: look-ups are limited to one a second per order.
        #expect(try h.sandbox.calls(operation: "paymentDetails").count <= 3)
        #expect(try shopper.go("GET", h.baseURL + "/status?orderId=\(orderId)").text.contains(#""status":"paid""#))
    }

    @Test func anotherBrowserAtConfirmUrlSeesNoDetailsWhileTheFirstSeesPaid() throws {
        let h = try ResponderHarness()
        let first = Browser(Browser.desktop)
        let orderId = Flow.newOrderId()
        let pay = try Flow.checkoutAndPay(h, first, orderId: orderId, handoff: Flow.handoff(orderId: orderId, items: [("Secret gift", "500", 1)]))
        let paymentURL = try #require(Flow.capture(#"data-payment-url="([^"]+)""#, pay.text))
        let approved = try Flow.approveAtLinePay(first, paymentURL: paymentURL)
        let confirmURL = try #require(approved.headers["location"])
        // LINE reopens the default browser: no cookie of ours there.
        let other = try Browser(Browser.iPhone).go("GET", confirmURL)
        #expect(other.status == 200 && Flow.page(other) == "other-browser")
        #expect(!other.text.contains(orderId) && !other.text.contains("Secret gift") && !other.text.contains("500"))
        #expect(try first.go("GET", h.baseURL + "/status?orderId=\(orderId)").text.contains(#""status":"paid""#))
        // And the other browser cannot read the order.
        #expect(try Browser(Browser.iPhone).go("GET", h.baseURL + "/status?orderId=\(orderId)").status == 404)
        #expect(try h.sandbox.calls(operation: "confirm").count == 1)
    }

    @Test func cancelAtLinePayThenTryAgain() throws {
        let h = try ResponderHarness()
        let phone = Browser(Browser.iPhone)
        let orderId = Flow.newOrderId()
        let pay = try Flow.checkoutAndPay(h, phone, orderId: orderId)
        let paymentURL = try #require(pay.headers["location"])
        _ = try phone.go("GET", paymentURL)
        let cancelled = try phone.go("POST", paymentURL + "/cancel")
        let back = try phone.go("GET", try #require(cancelled.headers["location"]))
        #expect(Flow.page(back) == "cancelled")
        #expect(try phone.go("GET", h.baseURL + "/status?orderId=\(orderId)").text.contains(#""status":"cancelled""#))
        #expect(waitUntil(timeout: 10) { h.notifications.received.contains { String(decoding: $0.body, as: UTF8.self).contains("status=cancelled") } })
        // Try again: a new reservation under a new LINE Pay orderId, then paid.
        let csrf = try #require(Flow.capture(#"name="csrf" value="([^"]+)""#, back.text))
        let retry = try phone.go("POST", h.baseURL + "/pay", form: [("orderId", orderId), ("csrf", csrf)])
        let retryURL = try #require(retry.headers["location"])
        #expect(retryURL != paymentURL)
        let approved = try Flow.approveAtLinePay(phone, paymentURL: retryURL)
        #expect(approved.headers["location"]?.contains("orderId=\(orderId)__2") == true)
        _ = try phone.go("GET", try #require(approved.headers["location"]))
        #expect(try phone.go("GET", h.baseURL + "/status?orderId=\(orderId)").text.contains(#""status":"paid""#))
    }

    @Test func payWithoutTheSessionOrCsrfIsRefused() throws {
        let h = try ResponderHarness()
        let shopper = Browser(Browser.desktop)
        let orderId = Flow.newOrderId()
        _ = try shopper.go("POST", h.baseURL + "/checkout", form: Flow.handoff(orderId: orderId))
        #expect(try shopper.go("POST", h.baseURL + "/pay", form: [("orderId", orderId), ("csrf", "wrong")]).status == 403)
        #expect(try Browser(Browser.desktop).go("POST", h.baseURL + "/pay", form: [("orderId", orderId), ("csrf", "x")]).status == 403)
        #expect(try h.sandbox.calls(operation: "request").isEmpty)
    }
}
