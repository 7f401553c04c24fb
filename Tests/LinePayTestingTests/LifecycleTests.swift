import Foundation
import LinePay
import LinePayTesting
import Testing

/// The ten endpoints through a real LinePayClient, with the reference's codes where LINE Pay refuses.
@Suite(.timeLimit(.minutes(5))) struct LifecycleTests {
    @Test func requestApproveConfirmCaptures() throws {
        let shop = Shop()
        let reserved = try shop.client.request(shop.paymentRequest("A-1"))
        #expect(reserved.transactionId.description.count == 19)
        #expect(reserved.paymentUrl.web.hasPrefix("https://"))
        #expect(reserved.paymentUrl.app != nil)
        #expect(try shop.client.checkPaymentStatus(transactionId: reserved.transactionId) == .beforeAuthorization)
        #expect(code(failure { try shop.client.confirm(transactionId: reserved.transactionId, amount: 100, currency: .TWD) }) == "1169")

        let back = shop.pay.approve(transactionId: reserved.transactionId)
        #expect(back == "https://shop.example/confirm?shop=1&transactionId=\(reserved.transactionId)&orderId=A-1")
        #expect(try shop.client.checkPaymentStatus(transactionId: reserved.transactionId) == .authorized)
        let paid = try shop.client.confirm(transactionId: reserved.transactionId, amount: 100, currency: .TWD)
        #expect(paid.orderId == "A-1")
        #expect(paid.authorizationExpireDate == nil)
        #expect(paid.payInfo.map(\.amount) == [100])
        #expect(shop.pay.transaction(reserved.transactionId)?.status == .captured)
        #expect(try shop.client.checkPaymentStatus(transactionId: reserved.transactionId) == .completed)
        #expect(shop.pay.count(of: .confirm, transactionId: reserved.transactionId, .succeeded) == 1)
    }

    @Test func confirmRefusalsUseTheReferenceCodes() throws {
        let shop = Shop()
        let id = try shop.approved("A-2")
        #expect(code(failure { try shop.client.confirm(transactionId: id, amount: 99, currency: .TWD) }) == "1153")
        #expect(code(failure { try shop.client.confirm(transactionId: id, amount: 100, currency: .USD) }) == "1153")
        #expect(code(failure { try shop.client.confirm(transactionId: TransactionID(1234567890123456789), amount: 100, currency: .TWD) }) == "1150")
        _ = try shop.client.confirm(transactionId: id, amount: 100, currency: .TWD)
        // A second Confirm never pays twice; 1152 is "look it up" to the client.
        let second = failure { try shop.client.confirm(transactionId: id, amount: 100, currency: .TWD) }
        #expect(code(second) == "1152")
        #expect(second?.isOutcomeUnknown == true)
        #expect(shop.pay.transaction(id)?.capturedAmount == 100)
        #expect(code(failure { try shop.client.request(shop.paymentRequest("A-2")) }) == "1172")
    }

    @Test func authorizeThenCaptureUpToTheAuthorizedAmount() throws {
        let shop = Shop()
        let id = try shop.approved("B-1", amount: 300, capture: false)
        let auth = try shop.client.confirm(transactionId: id, amount: 300, currency: .TWD)
        #expect(auth.authorizationExpireDate == "2026-12-31T00:00:00Z")
        var details = try shop.client.paymentDetails(transactionIds: [id])
        #expect(details.first?.payStatus == "AUTHORIZATION")
        #expect(code(failure { try shop.client.capture(transactionId: id, amount: 301, currency: .TWD) }) == "1184")
        let captured = try shop.client.capture(transactionId: id, amount: 250, currency: .TWD)
        #expect(captured.payInfo?.map(\.amount) == [250])
        details = try shop.client.paymentDetails(transactionIds: [id])
        #expect(details.first?.payStatus == nil)
        #expect(details.first?.payInfo?.map(\.amount) == [250])
        #expect(code(failure { try shop.client.capture(transactionId: id, amount: 250, currency: .TWD) }) == "1155")
    }

    @Test func voidOnceThen1165() throws {
        let shop = Shop()
        let id = try shop.authorized("C-1")
        try shop.client.void(transactionId: id)
        #expect(shop.pay.transaction(id)?.status == .voided)
        #expect(try shop.client.paymentDetails(orderIds: ["C-1"]).first?.payStatus == "VOIDED_AUTHORIZATION")
        #expect(code(failure { try shop.client.void(transactionId: id) }) == "1165")
        #expect(code(failure { try shop.client.capture(transactionId: id, amount: 100, currency: .TWD) }) == "1155")
        let paid = try shop.captured("C-2")
        #expect(code(failure { try shop.client.void(transactionId: paid) }) == "1155")
    }

    @Test func partialRefundShowsANegativeRefundAmount() throws {
        let shop = Shop()
        let id = try shop.captured("D-1", amount: 100)
        let refund = try shop.client.refund(transactionId: id, amount: 20)
        #expect(refund.refundTransactionId != id)
        let detail = try #require(try shop.client.paymentDetails(transactionIds: [id]).first)
        let listed = try #require(detail.refundList?.first)
        #expect(listed.refundAmountAsReceived == -20 && listed.refundAmount == 20)
        #expect(listed.refundTransactionId == refund.refundTransactionId)
        #expect(listed.transactionType == "PARTIAL_REFUND")
        #expect(detail.payInfo?.map(\.amount) == [100])
        // The refund transaction itself, by its own id, points at the payment.
        let byRefundId = try shop.client.paymentDetails(transactionIds: [refund.refundTransactionId])
        #expect(byRefundId.first?.originalTransactionId == id)
        #expect(byRefundId.first?.transactionType == "PARTIAL_REFUND")
        #expect(code(failure { try shop.client.refund(transactionId: id, amount: 81) }) == "1164")
        _ = try shop.client.refund(transactionId: id)   // the remaining 80
        #expect(shop.pay.transaction(id)?.refundableAmount == 0)
        #expect(code(failure { try shop.client.refund(transactionId: id) }) == "1165")
    }

    @Test func fullRefundIsAPaymentRefund() throws {
        let shop = Shop()
        let id = try shop.captured("D-2", amount: 70)
        _ = try shop.client.refund(transactionId: id)
        let listed = try shop.client.paymentDetails(orderIds: ["D-2"]).first?.refundList
        #expect(listed?.map(\.refundAmountAsReceived) == [-70])
        #expect(listed?.map(\.transactionType) == ["PAYMENT_REFUND"])
        let auth = try shop.authorized("D-3")
        #expect(code(failure { try shop.client.refund(transactionId: auth) }) == "1155")
    }

    @Test func paymentDetailsOnlyHoldsConfirmedPayments() throws {
        let shop = Shop()
        let waiting = try shop.client.request(shop.paymentRequest("E-1")).transactionId
        #expect(code(failure { try shop.client.paymentDetails(transactionIds: [waiting]) }) == "1150")
        #expect(code(failure { try shop.client.paymentDetails(orderIds: ["nope"]) }) == "1150")
        let paid = try shop.captured("E-2")
        let both = try shop.client.paymentDetails(transactionIds: [waiting, paid], orderIds: ["E-2"])
        #expect(both.map(\.transactionId) == [paid])
        #expect(try shop.client.paymentDetails(orderIds: ["E-2"], fields: .order).first?.packages?.first?.id == "p1")
        #expect(try shop.client.paymentDetails(orderIds: ["E-2"], fields: .order).first?.payInfo == nil)
    }

    @Test func paymentDetailsReadsPHPStyleArrays() throws {
        let shop = Shop()
        let a = try shop.captured("F-1"), b = try shop.captured("F-2")
        for query in ["transactionId%5B0%5D=\(a)&transactionId%5B1%5D=\(b)", "transactionId[]=\(a)&transactionId[]=\(b)",
                      "orderId%5B0%5D=F-1&orderId%5B1%5D=F-2"] {
            let answer = shop.raw("GET", "/v3/payments", query: query)
            #expect(answer.json["returnCode"] as? String == "0000", "\(query)")
            #expect((answer.json["info"] as? [Any])?.count == 2, "\(query)")
        }
    }

    @Test func shopperCancelsOrTheRequestExpires() throws {
        let shop = Shop()
        let cancelled = try shop.client.request(shop.paymentRequest("G-1")).transactionId
        #expect(shop.pay.cancelByShopper(transactionId: cancelled) == "https://shop.example/cancel?transactionId=\(cancelled)&orderId=G-1")
        #expect(try shop.client.checkPaymentStatus(transactionId: cancelled) == .cancelled)
        #expect(shop.pay.approve(transactionId: cancelled) == nil)

        let late = try shop.approved("G-2")
        shop.pay.advance(seconds: 19 * 60 + 59)
        #expect(try shop.client.checkPaymentStatus(transactionId: late) == .authorized)
        shop.pay.advance(seconds: 1)
        #expect(try shop.client.checkPaymentStatus(transactionId: late) == .cancelled)
        #expect(code(failure { try shop.client.confirm(transactionId: late, amount: 100, currency: .TWD) }) == "1180")

        let failing = try shop.client.request(shop.paymentRequest("G-3")).transactionId
        #expect(shop.pay.failPayment(transactionId: failing))
        #expect(try shop.client.checkPaymentStatus(transactionId: failing) == .failed)
    }

    @Test func authorizationExpiresByTheClock() throws {
        let shop = Shop()
        shop.pay.authorizationLifetime = 7 * 86400
        let id = try shop.authorized("H-1")
        shop.pay.advance(seconds: 7 * 86400 - 1)
        #expect(try shop.client.paymentDetails(transactionIds: [id]).first?.payStatus == "AUTHORIZATION")
        shop.pay.advance(seconds: 1)
        let detail = try shop.client.paymentDetails(transactionIds: [id]).first
        #expect(detail?.payStatus == "EXPIRED_AUTHORIZATION")
        #expect(detail?.authorizationExpireDate == "2026-12-08T00:00:00Z")
        #expect(code(failure { try shop.client.capture(transactionId: id, amount: 100, currency: .TWD) }) == "1155")
        #expect(shop.pay.transaction(id)?.status == .authorizationExpired)
    }
}
