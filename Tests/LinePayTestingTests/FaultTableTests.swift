import Foundation
import LinePay
import LinePayTesting
import Testing

/// Every money-moving call x every transport fault: the client's error, and LINE Pay acted exactly when the
/// fault says it processed the call (the shape the payment core's matrix builds on).
@Suite(.timeLimit(.minutes(5))) struct FaultTableTests {
    /// One operation ready to be called once, and how to see whether LINE Pay carried it out.
    struct Cell {
        let call: () throws -> Void
        let done: () -> Bool
    }

    static func prepare(_ op: LinePayOperation, _ shop: Shop) throws -> Cell {
        let c = shop.client, pay = shop.pay
        switch op {
        case .request:
            return Cell(call: { _ = try c.request(shop.paymentRequest("M-1")) }, done: { !pay.transactions(orderId: "M-1").isEmpty })
        case .confirm:
            let id = try shop.approved("M-1")
            return Cell(call: { _ = try c.confirm(transactionId: id, amount: 100, currency: .TWD) },
                        done: { pay.transaction(id)?.status == .captured })
        case .capture:
            let id = try shop.authorized("M-1")
            return Cell(call: { _ = try c.capture(transactionId: id, amount: 100, currency: .TWD) },
                        done: { pay.transaction(id)?.status == .captured })
        case .void:
            let id = try shop.authorized("M-1")
            return Cell(call: { try c.void(transactionId: id) }, done: { pay.transaction(id)?.status == .voided })
        case .refund:
            let id = try shop.captured("M-1")
            return Cell(call: { _ = try c.refund(transactionId: id, amount: 10) }, done: { pay.transaction(id)?.refunds.count == 1 })
        case .payPreapproved, .expireRegKey:
            let id = try shop.approved("M-0", payType: .PREAPPROVED)
            guard let key = try c.confirm(transactionId: id, amount: 100, currency: .TWD).regKey else { throw Unexpected("no regKey") }
            if op == .expireRegKey { return Cell(call: { try c.expireRegKey(key) }, done: { pay.regKeyIsActive(key) == false }) }
            return Cell(call: { _ = try c.payPreapproved(PayPreapproved(regKey: key, productName: "Tea", amount: 30, currency: .TWD, orderId: "M-1")) },
                        done: { !pay.transactions(orderId: "M-1").isEmpty })
        default:
            throw Unexpected("not a money-moving call")
        }
    }

    static let faults: [ScriptedLinePay.Fault] = [
        .lostAfterProcessing, .lostBeforeProcessing, .timeoutAfterProcessing, .notSent,
        .httpStatus(502), .httpStatus(503, processed: true), .malformedBody(processed: false), .malformedBody(processed: true),
        .truncatedBody(processed: false), .truncatedBody(processed: true),
    ]

    /// The error the client must give for `fault` on `op`.
    static func expected(_ fault: ScriptedLinePay.Fault, _ op: LinePayOperation, _ error: LinePayError?) -> Bool {
        switch (fault, error) {
        case (.lostAfterProcessing, .outcomeUnknown(op, .connectionLost)), (.lostBeforeProcessing, .outcomeUnknown(op, .connectionLost)),
             (.timeoutAfterProcessing, .outcomeUnknown(op, .timedOut)), (.notSent, .notSent),
             (.malformedBody, .outcomeUnknown(op, .unparseableBody)), (.truncatedBody, .outcomeUnknown(op, .unparseableBody)):
            return true
        case (.httpStatus(let s, _), .outcomeUnknown(op, .httpStatus(let got))): return s == got
        default: return false
        }
    }

    @Test(arguments: [LinePayOperation.request, .confirm, .capture, .void, .refund, .payPreapproved, .expireRegKey])
    func everyFaultOn(_ op: LinePayOperation) throws {
        for fault in Self.faults {
            let shop = Shop()
            let cell = try Self.prepare(op, shop)
            shop.pay.enqueueFault(fault, for: op)
            let error = failure(cell.call)
            #expect(Self.expected(fault, op, error), "\(op) \(fault): \(String(describing: error))")
            #expect(cell.done() == fault.processes, "\(op) \(fault)")
            #expect(shop.pay.count(of: op) == 1, "\(op) \(fault): one call, no retry")
            #expect(shop.pay.count(of: op, .processed) == (fault.processes ? 1 : 0), "\(op) \(fault)")
        }
    }
}
