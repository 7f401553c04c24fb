import Foundation
import LinePay

extension ScriptedLinePay {
    /// One call the client made, as the scripted LINE Pay saw it.
    public struct RecordedCall: Sendable, Equatable {
        /// The operation its path names (the request's own operation for an unknown path).
        public let operation: LinePayOperation
        /// "GET" or "POST".
        public let method: String
        /// The path, e.g. `/v3/payments/2026120100000000001/confirm`.
        public let path: String
        /// "v3" or "v4".
        public let apiVersion: String
        /// The payment it concerns: from the path, or the one a request / pay preapproved created.
        public let transactionId: TransactionID?
        /// The order: from the body (request, pay preapproved) or the transaction's.
        public let orderId: String?
        /// The regKey in the path (check, pay preapproved, expire).
        public let regKey: RegKey?
        /// `amount` or `refundAmount` from the body.
        public let amount: Decimal?
        /// The fault this call consumed, if any.
        public let fault: Fault?
        /// Whether LINE Pay's logic handled it (false when the fault struck before it arrived).
        public let processed: Bool
        /// What LINE Pay's logic answered before any fault replaced it; nil when not processed.
        public let returnCode: String?
        /// The scripted clock when the call arrived.
        public let at: Date

        /// Processed and answered 0000 (or a check payment status code) by LINE Pay's logic.
        public var succeeded: Bool {
            guard processed, let returnCode else { return false }
            return returnCode == "0000" || (operation == .checkPaymentStatus && returnCode.hasPrefix("01"))
        }
    }

    /// Which recorded calls `count` counts.
    public enum CallFilter: Sendable {
        /// Every call the client made, whatever became of it.
        case all
        /// Calls that reached LINE Pay's logic.
        case processed
        /// Calls LINE Pay's logic carried out with success.
        case succeeded
    }
}
