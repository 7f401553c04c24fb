import Foundation
import LinePay
import SQLite

/// One stored line of an order.
public struct Item: Sendable, Equatable {
    /// The shop's own product id, when it sent one.
    public var itemId: String?
    /// The product name shown to the shopper.
    public var name: String
    /// The unit price, exact.
    public var price: Decimal
    /// How many units.
    public var quantity: Int
    /// A product image URL for LINE Pay's payment page.
    public var imageUrl: String?

    /// An item with the given fields (for comparisons in callers' tests).
    public init(itemId: String? = nil, name: String, price: Decimal, quantity: Int, imageUrl: String? = nil) {
        self.itemId = itemId
        self.name = name
        self.price = price
        self.quantity = quantity
        self.imageUrl = imageUrl
    }

    init(row: SQLiteRow) throws {
        itemId = row.text("item_id")
        name = try row.requiredText("name", table: "items")
        price = try row.money("price", table: "items")
        quantity = Int(try row.requiredInt("quantity", table: "items"))
        imageUrl = row.text("image_url")
    }
}

/// An order as stored: the shop's checkout plus where it is with LINE Pay. Times are Unix seconds.
public struct Order: Sendable, Equatable {
    /// The store's own key (events and items refer to it).
    public var rowId: Int64
    /// The shop's order id.
    public var orderId: String
    /// ISO 4217 code.
    public var currency: String
    /// The total to charge, exact.
    public var amount: Decimal
    /// The shipping part of the total, exact.
    public var shippingFee: Decimal
    /// LINE Pay payment page language, when the shop chose one.
    public var locale: String?
    /// Where the order is.
    public var state: OrderState
    /// How many LINE Pay Requests were made.
    public var attempt: Int
    /// orderId sent to LINE Pay for the current attempt: orderId for attempt 1, "\(orderId)__\(attempt)" after (shop orderIds never hold "__").
    public var linePayOrderId: String?
    /// LINE Pay's transaction id for the current attempt, once reserved.
    public var transactionId: Int64?
    /// LINE Pay's payment page for the current attempt, once reserved (the only place the shopper is sent).
    public var paymentUrl: String?
    /// The browser session that owns the checkout (hex SHA-256 of its cookie token).
    public var sessionId: String
    /// Hex digest of the handoff content.
    public var contentDigest: String
    /// When the order was created.
    public var createdAt: Int64
    /// When the state last changed (reconciliation measures staleness from it).
    public var updatedAt: Int64
    /// When the current attempt was reserved.
    public var reservedAt: Int64?
    /// Amount held by LINE Pay (set at confirm).
    public var authorizedAmount: Decimal
    /// Amount taken (set at confirm with capture, or at capture).
    public var capturedAmount: Decimal
    /// Amount given back so far.
    public var refundedAmount: Decimal
    /// Preapproved payment key issued at confirm, if any (a credential: never log it).
    public var regKey: String?
    /// When Check Payment Status was last called for it (rate limit).
    public var lastCheckAt: Int64?
    /// Why the last Request was refused or the order failed.
    public var lastError: String?
    /// The capture flag sent with the current attempt's Request (nil on orders stored before it was kept).
    public var captureRequested: Bool?
    /// When LINE Pay lets an authorization lapse (Confirm's authorizationExpireDate), Unix seconds.
    public var authorizationExpiresAt: Int64?
    /// A PREAPPROVED payment settled from payment details: LINE Pay issued a regKey we never saw.
    public var regKeyUnknown: Bool
    /// When the reconciler looks at this order next (nil: as soon as it is old enough).
    public var nextCheckAt: Int64?
    /// Online API v4's `paymentProvider` (TSP or EPI), once LINE Pay named it.
    public var paymentProvider: String?
    /// The handoff asked LINE Pay to collect the shopper's address (`shipping=line`): Request carries options.shipping.
    public var lineShipping: Bool
    /// The shipping method the shopper chose at LINE Pay, once confirmUrl's choice matched a quote of ours.
    public var shippingMethodId: String?
    /// That method's name, as we quoted it.
    public var shippingMethodName: String?
    /// The LINE Pay transaction the choice was made in (a new attempt starts without one).
    public var shippingTransactionId: Int64?
    /// The address and recipient LINE Pay returned at confirm (or in payment details).
    public var shippingAddress: Address?
    /// The lines of the order, in the shop's order.
    public var items: [Item]

    init(row: SQLiteRow, items: [Item]) throws {
        let t = "orders"
        rowId = try row.requiredInt("id", table: t)
        orderId = try row.requiredText("order_id", table: t)
        currency = try row.requiredText("currency", table: t)
        amount = try row.money("amount", table: t)
        shippingFee = try row.money("shipping_fee", table: t)
        locale = row.text("locale")
        state = try row.state("state", table: t)
        attempt = Int(try row.requiredInt("attempt", table: t))
        linePayOrderId = row.text("linepay_order_id")
        transactionId = row.int("transaction_id")
        paymentUrl = row.text("payment_url")
        sessionId = try row.requiredText("session_id", table: t)
        contentDigest = try row.requiredText("content_digest", table: t)
        createdAt = try row.requiredInt("created_at", table: t)
        updatedAt = try row.requiredInt("updated_at", table: t)
        reservedAt = row.int("reserved_at")
        authorizedAmount = try row.money("authorized_amount", table: t)
        capturedAmount = try row.money("captured_amount", table: t)
        refundedAmount = try row.money("refunded_amount", table: t)
        regKey = row.text("reg_key")
        lastCheckAt = row.int("last_check_at")
        lastError = row.text("last_error")
        captureRequested = row.int("capture_requested").map { $0 != 0 }
        authorizationExpiresAt = row.int("authorization_expires_at")
        regKeyUnknown = (row.int("reg_key_unknown") ?? 0) != 0
        nextCheckAt = row.int("next_check_at")
        paymentProvider = row.text("payment_provider")
        lineShipping = (row.int("line_shipping") ?? 0) != 0
        shippingMethodId = row.text("shipping_method_id")
        shippingMethodName = row.text("shipping_method_name")
        shippingTransactionId = row.int("shipping_transaction_id")
        shippingAddress = row.text("shipping_address").flatMap { try? JSONDecoder().decode(Address.self, from: Data($0.utf8)) }
        self.items = items
    }
}

/// What createOrResume did with a handoff.
public enum CreateResult: Sendable, Equatable {
    /// A new order was stored.
    case created(Order)
    /// The same checkout (same orderId and digest) already existed; it is returned as it is now.
    case resumed(Order)
    /// The orderId exists with other content; nothing was written.
    case conflict(Order)
}
