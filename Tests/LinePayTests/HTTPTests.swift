import Foundation
import Testing
@testable import LinePay
import TestSupport

/// The client over real HTTP against a scripted server on loopback: what arrives, and every way an answer can fail.
@Suite(.timeLimit(.minutes(5))) struct HTTPTests {
    static let secret = "a917ab6a2367b536f8e5a6e2977e06f4"
    static let id = TransactionID("2016020510824221610")!

    func client(_ server: ScriptedServer, read: Duration? = nil, retry: RetryPolicy = RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(10))) -> LinePayClient {
        var timeouts = Timeouts()
        if let read { for op in LinePayOperation.allCases { timeouts.readOverrides[op] = read } }
        return LinePayClient(configuration: .init(channelId: "1234567890", channelSecret: Self.secret,
                                                  environment: .custom(server.baseURL + "/"), timeouts: timeouts, retry: retry))
    }

    func ok(_ info: String = "") -> ScriptedServer.Action {
        .respond(status: 200, body: #"{"returnCode":"0000","returnMessage":"Success."\#(info.isEmpty ? "" : ",\"info\":" + info)}"#)
    }

    @Test func postArrivesSignedWithTheExactBytesAndNoSecret() throws {
        let server = ScriptedServer { _ in .respond(status: 200, body: #"{"returnCode":"0000","returnMessage":"OK","info":{"transactionId":9223372036854775807,"paymentUrl":{"web":"https:\/\/pay\/w","app":"line:\/\/a"}}}"#) }
        let info = try client(server).request(RequestBuildingTests.request())
        #expect(info.transactionId.rawValue == Int64.max)
        let got = try #require(server.received.first)
        #expect(got.method == "POST" && got.path == "/v3/payments/request")
        #expect(got.header("Content-Type") == "application/json")
        #expect(got.header("X-LINE-ChannelId") == "1234567890")
        let nonce = try #require(got.header("X-LINE-Authorization-Nonce"))
        #expect(LinePaySignature.verify(try #require(got.header("X-LINE-Authorization")), channelSecret: Self.secret,
                                        path: got.path, payload: got.body, nonce: nonce))
        #expect(got.body == (try RequestBuildingTests.request().body()!))
        #expect(!got.headers.contains { $0.0.lowercased().contains("secret") || $0.1.contains(Self.secret) })
        #expect(!String(decoding: got.body, as: UTF8.self).contains(Self.secret))
    }

    @Test func getSignsTheQueryStringItSends() throws {
        let server = ScriptedServer { _ in .respond(status: 200, body: #"{"returnCode":"0000","returnMessage":"OK","info":[]}"#) }
        _ = try client(server).paymentDetails(transactionIds: [Self.id], orderIds: ["order-0001"], fields: .transaction)
        let got = try #require(server.received.first)
        #expect(got.method == "GET" && got.query == "transactionId=2016020510824221610&orderId=order-0001&fields=TRANSACTION")
        #expect(got.body.isEmpty)
        #expect(LinePaySignature.verify(got.header("X-LINE-Authorization")!, channelSecret: Self.secret, path: got.path,
                                        payload: Array(got.query.utf8), nonce: got.header("X-LINE-Authorization-Nonce")!))
    }

    @Test func eachEndpointReachesItsPath() throws {
        let server = ScriptedServer { r in
            switch r.path {
            case let p where p.hasSuffix("/confirm"):
                return .respond(status: 200, body: #"{"returnCode":"0000","returnMessage":"OK","info":{"orderId":"o","transactionId":2016020510824221610,"payInfo":[{"method":"BALANCE","amount":360}],"regKey":"RK1"}}"#)
            case let p where p.hasSuffix("/capture"):
                return .respond(status: 200, body: #"{"returnCode":"0000","returnMessage":"OK","info":{"orderId":"o","transactionId":2016020510824221610,"payInfo":[{"method":"BALANCE","amount":360}]}}"#)
            case let p where p.hasSuffix("/refund"):
                return .respond(status: 200, body: #"{"returnCode":"0000","returnMessage":"OK","info":{"refundTransactionId":2016020510824221611,"refundTransactionDate":"2026-11-24T00:00:00Z"}}"#)
            case let p where p.hasSuffix("/payment"):
                return .respond(status: 200, body: #"{"returnCode":"0000","returnMessage":"OK","info":{"orderId":"s1","transactionId":2016020510824221612}}"#)
            case let p where p.contains("/requests/"):
                return .respond(status: 200, body: #"{"returnCode":"0110","returnMessage":"OK"}"#)
            default:
                return .respond(status: 200, body: #"{"returnCode":"0000","returnMessage":"OK"}"#)
            }
        }
        let c = client(server)
        let key = RegKey("RK1")!
        #expect(try c.confirm(transactionId: Self.id, amount: 360, currency: .TWD).regKey == key)
        #expect(try c.capture(transactionId: Self.id, amount: 360, currency: .TWD).payInfo?.first?.amount == 360)
        try c.void(transactionId: Self.id)
        #expect(try c.refund(transactionId: Self.id, amount: 20).refundTransactionId.rawValue == 2016020510824221611)
        #expect(try c.checkPaymentStatus(transactionId: Self.id) == .authorized)
        try c.checkRegKey(key, creditCardAuth: false)
        #expect(try c.payPreapproved(PayPreapproved(regKey: key, productName: "plan", amount: 100, currency: .TWD, orderId: "s1", capture: true)).transactionId.rawValue == 2016020510824221612)
        try c.expireRegKey(key)
        let seen = server.received.map { "\($0.method) \($0.target)" }
        #expect(seen == [
            "POST /v3/payments/2016020510824221610/confirm",
            "POST /v3/payments/authorizations/2016020510824221610/capture",
            "POST /v3/payments/authorizations/2016020510824221610/void",
            "POST /v3/payments/2016020510824221610/refund",
            "GET /v3/payments/requests/2016020510824221610/check",
            "GET /v3/payments/preapprovedPay/RK1/check?creditCardAuth=false",
            "POST /v3/payments/preapprovedPay/RK1/payment",
            "POST /v3/payments/preapprovedPay/RK1/expire",
        ])
        for r in server.received {
            let payload = r.method == "GET" ? Array(r.query.utf8) : r.body
            #expect(LinePaySignature.verify(r.header("X-LINE-Authorization")!, channelSecret: Self.secret, path: r.path,
                                            payload: payload, nonce: r.header("X-LINE-Authorization-Nonce")!), "\(r.target)")
        }
        #expect(Set(server.received.map { $0.header("X-LINE-Authorization-Nonce")! }).count == server.received.count)
    }

    @Test func aServerThatStallsIsAnUnknownOutcomeWithinTheTimeout() throws {
        let server = ScriptedServer { _ in .stall }
        let start = ContinuousClock.now
        #expect(throws: LinePayError.outcomeUnknown(.confirm, .timedOut)) {
            try client(server, read: .seconds(1)).confirm(transactionId: Self.id, amount: 360, currency: .TWD)
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(950))
        #expect(elapsed < .seconds(2))
        #expect(server.received.count == 1)  // never resent
    }

    @Test func aResetConnectionIsAnUnknownOutcome() throws {
        let server = ScriptedServer { _ in .reset }
        do {
            _ = try client(server).refund(transactionId: Self.id, amount: 10)
            Issue.record("refund over a reset connection succeeded")
        } catch {
            guard case .outcomeUnknown(.refund, .connectionLost) = error else { Issue.record("got \(error)"); return }
        }
        #expect(server.received.count == 1)
    }

    @Test func aClosedConnectionOnAMoneyCallIsNeverResent() throws {
        let server = ScriptedServer { r in r.path.hasSuffix("/check") ? .respond(status: 200, body: #"{"returnCode":"0000","returnMessage":"OK"}"#) : .close }
        let c = client(server)
        _ = try c.checkPaymentStatus(transactionId: Self.id)   // leaves a kept-alive connection behind
        #expect(throws: LinePayError.self) { try c.capture(transactionId: Self.id, amount: 1, currency: .TWD) }
        #expect(server.received.filter { $0.path.hasSuffix("/capture") }.count == 1)
    }

    /// A Request rides the kept connection (it moves no money). libcurl would send it again on a new connection when
    /// that connection closes unanswered; it may not rewind the body for that, so LINE Pay sees it once and the
    /// outcome is unknown (a resent Request came back as "1172 duplicate orderId", and the order was shown failed).
    @Test func aClosedKeptConnectionNeverResendsARequest() throws {
        let server = ScriptedServer { r in r.path.hasSuffix("/check") ? .respond(status: 200, body: #"{"returnCode":"0000","returnMessage":"OK"}"#) : .close }
        let c = client(server)
        let done = DispatchSemaphore(value: 0)
        let outcome = Locked<String>("not run")
        Thread {   // one thread, one curl handle: the Request goes over the connection the check left open
            _ = try? c.checkPaymentStatus(transactionId: Self.id)
            let result: String
            do {
                _ = try c.request(RequestBuildingTests.request())
                result = "succeeded"
            } catch let error as LinePayError {
                guard case .outcomeUnknown(.request, .connectionLost) = error else { result = "\(error)"; outcome.withLock { $0 = result }; done.signal(); return }
                result = "unknown"
            } catch {
                result = "\(error)"
            }
            outcome.withLock { $0 = result }
            done.signal()
        }.start()
        #expect(done.wait(timeout: .now() + 120) == .success)
        let received = server.received
        #expect(received.count == 2 && received[0].connection == received[1].connection, "\(received.map { ($0.path, $0.connection) })")
        #expect(received.filter { $0.path.hasSuffix("/request") }.count == 1)
        #expect(outcome.current == "unknown")
    }

    @Test func a502IsAnUnknownOutcome() {
        let server = ScriptedServer { _ in .respond(status: 502, body: "<html>Bad Gateway</html>") }
        #expect(throws: LinePayError.outcomeUnknown(.confirm, .httpStatus(502))) {
            try client(server).confirm(transactionId: Self.id, amount: 360, currency: .TWD)
        }
    }

    @Test func aBodyThatIsNotJSONIsAnUnknownOutcome() {
        let server = ScriptedServer { _ in .respond(status: 200, body: "{\"returnCode\":\"0000\",\"info\":{\"transac") }
        do {
            _ = try client(server).confirm(transactionId: Self.id, amount: 360, currency: .TWD)
            Issue.record("a truncated body was accepted")
        } catch {
            guard case .outcomeUnknown(.confirm, .unparseableBody) = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test func nothingListeningIsNotSent() throws {
        let server = ScriptedServer { _ in .close }
        let url = "http://127.0.0.1:1"
        _ = server
        let c = LinePayClient(configuration: .init(channelId: "1", channelSecret: Self.secret, environment: .custom(url)))
        do {
            _ = try c.checkPaymentStatus(transactionId: Self.id)
            Issue.record("no server, yet success")
        } catch {
            guard case .notSent = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test func plainHTTPOutsideLoopbackIsRefusedBeforeSending() {
        let c = LinePayClient(configuration: .init(channelId: "1", channelSecret: Self.secret, environment: .custom("http://api.example")))
        #expect(throws: LinePayError.invalid(ValidationError(field: "environment", reason: "must use https outside loopback"))) {
            try c.checkPaymentStatus(transactionId: Self.id)
        }
    }

    @Test func voidRetriesTemporaryErrorsWithAFreshNonce() throws {
        let server = ScriptedServer { [count = Counter()] _ in
            count.next() < 2 ? .respond(status: 200, body: #"{"returnCode":"1900","returnMessage":"Temporary"}"#) : .respond(status: 200, body: #"{"returnCode":"0000","returnMessage":"OK"}"#)
        }
        try client(server).void(transactionId: Self.id)
        #expect(server.received.count == 3)
        #expect(Set(server.received.map { $0.header("X-LINE-Authorization-Nonce")! }).count == 3)
    }

    @Test func voidGivesUpAfterTheBoundedRetries() {
        let server = ScriptedServer { _ in .respond(status: 200, body: #"{"returnCode":"1902","returnMessage":"Temporary"}"#) }
        #expect(throws: LinePayError.retryable(Refusal(operation: .void, code: ReturnCode("1902"), message: "Temporary"))) {
            try client(server, retry: RetryPolicy(maxAttempts: 2, initialBackoff: .milliseconds(1))).void(transactionId: Self.id)
        }
        #expect(server.received.count == 2)
    }

    @Test func refusalIsDefinitiveAndNotRetried() {
        let server = ScriptedServer { _ in .respond(status: 200, body: #"{"returnCode":"1165","returnMessage":"already"}"#) }
        #expect(throws: LinePayError.refused(Refusal(operation: .void, code: ReturnCode("1165"), message: "already"))) {
            try client(server).void(transactionId: Self.id)
        }
        #expect(server.received.count == 1)
    }

    @Test func getsReuseTheConnectionAndMoneyCallsOpenAFreshOne() throws {
        let server = ScriptedServer { r in
            r.path.hasSuffix("/refund")
                ? .respond(status: 200, body: #"{"returnCode":"0000","returnMessage":"OK","info":{"refundTransactionId":2016020510824221611}}"#)
                : .respond(status: 200, body: #"{"returnCode":"0000","returnMessage":"OK"}"#)
        }
        let c = client(server)
        let done = DispatchSemaphore(value: 0)
        // One thread, one curl handle: run the four calls on a thread of their own.
        Thread {
            _ = try? c.checkPaymentStatus(transactionId: Self.id)
            _ = try? c.checkPaymentStatus(transactionId: Self.id)
            _ = try? c.refund(transactionId: Self.id)
            _ = try? c.refund(transactionId: Self.id)
            done.signal()
        }.start()
        #expect(done.wait(timeout: .now() + 120) == .success, "the four calls did not end within 120 s")
        let r = server.received
        #expect(r.count == 4)
        #expect(r[0].connection == r[1].connection)
        #expect(r[2].connection != r[1].connection && r[3].connection != r[2].connection)
    }
}

