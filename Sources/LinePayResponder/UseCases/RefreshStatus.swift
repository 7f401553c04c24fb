import Foundation
import LinePay
import LinePayStore

/// What /status does besides reading: settles unknown outcomes, follows LINE Pay when confirmUrlType is NONE
/// (check payment status at most once a second, confirm on 0110) and notices expired reservations.
struct RefreshStatus {
    let configuration: ResponderConfiguration
    let client: LinePayClient
    let store: OrderStore

    static let reservationLifetime: Int64 = 20 * 60

    func execute(_ order: Order, now: Int64) throws -> Order {
        let confirmer = ConfirmOrder(configuration: configuration, client: client, store: store)
        switch order.state {
        case .confirming:
            guard try store.claimStatusCheck(orderId: order.orderId, now: now) else { return order }
            return try confirmer.settle(order, now: now, ownsCall: false)
        case .reserved:
            let stale = now - (order.reservedAt ?? order.createdAt) >= Self.reservationLifetime
            guard configuration.confirmURLType == .NONE || stale, let tx = order.transactionId,
                  try store.claimStatusCheck(orderId: order.orderId, now: now) else { return order }
            let status: CheckPaymentStatus.Status
            switch attempt({ () throws(LinePayError) in try client.checkPaymentStatus(transactionId: TransactionID(tx)) }) {
            case .success(let s): status = s
            case .failure(let error):
                try store.appendEvent(orderId: order.orderId, kind: "api.check", actor: "system", detail: "\(error)", now: now)
                return order
            }
            switch status {
            case .authorized:
                if try store.beginConfirm(orderId: order.orderId, transactionId: tx, now: now) {
                    return try confirmer.confirm(order, now: now, settleIfUnknown: true)
                }
            case .cancelled:
                if stale { _ = try store.markExpired(orderId: order.orderId, from: [.reserved], reason: "The payment was not completed within 20 minutes (0121).", now: now) }
                else { _ = try store.markCancelled(orderId: order.orderId, from: [.reserved], reason: "The payment was cancelled at LINE Pay (0121).", now: now) }
            case .failed:
                _ = try store.markFailed(orderId: order.orderId, from: [.reserved], reason: "LINE Pay reports that the payment failed (0122).", now: now)
            case .beforeAuthorization, .completed:
                break
            }
            return try store.order(orderId: order.orderId) ?? order
        default:
            return order
        }
    }
}
