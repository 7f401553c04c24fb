import Foundation
import LinePay
import Testing
import TestSupport

/// Online API v4 (LINE Pay's change log, November 2025): every endpoint under /v4/ beside /v3/, with
/// `info.paymentProvider` only in v4's confirm, capture, payment details and pay preapproved answers.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SandboxV4Tests {
    let sandbox: SandboxHarness
    /// The harness's nginx routes /v3 and /sandbox; this one adds /v4 to the same sandbox socket.
    let nginx: NginxServer

    init() throws {
        let sandbox = try SandboxHarness()
        self.sandbox = sandbox
        nginx = try NginxServer(locations: ["/v3", "/v4", "/sandbox"].map { NginxLocation(prefix: $0, fastcgiSocket: sandbox.socket) },
                                extraServerConfig: SandboxHarness.dropConfig)
    }

    func client(_ version: LinePayAPIVersion) -> LinePayClient {
        LinePayClient(configuration: .init(channelId: SandboxHarness.channelId, channelSecret: SandboxHarness.channelSecret,
                                           environment: .custom(nginx.baseURL), apiVersion: version))
    }

    func uniqueOrder() -> String { "V-" + UUID().uuidString.prefix(8) }

    @Test func everyEndpointAnswersUnderV4WithTSP() throws {
        let v4 = client(.v4)
        let before = try sandbox.calls().count
        let a = try v4.request(SandboxLifecycleTests.order(uniqueOrder(), capture: false, payType: .PREAPPROVED))
        #expect(try v4.checkPaymentStatus(transactionId: a.transactionId) == .beforeAuthorization)
        try sandbox.approve(a.transactionId)
        let confirmed = try v4.confirm(transactionId: a.transactionId, amount: 360, currency: .TWD)
        #expect(confirmed.paymentProvider == .tsp)
        #expect(try v4.paymentDetails(transactionIds: [a.transactionId]).map(\.paymentProvider) == [.tsp])
        let captured = try v4.capture(transactionId: a.transactionId, amount: 360, currency: .TWD)
        #expect(captured.paymentProvider == .tsp)
        _ = try v4.refund(transactionId: a.transactionId, amount: 60)
        let regKey = try #require(confirmed.regKey)
        try v4.checkRegKey(regKey)
        let charge = try v4.payPreapproved(PayPreapproved(regKey: regKey, productName: "Monthly tea", amount: 120, currency: .TWD,
                                                          orderId: uniqueOrder(), capture: false))
        #expect(charge.paymentProvider == .tsp)
        try v4.void(transactionId: charge.transactionId)
        try v4.expireRegKey(regKey)

        let calls = try sandbox.calls().dropFirst(before)
        #expect(Set(calls.compactMap { $0["operation"] as? String }) == Set(LinePayOperation.allCases.map(\.rawValue)))
        for call in calls {
            let path = call["path"] as? String ?? ""
            #expect(path.hasPrefix("/v4/payments"), "\(path)")
            #expect(call["signatureOk"] as? Bool == true && call["returnCode"] as? String == "0000", "\(path): \(call["verdict"] ?? "")")
        }
    }

    @Test func v3AnswersCarryNoPaymentProvider() throws {
        let v3 = client(.v3)
        let a = try v3.request(SandboxLifecycleTests.order(uniqueOrder(), capture: false, payType: .PREAPPROVED))
        try sandbox.approve(a.transactionId)
        let confirmed = try v3.confirm(transactionId: a.transactionId, amount: 360, currency: .TWD)
        #expect(confirmed.paymentProvider == nil)
        #expect(try v3.paymentDetails(transactionIds: [a.transactionId]).map(\.paymentProvider) == [nil])
        #expect(try v3.capture(transactionId: a.transactionId, amount: 360, currency: .TWD).paymentProvider == nil)
        let charge = try v3.payPreapproved(PayPreapproved(regKey: try #require(confirmed.regKey), productName: "Tea", amount: 10,
                                                          currency: .TWD, orderId: uniqueOrder()))
        #expect(charge.paymentProvider == nil)
        // The same transaction looked up under v4 carries it: the provider belongs to the answer's version.
        #expect(try client(.v4).paymentDetails(transactionIds: [a.transactionId]).map(\.paymentProvider) == [.tsp])
    }

    @Test func aV3SignatureDoesNotPassForAV4Path() throws {
        let nonce = makeNonce(), query = "transactionId=1"
        let v3Signature = LinePaySignature.make(channelSecret: SandboxHarness.channelSecret, path: "/v3/payments", payload: query, nonce: nonce)
        let r = try httpRequest(url: nginx.baseURL + "/v4/payments?" + query,
                                headers: [("X-LINE-ChannelId", SandboxHarness.channelId), ("X-LINE-Authorization-Nonce", nonce),
                                          ("X-LINE-Authorization", v3Signature)])
        #expect(r.text.contains(#""returnCode":"1106""#))
    }
}
