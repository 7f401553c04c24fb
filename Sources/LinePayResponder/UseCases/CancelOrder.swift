import Foundation
import LinePay
import LinePayStore

/// cancelUrl: the order becomes cancelled, only from reserved, and only when LINE Pay agrees: the cancel link is
/// untrusted input, and cancelling an approved payment on its word would strand the shopper's money.
struct CancelOrder {
    let client: LinePayClient
    let store: OrderStore

    enum Outcome { case done(Order), notFound, mismatch }

    func execute(linePayOrderId: String, transactionId: Int64, now: Int64) throws -> Outcome {
        guard let order = try store.order(linePayOrderId: linePayOrderId) else { return .notFound }
        guard order.transactionId == transactionId else { return .mismatch }
        guard order.state == .reserved else { return .done(order) }
        switch attempt({ () throws(LinePayError) in try client.checkPaymentStatus(transactionId: TransactionID(transactionId)) }) {
        case .success(.cancelled):
            _ = try store.markCancelled(orderId: order.orderId, from: [.reserved], reason: "shopper cancelled at LINE Pay", now: now)
        case .success(.failed):
            _ = try store.markFailed(orderId: order.orderId, from: [.reserved], reason: "LINE Pay reports that the payment failed (0122).", now: now)
        case .success:
            try store.appendEvent(orderId: order.orderId, kind: "cancel.ignored", actor: "system",
                                  detail: "cancelUrl called but LINE Pay has not cancelled the payment", now: now)
        case .failure(let error):
            // LINE Pay unreachable: record the shopper's cancel; the order stays reserved until LINE Pay can be asked.
            try store.appendEvent(orderId: order.orderId, kind: "cancel.unverified", actor: "system", detail: "\(error)", now: now)
        }
        return .done(try store.order(orderId: order.orderId) ?? order)
    }
}
