import Foundation
import LinePay
import LinePayStore
import Testing
import TestSupport

/// Issue 12: the whole flow under `api_version = v4` through nginx and the sandbox: every call goes to /v4/, and
/// the paymentProvider LINE Pay answers is kept on the order and shown on the admin page and by `linepay show`.
@Suite(.serialized, .timeLimit(.minutes(5))) struct OnlineAPIv4Tests {
    @Test func aV4ShopPaysRefundsAndKeepsThePaymentProvider() throws {
        let h = try Admin.harness(["api_version = v4", "capture = false"])
        let (orderId, _) = try Shop.paid(h)
        #expect(try Shop.state(h, orderId) == .authorized)
        #expect(try runLinePay(h, ["capture", orderId]).status == 0)
        #expect(try runLinePay(h, ["refund", orderId, "--amount", "10"]).status == 0)
        let order = try #require(try OrderStore(path: h.database).order(orderId: orderId))
        #expect(order.state == .partially_refunded && order.paymentProvider == "TSP")
        let paths = try h.sandbox.calls().compactMap { $0["path"] as? String }.filter { !$0.hasPrefix("/sandbox") }
        #expect(!paths.isEmpty && paths.allSatisfy { $0.hasPrefix("/v4/") }, "\(paths)")
        #expect(Set(try h.sandbox.calls().compactMap { $0["operation"] as? String })
                    .isSuperset(of: ["request", "confirm", "capture", "refund"]))
        let shown = try runLinePay(h, ["show", orderId])
        #expect(shown.stdout.contains("Payment provider: TSP"), "\(shown.stdout)")
        #expect(waitUntil(timeout: 20) {
            h.notifications.received.contains { String(decoding: $0.body, as: UTF8.self).contains("paymentProvider=TSP") }
        }, "the shop was not told the payment provider")
        let page = try Admin.browser(h).go("GET", h.baseURL + "/admin/orders/\(orderId)")
        #expect(page.text.contains("Payment provider") && page.text.contains("TSP"))
    }

    @Test func aV3ShopHasNoPaymentProvider() throws {
        let h = try Admin.harness()
        let (orderId, _) = try Shop.paid(h)
        #expect(try OrderStore(path: h.database).order(orderId: orderId)?.paymentProvider == nil)
        let paths = try h.sandbox.calls().compactMap { $0["path"] as? String }.filter { !$0.hasPrefix("/sandbox") }
        #expect(!paths.isEmpty && paths.allSatisfy { $0.hasPrefix("/v3/") }, "\(paths)")
    }
}
