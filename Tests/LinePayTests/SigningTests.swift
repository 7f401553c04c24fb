import Foundation
import Testing
import TestSupport
@testable import LinePay

/// The independent vectors in ../shared/test-vectors/signing.json, and the signing rules around them.
@Suite(.timeLimit(.minutes(5))) struct SigningTests {
    struct Vector: Decodable {
        let method: String
        let channelSecret: String
        let path: String
        let body: String?
        let queryString: String?
        let nonce: String
        let signature: String
    }

    static func vectors() throws -> [Vector] {
        struct File: Decodable { let vectors: [Vector] }
        let url = sharedDirectory().appendingPathComponent("test-vectors/signing.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).vectors
    }

    /// RFC 4231's HMAC-SHA-256 cases 1, 2 and 6 (a 131-byte key, hashed first), an empty key and an empty message,
    /// each twice in a row and from several threads: the per-thread context is re-keyed, never reused stale.
    @Test func hmacSHA256MatchesRFC4231OnEveryThread() throws {
        let cases: [([UInt8], [UInt8], String)] = [
            (Array(repeating: 0x0b, count: 20), Array("Hi There".utf8), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            (Array(repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            ([], [], "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
        ]
        let failures = Locked([String]())
        let done = DispatchGroup()
        for _ in 0..<4 {
            done.enter()
            Thread {
                for _ in 0..<2 {
                    for (key, message, expected) in cases where lowerHex(hmacSHA256(key: key, message: message)) != expected {
                        failures.withLock { $0.append(expected) }
                    }
                }
                done.leave()
            }.start()
        }
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(failures.withLock { $0 }.isEmpty)
    }

    @Test func everyVectorMatches() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count >= 7)
        for v in vectors {
            let payload = v.method == "GET" ? (v.queryString ?? "") : (v.body ?? "")
            let got = LinePaySignature.make(channelSecret: v.channelSecret, path: v.path, payload: payload, nonce: v.nonce)
            #expect(got == v.signature, "vector \(v.path) \(v.nonce)")
            #expect(LinePaySignature.verify(v.signature, channelSecret: v.channelSecret, path: v.path,
                                            payload: Array(payload.utf8), nonce: v.nonce))
        }
    }

    @Test func aChangedByteOrQuestionMarkBreaksTheSignature() throws {
        let v = try Self.vectors().first { $0.method == "GET" && !($0.queryString ?? "").isEmpty }!
        let withMark = LinePaySignature.make(channelSecret: v.channelSecret, path: v.path, payload: "?" + v.queryString!, nonce: v.nonce)
        #expect(withMark != v.signature)
        #expect(!LinePaySignature.verify(v.signature, channelSecret: v.channelSecret + "x", path: v.path,
                                         payload: Array(v.queryString!.utf8), nonce: v.nonce))
    }

    @Test func preparedRequestsSignTheBytesTheySend() throws {
        for v in try Self.vectors() where v.path.hasSuffix("/confirm") {
            let client = LinePayClient(configuration: .init(channelId: "1234567890", channelSecret: v.channelSecret))
            let id = TransactionID("2016020510824221610")!
            let prepared = try client.prepare(ConfirmPayment(transactionId: id, amount: 360, currency: .TWD), nonce: v.nonce)
            #expect(String(decoding: prepared.payload, as: UTF8.self) == v.body)
            #expect(prepared.path == v.path)
            #expect(prepared.headers.first { $0.0 == "X-LINE-Authorization" }?.1 == v.signature)
        }
    }

    @Test func preparedVoidAndRefundMatchTheVectors() throws {
        let vectors = try Self.vectors()
        let id = TransactionID("2016020510824221610")!
        let client = LinePayClient(configuration: .init(channelId: "1", channelSecret: "a917ab6a2367b536f8e5a6e2977e06f4"))
        let void = vectors.first { $0.path.hasSuffix("/void") }!
        #expect(try client.prepare(VoidAuthorization(transactionId: id), nonce: void.nonce).headers
            .first { $0.0 == "X-LINE-Authorization" }?.1 == void.signature)
        let refund = vectors.first { $0.path.hasSuffix("/refund") }!
        #expect(try client.prepare(RefundPayment(transactionId: id, refundAmount: 20), nonce: refund.nonce).headers
            .first { $0.0 == "X-LINE-Authorization" }?.1 == refund.signature)
        let details = vectors.first { $0.path == "/v3/payments" }!
        let prepared = try client.prepare(PaymentDetails(transactionIds: [id], orderIds: ["order-0001"]), nonce: details.nonce)
        #expect(String(decoding: prepared.payload, as: UTF8.self) == details.queryString)
        #expect(prepared.headers.first { $0.0 == "X-LINE-Authorization" }?.1 == details.signature)
        let check = vectors.first { $0.path.hasSuffix("/check") }!
        let c = try client.prepare(CheckPaymentStatus(transactionId: id), nonce: check.nonce)
        #expect(c.url.hasSuffix("/check"))
        #expect(c.headers.first { $0.0 == "X-LINE-Authorization" }?.1 == check.signature)
    }

    /// Under v4 every vector's request is sent to `/v4/...` and signed with that path: the signature equals the one
    /// an outside HMAC (openssl) computes over the v4 path, and differs from the v3 vector's.
    @Test func v4RequestsAreSignedWithTheV4Path() throws {
        let vectors = try Self.vectors()
        let id = TransactionID("2016020510824221610")!
        let secret = "a917ab6a2367b536f8e5a6e2977e06f4"
        let v4 = LinePayClient(configuration: .init(channelId: "1", channelSecret: secret, environment: .custom("https://api.example"), apiVersion: .v4))
        let cases: [(String, any LinePayEndpoint)] = [
            ("/confirm", ConfirmPayment(transactionId: id, amount: 360, currency: .TWD)),
            ("/void", VoidAuthorization(transactionId: id)), ("/refund", RefundPayment(transactionId: id, refundAmount: 20)),
            ("/check", CheckPaymentStatus(transactionId: id)),
        ]
        for (suffix, endpoint) in cases {
            let v = try #require(vectors.first { $0.path.hasSuffix(suffix) && $0.channelSecret == secret })
            let p = try v4.prepare(endpoint, nonce: v.nonce)
            let v4Path = "/v4" + v.path.dropFirst(3)
            #expect(p.path == v4Path && p.url == "https://api.example" + v4Path)
            let payload = v.method == "GET" ? (v.queryString ?? "") : (v.body ?? "")
            #expect(String(decoding: p.payload, as: UTF8.self) == payload)
            let signature = try #require(p.headers.first { $0.0 == "X-LINE-Authorization" }?.1)
            #expect(signature == (try opensslSignature(secret: secret, message: secret + v4Path + payload + v.nonce)))
            #expect(signature != v.signature, "\(suffix): a v4 request must not carry the v3 signature")
        }
        let details = try v4.prepare(PaymentDetails(transactionIds: [id], orderIds: ["order-0001"]), nonce: "n-1")
        #expect(details.path == "/v4/payments" && details.url == "https://api.example/v4/payments?transactionId=2016020510824221610&orderId=order-0001")
        #expect(LinePaySignature.verify(details.headers.first { $0.0 == "X-LINE-Authorization" }!.1, channelSecret: secret,
                                        path: "/v4/payments", payload: details.payload, nonce: "n-1"))
    }

    /// Base64(HMAC-SHA256) computed by the openssl command, outside our code.
    func opensslSignature(secret: String, message: String) throws -> String {
        let r = try runProcess("/bin/sh", ["-c", "openssl dgst -sha256 -hmac \"$KEY\" -binary | openssl base64 -A"],
                               env: ["KEY": secret, "PATH": "/usr/bin:/bin"], stdin: message)
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func noncesAreFreshUUIDv4() {
        var seen = Set<String>()
        for _ in 0..<200 {
            let n = makeNonce()
            #expect(n.range(of: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", options: .regularExpression) != nil)
            seen.insert(n)
        }
        #expect(seen.count == 200)
    }

    @Test func headersNeverCarryTheSecret() throws {
        let secret = "canary-secret-0001"
        let client = LinePayClient(configuration: .init(channelId: "42", channelSecret: secret, merchantDeviceProfileId: "POS-1"))
        let p = try client.prepare(ExpireRegKey(regKey: RegKey("RK9A1B2C3D4E5F6")!))
        #expect(p.headers.map(\.0) == ["Content-Type", "X-LINE-ChannelId", "X-LINE-Authorization-Nonce", "X-LINE-Authorization", "X-LINE-MerchantDeviceProfileId"])
        #expect(!p.headers.contains { $0.1.contains(secret) || $0.0.lowercased().contains("secret") })
        #expect(!"\(client.configuration)".contains(secret))
    }
}

/// ../shared beside the checkout, where the reference, notes and vectors live.
func sharedDirectory() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")
}
