import Foundation
import LinePay
import LinePayTesting

/// A shop's client wired to a scripted LINE Pay, with the few steps every test repeats.
struct Shop {
    let pay: ScriptedLinePay
    let client: LinePayClient

    static let start = Date(timeIntervalSince1970: 1_796_083_200)   // 2026-12-01T00:00:00Z

    init(secret: String = "scripted-channel-secret", pay: ScriptedLinePay = ScriptedLinePay(now: Shop.start)) {
        self.pay = pay
        client = LinePayClient(configuration: .init(channelId: pay.channelId, channelSecret: secret,
                                                    retry: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(1))),
                               transport: pay)
    }

    func paymentRequest(_ orderId: String, amount: Decimal = 100, capture: Bool = true, payType: PayType = .NORMAL) -> RequestPayment {
        RequestPayment(amount: amount, currency: .TWD, orderId: orderId,
                       packages: [PaymentPackage(id: "p1", amount: amount, products: [Product(name: "Tea", quantity: 1, price: amount)])],
                       redirectUrls: RedirectUrls(confirmUrl: "https://shop.example/confirm?shop=1", cancelUrl: "https://shop.example/cancel"),
                       options: RequestOptions(payment: .init(capture: capture, payType: payType)))
    }

    /// Requested and approved by the shopper: ready for Confirm.
    func approved(_ orderId: String, amount: Decimal = 100, capture: Bool = true, payType: PayType = .NORMAL) throws -> TransactionID {
        let id = try client.request(paymentRequest(orderId, amount: amount, capture: capture, payType: payType)).transactionId
        guard pay.approve(transactionId: id) != nil else { throw Unexpected("approve refused") }
        return id
    }

    /// Confirmed with capture=false.
    func authorized(_ orderId: String, amount: Decimal = 100) throws -> TransactionID {
        let id = try approved(orderId, amount: amount, capture: false)
        _ = try client.confirm(transactionId: id, amount: amount, currency: .TWD)
        return id
    }

    /// Confirmed and captured.
    func captured(_ orderId: String, amount: Decimal = 100) throws -> TransactionID {
        let id = try approved(orderId, amount: amount)
        _ = try client.confirm(transactionId: id, amount: amount, currency: .TWD)
        return id
    }

    /// One signed exchange built by hand (v4 paths, PHP-style queries), signed with the channel's secret.
    func raw(_ method: String, _ path: String, query: String? = nil, body: String? = nil,
             secret: String = "scripted-channel-secret", nonce: String = UUID().uuidString.lowercased(),
             headers extra: [(String, String)] = []) -> (status: Int, json: [String: Any]) {
        let payload = body.map { Array($0.utf8) } ?? Array((query ?? "").utf8)
        let signature = LinePaySignature.make(channelSecret: secret, path: path, payload: payload, nonce: nonce)
        let headers = [("Content-Type", "application/json"), ("X-LINE-ChannelId", pay.channelId),
                       ("X-LINE-Authorization-Nonce", nonce), ("X-LINE-Authorization", signature)] + extra
        let op: LinePayOperation = method == "GET" ? .paymentDetails : .request
        let result = pay.perform(TransportRequest(operation: op, method: method, url: "https://x" + path, path: path, query: query,
                                                  headers: headers, body: body.map { Array($0.utf8) }, connectTimeout: .seconds(5),
                                                  readTimeout: .seconds(20), freshConnection: true))
        guard case .response(let status, let bytes) = result,
              let json = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return (0, [:]) }
        return (status, json)
    }
}

struct Unexpected: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// The LinePayError a call throws, or nil when it succeeds (closures infer `any Error`, hence the cast).
func failure<T>(_ body: () throws -> T) -> LinePayError? {
    do { _ = try body(); return nil } catch let error as LinePayError { return error } catch {
        return .notSent("not a LinePayError: \(error)")
    }
}

/// The return code of a refusal, whatever its kind.
func code(_ error: LinePayError?) -> String? {
    switch error {
    case .refused(let r), .retryable(let r): return r.code.rawValue
    case .outcomeUnknown(_, .ambiguousCode(let c, _)): return c.rawValue
    default: return nil
    }
}
