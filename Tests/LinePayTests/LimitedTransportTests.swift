import Foundation
import LinePay
import Testing

/// The bulkhead: calls over the limit are answered "not sent" without reaching the real transport.
@Suite(.timeLimit(.minutes(5))) struct LimitedTransportTests {
    /// A transport whose calls hang until released, counting what reached it.
    final class Gate: LinePayTransport, @unchecked Sendable {   // @unchecked: counters under `lock`
        let lock = NSCondition()
        var arrived = 0
        var open = false
        func perform(_ request: TransportRequest) -> TransportResult {
            lock.lock()
            arrived += 1
            lock.broadcast()
            while !open { lock.wait() }
            lock.unlock()
            return .response(status: 200, body: Array(#"{"returnCode":"0000","returnMessage":"ok"}"#.utf8))
        }
        func waitForArrivals(_ n: Int) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            let deadline = Date().addingTimeInterval(10)
            while arrived < n { if !lock.wait(until: deadline) { return arrived >= n } }
            return true
        }
        func release() { lock.lock(); open = true; lock.broadcast(); lock.unlock() }
    }

    static let request = TransportRequest(operation: .confirm, method: "POST", url: "http://127.0.0.1:9/v3/payments/1/confirm",
                                          path: "/v3/payments/1/confirm", query: nil, headers: [], body: [],
                                          connectTimeout: .seconds(5), readTimeout: .seconds(40), freshConnection: true)

    @Test func callsOverTheLimitAreNotSent() throws {
        let gate = Gate()
        let limited = LimitedTransport(gate, slots: 2, wait: .zero)
        let results = DispatchGroup()
        for _ in 0..<2 {
            DispatchQueue.global().async(group: results) { _ = limited.perform(Self.request) }
        }
        #expect(gate.waitForArrivals(2))
        #expect(limited.callsInFlight == 2)
        guard case .notSent(let why) = limited.perform(Self.request) else { Issue.record("a third call was let through"); return }
        #expect(why.contains("busy") && why.contains("linepay_call_slots"))
        #expect(gate.arrived == 2, "the refused call never reached the transport")
        gate.release()
        #expect(results.wait(timeout: .now() + 10) == .success)
        #expect(limited.callsInFlight == 0)
        if case .response(let status, _) = limited.perform(Self.request) { #expect(status == 200) } else { Issue.record("a free slot was refused") }
    }

    @Test func aCallOverTheLimitWaitsBoundedlyForASlot() throws {
        let gate = Gate()
        let limited = LimitedTransport(gate, slots: 1, wait: .seconds(30))
        let first = DispatchGroup()
        DispatchQueue.global().async(group: first) { _ = limited.perform(Self.request) }
        #expect(gate.waitForArrivals(1))
        let second = DispatchGroup()
        DispatchQueue.global().async(group: second) {
            if case .notSent = limited.perform(Self.request) { Issue.record("the waiting call was refused though a slot came free") }
        }
        gate.release()   // the first call ends; the second takes its slot instead of being refused
        #expect(first.wait(timeout: .now() + 10) == .success)
        #expect(second.wait(timeout: .now() + 20) == .success)
        #expect(gate.arrived == 2)
    }

    /// While every slot is held by calls that do not end, one refused caller waits; the next are refused at once.
    @Test func afterAWaitInVainTheNextCallsAreRefusedAtOnce() throws {
        let gate = Gate()
        let limited = LimitedTransport(gate, slots: 1, wait: .milliseconds(50))
        let first = DispatchGroup()
        DispatchQueue.global().async(group: first) { _ = limited.perform(Self.request) }
        #expect(gate.waitForArrivals(1))
        guard case .notSent = limited.perform(Self.request) else { Issue.record("the second call was let through"); return }
        #expect(limited.refusedAtOnce == 0, "the first refused call waits for a slot")
        for _ in 0..<3 {
            guard case .notSent = limited.perform(Self.request) else { Issue.record("a call was let through"); return }
        }
        #expect(limited.refusedAtOnce == 3)
        gate.release()
        #expect(first.wait(timeout: .now() + 10) == .success)
        // A slot came free: calls wait (and get through) as before.
        if case .response(let status, _) = limited.perform(Self.request) { #expect(status == 200) } else { Issue.record("a free slot was refused") }
        #expect(limited.refusedAtOnce == 3 && gate.arrived == 2)
    }
}
