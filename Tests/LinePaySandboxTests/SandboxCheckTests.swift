import Foundation
import LinePay
import Testing
import TestSupport

/// What the sandbox checks, as LINE Pay does: channel, headers, signature, nonce, JSON, fields and amount rules.
/// Requests are sent raw (signed by hand) so the client's own validation cannot hide a sandbox gap.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SandboxCheckTests {
    let sandbox: SandboxHarness

    init() throws { sandbox = try SandboxHarness() }

    /// Sends `body` to `path` signed with `secret` and `nonce`; returns the returnCode.
    func send(_ path: String, body: String, secret: String = SandboxHarness.channelSecret, channel: String = SandboxHarness.channelId,
              nonce: String = makeNonce(), signature: String? = nil, method: String = "POST", query: String = "") throws -> String {
        let payload = method == "GET" ? query : body
        let sig = signature ?? LinePaySignature.make(channelSecret: secret, path: path, payload: payload, nonce: nonce)
        let r = try httpRequest(method: method, url: sandbox.baseURL + path + (query.isEmpty ? "" : "?" + query),
                                headers: [("Content-Type", "application/json"), ("X-LINE-ChannelId", channel),
                                          ("X-LINE-Authorization-Nonce", nonce), ("X-LINE-Authorization", sig)],
                                body: method == "GET" ? [] : Array(body.utf8))
        #expect(r.status == 200)
        let json = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]
        return json?["returnCode"] as? String ?? "none"
    }

    static func body(amount: String = "100", currency: String = "TWD", orderId: String = "C-" + UUID().uuidString.prefix(8),
                     packageAmount: String = "100", price: String = "100", quantity: String = "1", fee: String? = nil) -> String {
        let shipping = fee.map { #","options":{"shipping":{"feeAmount":"\#($0)"}}"# } ?? ""
        return #"{"amount":\#(amount),"currency":"\#(currency)","orderId":"\#(orderId)","packages":[{"id":"p1","amount":\#(packageAmount),"products":[{"name":"tea","quantity":\#(quantity),"price":\#(price)}]}],"redirectUrls":{"confirmUrl":"https://s.example/c","cancelUrl":"https://s.example/x"}\#(shipping)}"#
    }

    @Test func aValidRawRequestPasses() throws {
        #expect(try send("/v3/payments/request", body: Self.body()) == "0000")
        #expect(try send("/v3/payments/request", body: Self.body(amount: "150", fee: "50")) == "0000")
    }

    @Test func wrongSignatureUnknownChannelAndMissingHeaders() throws {
        #expect(try send("/v3/payments/request", body: Self.body(), secret: "not-the-secret") == "1106")
        #expect(try send("/v3/payments/request", body: Self.body(), channel: "999") == "1104")
        #expect(try send("/v3/payments/request", body: Self.body(), signature: "") == "1106")
        #expect(try send("/v3/payments/request", body: Self.body(), nonce: "") == "1106")
        // A GET signed without its query string (a common public mistake) is refused.
        let nonce = makeNonce()
        let pathOnly = LinePaySignature.make(channelSecret: SandboxHarness.channelSecret, path: "/v3/payments", payload: "", nonce: nonce)
        #expect(try send("/v3/payments", body: "", nonce: nonce, signature: pathOnly, method: "GET", query: "orderId=x") == "1106")
        let calls = try sandbox.calls(operation: "request")
        #expect(calls.contains { $0["verdict"] as? String == "signature does not match" && $0["signatureOk"] as? Bool == false })
        #expect(calls.contains { $0["verdict"] as? String == "unknown channel" })
    }

    @Test func aReusedNonceIsRefused() throws {
        let nonce = makeNonce()
        #expect(try send("/v3/payments/request", body: Self.body(), nonce: nonce) == "0000")
        #expect(try send("/v3/payments/request", body: Self.body(), nonce: nonce) == "1106")
        #expect(try sandbox.calls(operation: "request").last?["verdict"] as? String == "nonce reused")
    }

    @Test func amountRules() throws {
        #expect(try send("/v3/payments/request", body: Self.body(packageAmount: "90")) == "1124")           // package != sum
        #expect(try send("/v3/payments/request", body: Self.body(amount: "110")) == "1124")                 // amount != packages
        #expect(try send("/v3/payments/request", body: Self.body(amount: "100.5", packageAmount: "100.5", price: "100.5")) == "1124") // TWD scale
        #expect(try send("/v3/payments/request", body: Self.body(amount: "0", packageAmount: "0", price: "0")) == "1183")
        #expect(try send("/v3/payments/request", body: Self.body(currency: "EUR")) == "1178")
        #expect(try send("/v3/payments/request", body: Self.body(amount: "100.50", currency: "USD", packageAmount: "100.50", price: "100.50")) == "0000")
    }

    @Test func jsonAndParameterErrors() throws {
        #expect(try send("/v3/payments/request", body: "{not json") == "2102")
        #expect(try send("/v3/payments/request", body: #"{"amount":100}"#) == "2101")
        #expect(try send("/v3/payments/request", body: Self.body(orderId: String(repeating: "o", count: 101))) == "2101")
        let orderId = "dup-" + UUID().uuidString.prefix(8)
        #expect(try send("/v3/payments/request", body: Self.body(orderId: orderId)) == "0000")
        #expect(try send("/v3/payments/request", body: Self.body(orderId: orderId)) == "1172")
        let many = (0..<101).map { "transactionId=\(1_000_000_000_000_000_000 + $0)" }.joined(separator: "&")
        #expect(try send("/v3/payments", body: "", method: "GET", query: many) == "1177")
    }

    @Test func theSecretHeaderOfV2IsRefused() throws {
        let nonce = makeNonce(), body = Self.body()
        let sig = LinePaySignature.make(channelSecret: SandboxHarness.channelSecret, path: "/v3/payments/request", payload: body, nonce: nonce)
        let r = try httpRequest(method: "POST", url: sandbox.baseURL + "/v3/payments/request",
                                headers: [("Content-Type", "application/json"), ("X-LINE-ChannelId", SandboxHarness.channelId),
                                          ("X-LINE-ChannelSecret", SandboxHarness.channelSecret),
                                          ("X-LINE-Authorization-Nonce", nonce), ("X-LINE-Authorization", sig)], body: Array(body.utf8))
        #expect(r.text.contains(#""returnCode":"1106""#))
    }

    @Test func answersEscapeSlashesAsLinePayDoes() throws {
        let nonce = makeNonce(), body = Self.body()
        let sig = LinePaySignature.make(channelSecret: SandboxHarness.channelSecret, path: "/v3/payments/request", payload: body, nonce: nonce)
        let r = try httpRequest(method: "POST", url: sandbox.baseURL + "/v3/payments/request",
                                headers: [("Content-Type", "application/json"), ("X-LINE-ChannelId", SandboxHarness.channelId),
                                          ("X-LINE-Authorization-Nonce", nonce), ("X-LINE-Authorization", sig)], body: Array(body.utf8))
        #expect(r.text.contains(#"http:\/\/127.0.0.1"#))
        #expect(r.text.range(of: #""transactionId":[0-9]{19},"#, options: .regularExpression) != nil)
    }
}
