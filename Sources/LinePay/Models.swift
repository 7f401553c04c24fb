import Foundation

/// A package (shipping unit) of a payment request: `packages[]` (002_...txt, Request).
public struct PaymentPackage: Codable, Sendable, Equatable {
    /// Max 50 characters.
    public var id: String
    /// Must equal sum(products[].quantity * products[].price).
    public var amount: Decimal
    /// A user fee inside the payment amount.
    public var userFee: Decimal?
    /// Max 100 characters.
    public var name: String?
    public var products: [Product]

    public init(id: String, amount: Decimal, userFee: Decimal? = nil, name: String? = nil, products: [Product]) {
        self.id = id; self.amount = amount; self.userFee = userFee; self.name = name; self.products = products
    }
}

/// A product line: `packages[].products[]`.
public struct Product: Codable, Sendable, Equatable {
    /// Max 50 characters.
    public var id: String?
    /// Max 4000 characters.
    public var name: String
    /// Max 500 characters.
    public var imageUrl: String?
    public var quantity: Int
    public var price: Decimal
    public var originalPrice: Decimal?

    public init(id: String? = nil, name: String, imageUrl: String? = nil, quantity: Int, price: Decimal, originalPrice: Decimal? = nil) {
        self.id = id; self.name = name; self.imageUrl = imageUrl; self.quantity = quantity; self.price = price
        self.originalPrice = originalPrice
    }
}

/// How LINE Pay reaches the confirmUrl after the shopper approves.
public enum ConfirmUrlType: String, Codable, Sendable, CaseIterable {
    /// The shopper's browser is sent to confirmUrl.
    case CLIENT
    /// LINE Pay's server calls confirmUrl.
    case SERVER
    /// No call: the merchant polls check payment status.
    case NONE
}

/// `redirectUrls` of a payment request.
public struct RedirectUrls: Codable, Sendable, Equatable {
    /// Max 4000 characters; Android anti-phishing.
    public var appPackageName: String?
    /// Max 500 characters.
    public var confirmUrl: String
    public var confirmUrlType: ConfirmUrlType?
    /// Max 500 characters.
    public var cancelUrl: String

    public init(confirmUrl: String, cancelUrl: String, confirmUrlType: ConfirmUrlType? = nil, appPackageName: String? = nil) {
        self.confirmUrl = confirmUrl; self.cancelUrl = cancelUrl; self.confirmUrlType = confirmUrlType
        self.appPackageName = appPackageName
    }
}

/// NORMAL or PREAPPROVED (automatic payment: confirm issues a regKey).
public enum PayType: String, Codable, Sendable { case NORMAL, PREAPPROVED }

/// `options` of a payment request.
public struct RequestOptions: Codable, Sendable, Equatable {
    public var payment: Payment?
    public var display: Display?
    public var shipping: Shipping?
    public var familyService: FamilyService?
    public var extra: Extra?

    public init(payment: Payment? = nil, display: Display? = nil, shipping: Shipping? = nil,
                familyService: FamilyService? = nil, extra: Extra? = nil) {
        self.payment = payment; self.display = display; self.shipping = shipping
        self.familyService = familyService; self.extra = extra
    }

    /// `options.payment`.
    public struct Payment: Codable, Sendable, Equatable {
        /// false: confirm only authorizes; capture later.
        public var capture: Bool?
        public var payType: PayType?
        public init(capture: Bool? = nil, payType: PayType? = nil) { self.capture = capture; self.payType = payType }
    }

    /// `options.display`.
    public struct Display: Codable, Sendable, Equatable {
        public var locale: PaymentPageLocale?
        /// Guide the shopper back when confirmUrl opens in another browser.
        public var checkConfirmUrlBrowser: Bool?
        public init(locale: PaymentPageLocale? = nil, checkConfirmUrlBrowser: Bool? = nil) {
            self.locale = locale; self.checkConfirmUrlBrowser = checkConfirmUrlBrowser
        }
    }

    /// `options.shipping`; feeAmount is a String in the reference, so it is sent as one.
    public struct Shipping: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case NO_SHIPPING, FIXED_ADDRESS, SHIPPING }
        public enum FeeInquiryType: String, Codable, Sendable { case CONDITION, FIXED }
        public var type: Kind?
        public var feeAmount: Decimal?
        /// Max 500 characters.
        public var feeInquiryUrl: String?
        public var feeInquiryType: FeeInquiryType?
        public var address: Address?

        public init(type: Kind? = nil, feeAmount: Decimal? = nil, feeInquiryUrl: String? = nil,
                    feeInquiryType: FeeInquiryType? = nil, address: Address? = nil) {
            self.type = type; self.feeAmount = feeAmount; self.feeInquiryUrl = feeInquiryUrl
            self.feeInquiryType = feeInquiryType; self.address = address
        }

        enum CodingKeys: String, CodingKey { case type, feeAmount, feeInquiryUrl, feeInquiryType, address }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(type, forKey: .type)
            try c.encodeIfPresent(feeAmount.map(Money.format), forKey: .feeAmount)
            try c.encodeIfPresent(feeInquiryUrl, forKey: .feeInquiryUrl)
            try c.encodeIfPresent(feeInquiryType, forKey: .feeInquiryType)
            try c.encodeIfPresent(address, forKey: .address)
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try c.decodeIfPresent(Kind.self, forKey: .type)
            if let s = try? c.decodeIfPresent(String.self, forKey: .feeAmount) {
                guard let d = Money.parse(s) else {
                    throw DecodingError.dataCorruptedError(forKey: .feeAmount, in: c, debugDescription: "not an amount")
                }
                feeAmount = d
            } else {
                feeAmount = try c.decodeIfPresent(Decimal.self, forKey: .feeAmount)
            }
            feeInquiryUrl = try c.decodeIfPresent(String.self, forKey: .feeInquiryUrl)
            feeInquiryType = try c.decodeIfPresent(FeeInquiryType.self, forKey: .feeInquiryType)
            address = try c.decodeIfPresent(Address.self, forKey: .address)
        }
    }

    /// `options.familyService`.
    public struct FamilyService: Codable, Sendable, Equatable {
        public struct AddFriend: Codable, Sendable, Equatable {
            public var type: String
            public var ids: [String]
            public init(type: String, ids: [String]) { self.type = type; self.ids = ids }
        }
        public var addFriends: [AddFriend]?
        public init(addFriends: [AddFriend]? = nil) { self.addFriends = addFriends }
    }

    /// `options.extra`.
    public struct Extra: Codable, Sendable, Equatable {
        /// Max 2000 characters.
        public var branchName: String?
        /// Max 32 characters.
        public var branchId: String?
        public init(branchName: String? = nil, branchId: String? = nil) { self.branchName = branchName; self.branchId = branchId }
    }
}

