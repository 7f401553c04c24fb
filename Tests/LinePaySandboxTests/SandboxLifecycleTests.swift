import Foundation
import LinePay
import Testing
import TestSupport

/// The library's client against the real sandbox binary behind nginx: the whole life cycle of the reference.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SandboxLifecycleTests {
    let sandbox: SandboxHarness
    let client: LinePayClient

    init() throws {
        sandbox = try SandboxHarness()
        client = sandbox.client()
    }

    static func order(_ orderId: String, amount: Decimal = 360, currency: Currency = .TWD, capture: Bool? = nil,
                      payType: PayType? = nil, confirmUrlType: ConfirmUrlType? = nil, checkBrowser: Bool? = nil,
                      confirmUrl: String = "http://127.0.0.1:1/linepay/confirm") -> RequestPayment {
        RequestPayment(amount: amount, currency: currency, orderId: orderId,
                       packages: [PaymentPackage(id: "pkg-1", amount: amount, name: "shop",
                                                 products: [Product(name: "Cony plush", quantity: 1, price: amount)])],
                       redirectUrls: RedirectUrls(confirmUrl: confirmUrl, cancelUrl: "http://127.0.0.1:1/linepay/cancel", confirmUrlType: confirmUrlType),
                       options: RequestOptions(payment: .init(capture: capture, payType: payType),
                                               display: .init(locale: .zh_TW, checkConfirmUrlBrowser: checkBrowser)))
    }

    func uniqueOrder() -> String { "T-" + UUID().uuidString.prefix(8) }

    @Test func requestApproveConfirmRefundTwiceThenTooMuch() throws {
        let orderId = uniqueOrder()
        let reserved = try client.request(Self.order(orderId))
        #expect(reserved.transactionId.rawValue > 1 << 53)
        #expect(reserved.transactionId.description.count == 19)
        #expect(reserved.paymentUrl.web.hasPrefix(sandbox.baseURL + "/sandbox/pay/"))
        #expect(reserved.paymentUrl.app?.hasPrefix("line://pay/payment/") == true)
        #expect(try client.checkPaymentStatus(transactionId: reserved.transactionId) == .beforeAuthorization)
        // Confirm before the shopper approved: refused with 1169 ("Must select a payment method and password
        // authorization at LINE Pay"), nothing paid.
        #expect(throws: LinePayError.refused(Refusal(operation: .confirm, code: ReturnCode("1169"), message: "Must select a payment method and password authorization at LINE Pay."))) {
            try client.confirm(transactionId: reserved.transactionId, amount: 360, currency: .TWD)
        }
        try sandbox.approve(reserved.transactionId)
        #expect(try client.checkPaymentStatus(transactionId: reserved.transactionId) == .authorized)
        // The amount must be the requested one.
        do {
            _ = try client.confirm(transactionId: reserved.transactionId, amount: 350, currency: .TWD)
            Issue.record("confirm with another amount succeeded")
        } catch {
            guard case .refused(let r) = error else { Issue.record("\(error)"); return }
            #expect(r.code.rawValue == "1153")
        }
        let paid = try client.confirm(transactionId: reserved.transactionId, amount: 360, currency: .TWD)
        #expect(paid.orderId == orderId && paid.transactionId == reserved.transactionId)
        #expect(paid.payInfo.map(\.amount) == [360])
        #expect(paid.authorizationExpireDate == nil)
        #expect(try client.checkPaymentStatus(transactionId: reserved.transactionId) == .completed)
        // A second confirm is an error, never a second payment.
        do {
            _ = try client.confirm(transactionId: reserved.transactionId, amount: 360, currency: .TWD)
            Issue.record("second confirm succeeded")
        } catch {
            #expect(error.isOutcomeUnknown)   // 1152: the client says "look it up", never "paid twice"
            #expect(error == .outcomeUnknown(.confirm, .ambiguousCode(ReturnCode("1152"), "There is a history of transactions with the same transactionId.")))
        }
        let details = try client.paymentDetails(orderIds: [orderId])
        #expect(details.count == 1)
        #expect(details[0].payInfo?.first?.amount == 360)

        let first = try client.refund(transactionId: reserved.transactionId, amount: 20)
        let second = try client.refund(transactionId: reserved.transactionId, amount: 40)
        #expect(first.refundTransactionId != second.refundTransactionId)
        do {
            _ = try client.refund(transactionId: reserved.transactionId, amount: 301)
            Issue.record("refund above the remainder succeeded")
        } catch {
            guard case .refused(let r) = error else { Issue.record("\(error)"); return }
            #expect(r.code.rawValue == "1164" && r.explanation == "Exceeded refundable amount.")
        }
        _ = try client.refund(transactionId: reserved.transactionId)   // the rest: 300
        do {
            _ = try client.refund(transactionId: reserved.transactionId, amount: 1)
            Issue.record("refund of nothing left succeeded")
        } catch {
            guard case .refused(let r) = error else { Issue.record("\(error)"); return }
            #expect(r.code.rawValue == "1165")
        }
        let after = try client.paymentDetails(transactionIds: [reserved.transactionId])
        #expect(after[0].refundList?.map(\.refundAmount) == [20, 40, 300])
        #expect(after[0].refundList?.map(\.refundAmountAsReceived) == [-20, -40, -300])   // negative, as LINE Pay writes them
        #expect(after[0].remainingAmount == 0)
        let refundDetail = try client.paymentDetails(transactionIds: [first.refundTransactionId], fields: .transaction)
        #expect(refundDetail[0].originalTransactionId == reserved.transactionId)
    }

    @Test func authorizeCapturePartlyAndVoid() throws {
        let a = try client.request(Self.order(uniqueOrder(), capture: false))
        try sandbox.approve(a.transactionId)
        let authorized = try client.confirm(transactionId: a.transactionId, amount: 360, currency: .TWD)
        #expect(authorized.authorizationExpireDate != nil)
        #expect(try client.paymentDetails(transactionIds: [a.transactionId])[0].payStatus == "AUTHORIZATION")
        do {
            _ = try client.capture(transactionId: a.transactionId, amount: 361, currency: .TWD)
            Issue.record("capture above the authorization succeeded")
        } catch {
            guard case .refused(let r) = error else { Issue.record("\(error)"); return }
            #expect(r.code.rawValue == "1184")
        }
        let captured = try client.capture(transactionId: a.transactionId, amount: 300, currency: .TWD)
        #expect(captured.payInfo?.first?.amount == 300)
        do {
            try client.void(transactionId: a.transactionId)
            Issue.record("void after capture succeeded")
        } catch {
            guard case .refused(let r) = error else { Issue.record("\(error)"); return }
            #expect(r.code.rawValue == "1155")
        }
        // Refund can then take at most the captured 300.
        #expect(throws: LinePayError.self) { try client.refund(transactionId: a.transactionId, amount: 301) }

        let b = try client.request(Self.order(uniqueOrder(), capture: false))
        try sandbox.approve(b.transactionId)
        _ = try client.confirm(transactionId: b.transactionId, amount: 360, currency: .TWD)
        try client.void(transactionId: b.transactionId)
        #expect(try client.paymentDetails(transactionIds: [b.transactionId])[0].payStatus == "VOIDED_AUTHORIZATION")
        #expect(throws: LinePayError.refused(Refusal(operation: .void, code: ReturnCode("1165"), message: "This transaction has already been voided."))) {
            try client.void(transactionId: b.transactionId)
        }
    }

    @Test func checkStatusForCancelledFailedAndExpired() throws {
        let cancelled = try client.request(Self.order(uniqueOrder()))
        let answer = try sandbox.control("POST", "/transactions/\(cancelled.transactionId)/cancel") as? [String: Any]
        #expect((answer?["cancelUrl"] as? String)?.contains("transactionId=\(cancelled.transactionId)") == true)
        #expect(try client.checkPaymentStatus(transactionId: cancelled.transactionId) == .cancelled)
        let failed = try client.request(Self.order(uniqueOrder()))
        try sandbox.control("POST", "/transactions/\(failed.transactionId)/fail")
        #expect(try client.checkPaymentStatus(transactionId: failed.transactionId) == .failed)
        let stale = try client.request(Self.order(uniqueOrder()))
        try sandbox.control("POST", "/clock", ["advance": "1201"])
        #expect(try client.checkPaymentStatus(transactionId: stale.transactionId) == .cancelled)
        #expect(throws: (any Error).self) { try sandbox.approve(stale.transactionId) }   // the control API says 409: expired
        try sandbox.control("POST", "/clock", ["advance": "-1201"])
    }

    @Test func duplicateOrderIdAndUnknownTransaction() throws {
        let orderId = uniqueOrder()
        _ = try client.request(Self.order(orderId))
        #expect(throws: LinePayError.refused(Refusal(operation: .request, code: ReturnCode("1172"), message: "A record of transaction with the same order number already exists."))) {
            try client.request(Self.order(orderId))
        }
        do {
            _ = try client.paymentDetails(transactionIds: [TransactionID(Int64.max)])
            Issue.record("details of an unknown id succeeded")
        } catch {
            guard case .refused(let r) = error else { Issue.record("\(error)"); return }
            #expect(r.code.rawValue == "1150")
        }
    }

    @Test func preapprovedRegKeyChargedCheckedAndExpired() throws {
        let a = try client.request(Self.order(uniqueOrder(), payType: .PREAPPROVED))
        try sandbox.approve(a.transactionId)
        let confirmed = try client.confirm(transactionId: a.transactionId, amount: 360, currency: .TWD)
        let regKey = try #require(confirmed.regKey)
        try client.checkRegKey(regKey)
        let charge = try client.payPreapproved(PayPreapproved(regKey: regKey, productName: "Monthly tea", amount: 120,
                                                              currency: .TWD, orderId: uniqueOrder(), capture: false))
        #expect(charge.authorizationExpireDate != nil)
        #expect(try client.paymentDetails(transactionIds: [charge.transactionId])[0].payStatus == "AUTHORIZATION")
        _ = try client.capture(transactionId: charge.transactionId, amount: 120, currency: .TWD)
        try client.expireRegKey(regKey)
        expectRefusal("1193") { try client.checkRegKey(regKey) }
        expectRefusal("1193") { try client.expireRegKey(regKey) }
        do {
            try client.checkRegKey(RegKey("RK0000000000000")!)
            Issue.record("an unknown regKey works")
        } catch {
            guard case .refused(let r) = error else { Issue.record("\(error)"); return }
            #expect(r.code.rawValue == "1190")
        }
    }

    @Test func transactionsSurviveARestart() throws {
        let a = try client.request(Self.order(uniqueOrder()))
        try sandbox.approve(a.transactionId)
        _ = try client.confirm(transactionId: a.transactionId, amount: 360, currency: .TWD)
        try sandbox.restart()
        #expect(try client.paymentDetails(transactionIds: [a.transactionId]).count == 1)
    }
}

/// Expects LINE Pay's definitive refusal with `code`.
func expectRefusal(_ code: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected refusal \(code), got success", sourceLocation: sourceLocation)
    } catch let LinePayError.refused(r) {
        #expect(r.code.rawValue == code, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected refusal \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
