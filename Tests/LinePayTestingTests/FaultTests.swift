import Foundation
import LinePay
import LinePayTesting
import Testing

/// Each scripted fault gives the LinePayError the client must give, and LINE Pay's records show whether it acted.
@Suite(.timeLimit(.minutes(5))) struct FaultTests {
    @Test func lostAfterProcessingOnConfirmIsUnknownAndDetailsShowThePayment() throws {
        let shop = Shop()
        let id = try shop.approved("X-1")
        shop.pay.enqueueFault(.lostAfterProcessing, for: .confirm)
        let error = failure { try shop.client.confirm(transactionId: id, amount: 100, currency: .TWD) }
        guard case .outcomeUnknown(.confirm, .connectionLost) = error else { Issue.record("got \(String(describing: error))"); return }
        let found = try shop.client.paymentDetails(transactionIds: [id])
        #expect(found.map(\.transactionId) == [id])
        #expect(found.first?.payInfo?.map(\.amount) == [100])
        #expect(shop.pay.calls.first { $0.operation == .confirm }?.fault == .lostAfterProcessing)
        #expect(shop.pay.count(of: .confirm, transactionId: id, .processed) == 1)
    }

    @Test func lostBeforeProcessingLeavesThePaymentApproved() throws {
        let shop = Shop()
        let id = try shop.approved("X-2")
        shop.pay.enqueueFault(.lostBeforeProcessing, for: .confirm)
        let error = failure { try shop.client.confirm(transactionId: id, amount: 100, currency: .TWD) }
        guard case .outcomeUnknown(.confirm, .connectionLost) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(code(failure { try shop.client.paymentDetails(transactionIds: [id]) }) == "1150")
        #expect(try shop.client.checkPaymentStatus(transactionId: id) == .authorized)
        #expect(shop.pay.count(of: .confirm, transactionId: id) == 1)
        #expect(shop.pay.count(of: .confirm, transactionId: id, .processed) == 0)
        _ = try shop.client.confirm(transactionId: id, amount: 100, currency: .TWD)   // the fault was consumed
    }

    @Test func timeoutAfterProcessingRefundsOnce() throws {
        let shop = Shop()
        let id = try shop.captured("X-3")
        shop.pay.enqueueFault(.timeoutAfterProcessing, for: .refund)
        #expect(failure { try shop.client.refund(transactionId: id, amount: 30) } == .outcomeUnknown(.refund, .timedOut))
        #expect(try shop.client.paymentDetails(transactionIds: [id]).first?.refundList?.map(\.refundAmountAsReceived) == [-30])
    }

    @Test func notSentMovesNothing() throws {
        let shop = Shop()
        let id = try shop.authorized("X-4")
        shop.pay.enqueueFault(.notSent, for: .capture)
        guard case .notSent = failure({ try shop.client.capture(transactionId: id, amount: 100, currency: .TWD) }) else {
            Issue.record("not .notSent"); return
        }
        #expect(shop.pay.transaction(id)?.status == .authorized)
    }

    @Test func httpStatusWithAnHTMLBodyIsUnknownProcessedOrNot() throws {
        let shop = Shop()
        let a = try shop.authorized("X-5"), b = try shop.authorized("X-6")
        shop.pay.enqueueFault(.httpStatus(502), for: .void)
        shop.pay.enqueueFault(.httpStatus(504, processed: true), for: .void)
        #expect(failure { try shop.client.void(transactionId: a) } == .outcomeUnknown(.void, .httpStatus(502)))
        #expect(failure { try shop.client.void(transactionId: b) } == .outcomeUnknown(.void, .httpStatus(504)))
        #expect(shop.pay.transaction(a)?.status == .authorized)
        #expect(shop.pay.transaction(b)?.status == .voided)
        #expect(shop.pay.pendingFaults.isEmpty)
    }

    @Test func malformedAndTruncatedBodiesAreUnparseable() throws {
        let shop = Shop()
        let a = try shop.approved("X-7"), b = try shop.approved("X-8")
        shop.pay.enqueueFault(.malformedBody(processed: false), for: .confirm)
        shop.pay.enqueueFault(.truncatedBody(processed: true), for: .confirm)
        for (id, status) in [(a, ScriptedTransaction.Status.approved), (b, .captured)] {
            let error = failure { try shop.client.confirm(transactionId: id, amount: 100, currency: .TWD) }
            guard case .outcomeUnknown(.confirm, .unparseableBody) = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(shop.pay.transaction(id)?.status == status)
        }
        // A fault on request: LINE Pay reserved the payment, the shop never learnt its id; the orderId finds it.
        shop.pay.enqueueFault(.truncatedBody(processed: true), for: .request)
        #expect(failure { try shop.client.request(shop.paymentRequest("X-9")) }?.isOutcomeUnknown == true)
        #expect(shop.pay.transactions(orderId: "X-9").map(\.status) == [.awaitingShopper])
    }

    @Test func scriptedReturnCodesMapAsTheClientReadsThem() throws {
        let shop = Shop()
        let id = try shop.approved("Y-1")
        shop.pay.enqueueFault(.returnCode("1172", processed: true), for: .confirm)
        let ambiguous = failure { try shop.client.confirm(transactionId: id, amount: 100, currency: .TWD) }
        #expect(code(ambiguous) == "1172")
        #expect(ambiguous?.isOutcomeUnknown == true)
        #expect(shop.pay.transaction(id)?.status == .captured)   // processed: LINE Pay took the money

        let other = try shop.approved("Y-2")
        shop.pay.enqueueFault(.returnCode("1281"), for: .confirm)
        let refused = failure { try shop.client.confirm(transactionId: other, amount: 100, currency: .TWD) }
        guard case .refused(let r) = refused else { Issue.record("got \(String(describing: refused))"); return }
        #expect(r.code.rawValue == "1281")
        #expect(r.message.contains("Credit card payment error"))
        #expect(shop.pay.transaction(other)?.status == .approved)
    }

    @Test(arguments: ["1199", "1280", "1298"])
    func captureRefusedWithCardErrorsCancelsTheAuthorization(_ refusal: String) throws {
        let shop = Shop()
        let id = try shop.authorized("Z-\(refusal)")
        shop.pay.enqueueFault(.returnCode(refusal), for: .capture)
        #expect(code(failure { try shop.client.capture(transactionId: id, amount: 100, currency: .TWD) }) == refusal)
        #expect(shop.pay.transaction(id)?.status == .voided)
        #expect(try shop.client.paymentDetails(transactionIds: [id]).first?.payStatus == "VOIDED_AUTHORIZATION")
        #expect(code(failure { try shop.client.void(transactionId: id) }) == "1165")
        #expect(shop.pay.calls.last { $0.operation == .capture }?.processed == true)
    }

    @Test func otherCaptureCodesLeaveTheAuthorization() throws {
        let shop = Shop()
        let id = try shop.authorized("Z-2")
        shop.pay.enqueueFault(.returnCode("1179"), for: .capture)
        #expect(code(failure { try shop.client.capture(transactionId: id, amount: 100, currency: .TWD) }) == "1179")
        #expect(shop.pay.transaction(id)?.status == .authorized)
    }

    @Test func faultsAreConsumedInOrderOnePerMatchingCall() throws {
        let shop = Shop()
        let id = try shop.authorized("Q-1")
        shop.pay.enqueueFault(.returnCode("1900"), for: .void)
        shop.pay.enqueueFault(.returnCode("1902"), for: .void)
        shop.pay.enqueueFault(.lostBeforeProcessing, for: .refund)   // another operation: untouched by voids
        try shop.client.void(transactionId: id)   // retried twice with fresh nonces, then done
        #expect(shop.pay.calls.filter { $0.operation == .void }.map(\.fault) == [.returnCode("1900"), .returnCode("1902"), nil])
        #expect(shop.pay.transaction(id)?.status == .voided)
        #expect(shop.pay.pendingFaults[.refund] == [.lostBeforeProcessing])
        #expect(shop.pay.pendingFaults[.void] == nil)
    }

    @Test func expireRegKeyLostAfterProcessingHasExpiredIt() throws {
        let shop = Shop()
        let id = try shop.approved("R-1", payType: .PREAPPROVED)
        let key = try #require(try shop.client.confirm(transactionId: id, amount: 100, currency: .TWD).regKey)
        shop.pay.enqueueFault(.lostAfterProcessing, for: .expireRegKey)
        #expect(failure { try shop.client.expireRegKey(key) }?.isOutcomeUnknown == true)
        #expect(code(failure { try shop.client.checkRegKey(key) }) == "1193")
        #expect(shop.pay.count(of: .expireRegKey, regKey: key, .succeeded) == 1)
    }
}

/// The reference's refusal codes per endpoint, for a matrix to iterate.
@Suite(.timeLimit(.minutes(5))) struct ReferenceCodeTests {
    @Test func codesComeFromTheReferenceTable() {
        let capture = ScriptedLinePay.referenceRefusalCodes(for: .capture)
        #expect(capture.contains("1199") && capture.contains("1280") && capture.contains("1298") && capture.contains("1184"))
        #expect(!capture.contains("0000") && !capture.contains("1297"))
        #expect(ScriptedLinePay.referenceRefusalCodes(for: .void).contains("1900"))
        #expect(ScriptedLinePay.referenceRefusalCodes(for: .checkPaymentStatus) == ["1104", "1105", "9000"])
        #expect(ScriptedLinePay.referenceRefusalCodes(for: .expireRegKey) == ["1104", "1105", "1106", "1190", "1193", "9000"])
        #expect(capture.filter(ScriptedLinePay.cancelsAuthorization).count == 19)   // 1199 and 1280-1296, 1298
    }
}
