import Foundation
import LinePay

/// Why we refused an after-sale action before calling LINE Pay. Typed, so the admin pages and the CLI choose the
/// words; stored by `code` in operations.refusal so a repeated submit answers the same refusal.
public enum OperationRefusal: Sendable, Equatable {
    /// Capture or void of something that is not an authorization, refund of something not captured.
    case wrongState(OperationKind, OrderState)
    /// Capture above the authorized amount, refund above what remains (or 0 and below).
    case amountOutOfRange(OperationKind, max: Decimal)
    /// More decimals than the currency takes.
    case amountScale(currency: String, maximumScale: Int)
    /// The order never reached LINE Pay.
    case noTransaction
    /// Another operation of the order is in flight or its outcome is being checked.
    case operationOpen(OperationKind, OperationState)
    /// Charges: the regKey is expired, the new order id is malformed or taken, the amount does not fit, the name is empty.
    case regKeyExpired
    case badOrderId
    case orderIdTaken(String)
    case chargeAmount(currency: String)
    case productName
    /// The stored regKey cannot be read back.
    case regKeyUnreadable

    /// The stable text kept in the database, e.g. `wrong_state:capture:paid`.
    public var code: String {
        switch self {
        case .wrongState(let k, let s): return "wrong_state:\(k.rawValue):\(s.rawValue)"
        case .amountOutOfRange(let k, let max): return "amount_out_of_range:\(k.rawValue):\(Money.format(max))"
        case .amountScale(let c, let n): return "amount_scale:\(c):\(n)"
        case .noTransaction: return "no_transaction"
        case .operationOpen(let k, let s): return "operation_open:\(k.rawValue):\(s.rawValue)"
        case .regKeyExpired: return "regkey_expired"
        case .badOrderId: return "bad_order_id"
        case .orderIdTaken(let id): return "order_id_taken:\(id)"
        case .chargeAmount(let c): return "charge_amount:\(c)"
        case .productName: return "product_name"
        case .regKeyUnreadable: return "regkey_unreadable"
        }
    }

    /// Reads a stored `code` back; nil for text this program does not know.
    public init?(code: String) {
        let p = code.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        func kind(_ i: Int) -> OperationKind? { i < p.count ? OperationKind(rawValue: p[i]) : nil }
        switch p[0] {
        case "wrong_state": guard let k = kind(1), p.count == 3, let s = OrderState(rawValue: p[2]) else { return nil }; self = .wrongState(k, s)
        case "amount_out_of_range": guard let k = kind(1), p.count == 3, let m = Money.parse(p[2]) else { return nil }; self = .amountOutOfRange(k, max: m)
        case "amount_scale": guard p.count == 3, let n = Int(p[2]) else { return nil }; self = .amountScale(currency: p[1], maximumScale: n)
        case "no_transaction": self = .noTransaction
        case "operation_open": guard let k = kind(1), p.count == 3, let s = OperationState(rawValue: p[2]) else { return nil }; self = .operationOpen(k, s)
        case "regkey_expired": self = .regKeyExpired
        case "bad_order_id": self = .badOrderId
        case "order_id_taken": guard p.count >= 2 else { return nil }; self = .orderIdTaken(p.dropFirst().joined(separator: ":"))
        case "charge_amount": guard p.count == 2 else { return nil }; self = .chargeAmount(currency: p[1])
        case "product_name": self = .productName
        case "regkey_unreadable": self = .regKeyUnreadable
        default: return nil
        }
    }
}
