import Foundation
import LinePay
import LinePayCheckout
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// Checkout with the shopper's address (issue 12) through real nginx against the sandbox: the address chosen at
/// LINE Pay's page, our ShippingMethods answered from the shop's rules, the fee added to Confirm, the shop told.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ShippingFlowTests {
    static let rules = """
        timezone = Asia/Taipei
        [home]
        name = Home delivery
        currency = TWD
        fee = 80
        countries = TW
        delivery_days = 2
        delivery_hours = 0900-1800
        [islands]
        name = Outlying islands
        currency = TWD
        fee = 250
        countries = TW
        postal_prefixes = 880 890 209
        """

    static func harness() throws -> ResponderHarness {
        let dir = makeTemporaryDirectory("shipping-rules")
        try rules.write(toFile: dir + "/shipping.conf", atomically: true, encoding: .utf8)
        return try ResponderHarness(config: ["shipping_rules = \(dir)/shipping.conf"])
    }

    static func shippingHandoff(_ orderId: String) -> [(String, String)] {
        Flow.handoff(orderId: orderId, extra: [("shipping", "line")])
    }

    /// At the sandbox's page: log in on desktop, then the shipping step.
    static func openPaymentPage(_ browser: Browser, _ url: String) throws -> HTTPResponse {
        let first = try browser.go("GET", url)
        if Flow.page(first) == "sandbox-login" { _ = try browser.go("POST", url + "/login"); return try browser.go("GET", url) }
        return first
    }

    static func fields(_ body: [UInt8]) -> [String: String] {
        Dictionary(Flow.query("http://x/?" + String(decoding: body, as: UTF8.self)), uniquingKeysWith: { a, _ in a })
    }

    @Test func desktopShippingFlowConfirmsOrderPlusFeeAndTellsTheShopTheAddress() throws {
        let h = try Self.harness()
        let shopper = Browser(Browser.desktop)
        let orderId = Flow.newOrderId()
        let pay = try Flow.checkoutAndPay(h, shopper, orderId: orderId, handoff: Self.shippingHandoff(orderId))
        let paymentURL = try #require(Flow.capture(#"data-payment-url="([^"]+)""#, pay.text))
        // Request asked LINE Pay to collect the address, with our inquiry URL.
        let request = try #require(try h.sandbox.calls(operation: "request").last?["body"] as? String)
        #expect(request.contains(#""type":"SHIPPING""#) && request.contains(#""feeInquiryType":"CONDITION""#))
        #expect(request.contains(#""feeInquiryUrl":"\#(h.baseURL)/shipping-methods""#))
        #expect(request.contains(#""amount":360"#))

        let page = try Self.openPaymentPage(shopper, paymentURL)
        #expect(Flow.page(page) == "sandbox-shipping" && !page.text.contains(#"id=approve"#))
        let methods = try shopper.go("POST", paymentURL + "/address", form: [("address", "home")])
        #expect(Flow.page(methods) == "sandbox-payment")
        #expect(methods.text.contains(#"id="method-home""#) && methods.text.contains("Home delivery · 80 TWD"))
        #expect(!methods.text.contains("method-islands"))   // 10491 is not an island prefix

        let approved = try shopper.go("POST", paymentURL + "/approve", form: [("shippingMethodId", "home")])
        let confirmURL = try #require(approved.headers["location"])
        #expect(confirmURL.contains("shippingFeeAmount=80") && confirmURL.contains("shippingMethodId=home"))
        let confirmed = try shopper.go("GET", confirmURL)
        let receipt = try shopper.follow(confirmed, base: h.nginx.baseURL)
        #expect(Flow.page(receipt) == "receipt" && receipt.text.contains("440"))

        // Confirm carried the order plus the fee, once.
        let confirms = try h.sandbox.calls(operation: "confirm")
        #expect(confirms.count == 1 && (confirms.first?["body"] as? String)?.contains(#""amount":440"#) == true)

        // The return link: method and fee, never the address.
        let back = try #require(Flow.capture(#"id="lp-return"[^>]*href="([^"]+)""#, receipt.text) ?? Flow.capture(#"href="([^"]+)"[^>]*id="lp-return""#, receipt.text))
        let returned = Dictionary(Flow.query(back), uniquingKeysWith: { a, _ in a })
        #expect(SignedFields.verifyMessage(.return, Flow.query(back), secret: ResponderHarness.handoffSecret))
        #expect(returned["shippingMethodId"] == "home" && returned["shippingFee"] == "80" && returned["amount"] == "440")
        #expect(!returned.keys.contains { $0.hasPrefix("shipTo") } && !back.contains("10491"))

        // The shop hears method, fee and the address LINE Pay answered at confirm.
        #expect(waitUntil(timeout: 10) { !h.notifications.received.isEmpty })
        let note = try #require(h.notifications.received.first)
        let noted = Self.fields(note.body)
        #expect(SignedFields.verifyMessage(.notification, Flow.query("http://x/?" + String(decoding: note.body, as: UTF8.self)),
                                           secret: ResponderHarness.handoffSecret))
        #expect(noted["status"] == "paid" && noted["captured"] == "440" && noted["shippingMethodId"] == "home" && noted["shippingFee"] == "80")
        #expect(noted["shipToCountry"] == "TW" && noted["shipToPostalCode"] == "10491" && noted["shipToName"] == "王 小明")
        #expect(noted["shipToDetail"] == "南京東路三段 100 號 5 樓" && noted["shippingMethodName"] == "Home delivery")

        let order = try #require(try OrderStore(path: h.database).order(orderId: orderId))
        #expect(order.amount == 440 && order.shippingFee == 80 && order.capturedAmount == 440 && order.shippingAddress?.city == "中山區")

        // `linepay show`: method and fee, not the address (that is for the notification and the admin page).
        let shown = try runLinePay(h, ["show", orderId])
        #expect(shown.status == 0 && shown.stdout.contains("Shipping method: home (Home delivery)") && shown.stdout.contains("Shipping fee: 80 TWD"))
        #expect(!shown.stdout.contains("10491") && !shown.stdout.contains("南京東路"))
    }

    @Test func phoneShippingFlowWithATypedAddress() throws {
        let h = try Self.harness()
        let phone = Browser(Browser.iPhone)
        let orderId = Flow.newOrderId()
        let pay = try Flow.checkoutAndPay(h, phone, orderId: orderId, handoff: Self.shippingHandoff(orderId))
        #expect(pay.status == 302)
        let paymentURL = try #require(pay.headers["location"])
        #expect(Flow.page(try Self.openPaymentPage(phone, paymentURL)) == "sandbox-shipping")
        let typed: [(String, String)] = [("lastName", "陳"), ("firstName", "美麗"), ("phoneNo", "0987654321"), ("country", "tw"),
                                         ("postalCode", "88001"), ("state", "澎湖縣"), ("city", "馬公市"), ("detail", "中正路 1 號")]
        let methods = try phone.go("POST", paymentURL + "/address", form: typed)
        #expect(methods.text.contains(#"id="method-islands""#) && methods.text.contains(#"id="method-home""#))
        let approved = try phone.go("POST", paymentURL + "/approve", form: [("shippingMethodId", "islands")])
        let confirmURL = try #require(approved.headers["location"])
        #expect(confirmURL.contains("shippingFeeAmount=250"))
        _ = try phone.go("GET", confirmURL)
        #expect(try phone.go("GET", h.baseURL + "/status?orderId=\(orderId)").text.contains(#""status":"paid""#))
        #expect((try h.sandbox.calls(operation: "confirm").first?["body"] as? String)?.contains(#""amount":610"#) == true)
        #expect(waitUntil(timeout: 10) { h.notifications.received.contains { Self.fields($0.body)["shipToCity"] == "馬公市" } })
        let noted = Self.fields(try #require(h.notifications.received.first { Self.fields($0.body)["orderId"] == orderId }).body)
        #expect(noted["shippingMethodId"] == "islands" && noted["shippingFee"] == "250" && noted["amount"] == "610")
    }

    @Test func anUnsupportedRegionIsAnswered4001() throws {
        let h = try Self.harness()
        let shopper = Browser(Browser.iPhone)
        let orderId = Flow.newOrderId()
        let pay = try Flow.checkoutAndPay(h, shopper, orderId: orderId, handoff: Self.shippingHandoff(orderId))
        let paymentURL = try #require(pay.headers["location"])
        _ = try Self.openPaymentPage(shopper, paymentURL)
        // Tokyo: no method of the shop serves JP.
        let refused = try shopper.go("POST", paymentURL + "/address", form: [("address", "office")])
        #expect(refused.text.contains("(4001)") && Flow.page(refused) == "sandbox-shipping" && !refused.text.contains("id=approve"))
        // Our answer as LINE Pay reads it, and a bad address as 4002, unknown payments as 5001.
        let tx = String(try #require(try OrderStore(path: h.database).order(orderId: orderId)?.transactionId))
        func ask(_ json: String) throws -> String {
            String(decoding: try httpRequest(method: "POST", url: h.baseURL + "/shipping-methods",
                                             headers: [("Content-Type", "application/json")], body: Array(json.utf8)).body, as: UTF8.self)
        }
        let jp = try ask(#"{"currency":"TWD","orderId":"\#(orderId)","transactionId":\#(tx),"shippingAddress":{"country":"JP","postalCode":"100-0005"}}"#)
        #expect(jp.contains(#""returnCode":"4001""#) && !jp.contains("shippingMethods"))
        let bad = try ask(#"{"currency":"TWD","orderId":"\#(orderId)","transactionId":\#(tx),"shippingAddress":{"country":"Taiwan"}}"#)
        #expect(bad.contains(#""returnCode":"4002""#))
        let stranger = try ask(#"{"currency":"TWD","orderId":"\#(orderId)","transactionId":1000000000000000001,"shippingAddress":{"country":"TW"}}"#)
        #expect(stranger.contains(#""returnCode":"5001""#))
        let tw = try ask(#"{"currency":"TWD","orderId":"\#(orderId)","transactionId":\#(tx),"shippingAddress":{"country":"TW","postalCode":"20945"}}"#)
        #expect(tw.contains(#""returnCode":"0000""#) && tw.contains(#"{"id":"home","name":"Home delivery","amount":80,"toDeliveryYmd":""#)
                && tw.contains(#""id":"islands""#))
    }

    @Test func aShippingFeeThatDiffersFromOurQuoteIsNotConfirmed() throws {
        let h = try Self.harness()
        let shopper = Browser(Browser.iPhone)
        let orderId = Flow.newOrderId()
        let pay = try Flow.checkoutAndPay(h, shopper, orderId: orderId, handoff: Self.shippingHandoff(orderId))
        let paymentURL = try #require(pay.headers["location"])
        _ = try Self.openPaymentPage(shopper, paymentURL)
        _ = try shopper.go("POST", paymentURL + "/address", form: [("address", "home")])
        let approved = try shopper.go("POST", paymentURL + "/approve", form: [("shippingMethodId", "home")])
        let genuine = try #require(approved.headers["location"])
        // The link edited to a lower fee, then to a method we never quoted: neither is confirmed.
        for forged in [genuine.replacingOccurrences(of: "shippingFeeAmount=80", with: "shippingFeeAmount=0"),
                       genuine.replacingOccurrences(of: "shippingMethodId=home", with: "shippingMethodId=islands"),
                       genuine.replacingOccurrences(of: "&shippingFeeAmount=80&shippingMethodId=home", with: "")] {
            #expect(forged != genuine)
            let r = try shopper.go("GET", forged)
            #expect(r.status == 409 && r.text.contains("does not match what this shop offered"))
        }
        #expect(try h.sandbox.calls(operation: "confirm").isEmpty)
        let store = try OrderStore(path: h.database)
        #expect(try store.order(orderId: orderId)?.state == .reserved)
        #expect(try store.events(orderId: orderId).filter { $0.kind == "shipping.mismatch" }.count == 3)
        // The genuine link still confirms order + fee; a forged one after it changes nothing.
        _ = try shopper.go("GET", genuine)
        #expect(try store.order(orderId: orderId)?.state == .paid && (try store.order(orderId: orderId)?.capturedAmount) == 440)
        #expect(try shopper.go("GET", genuine.replacingOccurrences(of: "shippingFeeAmount=80", with: "shippingFeeAmount=1")).status == 409)
        #expect(try h.sandbox.calls(operation: "confirm").count == 1)
    }

    @Test func theShopsOwnURLAnswersInsteadAskedWithASignedMessage() throws {
        let shop = ScriptedServer { r in
            let f = ShippingFlowTests.fields(r.body)
            let ok = SignedFields.verifyMessage(.shipping, Flow.query("http://x/?" + String(decoding: r.body, as: UTF8.self)),
                                                secret: ResponderHarness.handoffSecret)
            guard ok else { return .respond(status: 403, body: "bad signature") }
            return .respond(status: 200, body: f["country"] == "TW"
                            ? #"{"returnCode":"0000","returnMessage":"OK","info":{"shippingMethods":[{"id":"cvs","name":"7-ELEVEN pickup","amount":"60"}]}}"#
                            : #"{"returnCode":"4001","returnMessage":"Not there"}"#)
        }
        let h = try ResponderHarness(config: ["shipping_rules_url = \(shop.baseURL)/shipping.php", "shipping_fee_inquiry_type = FIXED"])
        let phone = Browser(Browser.iPhone)
        let orderId = Flow.newOrderId()
        let pay = try Flow.checkoutAndPay(h, phone, orderId: orderId, handoff: Self.shippingHandoff(orderId))
        let paymentURL = try #require(pay.headers["location"])
        #expect((try h.sandbox.calls(operation: "request").last?["body"] as? String)?.contains(#""feeInquiryType":"FIXED""#) == true)
        _ = try Self.openPaymentPage(phone, paymentURL)
        #expect(try phone.go("POST", paymentURL + "/address", form: [("address", "office")]).text.contains("(4001)"))
        let methods = try phone.go("POST", paymentURL + "/address", form: [("address", "home")])
        #expect(methods.text.contains(#"id="method-cvs""#))
        let asked = try #require(shop.received.last)
        let q = Self.fields(asked.body)
        #expect(q["kind"] == "shipping" && q["orderId"] == orderId && q["postalCode"] == "10491" && q["amount"] == "360")
        // A forged message (signed as a notification) would not verify as a shipping question.
        #expect(!SignedFields.verifyMessage(.notification, Flow.query("http://x/?" + String(decoding: asked.body, as: UTF8.self)),
                                            secret: ResponderHarness.handoffSecret))
        let approved = try phone.go("POST", paymentURL + "/approve", form: [("shippingMethodId", "cvs")])
        _ = try phone.go("GET", try #require(approved.headers["location"]))
        let order = try #require(try OrderStore(path: h.database).order(orderId: orderId))
        #expect(order.state == .paid && order.shippingMethodId == "cvs" && order.shippingMethodName == "7-ELEVEN pickup" && order.capturedAmount == 420)
    }
}
