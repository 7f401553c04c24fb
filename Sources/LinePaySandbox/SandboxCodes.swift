import LinePay

/// Which return codes the sandbox may answer for each endpoint: the endpoint's own list in the reference
/// (002_...txt, as `ReturnCode` holds it), and the few below where that list has no code at all for a case.
enum SandboxCodes {
    /// Codes answered beyond an endpoint's list, each with the reason.
    static let beyondTheReference: [String: String] = [
        // Check payment status lists no 1106, yet its headers are signed like every other call's.
        "1106": "headers and signature are checked before the endpoint: the code every other endpoint lists for it",
        // Only Request lists 2101/2102; confirm, capture, refund, payment details, pay preapproved list nothing
        // for a missing, mistyped or out-of-range parameter.
        "2101": "a parameter is missing or invalid and the endpoint's list has no code of its own for it",
        "2102": "the body is not JSON",
    ]

    /// Per endpoint: codes of another endpoint's list that are the only fitting answer here.
    static let borrowed: [LinePayOperation: [String: String]] = [
        .checkPaymentStatus: ["1150": "no such transaction (check payment status lists nothing for an unknown id)"],
        .payPreapproved: ["1190": "the regKey does not exist (as check regKey answers)", "1193": "the regKey has expired (as check regKey answers)"],
    ]

    /// Whether the sandbox, on its own (not by an armed fault), may answer `code` for `operation`.
    static func mayAnswer(_ code: String, for operation: LinePayOperation) -> Bool {
        ReturnCode(code).explanation(for: operation) != nil || beyondTheReference[code] != nil || borrowed[operation]?[code] != nil
    }
}
