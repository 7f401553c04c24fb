import Foundation
import LinePay
import LinePayTesting
import Testing

/// regKeys, the v4 paths, the header checks and many threads at once.
@Suite(.timeLimit(.minutes(5))) struct PreapprovedAndV4Tests {
    @Test func preapprovedConfirmIssuesARegKeyToCharge() throws {
        let shop = Shop()
        let id = try shop.approved("P-1", payType: .PREAPPROVED)
        let confirmed = try shop.client.confirm(transactionId: id, amount: 100, currency: .TWD)
        let key = try #require(confirmed.regKey)
        #expect(key.rawValue.count == 15)
        try shop.client.checkRegKey(key)
        let charge = try shop.client.payPreapproved(PayPreapproved(regKey: key, productName: "Monthly tea", amount: 50,
                                                                   currency: .TWD, orderId: "P-2"))
        #expect(shop.pay.transaction(charge.transactionId)?.status == .captured)
        #expect(shop.pay.count(of: .payPreapproved, transactionId: charge.transactionId, .succeeded) == 1)
        #expect(code(failure { try shop.client.payPreapproved(PayPreapproved(regKey: key, productName: "Again", amount: 50,
                                                                              currency: .TWD, orderId: "P-2")) }) == "1172")
        let held = try shop.client.payPreapproved(PayPreapproved(regKey: key, productName: "Held", amount: 40, currency: .TWD,
                                                                 orderId: "P-3", capture: false))
        #expect(held.authorizationExpireDate != nil)
        #expect(try shop.client.paymentDetails(orderIds: ["P-3"]).first?.payStatus == "AUTHORIZATION")

        try shop.client.expireRegKey(key)
        #expect(shop.pay.regKeyIsActive(key) == false)
        #expect(code(failure { try shop.client.checkRegKey(key) }) == "1193")
        #expect(code(failure { try shop.client.expireRegKey(key) }) == "1193")
        #expect(code(failure { try shop.client.checkRegKey(RegKey("RK0000000000000")!) }) == "1190")
    }

    @Test func v4AnswersNamePaymentProviderOnlyUnderV4() throws {
        let shop = Shop()
        for (version, order) in [("v3", "V-3"), ("v4", "V-4")] {
            let body = #"{"amount":100,"currency":"TWD","orderId":"\#(order)","packages":[{"amount":100,"id":"p","products":[{"name":"Tea","price":100,"quantity":1}]}],"#
                + #""redirectUrls":{"cancelUrl":"https://s.example/c","confirmUrl":"https://s.example/k"},"options":{"payment":{"capture":false}}}"#
            let requested = shop.raw("POST", "/\(version)/payments/request", body: body)
            #expect(requested.json["returnCode"] as? String == "0000")
            let id = try #require(shop.pay.transactions(orderId: order).first?.transactionId)
            #expect(shop.pay.calls.last?.transactionId == id)
            shop.pay.approve(transactionId: id)
            let provider = version == "v4" ? "TSP" : nil
            let confirmed = shop.raw("POST", "/\(version)/payments/\(id)/confirm", body: #"{"amount":100,"currency":"TWD"}"#)
            #expect((confirmed.json["info"] as? [String: Any])?["paymentProvider"] as? String == provider)
            let captured = shop.raw("POST", "/\(version)/payments/authorizations/\(id)/capture", body: #"{"amount":100,"currency":"TWD"}"#)
            #expect(captured.json["returnCode"] as? String == "0000")
            #expect((captured.json["info"] as? [String: Any])?["paymentProvider"] as? String == provider)
            let details = shop.raw("GET", "/\(version)/payments", query: "transactionId=\(id)")
            #expect(((details.json["info"] as? [[String: Any]])?.first)?["paymentProvider"] as? String == provider)
            #expect(shop.pay.calls.last?.apiVersion == version)
        }
    }

    @Test func headersAndSignatureAreCheckedAsLINEPayDoes() throws {
        let wrong = Shop(secret: "not-the-secret")
        let refused = failure { try wrong.client.request(wrong.paymentRequest("S-1")) }
        #expect(code(refused) == "1106")
        #expect(wrong.pay.transactions(orderId: "S-1").isEmpty)
        #expect(wrong.pay.calls.first?.processed == true)
        #expect(wrong.pay.calls.first?.succeeded == false)

        let shop = Shop()
        let path = "/v3/payments", query = "orderId=S-2"
        #expect(shop.raw("GET", path, query: query, nonce: "").json["returnCode"] as? String == "1106")
        #expect(shop.raw("GET", path, query: query, headers: [("X-LINE-ChannelSecret", "x")]).json["returnCode"] as? String == "1106")
        #expect(shop.raw("GET", path, query: query, nonce: "n-1").json["returnCode"] as? String == "1150")
        #expect(shop.raw("GET", path, query: query, nonce: "n-1").json["returnCode"] as? String == "1106")   // nonce reused
        let other = Shop(pay: ScriptedLinePay(channelId: "999", now: Shop.start))
        let stranger = LinePayClient(configuration: .init(channelId: "1234567890", channelSecret: "scripted-channel-secret"),
                                     transport: other.pay)
        #expect(code(failure { try stranger.checkPaymentStatus(transactionId: TransactionID(1)) }) == "1104")
        #expect(shop.raw("GET", "/v3/nothing").status == 0)   // 404 HTML: not a LINE Pay answer
    }

    @Test func concurrentConfirmsPayOnce() throws {
        let shop = Shop()
        let id = try shop.approved("T-1")
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            results.add(failure { try shop.client.confirm(transactionId: id, amount: 100, currency: .TWD) })
        }
        #expect(results.all.filter { $0 == nil }.count == 1)
        #expect(results.all.compactMap { code($0) }.allSatisfy { $0 == "1152" })
        #expect(shop.pay.count(of: .confirm, transactionId: id) == 16)
        #expect(shop.pay.count(of: .confirm, transactionId: id, .succeeded) == 1)
    }
}

/// Collects results from many threads.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [LinePayError?] = []
    func add(_ e: LinePayError?) { lock.lock(); items.append(e); lock.unlock() }
    var all: [LinePayError?] { lock.lock(); defer { lock.unlock() }; return items }
}
