import Foundation
import LinePay
import LinePayStore

/// Reserves the payment at LINE Pay (Request) for an order, once however often Pay is clicked.
struct ReservePayment {
    let configuration: ResponderConfiguration
    let client: LinePayClient
    let store: OrderStore

    enum Outcome {
        /// Reserved now or before: send the shopper to paymentUrl.
        case reserved(Order)
        /// Already paid, checking, or otherwise past reservation: show its state instead.
        case past(Order)
        /// Another click is reserving right now.
        case busy(Order)
        /// LINE Pay refused the request (the order is back to new, the reason kept).
        case refused(Order, Refusal)
        /// LINE Pay could not be reached or did not answer clearly; nothing moved, the shopper may try again.
        case unavailable(Order, String)
    }

    func execute(orderId: String, now: Int64) throws -> Outcome? {
        guard let order = try store.order(orderId: orderId) else { return nil }
        switch order.state {
        case .reserved: return .reserved(order)
        case .reserving: return .busy(order)
        case .new, .cancelled, .failed, .expired: break
        default: return .past(order)
        }
        guard let reserving = try store.beginReserve(orderId: orderId, now: now) else {
            // Another click won the race: show what it did.
            return try execute(orderId: orderId, now: now)
        }
        let request = makeRequest(reserving)
        switch attempt({ () throws(LinePayError) in try client.request(request) }) {
        case .success(let info):
            try store.appendEvent(orderId: orderId, kind: "api.request", actor: "system",
                                  detail: "0000 transactionId \(info.transactionId) orderId \(request.orderId)", now: now)
            _ = try store.markReserved(orderId: orderId, transactionId: info.transactionId.rawValue, paymentUrl: info.paymentUrl.web, now: now)
            return .reserved(try store.order(orderId: orderId) ?? reserving)
        case .failure(let error):
            try store.appendEvent(orderId: orderId, kind: "api.request", actor: "system", detail: "\(error)", now: now)
            _ = try store.abortReserve(orderId: orderId, error: "\(error)", now: now)
            let back = try store.order(orderId: orderId) ?? reserving
            // An unknown outcome moves no money: the next attempt uses a new LINE Pay orderId (attempt suffix).
            if case .refused(let refusal) = error { return .refused(back, refusal) }
            return .unavailable(back, "\(error)")
        }
    }

    /// The Request body from our own records: one package of the order's items, shipping as its own line.
    func makeRequest(_ order: Order) -> RequestPayment {
        var products = order.items.map {
            Product(id: $0.itemId, name: $0.name, imageUrl: $0.imageUrl, quantity: $0.quantity, price: $0.price)
        }
        if order.shippingFee > 0 { products.append(Product(id: "shipping", name: "Shipping", quantity: 1, price: order.shippingFee)) }
        let package = PaymentPackage(id: "order", amount: order.amount, name: String(configuration.shopName.prefix(100)), products: products)
        let locale = (order.locale ?? configuration.locale).flatMap { PaymentPageLocale(rawValue: $0) }
        return RequestPayment(
            amount: order.amount, currency: Currency(rawValue: order.currency) ?? .TWD,
            orderId: order.linePayOrderId ?? order.orderId, packages: [package],
            redirectUrls: RedirectUrls(confirmUrl: configuration.publicBaseURL + "/confirm", cancelUrl: configuration.publicBaseURL + "/cancel",
                                       confirmUrlType: configuration.confirmURLType),
            options: RequestOptions(payment: .init(capture: configuration.capture, payType: configuration.payType == .PREAPPROVED ? .PREAPPROVED : nil),
                                    display: .init(locale: locale, checkConfirmUrlBrowser: configuration.checkConfirmURLBrowser)))
    }
}
