import Foundation
import LinePay
import LinePayStore

extension OperationRefusal {
    /// The admin's words (the admin pages and `linepay` are English): what was refused and what to do instead.
    public func explanation(currency: String) -> String {
        let money = { (d: Decimal) in "\(Money.format(d)) \(currency)" }
        switch self {
        case .wrongState(.capture, let s): return "only an authorized payment can be captured; this order is \(s.rawValue)"
        case .wrongState(.void, let s):
            return "only an authorization can be voided; this order is \(s.rawValue)"
                + (s == .paid || s == .partially_refunded ? " (refund it instead)" : "")
        case .wrongState(.refund, let s): return "only a captured payment can be refunded; this order is \(s.rawValue)"
        case .wrongState(let k, let s): return "a \(k.rawValue) cannot start from an order that is \(s.rawValue)"
        case .amountOutOfRange(.capture, let max): return "the capture amount must be more than 0 and at most the authorized \(money(max))"
        case .amountOutOfRange(_, let max): return "the refund amount must be more than 0 and at most the \(money(max)) that remains"
        case .amountScale(let c, 0): return "\(c) takes whole amounts only"
        case .amountScale(let c, let n): return "\(c) takes at most \(n) decimals"
        case .noTransaction: return "the order has no LINE Pay transaction"
        case .operationOpen(let k, let s):
            return "a \(k.rawValue) of this order is \(s == .pending ? "in progress" : "being checked with LINE Pay"); wait until it is settled (reconcile)"
        case .regKeyExpired: return "this regKey has expired"
        case .badOrderId: return "the new order id must be 1 to 100 characters of A-Z a-z 0-9 _ -"
        case .orderIdTaken(let id): return "the order id \(id) is already used"
        case .chargeAmount(let c): return "the amount must be more than 0 and fit \(c)"
        case .productName: return "the product name must be 1 to 4000 characters"
        case .regKeyUnreadable: return "the stored regKey is unreadable"
        }
    }
}

extension AfterSaleOperation {
    /// What the admin reads about this operation: our refusal in words, else LINE Pay's answer as recorded.
    public var summary: String {
        refusal.map { "refused by us: " + $0.explanation(currency: currency) } ?? result
    }
}
