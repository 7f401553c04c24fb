import Foundation
import LinePay
import Testing
import TestSupport

/// Each fault kind of the control API, seen through the library's client; and what the sandbox refuses.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SandboxFaultTests {
    let sandbox: SandboxHarness
    let client: LinePayClient

    init() throws {
        sandbox = try SandboxHarness()
        var timeouts = Timeouts()
        timeouts.readOverrides[.confirm] = .seconds(1)
        client = sandbox.client(timeouts: timeouts)
    }

    func approved() throws -> TransactionID {
        let r = try client.request(SandboxLifecycleTests.order("F-" + UUID().uuidString.prefix(8)))
        try sandbox.approve(r.transactionId)
        return r.transactionId
    }

    /// Whether the sandbox really processed the confirm (the merchant could not know).
    func processed(_ id: TransactionID) throws -> Bool {
        try client.checkPaymentStatus(transactionId: id) == .completed
    }

    @Test func codeFaultIsAnsweredWithoutProcessing() throws {
        let id = try approved()
        try sandbox.fault("confirm", "code", "1198")
        do { _ = try client.confirm(transactionId: id, amount: 360, currency: .TWD); Issue.record("fault ignored") } catch {
            #expect(error == .outcomeUnknown(.confirm, .ambiguousCode(ReturnCode("1198"), "There has been a duplicate API call request.")))
        }
        #expect(try processed(id) == false)
        try sandbox.fault("request", "code", "9000")
        do { _ = try client.request(SandboxLifecycleTests.order("F-9000")); Issue.record("fault ignored") } catch {
            guard case .refused(let r) = error else { Issue.record("\(error)"); return }
            #expect(r.code.rawValue == "9000" && r.explanation == "Internal error")
        }
    }

    @Test func statusFaultIsUnknown() throws {
        let id = try approved()
        try sandbox.fault("confirm", "status", "502")
        #expect(throws: LinePayError.outcomeUnknown(.confirm, .httpStatus(502))) {
            try client.confirm(transactionId: id, amount: 360, currency: .TWD)
        }
        #expect(try processed(id) == false)
        let call = try #require(try sandbox.calls(operation: "confirm").last)
        #expect(call["fault"] as? String == "status:502" && call["httpStatus"] as? Int == 502)
    }

    @Test func delayPastTheReadTimeoutIsUnknownButProcessed() throws {
        let id = try approved()
        try sandbox.fault("confirm", "delay", "1500")
        let start = ContinuousClock.now
        #expect(throws: LinePayError.outcomeUnknown(.confirm, .timedOut)) {
            try client.confirm(transactionId: id, amount: 360, currency: .TWD)
        }
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(try processed(id))
    }

    @Test func malformedAndTruncatedBodiesAreUnknownButProcessed() throws {
        for kind in ["malformed", "truncated"] {
            let id = try approved()
            try sandbox.fault("confirm", kind)
            do { _ = try client.confirm(transactionId: id, amount: 360, currency: .TWD); Issue.record("\(kind) accepted") } catch {
                #expect(error.isOutcomeUnknown, "\(kind): \(error)")
            }
            #expect(try processed(id), "\(kind)")
        }
    }

    @Test func dropAfterProcessingIsUnknownButProcessed() throws {
        let id = try approved()
        try sandbox.fault("confirm", "drop")
        do { _ = try client.confirm(transactionId: id, amount: 360, currency: .TWD); Issue.record("drop ignored") } catch {
            guard case .outcomeUnknown(.confirm, .connectionLost) = error else { Issue.record("\(error)"); return }
        }
        #expect(try processed(id))
        #expect(try client.paymentDetails(transactionIds: [id]).count == 1)
    }

    @Test func faultsByTheAmountsLastDigitOnlyWhenTurnedOn() throws {
        // Off by default: an amount ending in 9 is paid like any other.
        let plain = try client.request(SandboxLifecycleTests.order("F-" + UUID().uuidString.prefix(8), amount: 369))
        try sandbox.approve(plain.transactionId)
        #expect(try client.confirm(transactionId: plain.transactionId, amount: 369, currency: .TWD).payInfo.map(\.amount) == [369])

        let sandbox = try SandboxHarness(extraArguments: ["--fault-by-amount"])
        var timeouts = Timeouts()
        timeouts.readOverrides[.confirm] = .seconds(1)
        let client = sandbox.client(timeouts: timeouts)
        func processed(_ id: TransactionID) throws -> Bool { try client.checkPaymentStatus(transactionId: id) == .completed }
        let r = try client.request(SandboxLifecycleTests.order("F-" + UUID().uuidString.prefix(8), amount: 369))
        try sandbox.approve(r.transactionId)
        do { _ = try client.confirm(transactionId: r.transactionId, amount: 369, currency: .TWD); Issue.record("amount 9 paid") } catch {
            guard case .refused(let x) = error else { Issue.record("\(error)"); return }
            #expect(x.code.rawValue == "1281")
        }
        let d = try client.request(SandboxLifecycleTests.order("F-" + UUID().uuidString.prefix(8), amount: 368))
        try sandbox.approve(d.transactionId)
        #expect(throws: LinePayError.self) { try client.confirm(transactionId: d.transactionId, amount: 368, currency: .TWD) }
        #expect(try processed(d.transactionId))
    }

    @Test func countedFaultsRunOut() throws {
        try sandbox.fault("checkPaymentStatus", "status", "503", count: 2)
        let id = try approved()
        #expect(throws: LinePayError.self) { try client.checkPaymentStatus(transactionId: id) }
        #expect(throws: LinePayError.self) { try client.checkPaymentStatus(transactionId: id) }
        #expect(try client.checkPaymentStatus(transactionId: id) == .authorized)
    }
}
