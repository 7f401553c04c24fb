import Foundation
import Testing
@testable import LinePay

/// Online API v4's additions (LINE Pay's change log, November 2025) and payment details' signed refund amounts.
@Suite(.timeLimit(.minutes(5))) struct V4DecodingTests {
    func decode<E: LinePayEndpoint>(_ json: String, _ e: E.Type) throws -> LinePayResponse<E.Info> {
        try LinePayClient.interpret(status: 200, body: Array(json.utf8), for: e)
    }

    @Test func paymentProviderInConfirmCaptureDetailsAndPreapproved() throws {
        let confirm = try decode(#"{"returnCode":"0000","returnMessage":"OK","info":{"orderId":"o","transactionId":2016020510824221610,"payInfo":[],"paymentProvider":"TSP"}}"#,
                                 ConfirmPayment.self)
        #expect(confirm.info.paymentProvider == .tsp)
        let capture = try decode(#"{"returnCode":"0000","returnMessage":"OK","info":{"orderId":"o","transactionId":2016020510824221610,"paymentProvider":"EPI"}}"#,
                                 CapturePayment.self)
        #expect(capture.info.paymentProvider == .epi)
        let details = try decode(#"{"returnCode":"0000","returnMessage":"OK","info":[{"transactionId":2016020510824221610,"paymentProvider":"TSP"}]}"#,
                                 PaymentDetails.self)
        #expect(details.info[0].paymentProvider == .tsp)
        let pay = try decode(#"{"returnCode":"0000","returnMessage":"OK","info":{"orderId":"o","transactionId":2016020510824221610,"paymentProvider":"NEWKIND"}}"#,
                             PayPreapproved.self)
        #expect(pay.info.paymentProvider?.rawValue == "NEWKIND")   // an unknown provider is kept, not refused
    }

    @Test func v3AnswersWithoutPaymentProviderStillDecode() throws {
        let confirm = try decode(#"{"returnCode":"0000","returnMessage":"OK","info":{"orderId":"o","transactionId":2016020510824221610,"payInfo":[]}}"#,
                                 ConfirmPayment.self)
        #expect(confirm.info.paymentProvider == nil)
        let capture = try decode(#"{"returnCode":"0000","returnMessage":"OK"}"#, CapturePayment.self)
        #expect(capture.info.paymentProvider == nil)
        #expect(throws: LinePayError.self) {   // a provider that is not a string is a malformed answer
            try decode(#"{"returnCode":"0000","returnMessage":"OK","info":{"orderId":"o","transactionId":1,"payInfo":[],"paymentProvider":7}}"#, ConfirmPayment.self)
        }
    }

    @Test func refundAmountsOfEitherSignAreMagnitudes() throws {
        // As real answers write them: negative beside PARTIAL_REFUND.
        let negative = try decode(#"""
        {"returnCode":"0000","returnMessage":"OK","info":[{"transactionId":2016020510824221610,"transactionType":"PAYMENT",
         "payInfo":[{"method":"CREDIT_CARD","amount":360}],
         "refundList":[{"refundTransactionId":2016020510824221611,"transactionType":"PARTIAL_REFUND","refundAmount":-20},
                       {"refundTransactionId":2016020510824221612,"transactionType":"PARTIAL_REFUND","refundAmount":-40.5}]}]}
        """#, PaymentDetails.self)
        let refunds = try #require(negative.info[0].refundList)
        #expect(refunds.map(\.refundAmount) == [20, Decimal(string: "40.5")!])
        #expect(refunds.map(\.refundAmountAsReceived) == [-20, Decimal(string: "-40.5")!])
        #expect(negative.info[0].remainingAmount == Decimal(string: "299.5")!)
        let positive = try decode(#"""
        {"returnCode":"0000","returnMessage":"OK","info":[{"transactionId":2016020510824221610,"payInfo":[{"method":"BALANCE","amount":360}],
         "refundList":[{"refundTransactionId":2016020510824221611,"refundAmount":20}]}]}
        """#, PaymentDetails.self)
        #expect(positive.info[0].refundList?.map(\.refundAmount) == [20])
        #expect(positive.info[0].remainingAmount == 340)
    }

    @Test func code2042HasTheChangeLogsWords() {
        #expect(ReturnCode("2042").explanation(for: .refund) == "The EPI refund failed: the merchant's refund reserve is too low.")
        #expect(!ReturnCode.meansCheck.contains("2042"))   // a refusal: the refund did not happen
    }
}
