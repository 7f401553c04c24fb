import Foundation
import LinePay
import Testing
import TestSupport

/// The sandbox behaves as LINE Pay does where our own client would not notice: arrays in a query the way PHP
/// sends them, PHP's nonces, negative refunds, a capture failure that cancels the authorization, authorizations
/// that expire by the sandbox's clock, and 9000 in JSON when it fails inside.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SandboxFidelityTests {
    let sandbox: SandboxHarness
    let client: LinePayClient

    init() throws {
        sandbox = try SandboxHarness()
        client = sandbox.client()
    }

    func uniqueOrder() -> String { "Q-" + UUID().uuidString.prefix(8) }

    /// A confirmed payment (capture=false: an authorization).
    func confirmed(capture: Bool = true, orderId: String? = nil) throws -> (TransactionID, ConfirmPayment.Info) {
        let r = try client.request(SandboxLifecycleTests.order(orderId ?? uniqueOrder(), capture: capture))
        try sandbox.approve(r.transactionId)
        return (r.transactionId, try client.confirm(transactionId: r.transactionId, amount: 360, currency: .TWD))
    }

    @Test func paymentDetailsReadsArraysAsPHPAndOthersSendThem() throws {
        let (a, _) = try confirmed(orderId: "QA-" + UUID().uuidString.prefix(8))
        let (b, infoB) = try confirmed()
        let forms = [
            "transactionId%5B0%5D=\(a)&transactionId%5B1%5D=\(b)",     // PHP http_build_query
            "transactionId[]=\(a)&transactionId[]=\(b)",               // the reference's name, unencoded
            "transactionId%5B%5D=\(a)&transactionId%5B%5D=\(b)",       // the same, encoded
            "transactionId=\(a)&transactionId=\(b)",                   // repeated keys
        ]
        for query in forms {
            let answer = try signedGet(sandbox.baseURL, "/v3/payments", query: query)
            #expect(answer.code == "0000", "\(query): \(answer.text)")
            #expect(answer.text.contains(#""transactionId":\#(a)"#) && answer.text.contains(#""transactionId":\#(b)"#), "\(query)")
        }
        let byOrder = try signedGet(sandbox.baseURL, "/v3/payments", query: "orderId%5B0%5D=\(infoB.orderId)&fields=ORDER")
        #expect(byOrder.code == "0000" && byOrder.text.contains(#""transactionId":\#(b)"#))
        // The signature covers the query exactly as sent: signing its decoded form does not pass.
        let sent = "transactionId%5B0%5D=\(a)"
        let decodedSignature = LinePaySignature.make(channelSecret: SandboxHarness.channelSecret, path: "/v3/payments",
                                                     payload: "transactionId[0]=\(a)", nonce: "n-\(UUID())")
        #expect(try signedGet(sandbox.baseURL, "/v3/payments", query: sent, signature: decodedSignature).code == "1106")
        // Names that only look alike are not the parameter.
        #expect(try signedGet(sandbox.baseURL, "/v3/payments", query: "transactionIdx=\(a)").code == "2101")
        #expect(try signedGet(sandbox.baseURL, "/v3/payments", query: "transactionId%5Bx%5D=\(a)").code == "2101")
    }

    @Test func phpNoncesAreAcceptedOnceAndUUIDsToo() throws {
        let (a, _) = try confirmed()
        let php = "2026-12-01T08:08:47+00:00-6566f0a1b2c3d"   // date('c') . uniqid('-')
        #expect(try signedGet(sandbox.baseURL, "/v3/payments", query: "transactionId=\(a)", nonce: php).code == "0000")
        #expect(try signedGet(sandbox.baseURL, "/v3/payments", query: "transactionId=\(a)", nonce: php).code == "1106")   // reused
        #expect(try signedGet(sandbox.baseURL, "/v3/payments", query: "transactionId=\(a)", nonce: "1476424836000").code == "0000")
        #expect(try signedGet(sandbox.baseURL, "/v3/payments", query: "transactionId=\(a)", nonce: makeNonce()).code == "0000")
    }

    @Test func refundsAreListedNegative() throws {
        let (a, _) = try confirmed()
        _ = try client.refund(transactionId: a, amount: 20)
        let raw = try signedGet(sandbox.baseURL, "/v3/payments", query: "transactionId=\(a)")
        #expect(raw.text.contains(#""transactionType":"PARTIAL_REFUND","refundAmount":-20"#), "\(raw.text)")
        let detail = try #require(try client.paymentDetails(transactionIds: [a]).first)
        #expect(detail.refundList?.map(\.refundAmount) == [20] && detail.remainingAmount == 340)
    }

    @Test func captureAnswered1199Or1280To1298CancelsTheAuthorization() throws {
        for code in ["1199", "1280", "1289", "1298"] {
            let (a, _) = try confirmed(capture: false)
            try sandbox.fault("capture", "code", code)
            #expect(throws: LinePayError.self) { try client.capture(transactionId: a, amount: 360, currency: .TWD) }
            #expect(try client.paymentDetails(transactionIds: [a]).first?.payStatus == "VOIDED_AUTHORIZATION", "\(code)")
            expectRefusal("1165") { try client.void(transactionId: a) }
            expectRefusal("1155") { _ = try client.capture(transactionId: a, amount: 360, currency: .TWD) }
        }
        // Other capture refusals leave the authorization as it was.
        let (b, _) = try confirmed(capture: false)
        try sandbox.fault("capture", "code", "1179")
        expectRefusal("1179") { _ = try client.capture(transactionId: b, amount: 360, currency: .TWD) }
        #expect(try client.paymentDetails(transactionIds: [b]).first?.payStatus == "AUTHORIZATION")
        #expect(try client.capture(transactionId: b, amount: 360, currency: .TWD).payInfo?.first?.amount == 360)
    }

    @Test func anAuthorizationExpiresAtTheDateConfirmGave() throws {
        let (a, info) = try confirmed(capture: false)
        let (b, _) = try confirmed(capture: false)
        let expireDate = try #require(info.authorizationExpireDate)
        let expiry = try #require(ISO8601DateFormatter().date(from: expireDate))
        let now = try #require(try sandbox.control("GET", "/clock") as? [String: Any])["now"] as? Int ?? 0
        let remaining = Int(expiry.timeIntervalSince1970) - now
        #expect((30 * 86400 - 5...30 * 86400).contains(remaining), "expires in \(remaining) s")
        try sandbox.control("POST", "/clock", ["advance": String(remaining - 2)])
        let before = try #require(try client.paymentDetails(transactionIds: [a]).first)
        #expect(before.payStatus == "AUTHORIZATION" && before.authorizationExpireDate == expireDate)
        try sandbox.control("POST", "/clock", ["advance": "3"])
        let after = try #require(try client.paymentDetails(transactionIds: [a]).first)
        #expect(after.payStatus == "EXPIRED_AUTHORIZATION" && after.authorizationExpireDate == expireDate)
        expectRefusal("1155") { _ = try client.capture(transactionId: a, amount: 360, currency: .TWD) }
        expectRefusal("1155") { try client.void(transactionId: b) }
        let described = try #require(try sandbox.control("GET", "/transactions/\(a)") as? [String: Any])
        #expect(described["status"] as? String == "expired_authorization")
        #expect(try client.paymentDetails(transactionIds: [b]).first?.payStatus == "EXPIRED_AUTHORIZATION")
    }

    @Test func anInternalFailureIs9000InJSON() throws {
        let (a, _) = try confirmed()
        try sandbox.fault("refund", "internal")
        let nonce = makeNonce(), body = #"{"refundAmount":10}"#
        let path = "/v3/payments/\(a)/refund"
        let r = try httpRequest(method: "POST", url: sandbox.baseURL + path,
                                headers: signedHeaders(path: path, payload: body, nonce: nonce), body: Array(body.utf8))
        #expect(r.status == 200 && r.headers["content-type"]?.hasPrefix("application/json") == true)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
        #expect(json["returnCode"] as? String == "9000" && json["returnMessage"] as? String == "Internal error")
        // Through the client: 9000 on a refund is "look it up", never "refused".
        try sandbox.fault("refund", "internal")
        #expect(throws: LinePayError.outcomeUnknown(.refund, .ambiguousCode(ReturnCode("9000"), "Internal error"))) {
            try client.refund(transactionId: a, amount: 10)
        }
        #expect(try client.paymentDetails(transactionIds: [a]).first?.refundList == nil)   // nothing was refunded
        #expect(try sandbox.calls(operation: "refund").last?["fault"] as? String == "internal")
    }
}

/// The common headers, signed over `payload` (body or query) for `path`.
func signedHeaders(path: String, payload: String, nonce: String, signature: String? = nil) -> [(String, String)] {
    let sig = signature ?? LinePaySignature.make(channelSecret: SandboxHarness.channelSecret, path: path, payload: payload, nonce: nonce)
    return [("Content-Type", "application/json"), ("X-LINE-ChannelId", SandboxHarness.channelId),
            ("X-LINE-Authorization-Nonce", nonce), ("X-LINE-Authorization", sig)]
}

/// A GET signed over the query exactly as written; the return code and the whole answer.
func signedGet(_ base: String, _ path: String, query: String, nonce: String = makeNonce(),
               signature: String? = nil) throws -> (code: String, text: String) {
    let r = try httpRequest(url: base + path + "?" + query, headers: signedHeaders(path: path, payload: query, nonce: nonce, signature: signature))
    let json = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]
    return (json?["returnCode"] as? String ?? "none (HTTP \(r.status))", r.text)
}
