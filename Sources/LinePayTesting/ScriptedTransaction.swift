import Foundation
import LinePay

/// One payment as the scripted LINE Pay holds it: what a test compares the shop's records with.
public struct ScriptedTransaction: Sendable, Equatable {
    /// Where a payment is in LINE Pay's life cycle.
    public enum Status: String, Sendable, Equatable, CaseIterable {
        /// Requested; the shopper has not approved (check payment status 0000).
        case awaitingShopper
        /// Approved by the shopper; Confirm may be called (0110).
        case approved
        /// Cancelled by the shopper at LINE Pay (0121).
        case cancelledByShopper
        /// Not confirmed within 20 minutes of the request (0121).
        case expired
        /// The payment failed at LINE Pay (0122).
        case failed
        /// Confirmed with capture=false (payStatus AUTHORIZATION).
        case authorized
        /// Confirmed with capture, or captured (no payStatus in payment details, or `capturedPayStatus`).
        case captured
        /// Voided, or cancelled by LINE Pay after capture answered 1199/1280-1298 (VOIDED_AUTHORIZATION).
        case voided
        /// The clock passed `authorizationExpireDate` (EXPIRED_AUTHORIZATION).
        case authorizationExpired
    }

    /// A refund of this payment, with its own transaction id.
    public struct Refund: Sendable, Equatable {
        /// The refund transaction (19 digits).
        public let refundTransactionId: TransactionID
        /// The amount refunded, positive here (payment details writes it negative).
        public let amount: Decimal
        /// PAYMENT_REFUND (the whole payment at once) or PARTIAL_REFUND.
        public let transactionType: String
        /// When it happened, by the scripted clock.
        public let date: Date
    }

    /// The 19-digit id.
    public let transactionId: TransactionID
    /// The merchant's order id.
    public let orderId: String
    /// The requested amount.
    public let amount: Decimal
    /// The requested currency.
    public let currency: Currency
    /// false: Confirm only authorizes.
    public let capture: Bool
    /// NORMAL or PREAPPROVED.
    public let payType: PayType
    /// Where the payment is now.
    public let status: Status
    /// What Confirm authorized (0 before).
    public let authorizedAmount: Decimal
    /// What was captured (0 until captured).
    public let capturedAmount: Decimal
    /// Refunds, oldest first.
    public let refunds: [Refund]
    /// The regKey Confirm issued (PREAPPROVED) or the one pay preapproved charged.
    public let regKey: RegKey?
    /// When an authorization expires (capture=false only).
    public let authorizationExpireDate: Date?

    /// Captured minus refunded.
    public var refundableAmount: Decimal { capturedAmount - refunds.reduce(Decimal(0)) { $0 + $1.amount } }
}

/// The mutable record behind a `ScriptedTransaction`.
struct StoredTransaction {
    let id: TransactionID
    let orderId: String
    let amount: Decimal
    let currency: Currency
    let productName: String
    let packages: [PaymentPackage]
    let capture: Bool
    let payType: PayType
    let confirmUrl: String
    let cancelUrl: String
    let createdAt: Date
    var status: ScriptedTransaction.Status
    var confirmedAt: Date? = nil
    var authorizedAmount: Decimal = 0
    var capturedAmount: Decimal = 0
    var authorizationExpiresAt: Date? = nil
    var regKey: RegKey? = nil
    var refunds: [ScriptedTransaction.Refund] = []

    var refunded: Decimal { refunds.reduce(Decimal(0)) { $0 + $1.amount } }
    /// Confirmed at some point: only these appear in payment details (histories of authorizations and payments).
    var inHistory: Bool { [.authorized, .captured, .voided, .authorizationExpired].contains(status) }

    var snapshot: ScriptedTransaction {
        ScriptedTransaction(transactionId: id, orderId: orderId, amount: amount, currency: currency, capture: capture,
                            payType: payType, status: status, authorizedAmount: authorizedAmount,
                            capturedAmount: capturedAmount, refunds: refunds, regKey: regKey,
                            authorizationExpireDate: authorizationExpiresAt)
    }
}
