import Foundation
import LinePay
import LinePayCheckout
import LinePayStore
import LinePayTesting
import Testing

/// The ten ways issue 9 found the order ending somewhere else than LINE Pay's records, one test each (the
/// through-the-binaries ones live in LinePayResponderTests and LinePayAdminTests).
@Suite(.timeLimit(.minutes(2))) struct NumberedCaseTests {
    /// 1: payment details lists refunds negative; a refund whose answer was lost is still settled, for its amount.
    @Test func aLostRefundIsSettledFromNegativeRefundAmounts() throws {
        let f = try CoreFixture()
        _ = try f.confirmed("N1")
        f.pay.enqueueFault(.lostAfterProcessing, for: .refund)
        guard case .finished(let op, _) = try f.core.perform(.refund, orderId: "N1", amount: 30, key: "key-n1", now: f.now) else { throw Failure("no op") }
        #expect(op.state == .unknown)
        try f.reconcile()
        let o = try f.order("N1")
        #expect(o.state == .partially_refunded && o.refundedAmount == 30 && o.capturedAmount - o.refundedAmount == 70)
        #expect(try f.store.operation(idempotencyKey: "key-n1")?.state == .done)
    }

    /// 2: capture refused with 1199/1280-1298 cancels the authorization at LINE Pay: the order is voided, no capture is offered.
    @Test(arguments: ["1199", "1280", "1298"]) func aRefusedCaptureThatCancelsTheHoldVoidsTheOrder(code: String) throws {
        let f = try CoreFixture(capture: false)
        _ = try f.confirmed("N2")
        f.pay.enqueueFault(.returnCode(code, processed: true), for: .capture)
        _ = try f.core.perform(.capture, orderId: "N2", amount: nil, key: "key-n2", now: f.now)
        try f.reconcile()
        #expect(try f.order("N2").state == .voided)
        #expect(try f.notified("N2") == ["authorized", "voided"])
    }

    /// 3: a phone shopper approves and never comes back: the reconciler confirms on 0110, once, and the shop hears it.
    @Test func anApprovedPaymentWhoseShopperNeverReturnsIsConfirmedByTheReconciler() throws {
        let f = try CoreFixture(confirmURLType: .NONE)
        let tx = try f.approved("N3")
        try f.reconcile(rounds: 1, step: 61)
        #expect(try f.order("N3").state == .paid)
        #expect(f.pay.count(of: .confirm, transactionId: tx) == 1)
        #expect(try f.notified("N3") == ["paid"])
        try f.reconcile()
        #expect(f.pay.count(of: .confirm, transactionId: tx) == 1)
    }

    /// 4: an authorization LINE Pay lets lapse ends expired, found by the reconciler near its expiry date.
    @Test func anExpiredAuthorizationEndsExpired() throws {
        let f = try CoreFixture(capture: false)
        let o = try f.confirmed("N4")
        let expires = try #require(o.authorizationExpiresAt)
        #expect(expires > f.now + 86400)
        f.advance(expires - f.now + 30)
        try f.reconcile(rounds: 2, step: 120)
        #expect(try f.order("N4").state == .expired)
        #expect(try f.notified("N4") == ["authorized", "expired"])
    }

    /// 5: a preapproved charge of unknown outcome that LINE Pay shows voided is not taken as paid.
    @Test func anUnknownChargeLaterVoidedIsNotPaid() throws {
        let f = try CoreFixture(capture: false, payType: .PREAPPROVED)
        _ = try f.confirmed("N5")
        f.pay.enqueueFault(.lostAfterProcessing, for: .payPreapproved)
        _ = try f.core.chargeRegKey(sourceOrderId: "N5", amount: 20, productName: "Refill", capture: false, newOrderId: "N5-C",
                                    key: "key-n5", now: f.now)
        let tx = try #require(f.pay.transactions(orderId: "N5-C").first?.transactionId)
        _ = try LinePayClient(configuration: f.core.client.configuration, transport: f.pay).void(transactionId: tx)   // the merchant center voids it
        try f.reconcile()
        #expect(try f.order("N5-C").state == .voided)
        #expect(try f.order("N5-C").capturedAmount == 0)
    }

    /// 6: a PREAPPROVED confirm settled from payment details has no regKey: the order says so.
    @Test func aPreapprovedConfirmSettledFromDetailsIsFlaggedRegKeyUnknown() throws {
        let f = try CoreFixture(payType: .PREAPPROVED)
        let tx = try f.approved("N6")
        f.pay.enqueueFault(.lostAfterProcessing, for: .confirm)
        _ = try f.core.confirmReturned(linePayOrderId: "N6", transactionId: tx.rawValue, now: f.now)
        try f.reconcile()
        let o = try f.order("N6")
        #expect(o.state == .paid && o.regKey == nil && o.regKeyUnknown)
    }

    /// 7: captured or held follows the capture flag we sent, not the presence of authorizationExpireDate.
    @Test func capturedFollowsTheFlagWeSent() throws {
        let f = try CoreFixture(capture: false)
        #expect(try f.confirmed("N7").state == .authorized)
        #expect(try f.order("N7").captureRequested == false)
        let g = try CoreFixture(capture: true)
        #expect(try g.confirmed("N7b").state == .paid)
    }

    /// 8: 1165 on a refund whose earlier call did it is looked up and settled as done, not stored as refused.
    @Test func alreadyRefundedIsLookedUpAndDone() throws {
        let f = try CoreFixture()
        _ = try f.confirmed("N8")
        f.pay.enqueueFault(.returnCode("1165", processed: true), for: .refund)
        guard case .finished(let op, _) = try f.core.perform(.refund, orderId: "N8", amount: nil, key: "key-n8", now: f.now) else { throw Failure("no op") }
        #expect(op.state == .done)
        #expect(try f.order("N8").state == .refunded)
    }

    /// 3 and 9 share the schedule: nothing final waits 20 minutes; a reservation is first looked at after min-age.
    @Test func aYoungReservationIsTheShoppersAndAnOldOneIsLookedAt() throws {
        let f = try CoreFixture()
        let tx = try f.approved("N9")
        #expect(try Reconciler(core: f.core).run(now: f.now).looked == 0)
        f.advance(61)
        _ = try Reconciler(core: f.core).run(now: f.now)
        #expect(try f.order("N9").state == .paid && f.pay.count(of: .confirm, transactionId: tx) == 1)
    }

    /// A Confirm that never left this process (no connection, or the bulkhead's slots all busy) is sent again at
    /// once: nothing can be running at LINE Pay, so the shopper need not wait for the reconciler's in-flight window.
    @Test func aConfirmNotSentIsSentAgainAtOnce() throws {
        let f = try CoreFixture()
        let tx = try f.approved("NS")
        // As with every slot busy: the Confirm and the look-ups after it all fail to leave the process once.
        for op in [LinePayOperation.confirm, .paymentDetails, .checkPaymentStatus] { f.pay.enqueueFault(.notSent, for: op) }
        guard case .done(let o) = try f.core.confirmReturned(linePayOrderId: "NS", transactionId: tx.rawValue, now: f.now) else {
            throw Failure("not done")
        }
        #expect(o.state == .paid)
        #expect(f.pay.count(of: .confirm, transactionId: tx, .processed) == 1)
    }
}