/// A shipping address, in requests and in confirm / payment details answers.
public struct Address: Codable, Sendable, Equatable {
    public var country: String?
    public var postalCode: String?
    public var state: String?
    public var city: String?
    public var detail: String?
    public var optional: String?
    public var recipient: Recipient?

    public init(country: String? = nil, postalCode: String? = nil, state: String? = nil, city: String? = nil,
                detail: String? = nil, optional: String? = nil, recipient: Recipient? = nil) {
        self.country = country; self.postalCode = postalCode; self.state = state; self.city = city
        self.detail = detail; self.optional = optional; self.recipient = recipient
    }
}

/// The person a package ships to.
public struct Recipient: Codable, Sendable, Equatable {
    public var firstName: String?
    public var lastName: String?
    public var firstNameOptional: String?
    public var lastNameOptional: String?
    public var email: String?
    public var phoneNo: String?

    public init(firstName: String? = nil, lastName: String? = nil, firstNameOptional: String? = nil,
                lastNameOptional: String? = nil, email: String? = nil, phoneNo: String? = nil) {
        self.firstName = firstName; self.lastName = lastName; self.firstNameOptional = firstNameOptional
        self.lastNameOptional = lastNameOptional; self.email = email; self.phoneNo = phoneNo
    }
}

/// How a payment was paid: `payInfo[]`.
public struct PayInfo: Codable, Sendable, Equatable {
    /// CREDIT_CARD, BALANCE, DISCOUNT (kept as text: LINE Pay adds methods).
    public var method: String
    public var amount: Decimal
    public var creditCardNickname: String?
    public var creditCardBrand: String?
    public var maskedCreditCardNumber: String?

    public init(method: String, amount: Decimal, creditCardNickname: String? = nil, creditCardBrand: String? = nil,
                maskedCreditCardNumber: String? = nil) {
        self.method = method; self.amount = amount; self.creditCardNickname = creditCardNickname
        self.creditCardBrand = creditCardBrand; self.maskedCreditCardNumber = maskedCreditCardNumber
    }
}

/// Shipping chosen by the shopper, in answers.
public struct ShippingInfo: Codable, Sendable, Equatable {
    public var methodId: String?
    public var feeAmount: Decimal?
    public var address: Address?

    public init(methodId: String? = nil, feeAmount: Decimal? = nil, address: Address? = nil) {
        self.methodId = methodId; self.feeAmount = feeAmount; self.address = address
    }
}

/// A package as LINE Pay echoes it in confirm and payment details answers.
public struct PackageInfo: Codable, Sendable, Equatable {
    public var id: String?
    public var amount: Decimal?
    public var userFeeAmount: Decimal?
    public var name: String?
    public var products: [Product]?

    public init(id: String? = nil, amount: Decimal? = nil, userFeeAmount: Decimal? = nil, name: String? = nil, products: [Product]? = nil) {
        self.id = id; self.amount = amount; self.userFeeAmount = userFeeAmount; self.name = name; self.products = products
    }
}

extension Check {
    static func address(_ a: Address?, _ field: String) throws(ValidationError) {
        guard let a else { return }
        try optionalText(a.country, "\(field).country", max: 2)
        try optionalText(a.postalCode, "\(field).postalCode", max: 10)
        try optionalText(a.state, "\(field).state", max: 100)
        try optionalText(a.city, "\(field).city", max: 100)
        try optionalText(a.detail, "\(field).detail", max: 1000)
        try optionalText(a.optional, "\(field).optional", max: 1000)
        if let r = a.recipient {
            try optionalText(r.firstName, "\(field).recipient.firstName", max: 200)
            try optionalText(r.lastName, "\(field).recipient.lastName", max: 200)
            try optionalText(r.firstNameOptional, "\(field).recipient.firstNameOptional", max: 200)
            try optionalText(r.lastNameOptional, "\(field).recipient.lastNameOptional", max: 200)
            try optionalText(r.email, "\(field).recipient.email", max: 100)
            try optionalText(r.phoneNo, "\(field).recipient.phoneNo", max: 50)
        }
    }
}

/// `info.paymentProvider` of Online API v4 answers: who processed the payment, `TSP` or `EPI` (LINE Pay's
/// change log, November 2025; online payments answer `TSP` for now). Any other value is kept as received.
/// Absent in v3 answers, so every field holding it is optional.
public struct PaymentProvider: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    /// A third-party service provider.
    public static let tsp = PaymentProvider(rawValue: "TSP")
    /// An electronic payment institution (whose refunds can fail with 2042).
    public static let epi = PaymentProvider(rawValue: "EPI")

    public var description: String { rawValue }
}
