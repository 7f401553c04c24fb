/// A LINE Pay return code (`returnCode`, four characters), described in the words of the reference for the
/// operation that returned it (the same code means different things per endpoint: 1124, 1155, 1165).
public struct ReturnCode: Hashable, Sendable, CustomStringConvertible {
    /// The four characters, e.g. `0000`.
    public let rawValue: String

    /// Wraps a code as received.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// `0000`.
    public static let success = ReturnCode("0000")

    /// The reference's description of this code for `operation`, or nil when the reference does not list it there.
    public func explanation(for operation: LinePayOperation) -> String? {
        ReturnCode.table[operation]?[rawValue]
    }

    /// Codes that mean "go and check", not "failed", for a call that moves money (../shared/notes/money-safety.md):
    /// payment in process, duplicate call, same transactionId or orderId already recorded, internal error.
    public static let meansCheck: Set<String> = ["1145", "1198", "1152", "1172", "9000", "1199"]

    static let table: [LinePayOperation: [String: String]] = {
        let credit: [String: String] = [
            "1280": "A temporary error occurred while processing the credit card payment.",
            "1281": "Credit card payment error", "1282": "Credit card authorization error",
            "1283": "The payment was refused due to suspected fraud.",
            "1284": "The credit card payment has temporarily stopped.",
            "1285": "Missing credit card payment information", "1286": "Incorrect credit card payment information",
            "1287": "The credit card expired", "1288": "The credit card has a low balance.",
            "1289": "Exceeded the credit card limit", "1290": "Exceeded the limit of the credit card per transaction",
            "1291": "The card has been reported as stolen.", "1292": "The card has been suspended.",
            "1293": "CVN input error", "1294": "The card is blacklisted.", "1295": "Incorrect credit card number",
            "1296": "Unable to process the amount", "1298": "The card has been declined.",
        ]
        let merchant: [String: String] = [
            "0000": "Success", "1104": "Nonexistent merchant", "1105": "The merchant cannot use LINE Pay.",
            "1106": "Header information error", "9000": "Internal error",
        ]
        let confirmLike: [String: String] = merchant.merging([
            "1101": "Not a LINE Pay member", "1102": "The member is unable to proceed with the transaction.",
            "1110": "Unacceptable credit card", "1124": "Amount info error (scale)", "1141": "Payment account error",
            "1142": "Low balance", "1150": "Can't find the transaction history",
            "1152": "There is a history of transactions with the same transactionId.",
            "1153": "The payment amount is different from the requested amount.",
            "1159": "Payment request information isn't found.",
            "1169": "Must select a payment method and password authorization at LINE Pay.",
            "1170": "Balance of the member's account has changed.",
            "1172": "A record of transaction with the same order number already exists.",
            "1180": "The payment has expired.", "1198": "There has been a duplicate API call request.",
            "1199": "Internal request error",
        ]) { a, _ in a }.merging(credit) { a, _ in a }
        return [
            .request: merchant.merging([
                "1124": "Amount info error", "1145": "Payment in process",
                "1172": "A record of transaction with the same order number already exists.",
                "1178": "Unsupported currency", "1183": "The payment amount must be greater than 0.",
                "1194": "The merchant cannot use the preapproved payment.", "2101": "Parameter error",
                "2102": "JSON data format error",
            ]) { a, _ in a },
            .confirm: confirmLike,
            .payPreapproved: confirmLike,
            .capture: merchant.merging([
                "1150": "Can't find the transaction history.", "1155": "Incorrect transaction number.",
                "1170": "Balance of the member's account has changed.",
                "1172": "A record of transaction with the same order number already exists.",
                "1179": "Unable to process the transaction.", "1183": "The payment amount must be greater than 0.",
                "1184": "The payment amount exceeds requested amount.",
                "1198": "Either there was a duplicate API call, or purchase API was called while re-authorization was automatically processed (Repeat after several minutes).",
                "1199": "Internal request error. The transaction is cancelled automatically.",
            ]) { a, _ in a }.merging(credit.mapValues { $0 + " The transaction is cancelled automatically." }) { a, _ in a },
            .void: merchant.merging([
                "1101": "Purchaser status error", "1102": "Purchaser status error",
                "1150": "Can't find the transaction history.", "1155": "Incorrect transaction number",
                "1165": "This transaction has already been voided.", "1170": "Change in the member's account balance.",
                "1198": "There has been a duplicate API call request.", "1199": "Internal request error",
                "1900": "Temporary error. Try again later.", "1902": "Temporary error. Try again later.",
                "1999": "The request information is different from the previous one.",
            ]) { a, _ in a },
            .refund: merchant.merging([
                "1101": "Purchaser status error", "1102": "Purchaser status error", "1124": "Account status error",
                "1150": "Can't find the transaction history", "1155": "Number of a transaction type that can't be refunded.",
                "1163": "Unable to refund since refundable date has passed.", "1164": "Exceeded refundable amount.",
                "1165": "This transaction has already been refunded.", "1179": "Unable to process the transaction.",
                "1198": "There has been a duplicate API call request.", "1199": "Internal request error",
                // Online API v4 (LINE Pay's change log, November 2025): refunds of an electronic payment institution.
                "2042": "The EPI refund failed: the merchant's refund reserve is too low.",
            ]) { a, _ in a },
            .paymentDetails: merchant.merging([
                "1150": "Can't find the transaction history", "1177": "Exceeded maximum viewable transactions (Max. 100)",
            ]) { a, _ in a },
            .checkPaymentStatus: [
                "0000": "Before authorization", "0110": "Completed authorization - Able to call the Confirm API",
                "0121": "Payment canceled by user or canceled because of timeout (20min). - Completed status",
                "0122": "Payment failed - Completed status", "0123": "Payment completed - Completed status",
                "1104": "Nonexistent merchant", "1105": "The merchant cannot use LINE Pay.", "9000": "Internal error",
            ],
            .checkRegKey: merchant.merging([
                "1101": "A purchaser status error", "1102": "A purchaser status error", "1141": "Account status error",
                "1154": "Unavailable preapproved payment account", "1190": "The regKey doesn't exist.",
                "1193": "The regKey has expired.",
            ]) { a, _ in a },
            .expireRegKey: merchant.merging([
                "1190": "The regKey doesn't exist.", "1193": "The regKey has expired.",
            ]) { a, _ in a },
        ]
    }()
}
