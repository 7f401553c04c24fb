import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// Preapproved payments (pay_type = PREAPPROVED): the regKey a confirm issued is listed (masked), charged as a
/// new order, checked, and expired for good.
@Suite(.serialized, .timeLimit(.minutes(5))) struct RegKeyTests {
    @Test func aRegKeyIsChargedThenExpired() throws {
        let h = try Admin.harness(["pay_type = PREAPPROVED"])
        let (source, _) = try Shop.paid(h)
        let store = try OrderStore(path: h.database)
        let regKey = try #require(try store.order(orderId: source)?.regKey)
        let b = try Admin.browser(h)

        let list = try b.go("GET", h.baseURL + "/admin/regkeys")
        #expect(list.status == 200 && list.text.contains(#"data-order-id="\#(source)" data-status="active""#))
        #expect(list.text.contains(RegKeyRecord.mask(regKey)) && !list.text.contains(regKey), "the key itself is never shown")

        // Charge it: a new order, paid without the shopper.
        let confirm = try b.go("GET", h.baseURL + "/admin/regkeys/\(source)/charge?amount=200&product=Monthly%20tea&capture=yes")
        #expect(confirm.status == 200 && confirm.text.contains("Charge 200 TWD for &quot;Monthly tea&quot;"))
        let form = Admin.confirmForm(confirm.text)
        let posted = try b.go("POST", h.baseURL + "/admin/regkeys/\(source)/charge", form: form)
        #expect(try Admin.resultState(b, h, posted) == "done")
        let chargedId = try #require(posted.headers["location"].flatMap { Admin.capture(#"/orders/([A-Za-z0-9_-]+)\?"#, $0) })
        let charged = try #require(try store.order(orderId: chargedId))
        #expect(charged.state == .paid && charged.amount == 200 && charged.items.map(\.name) == ["Monthly tea"] && charged.transactionId != nil)
        #expect(try b.follow(posted, base: h.nginx.baseURL).text.contains("Charged from the regKey of"))
        // The same form again charges nothing more.
        let again = try b.go("POST", h.baseURL + "/admin/regkeys/\(source)/charge", form: form)
        #expect(again.headers["location"] == posted.headers["location"])
        #expect(try h.sandbox.calls(operation: "payPreapproved").count == 1)
        #expect(waitUntil(timeout: 10) { h.notifications.received.contains { String(decoding: $0.body, as: UTF8.self).contains("orderId=\(chargedId)") } })

        // Check: chargeable.
        let csrf = try #require(formField("csrf", in: list.text))
        let checked = try b.go("POST", h.baseURL + "/admin/regkeys/\(source)/check", form: [("csrf", csrf)])
        #expect(checked.status == 200 && checked.text.contains("the regKey can be charged"))

        // Expire it (confirmed first), then it is refused everywhere.
        let (expireConfirm, expired) = try Admin.act(b, h, "/regkeys/\(source)/expire")
        #expect(expireConfirm.text.contains("It can never be charged again."))
        #expect(expired?.status == 200 && expired?.text.contains("the regKey is expired") == true)
        #expect(expired?.text.contains(#"data-order-id="\#(source)" data-status="expired""#) == true)
        #expect(try h.sandbox.calls(operation: "expireRegKey").count == 1)
        let recheck = try b.go("POST", h.baseURL + "/admin/regkeys/\(source)/check", form: [("csrf", csrf)])
        #expect(recheck.status == 502 && recheck.text.contains("The regKey has expired."))
        #expect(try b.go("GET", h.baseURL + "/admin/regkeys/\(source)/charge?amount=10&product=x").status == 422)
        let forged = try b.go("POST", h.baseURL + "/admin/regkeys/\(source)/charge", form: form.map { $0.0 == "key" ? ("key", String(repeating: "c", count: 32)) : $0 })
        #expect(try b.follow(forged, base: h.nginx.baseURL).text.contains("refused by us: this regKey has expired"))
        #expect(try h.sandbox.calls(operation: "payPreapproved").count == 1)
        // Who did what is in the source order's log, without the key.
        let events = try store.events(orderId: source)
        #expect(events.contains { $0.kind == "admin.charge" && $0.actor == "admin:admin" })
        #expect(events.contains { $0.kind == "regkey.expire" && $0.detail.contains("expired") })
        #expect(!events.contains { $0.detail.contains(regKey) })
    }

    @Test func aChargeLinePayRefusesEndsFailedAndAnAuthorizationOnlyChargeCanBeCaptured() throws {
        let h = try Admin.harness(["pay_type = PREAPPROVED"])
        let (source, _) = try Shop.paid(h)
        let b = try Admin.browser(h)
        try h.sandbox.fault("payPreapproved", "code", "1141")
        let (_, refused) = try Admin.act(b, h, "/regkeys/\(source)/charge", query: "amount=99&product=Tea&capture=yes")
        let page = try b.follow(try #require(refused), base: h.nginx.baseURL)
        #expect(Admin.capture(#"id="lpa-result"[^>]*data-state="([a-z_]+)""#, page.text) == "refused")
        #expect(page.text.contains("Payment account error") && page.text.contains(#"data-state="failed""#))

        let (_, authorized) = try Admin.act(b, h, "/regkeys/\(source)/charge", query: "amount=80&product=Tea")
        #expect(try Admin.resultState(b, h, authorized) == "done")
        let chargedId = try #require(authorized?.headers["location"].flatMap { Admin.capture(#"/orders/([A-Za-z0-9_-]+)\?"#, $0) })
        #expect(try Shop.state(h, chargedId) == .authorized)
        #expect(try Admin.resultState(b, h, try Admin.act(b, h, "/orders/\(chargedId)/capture").1) == "done")
        #expect(try Shop.state(h, chargedId) == .paid)
    }
}
