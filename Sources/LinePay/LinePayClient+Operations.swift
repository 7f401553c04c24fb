import Foundation

/// One method per endpoint, for callers who prefer calls to request values. Each sends the matching endpoint type.
extension LinePayClient {
    /// Request: reserve a payment; the shopper approves at `info.paymentUrl.web`.
    public func request(_ request: RequestPayment) throws(LinePayError) -> RequestPayment.Info {
        try send(request).info
    }

    /// Confirm with the amount and currency from the merchant's own records.
    public func confirm(transactionId: TransactionID, amount: Decimal, currency: Currency) throws(LinePayError) -> ConfirmPayment.Info {
        try send(ConfirmPayment(transactionId: transactionId, amount: amount, currency: currency)).info
    }

    /// Capture an authorization, up to the authorized amount.
    public func capture(transactionId: TransactionID, amount: Decimal, currency: Currency) throws(LinePayError) -> CapturePayment.Info {
        try send(CapturePayment(transactionId: transactionId, amount: amount, currency: currency)).info
    }

    /// Void an authorization (retried on 1900, 1902, 1999).
    public func void(transactionId: TransactionID) throws(LinePayError) {
        _ = try send(VoidAuthorization(transactionId: transactionId))
    }

    /// Refund all that remains (nil) or part of a captured payment.
    public func refund(transactionId: TransactionID, amount: Decimal? = nil, currency: Currency? = nil) throws(LinePayError) -> RefundPayment.Info {
        try send(RefundPayment(transactionId: transactionId, refundAmount: amount, currency: currency)).info
    }

    /// Payment details for up to 100 transactions or orders.
    public func paymentDetails(transactionIds: [TransactionID] = [], orderIds: [String] = [],
                               fields: PaymentDetails.Fields? = nil) throws(LinePayError) -> [PaymentDetails.Detail] {
        try send(PaymentDetails(transactionIds: transactionIds, orderIds: orderIds, fields: fields)).info
    }

    /// Check payment status: before authorization, authorized, cancelled, failed or completed.
    public func checkPaymentStatus(transactionId: TransactionID) throws(LinePayError) -> CheckPaymentStatus.Status {
        try send(CheckPaymentStatus(transactionId: transactionId)).status
    }

    /// Check payment status with its `info.shipping` (the method and fee the shopper chose, for SHIPPING payments).
    public func checkPaymentStatusAndShipping(transactionId: TransactionID) throws(LinePayError) -> (CheckPaymentStatus.Status, ShippingInfo?) {
        let r = try send(CheckPaymentStatus(transactionId: transactionId))
        return (r.status, r.info.shipping)
    }

    /// Check that a regKey can be charged; throws `.refused` with 1190 or 1193 when it cannot.
    public func checkRegKey(_ regKey: RegKey, creditCardAuth: Bool? = nil) throws(LinePayError) {
        _ = try send(CheckRegKey(regKey: regKey, creditCardAuth: creditCardAuth))
    }

    /// Charge a regKey without the shopper.
    public func payPreapproved(_ payment: PayPreapproved) throws(LinePayError) -> PayPreapproved.Info {
        try send(payment).info
    }

    /// Expire a regKey for good.
    public func expireRegKey(_ regKey: RegKey) throws(LinePayError) {
        _ = try send(ExpireRegKey(regKey: regKey))
    }
}
