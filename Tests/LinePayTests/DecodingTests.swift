import Foundation
import Testing
@testable import LinePay

/// Every documented answer shape decodes, with exact 19-digit ids, Decimal amounts, escaped slashes and extra fields.
@Suite(.timeLimit(.minutes(5))) struct DecodingTests {
    func decode<E: LinePayEndpoint>(_ json: String, _ e: E.Type) throws -> LinePayResponse<E.Info> {
        try LinePayClient.interpret(status: 200, body: Array(json.utf8), for: e)
    }

    @Test func requestAnswerWithEscapedSlashesAndUnknownFields() throws {
        let r = try decode(#"""
        {"returnCode":"0000","returnMessage":"Success.","newTopLevel":true,
         "info":{"transactionId":2016020510824221610,"paymentAccessToken":"187568751124",
          "paymentUrl":{"web":"https:\/\/sandbox-web-pay.line.me\/web\/payment\/wait?transactionReserveId=abc",
                        "app":"line:\/\/pay\/payment\/abc"},"somethingNew":{"x":[1,2,3]}}}
        """#, RequestPayment.self)
        #expect(r.info.transactionId.rawValue == 2016020510824221610)
        #expect(r.info.transactionId.description == "2016020510824221610")
        #expect(r.info.paymentUrl.web == "https://sandbox-web-pay.line.me/web/payment/wait?transactionReserveId=abc")
        #expect(r.info.paymentUrl.app == "line://pay/payment/abc")
        #expect(r.info.paymentAccessToken == "187568751124")
    }

    @Test func idsAtInt64MaxAndAbove2pow53AreExact() throws {
        let r = try decode(#"{"returnCode":"0000","returnMessage":"OK","info":{"orderId":"o-1","transactionId":9223372036854775807,"payInfo":[{"method":"BALANCE","amount":10}]}}"#,
                           ConfirmPayment.self)
        #expect(r.info.transactionId.rawValue == Int64.max)
        let near = try decode(#"{"returnCode":"0000","returnMessage":"OK","info":{"orderId":"o-1","transactionId":9007199254740993,"payInfo":[]}}"#,
                              ConfirmPayment.self)
        #expect(near.info.transactionId.rawValue == 9007199254740993)  // 2^53 + 1: a Double would round it
        #expect(TransactionID("9223372036854775808") == nil)
        #expect(TransactionID("12a") == nil)
        #expect(TransactionID("-5") == nil)
        // Encoding back gives the same digits.
        let data = try JSONEncoder().encode([TransactionID(Int64.max)])
        #expect(String(decoding: data, as: UTF8.self) == "[9223372036854775807]")
    }

    @Test func confirmAnswerWithEveryField() throws {
        let r = try decode(#"""
        {"returnCode":"0000","returnMessage":"OK","info":{"orderId":"A-1001","transactionId":2016020510824221610,
         "authorizationExpireDate":"2026-12-01T12:00:00Z","regKey":"RK9A1B2C3D4E5F6",
         "payInfo":[{"method":"CREDIT_CARD","amount":350.25,"creditCardNickname":"","creditCardBrand":"VISA","maskedCreditCardNumber":"**** **** **** 1234"},
                    {"method":"DISCOUNT","amount":10}],
         "packages":[{"id":"pkg-1","amount":360.25,"userFeeAmount":0}],
         "shipping":{"methodId":"m1","feeAmount":0,"address":{"country":"TW","postalCode":"100","state":"Taipei","city":"Taipei",
           "detail":"1 Road","optional":"","recipient":{"firstName":"A","lastName":"B","firstNameOptional":"","lastNameOptional":"","email":"a@b.c","phoneNo":"0900"}}}}}
        """#, ConfirmPayment.self)
        #expect(r.info.payInfo.map(\.amount) == [Decimal(string: "350.25")!, 10])
        #expect(r.info.payInfo[0].maskedCreditCardNumber == "**** **** **** 1234")
        #expect(r.info.regKey?.rawValue == "RK9A1B2C3D4E5F6")
        #expect(r.info.shipping?.address?.recipient?.email == "a@b.c")
        #expect(r.info.packages?.first?.amount == Decimal(string: "360.25"))
    }

    @Test func captureVoidRefundAnswers() throws {
        let c = try decode(#"{"returnCode":"0000","returnMessage":"OK","info":{"orderId":"o","transactionId":2016020510824221610,"payInfo":[{"method":"BALANCE","amount":100}]}}"#,
                           CapturePayment.self)
        #expect(c.info.transactionId?.rawValue == 2016020510824221610)
        let v = try decode(#"{"returnCode":"0000","returnMessage":"OK"}"#, VoidAuthorization.self)
        #expect(v.returnCode == .success)
        let r = try decode(#"{"returnCode":"0000","returnMessage":"OK","info":{"refundTransactionId":9223372036854775806,"refundTransactionDate":"2026-11-24T10:00:00Z"}}"#,
                           RefundPayment.self)
        #expect(r.info.refundTransactionId.rawValue == 9223372036854775806)
    }

    @Test func paymentDetailsOfPaymentsRefundsAndOrders() throws {
        let r = try decode(#"""
        {"returnCode":"0000","returnMessage":"success","info":[
          {"transactionId":2016020510824221610,"transactionDate":"2026-11-24T10:00:00Z","transactionType":"PAYMENT",
           "productName":"tea","merchantName":"shop","currency":"TWD","payStatus":"AUTHORIZATION",
           "authorizationExpireDate":"2026-12-24T10:00:00Z",
           "payInfo":[{"method":"BALANCE","amount":360}],
           "refundList":[{"refundTransactionId":2016020510824221611,"transactionType":"PARTIAL_REFUND","refundAmount":20,"refundTransactionDate":"2026-11-24T11:00:00Z"},
                         {"refundTransactionId":9223372036854775807,"transactionType":"PARTIAL_REFUND","refundAmount":40}],
           "packages":[{"id":"p","amount":360,"name":"pkg","products":[{"id":"sku","name":"tea","quantity":3,"price":120,"imageUrl":"https:\/\/x\/y.png"}]}],
           "shipping":{"methodId":"m","feeAmount":0}},
          {"transactionId":2016020510824221611,"transactionType":"PARTIAL_REFUND","originalTransactionId":2016020510824221610,
           "payInfo":[{"method":"BALANCE","amount":-20}]}]}
        """#, PaymentDetails.self)
        #expect(r.info.count == 2)
        #expect(r.info[0].remainingAmount == 300)
        #expect(r.info[0].refundList?.last?.refundTransactionId.rawValue == Int64.max)
        #expect(r.info[0].packages?.first?.products?.first?.imageUrl == "https://x/y.png")
        #expect(r.info[1].originalTransactionId?.rawValue == 2016020510824221610)
    }

    @Test func checkPaymentStatusCodesAreStatuses() throws {
        for (code, status) in [("0000", CheckPaymentStatus.Status.beforeAuthorization), ("0110", .authorized),
                               ("0121", .cancelled), ("0122", .failed), ("0123", .completed)] {
            let r = try decode(#"{"returnCode":"\#(code)","returnMessage":"x"}"#, CheckPaymentStatus.self)
            #expect(r.status == status)
        }
        let withShipping = try decode(#"{"returnCode":"0110","returnMessage":"x","info":{"shipping":{"methodId":"m","feeAmount":50}}}"#,
                                      CheckPaymentStatus.self)
        #expect(withShipping.info.shipping?.feeAmount == 50)
    }

    @Test func regKeyAnswers() throws {
        #expect(try decode(#"{"returnCode":"0000","returnMessage":"OK"}"#, CheckRegKey.self).returnCode == .success)
        #expect(try decode(#"{"returnCode":"0000","returnMessage":"OK"}"#, ExpireRegKey.self).returnCode == .success)
        let p = try decode(#"{"returnCode":"0000","returnMessage":"OK","info":{"orderId":"sub-1","transactionId":2016020510824221612,"transactionDate":"2026-11-24T10:00:00Z","authorizationExpireDate":"2026-12-24T10:00:00Z"}}"#,
                           PayPreapproved.self)
        #expect(p.info.transactionId.rawValue == 2016020510824221612)
    }

    @Test func refusalsCarryTheReferenceWordsPerOperation() {
        #expect(throws: LinePayError.refused(Refusal(operation: .refund, code: ReturnCode("1164"), message: "x"))) {
            try decode(#"{"returnCode":"1164","returnMessage":"x"}"#, RefundPayment.self)
        }
        #expect(ReturnCode("1164").explanation(for: .refund) == "Exceeded refundable amount.")
        #expect(ReturnCode("1165").explanation(for: .void) == "This transaction has already been voided.")
        #expect(ReturnCode("1165").explanation(for: .refund) == "This transaction has already been refunded.")
        #expect(ReturnCode("1124").explanation(for: .refund) == "Account status error")
        #expect(ReturnCode("1124").explanation(for: .request) == "Amount info error")
        #expect(ReturnCode("1190").explanation(for: .expireRegKey) == "The regKey doesn't exist.")
        // Every code the reference lists for confirm has words.
        for code in ["1101", "1110", "1141", "1142", "1150", "1152", "1153", "1159", "1169", "1170", "1180", "1280", "1298"] {
            #expect(ReturnCode(code).explanation(for: .confirm) != nil, "confirm \(code)")
        }
    }

    @Test func ambiguousCodesOnMoneyMovingCallsAreUnknownNotFailed() {
        for code in ["1198", "1172", "1145", "1152", "9000"] {
            #expect(throws: LinePayError.outcomeUnknown(.confirm, .ambiguousCode(ReturnCode(code), "m"))) {
                try decode(#"{"returnCode":"\#(code)","returnMessage":"m"}"#, ConfirmPayment.self)
            }
        }
        // On request (no money moves) 1172 is a plain refusal.
        #expect(throws: LinePayError.refused(Refusal(operation: .request, code: ReturnCode("1172"), message: "m"))) {
            try decode(#"{"returnCode":"1172","returnMessage":"m"}"#, RequestPayment.self)
        }
    }

    @Test func successWithoutRequiredInfoOrBadIdIsUnknown() {
        #expect(throws: LinePayError.self) { try decode(#"{"returnCode":"0000","returnMessage":"OK"}"#, RequestPayment.self) }
        do {
            _ = try decode(#"{"returnCode":"0000","returnMessage":"OK","info":{"transactionId":1.5,"paymentUrl":{"web":"https://x"}}}"#, RequestPayment.self)
            Issue.record("a non-integer id was accepted")
        } catch {
            #expect((error as? LinePayError)?.isOutcomeUnknown == true)
        }
    }
}
