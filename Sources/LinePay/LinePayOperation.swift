/// The ten Online API v3 operations, with the reference's read timeout for each (002_...txt, "API Spec").
public enum LinePayOperation: String, Sendable, CaseIterable {
    case request, confirm, capture, void, refund, paymentDetails, checkPaymentStatus, checkRegKey, payPreapproved, expireRegKey

    /// Connection timeout: 5 seconds for every endpoint.
    public static let defaultConnectTimeout: Duration = .seconds(5)

    /// Read timeout from the reference: 20 s, 40 s for confirm and pay preapproved, 60 s for capture.
    public var defaultReadTimeout: Duration {
        switch self {
        case .confirm, .payPreapproved: return .seconds(40)
        case .capture: return .seconds(60)
        default: return .seconds(20)
        }
    }

    /// Whether a duplicate of this call could move money twice: such calls never ride a reused connection, because
    /// libcurl (before 8.16) silently resends a request when a reused connection dies unanswered. (CurlTransport
    /// also refuses the body rewind such a resend needs, for every POST: this is the second guard.)
    public var movesMoney: Bool {
        switch self {
        case .confirm, .capture, .void, .refund, .payPreapproved, .expireRegKey: return true
        case .request, .paymentDetails, .checkPaymentStatus, .checkRegKey: return false
        }
    }
}
