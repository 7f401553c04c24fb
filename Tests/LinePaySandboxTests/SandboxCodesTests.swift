import Foundation
import LinePay
import Testing
import TestSupport
@testable import LinePaySandbox

/// Each endpoint answers only the return codes the reference lists for it (002_...txt), apart from the few
/// exceptions `SandboxCodes` names with a reason. Every refusal the sandbox can give on its own is provoked here.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SandboxCodesTests {
    let sandbox: SandboxHarness
    let client: LinePayClient

    init() throws {
        sandbox = try SandboxHarness()
        client = sandbox.client()
    }

    /// A POST signed by hand (the client's validation would stop some of these before sending).
    func post(_ path: String, _ body: String) throws -> String {
        let r = try httpRequest(method: "POST", url: sandbox.baseURL + path, headers: signedHeaders(path: path, payload: body, nonce: makeNonce()),
                                body: Array(body.utf8))
        return (try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])?["returnCode"] as? String ?? "none"
    }

    func reserve(capture: Bool = true, payType: PayType? = nil) throws -> TransactionID {
        try client.request(SandboxLifecycleTests.order("K-" + UUID().uuidString.prefix(8), capture: capture, payType: payType)).transactionId
    }

    @Test func everyRefusalIsOneTheReferenceListsForItsEndpoint() throws {
        let unknown = "9223372036854775807"
        var expected: [(String, String, String)] = []   // (what, code wanted, code got)
        func check(_ what: String, _ want: String, _ got: String) { expected.append((what, want, got)) }

        // request
        check("request: not JSON", "2102", try post("/v3/payments/request", "{"))
        check("request: missing fields", "2101", try post("/v3/payments/request", #"{"amount":1}"#))
        // confirm
        let reserved = try reserve()
        check("confirm before approval", "1169", try post("/v3/payments/\(reserved)/confirm", #"{"amount":360,"currency":"TWD"}"#))
        check("confirm unknown", "1150", try post("/v3/payments/\(unknown)/confirm", #"{"amount":360,"currency":"TWD"}"#))
        try sandbox.approve(reserved)
        check("confirm other amount", "1153", try post("/v3/payments/\(reserved)/confirm", #"{"amount":361,"currency":"TWD"}"#))
        check("confirm", "0000", try post("/v3/payments/\(reserved)/confirm", #"{"amount":360,"currency":"TWD"}"#))
        check("second confirm", "1152", try post("/v3/payments/\(reserved)/confirm", #"{"amount":360,"currency":"TWD"}"#))
        // capture and void
        check("capture a captured payment", "1155", try post("/v3/payments/authorizations/\(reserved)/capture", #"{"amount":1,"currency":"TWD"}"#))
        check("capture unknown", "1150", try post("/v3/payments/authorizations/\(unknown)/capture", #"{"amount":1,"currency":"TWD"}"#))
        let auth = try reserve(capture: false)
        try sandbox.approve(auth)
        _ = try client.confirm(transactionId: auth, amount: 360, currency: .TWD)
        check("capture above", "1184", try post("/v3/payments/authorizations/\(auth)/capture", #"{"amount":361,"currency":"TWD"}"#))
        check("capture zero", "1183", try post("/v3/payments/authorizations/\(auth)/capture", #"{"amount":0,"currency":"TWD"}"#))
        check("void a captured payment", "1155", try post("/v3/payments/authorizations/\(reserved)/void", ""))
        check("refund an authorization", "1155", try post("/v3/payments/\(auth)/refund", "{}"))
        check("void", "0000", try post("/v3/payments/authorizations/\(auth)/void", ""))
        check("void twice", "1165", try post("/v3/payments/authorizations/\(auth)/void", ""))
        // refund
        check("refund above", "1164", try post("/v3/payments/\(reserved)/refund", #"{"refundAmount":361}"#))
        check("refund zero", "2101", try post("/v3/payments/\(reserved)/refund", #"{"refundAmount":0}"#))
        check("refund all", "0000", try post("/v3/payments/\(reserved)/refund", "{}"))
        check("refund again", "1165", try post("/v3/payments/\(reserved)/refund", "{}"))
        check("refund unknown", "1150", try post("/v3/payments/\(unknown)/refund", "{}"))
        // payment details and check
        check("details without ids", "2101", try signedGet(sandbox.baseURL, "/v3/payments", query: "fields=ORDER").code)
        check("details unknown", "1150", try signedGet(sandbox.baseURL, "/v3/payments", query: "transactionId=\(unknown)").code)
        check("details of 101", "1177", try signedGet(sandbox.baseURL, "/v3/payments",
                                                      query: (0...100).map { "orderId%5B\($0)%5D=o\($0)" }.joined(separator: "&")).code)
        check("check unknown", "1150", try signedGet(sandbox.baseURL, "/v3/payments/requests/\(unknown)/check", query: "").code)
        // preapproved
        check("check unknown regKey", "1190", try signedGet(sandbox.baseURL, "/v3/payments/preapprovedPay/RK0000000000000/check", query: "").code)
        check("expire unknown regKey", "1190", try post("/v3/payments/preapprovedPay/RK0000000000000/expire", ""))
        let pre = try reserve(payType: .PREAPPROVED)
        try sandbox.approve(pre)
        let regKey = try #require(try client.confirm(transactionId: pre, amount: 360, currency: .TWD).regKey)
        let charge = "/v3/payments/preapprovedPay/\(regKey)/payment"
        check("pay preapproved zero", "2101", try post(charge, #"{"productName":"t","amount":0,"currency":"TWD","orderId":"K-z\#(pre)"}"#))
        check("pay preapproved EUR", "2101", try post(charge, #"{"productName":"t","amount":1,"currency":"EUR","orderId":"K-e\#(pre)"}"#))
        check("pay preapproved unknown key", "1190", try post("/v3/payments/preapprovedPay/RK0000000000000/payment",
                                                               #"{"productName":"t","amount":1,"currency":"TWD","orderId":"K-u\#(pre)"}"#))

        for (what, want, got) in expected { #expect(got == want, "\(what)") }
        let calls = try sandbox.calls()
        #expect(calls.count >= expected.count)
        for call in calls where call["fault"] == nil {
            let op = try #require(LinePayOperation(rawValue: call["operation"] as? String ?? ""))
            let code = call["returnCode"] as? String ?? ""
            #expect(SandboxCodes.mayAnswer(code, for: op), "\(op.rawValue) answered \(code): \(call["verdict"] ?? "")")
            #expect(!(call["verdict"] as? String ?? "").contains("is not one the reference lists"))
        }
    }

    @Test func theExceptionsStayFewAndNamed() {
        #expect(Set(SandboxCodes.beyondTheReference.keys) == ["1106", "2101", "2102"])
        #expect(SandboxCodes.borrowed.mapValues { Set($0.keys) } == [.checkPaymentStatus: ["1150"], .payPreapproved: ["1190", "1193"]])
        #expect(!SandboxCodes.mayAnswer("1159", for: .capture) && !SandboxCodes.mayAnswer("1183", for: .payPreapproved))
        #expect(SandboxCodes.mayAnswer("1169", for: .confirm) && SandboxCodes.mayAnswer("1152", for: .confirm))
    }
}
