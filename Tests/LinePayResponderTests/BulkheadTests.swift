import Foundation
import LinePayStore
import Testing
import TestSupport

/// A LINE Pay that hangs holds at most `linepay_call_slots` threads: the others keep answering pages.
@Suite(.serialized, .timeLimit(.minutes(5))) struct BulkheadTests {
    /// 4 threads, 2 call slots, LINE Pay stalling every call: of 4 Confirms, 2 hang at LINE Pay and 2 are answered
    /// at once without being sent (their orders stay confirming, to be settled by lookup: never failed);
    /// another shopper's /status answers while both slots still hang. Without the limit the 4 Confirms take every
    /// thread and nothing answers until LINE Pay does.
    @Test func statusAnswersWhileEveryLinePayCallHangs() throws {
        let h = try ResponderHarness(config: ["linepay_call_slots = 2", "linepay_call_wait = 0", "reconcile_interval = 0",
                                              "read_timeout_confirm = 200", "read_timeout_payment_details = 200"],
                                     threads: 4)
        var shoppers: [(Browser, String, String)] = []
        for _ in 0..<4 {
            let phone = Browser(Browser.iPhone)
            let orderId = Flow.newOrderId()
            let pay = try Flow.checkoutAndPay(h, phone, orderId: orderId)
            let approved = try Flow.approveAtLinePay(phone, paymentURL: try #require(pay.headers["location"]))
            shoppers.append((phone, orderId, try #require(approved.headers["location"])))
        }
        let observer = Browser()
        let observed = Flow.newOrderId()
        #expect(try observer.go("POST", h.baseURL + "/checkout", form: Flow.handoff(orderId: observed)).status == 200)

        try h.sandbox.fault("*", "delay", "300000", count: 1000)   // every call stalls 5 minutes
        let answered = Locked<[String: Int]>([:])
        var threads: [Thread] = []
        for (phone, orderId, confirmURL) in shoppers {
            let cookie = phone.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let t = Thread {
                let status = (try? httpRequest(url: confirmURL, headers: [("Cookie", cookie)], timeout: 250))?.status ?? -1
                answered.withLock { $0[orderId] = status }
            }
            t.start()
            threads.append(t)
        }
        // Two Confirms find both slots taken and are answered without waiting on LINE Pay.
        let deadline = Date().addingTimeInterval(60)
        while answered.current.count < 2 && Date() < deadline { usleep(20_000) }
        let quick = answered.current
        #expect(quick.count == 2, "Confirms answered while LINE Pay stalls: \(quick)")

        let status = try observer.go("GET", h.baseURL + "/status?orderId=\(observed)")
        #expect(status.status == 200 && status.text.contains(#""status":"new""#), "\(status.status) \(status.text)")
        #expect(answered.current.count == 2, "the two Confirms holding the slots are still waiting on LINE Pay")

        let store = try OrderStore(path: h.database)
        for orderId in quick.keys {
            // Not sent is not failed: the order waits for a lookup, which may still confirm it exactly once.
            #expect(try store.order(orderId: orderId)?.state == .confirming, "\(orderId)")
        }
        h.process.send(SIGKILL)   // ends the two hanging requests (nginx answers 502) so the threads finish
        let end = Date().addingTimeInterval(60)
        while answered.current.count < 4 && Date() < end { usleep(20_000) }
    }
}
