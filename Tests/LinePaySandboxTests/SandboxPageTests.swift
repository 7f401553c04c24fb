import Foundation
import LinePay
import Testing
import TestSupport

/// The shopper's side of the sandbox: login on desktop, Approve, Cancel, Fail, confirmUrl types and the browser check.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SandboxPageTests {
    let sandbox: SandboxHarness
    let client: LinePayClient
    static let desktop = Browser.desktop
    static let phone = Browser.lineInApp

    init() throws {
        sandbox = try SandboxHarness()
        client = sandbox.client()
    }

    func reserve(_ type: ConfirmUrlType? = nil, checkBrowser: Bool? = nil, orderId: String = "P-" + UUID().uuidString.prefix(8),
                 confirmUrl: String = "http://127.0.0.1:1/linepay/confirm?shop=1") throws -> RequestPayment.Info {
        try client.request(SandboxLifecycleTests.order(orderId, confirmUrlType: type, checkBrowser: checkBrowser, confirmUrl: confirmUrl))
    }

    @Test func desktopLogsInThenApprovesAndIsSentToConfirmUrl() throws {
        let r = try reserve(orderId: "P-desktop-1")
        let browser = Browser(Self.desktop)
        let login = try browser.go("GET", r.paymentUrl.web)
        #expect(login.status == 200 && login.text.contains("data-page=\"sandbox-login\""))
        #expect(try browser.go("POST", r.paymentUrl.web + "/login").status == 303)
        let page = try browser.go("GET", r.paymentUrl.web)
        #expect(page.text.contains("data-page=\"sandbox-payment\""))
        #expect(page.text.contains("360 TWD") && page.text.contains("Test Shop") && page.text.contains("Cony plush"))
        #expect(page.text.contains("立即付款"))   // options.display.locale zh_TW
        let approve = try browser.go("POST", r.paymentUrl.web + "/approve")
        #expect(approve.status == 303)
        #expect(approve.headers["location"] == "http://127.0.0.1:1/linepay/confirm?shop=1&transactionId=\(r.transactionId)&orderId=P-desktop-1")
        #expect(try client.checkPaymentStatus(transactionId: r.transactionId) == .authorized)
    }

    @Test func phoneSkipsLoginAndCancelGoesToCancelUrl() throws {
        let r = try reserve()
        let browser = Browser(Self.phone)
        #expect(try browser.go("GET", r.paymentUrl.web).text.contains("data-page=\"sandbox-payment\""))
        let cancel = try browser.go("POST", r.paymentUrl.web + "/cancel")
        #expect(cancel.status == 303)
        #expect(cancel.headers["location"]?.hasPrefix("http://127.0.0.1:1/linepay/cancel?transactionId=\(r.transactionId)&orderId=P-") == true)
        #expect(try client.checkPaymentStatus(transactionId: r.transactionId) == .cancelled)
        #expect(try browser.go("POST", r.paymentUrl.web + "/approve").status == 409)   // closed: no approval after cancel
    }

    @Test func failLeavesTheMerchantToFindOut() throws {
        let r = try reserve()
        let browser = Browser(Self.phone)
        _ = try browser.go("GET", r.paymentUrl.web)
        #expect(try browser.go("POST", r.paymentUrl.web + "/fail").status == 200)
        #expect(try client.checkPaymentStatus(transactionId: r.transactionId) == .failed)
    }

    @Test func checkConfirmUrlBrowserGuidesAnotherBrowserBack() throws {
        let r = try reserve(checkBrowser: true)
        let first = Browser(Self.phone), second = Browser(Self.phone)
        _ = try first.go("GET", r.paymentUrl.web)
        let continueUrl = try #require(try sandbox.approve(r.transactionId)["continueUrl"] as? String)
        let other = try second.go("GET", continueUrl)
        #expect(other.status == 200 && other.text.contains("data-page=\"sandbox-other-browser\""))
        #expect(other.headers["location"] == nil)
        let same = try first.go("GET", continueUrl)
        #expect(same.status == 303 && same.headers["location"]?.contains("transactionId=\(r.transactionId)") == true)
    }

    @Test func withoutTheBrowserCheckAnyBrowserGoesToConfirmUrl() throws {
        let r = try reserve(checkBrowser: false)
        _ = try Browser(Self.phone).go("GET", r.paymentUrl.web)
        let continueUrl = try #require(try sandbox.approve(r.transactionId)["continueUrl"] as? String)
        #expect(try Browser(Self.phone).go("GET", continueUrl).status == 303)
    }

    @Test func serverTypeHasTheSandboxCallConfirmUrl() throws {
        let merchant = ScriptedServer { _ in .respond(status: 200, body: "") }
        let r = try reserve(.SERVER, confirmUrl: merchant.baseURL + "/linepay/confirm")
        let answer = try sandbox.approve(r.transactionId)
        #expect(answer["serverCallOk"] as? Bool == true)
        let got = try #require(merchant.received.first)
        #expect(got.method == "GET" && got.path == "/linepay/confirm")
        #expect(got.query.hasPrefix("transactionId=\(r.transactionId)&orderId=P-"))
    }

    @Test func noneTypeOnlyApproves() throws {
        let r = try reserve(.NONE)
        let browser = Browser(Self.phone)
        _ = try browser.go("GET", r.paymentUrl.web)
        let approve = try browser.go("POST", r.paymentUrl.web + "/approve")
        #expect(approve.status == 200 && approve.headers["location"] == nil)
        #expect(try client.checkPaymentStatus(transactionId: r.transactionId) == .authorized)
    }

    @Test func unknownPaymentTokenIs404() throws {
        #expect(try Browser(Self.phone).go("GET", sandbox.baseURL + "/sandbox/pay/000000").status == 404)
    }
}

