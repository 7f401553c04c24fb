import LinePay
import LinePayStore

/// What the payment core needs to know of the shop's configuration (the responder builds it from its file).
public struct CheckoutSettings: Sendable {
    /// The absolute URL of the responder's location block: confirmUrl and cancelUrl hang below it.
    public var publicBaseURL: String
    /// Capture at confirm (true) or only authorize (false).
    public var capture: Bool
    public var payType: PayType
    public var confirmURLType: ConfirmUrlType
    public var checkConfirmURLBrowser: Bool
    /// The package name LINE Pay shows (first 100 characters).
    public var shopName: String
    /// LINE Pay's payment page language when the order names none.
    public var locale: String?
    /// The client's timeouts and retries (the reconciler derives "no earlier call can still run" from them).
    public var linePay: LinePayConfiguration
    /// How old an order's state must be before the reconciler looks at it (seconds).
    public var reconcileMinAge: Int64
    /// For `shipping=line` orders: CONDITION (LINE Pay asks our ShippingMethods again whenever the address changes) or FIXED.
    public var shippingFeeInquiryType: RequestOptions.Shipping.FeeInquiryType = .CONDITION

    public init(publicBaseURL: String, capture: Bool = true, payType: PayType = .NORMAL, confirmURLType: ConfirmUrlType = .CLIENT,
                checkConfirmURLBrowser: Bool = false, shopName: String = "Shop", locale: String? = nil,
                linePay: LinePayConfiguration, reconcileMinAge: Int64 = 60) {
        self.publicBaseURL = publicBaseURL; self.capture = capture; self.payType = payType; self.confirmURLType = confirmURLType
        self.checkConfirmURLBrowser = checkConfirmURLBrowser; self.shopName = shopName; self.locale = locale
        self.linePay = linePay; self.reconcileMinAge = reconcileMinAge
    }

    /// How long after a Confirm began it may still be running somewhere (connect + read timeout + margin): before
    /// that, nobody but its caller may confirm the order again.
    public var confirmInFlightLimit: Int64 {
        let t = linePay.timeouts
        return t.read(.confirm).components.seconds + t.connect.components.seconds + 5
    }

    /// A pending after-sale operation older than this cannot still have its call running: connect + read timeout
    /// of its own call, times the attempts only void retries, plus the backoff between them and a margin.
    public func pendingLimit(_ kind: OperationKind) -> Int64 {
        let t = linePay.timeouts
        let call: LinePayOperation = switch kind {
        case .capture: .capture
        case .void: .void
        case .refund: .refund
        case .charge: .payPreapproved
        }
        let attempts = kind == .void ? Int64(linePay.retry.maxAttempts) : 1
        let backoff = kind == .void ? linePay.retry.initialBackoff.components.seconds * (1 << attempts) + 1 : 0
        return (t.connect + t.read(call)).components.seconds * attempts + backoff + 10
    }
}
