import Foundation

/// `POST /v3|v4/payments/request`: reserves a payment and returns the URL the shopper approves it at.
public struct RequestPayment: LinePayEndpoint, Encodable {
    public static let operation = LinePayOperation.request
    /// = sum(packages[].amount) + sum(packages[].userFee) + options.shipping.feeAmount.
    public var amount: Decimal
    public var currency: Currency
    /// 1 to 100 characters of `[A-Za-z0-9_-]`; unique per merchant.
    public var orderId: String
    public var packages: [PaymentPackage]
    public var redirectUrls: RedirectUrls
    public var options: RequestOptions?

    public init(amount: Decimal, currency: Currency, orderId: String, packages: [PaymentPackage],
                redirectUrls: RedirectUrls, options: RequestOptions? = nil) {
        self.amount = amount; self.currency = currency; self.orderId = orderId; self.packages = packages
        self.redirectUrls = redirectUrls; self.options = options
    }

    /// `info` of a successful request.
    public struct Info: Decodable, Sendable, Equatable {
        public var transactionId: TransactionID
        /// Max 17 characters: the code typed instead of scanning.
        public var paymentAccessToken: String?
        public var paymentUrl: PaymentURL
    }

    /// Where the shopper approves: `web` (desktop popup 700x546, or redirect on phones) and `app`.
    public struct PaymentURL: Decodable, Sendable, Equatable {
        public var web: String
        public var app: String?
    }

    public var resource: String { "/payments/request" }

    public func body() throws -> [UInt8]? { try encodeBody(self) }

    public func validate() throws(ValidationError) {
        try Check.orderId(orderId)
        try Check.positiveAmount(amount, "amount", currency)
        if packages.isEmpty { throw Check.fail("packages", "needs at least one package") }
        var total = Decimal(0)
        for (i, package) in packages.enumerated() {
            let f = "packages[\(i)]"
            try Check.text(package.id, "\(f).id", max: 50)
            try Check.optionalText(package.name, "\(f).name", max: 100)
            try Check.nonNegativeAmount(package.amount, "\(f).amount", currency)
            if let fee = package.userFee { try Check.nonNegativeAmount(fee, "\(f).userFee", currency) }
            if package.products.isEmpty { throw Check.fail("\(f).products", "needs at least one product") }
            var sum = Decimal(0)
            for (j, product) in package.products.enumerated() {
                let p = "\(f).products[\(j)]"
                try Check.optionalText(product.id, "\(p).id", max: 50)
                try Check.text(product.name, "\(p).name", max: 4000)
                if let url = product.imageUrl { try Check.url(url, "\(p).imageUrl", max: 500) }
                if product.quantity < 1 { throw Check.fail("\(p).quantity", "must be at least 1") }
                if product.quantity > 1_000_000 { throw Check.fail("\(p).quantity", "is too large") }
                try Check.nonNegativeAmount(product.price, "\(p).price", currency)
                if let o = product.originalPrice { try Check.nonNegativeAmount(o, "\(p).originalPrice", currency) }
                sum += Decimal(product.quantity) * product.price
            }
            if sum != package.amount {
                throw Check.fail("\(f).amount", "is \(Money.format(package.amount)) but sum(quantity * price) is \(Money.format(sum))")
            }
            total += package.amount + (package.userFee ?? 0)
        }
        let fee = options?.shipping?.feeAmount ?? 0
        if let f = options?.shipping?.feeAmount { try Check.nonNegativeAmount(f, "options.shipping.feeAmount", currency) }
        total += fee
        if total != amount {
            throw Check.fail("amount", "is \(Money.format(amount)) but packages, user fees and shipping add up to \(Money.format(total))")
        }
        try Check.url(redirectUrls.confirmUrl, "redirectUrls.confirmUrl", max: 500)
        try Check.url(redirectUrls.cancelUrl, "redirectUrls.cancelUrl", max: 500)
        try Check.optionalText(redirectUrls.appPackageName, "redirectUrls.appPackageName", max: 4000)
        if let shipping = options?.shipping {
            if let url = shipping.feeInquiryUrl { try Check.url(url, "options.shipping.feeInquiryUrl", max: 500) }
            try Check.address(shipping.address, "options.shipping.address")
        }
        if let extra = options?.extra {
            try Check.optionalText(extra.branchName, "options.extra.branchName", max: 2000)
            try Check.optionalText(extra.branchId, "options.extra.branchId", max: 32)
        }
        for (i, friend) in (options?.familyService?.addFriends ?? []).enumerated() {
            try Check.text(friend.type, "options.familyService.addFriends[\(i)].type", max: 50)
        }
    }
}
