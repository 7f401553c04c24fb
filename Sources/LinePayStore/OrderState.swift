/// Where an order is in its life: checkout (new ... confirming), outcome (paid ... expired), after-sale (voided, refunds).
public enum OrderState: String, Sendable, CaseIterable {
    /// Created from the shop's handoff; no LINE Pay Request yet (or the last one was refused).
    case new
    /// A Request call is being made; its outcome may be unknown until reconciled.
    case reserving
    /// LINE Pay returned a transactionId and paymentUrl; the shopper is paying.
    case reserved
    /// The one Confirm call is being made; an unknown outcome stays here until reconciled, never "failed".
    case confirming
    /// Confirmed with capture, or captured later.
    case paid
    /// Confirmed without capture: the money is held, not taken.
    case authorized
    /// The shopper or the shop cancelled before paying.
    case cancelled
    /// LINE Pay refused the payment for certain.
    case failed
    /// The payment page (or a held authorization) ran out of time.
    case expired
    /// An authorization was released without capture.
    case voided
    /// All captured money went back.
    case refunded
    /// Part of the captured money went back.
    case partially_refunded

    /// The status the shopper's /status JSON shows: confirming -> "checking", reserving -> "new", others their raw value.
    public var publicStatus: String {
        switch self {
        case .confirming: return "checking"
        case .reserving: return "new"
        default: return rawValue
        }
    }

    /// Whether entering this state from `previous` must be told to the shop (an outbox row). Cancelled and expired
    /// matter only once LINE Pay knew the order; before that the shop has nothing to undo.
    func notifiesShop(from previous: OrderState) -> Bool {
        switch self {
        case .paid, .authorized, .voided, .refunded, .partially_refunded: return true
        case .cancelled, .expired: return [.reserved, .confirming, .authorized].contains(previous)
        default: return false
        }
    }

    /// States in which no money has moved: the only ones failed/cancelled may come from.
    static let beforePayment: Set<OrderState> = [.new, .reserving, .reserved, .confirming]
}
