import Foundation
import Testing
@testable import LinePay

/// Request bodies and paths as sent, and every validation rule, each failing with the field named.
@Suite(.timeLimit(.minutes(5))) struct RequestBuildingTests {
    static func request(amount: Decimal = 360, currency: Currency = .TWD, orderId: String = "A-1001",
                        price: Decimal = 120, quantity: Int = 3, packageAmount: Decimal = 360,
                        options: RequestOptions? = nil,
                        confirmUrl: String = "https://shop.example/linepay/confirm") -> RequestPayment {
        RequestPayment(amount: amount, currency: currency, orderId: orderId,
                       packages: [PaymentPackage(id: "pkg-1", amount: packageAmount, name: "shop",
                                                 products: [Product(name: "tea", quantity: quantity, price: price)])],
                       redirectUrls: RedirectUrls(confirmUrl: confirmUrl, cancelUrl: "https://shop.example/linepay/cancel"),
                       options: options)
    }

    func field(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let e as ValidationError { return e.field } catch { return "unexpected \(error)" }
    }

    @Test func requestBodyIsCompactSortedAndHasNoTrailingZero() throws {
        let r = Self.request(amount: Decimal(string: "360.0")!, packageAmount: Decimal(string: "360.00")!,
                             options: RequestOptions(payment: .init(capture: false), display: .init(locale: .zh_TW)))
        let body = String(decoding: try r.body()!, as: UTF8.self)
        #expect(body == #"{"amount":360,"currency":"TWD","options":{"display":{"locale":"zh_TW"},"payment":{"capture":false}},"orderId":"A-1001","packages":[{"amount":360,"id":"pkg-1","name":"shop","products":[{"name":"tea","price":120,"quantity":3}]}],"redirectUrls":{"cancelUrl":"https://shop.example/linepay/cancel","confirmUrl":"https://shop.example/linepay/confirm"}}"#)
    }

    @Test func decimalsAndShippingFeeAreExact() throws {
        let r = RequestPayment(amount: Decimal(string: "150.50")!, currency: .THB, orderId: "B_2002",
                               packages: [PaymentPackage(id: "1", amount: 100, products: [Product(name: "tea", quantity: 2, price: 50)])],
                               redirectUrls: RedirectUrls(confirmUrl: "https://s/c", cancelUrl: "https://s/x"),
                               options: RequestOptions(shipping: .init(type: .FIXED_ADDRESS, feeAmount: Decimal(string: "50.50")!)))
        try r.validate()
        let body = String(decoding: try r.body()!, as: UTF8.self)
        #expect(body.contains(#""amount":150.5,"#))
        #expect(body.contains(#""feeAmount":"50.5""#))
        let c = ConfirmPayment(transactionId: TransactionID(Int64.max), amount: Decimal(string: "12345678901.99")!, currency: .USD)
        #expect(String(decoding: try c.body()!, as: UTF8.self) == #"{"amount":12345678901.99,"currency":"USD"}"#)
        #expect(c.path(for: .v3) == "/v3/payments/9223372036854775807/confirm")
        #expect(Money.format(Decimal(string: "100.0")!) == "100")
        #expect(Money.parse("1e3") == nil && Money.parse("10.") == nil && Money.parse(" 1") == nil && Money.parse("0x10") == nil)
    }

    @Test func pathsOfEveryEndpoint() {
        let id = TransactionID("2016020510824221610")!
        let key = RegKey("RK9A1B2C3D4E5F6")!
        #expect(Self.request().path(for: .v3) == "/v3/payments/request")
        #expect(CapturePayment(transactionId: id, amount: 1, currency: .JPY).path(for: .v3) == "/v3/payments/authorizations/2016020510824221610/capture")
        #expect(VoidAuthorization(transactionId: id).path(for: .v3) == "/v3/payments/authorizations/2016020510824221610/void")
        #expect(RefundPayment(transactionId: id).path(for: .v3) == "/v3/payments/2016020510824221610/refund")
        #expect(PaymentDetails(transactionIds: [id]).path(for: .v3) == "/v3/payments")
        #expect(PaymentDetails(transactionIds: [id, TransactionID(Int64.max)], orderIds: ["a b"], fields: .order).queryString()
                == "transactionId=2016020510824221610&transactionId=9223372036854775807&orderId=a%20b&fields=ORDER")
        #expect(CheckPaymentStatus(transactionId: id).path(for: .v3) == "/v3/payments/requests/2016020510824221610/check")
        #expect(CheckRegKey(regKey: key, creditCardAuth: true).path(for: .v3) == "/v3/payments/preapprovedPay/RK9A1B2C3D4E5F6/check")
        #expect(CheckRegKey(regKey: key, creditCardAuth: true).queryString() == "creditCardAuth=true")
        #expect(PayPreapproved(regKey: key, productName: "p", amount: 1, currency: .JPY, orderId: "o").path(for: .v3) == "/v3/payments/preapprovedPay/RK9A1B2C3D4E5F6/payment")
        #expect(ExpireRegKey(regKey: key).path(for: .v3) == "/v3/payments/preapprovedPay/RK9A1B2C3D4E5F6/expire")
        #expect(RegKey("../x") == nil)
        // v4: the same endpoints, only the first segment differs.
        let all: [any LinePayEndpoint] = [Self.request(), ConfirmPayment(transactionId: id, amount: 1, currency: .JPY),
                                          CapturePayment(transactionId: id, amount: 1, currency: .JPY), VoidAuthorization(transactionId: id),
                                          RefundPayment(transactionId: id), PaymentDetails(transactionIds: [id]), CheckPaymentStatus(transactionId: id),
                                          CheckRegKey(regKey: key), PayPreapproved(regKey: key, productName: "p", amount: 1, currency: .JPY, orderId: "o"),
                                          ExpireRegKey(regKey: key)]
        #expect(all.count == LinePayOperation.allCases.count)
        for e in all {
            #expect(e.path(for: .v4) == "/v4" + e.resource && e.path(for: .v3) == "/v3" + e.resource)
            #expect(e.resource.hasPrefix("/payments"))
        }
        #expect(CapturePayment(transactionId: id, amount: 1, currency: .JPY).path(for: .v4) == "/v4/payments/authorizations/2016020510824221610/capture")
        #expect((try? RefundPayment(transactionId: id).body()).map { String(decoding: $0!, as: UTF8.self) } == "{}")
    }

    @Test func validRequestsPass() throws {
        try Self.request().validate()
        try Self.request(confirmUrl: "http://127.0.0.1:8080/linepay/confirm").validate()
    }

    @Test func everyRequestRuleNamesItsField() {
        #expect(field { try Self.request(orderId: "").validate() } == "orderId")
        #expect(field { try Self.request(orderId: String(repeating: "a", count: 101)).validate() } == "orderId")
        #expect(field { try Self.request(orderId: "a b").validate() } == "orderId")
        #expect(field { try Self.request(orderId: "日本").validate() } == "orderId")
        #expect(field { try Self.request(amount: 0, packageAmount: 0, options: nil).validate() } == "amount")
        #expect(field { try Self.request(amount: -1).validate() } == "amount")
        #expect(field { try Self.request(amount: 361).validate() } == "amount")
        #expect(field { try Self.request(packageAmount: 359).validate() } == "packages[0].amount")
        #expect(field { try Self.request(amount: Decimal(string: "360.5")!, price: Decimal(string: "120.5")!, quantity: 1, packageAmount: Decimal(string: "120.5")!).validate() } == "amount")
        #expect(field { try Self.request(amount: Decimal(string: "100.5")!, currency: .TWD, price: Decimal(string: "100.5")!, quantity: 1, packageAmount: Decimal(string: "100.5")!).validate() } == "amount")
        #expect(field { try Self.request(amount: Decimal(string: "1.005")!, currency: .USD, price: Decimal(string: "1.005")!, quantity: 1, packageAmount: Decimal(string: "1.005")!).validate() } == "amount")
        #expect(field { try Self.request(quantity: 0, packageAmount: 0).validate() } == "packages[0].products[0].quantity")
        #expect(field { try Self.request(confirmUrl: "http://shop.example/confirm").validate() } == "redirectUrls.confirmUrl")
        #expect(field { try Self.request(confirmUrl: "/relative").validate() } == "redirectUrls.confirmUrl")
        #expect(field { try Self.request(confirmUrl: "https://s/" + String(repeating: "a", count: 500)).validate() } == "redirectUrls.confirmUrl")
        var r = Self.request()
        r.packages[0].id = String(repeating: "p", count: 51)
        #expect(field { try r.validate() } == "packages[0].id")
        r = Self.request(); r.packages[0].name = String(repeating: "n", count: 101)
        #expect(field { try r.validate() } == "packages[0].name")
        r = Self.request(); r.packages[0].products[0].name = String(repeating: "n", count: 4001)
        #expect(field { try r.validate() } == "packages[0].products[0].name")
        r = Self.request(); r.packages[0].products[0].id = String(repeating: "i", count: 51)
        #expect(field { try r.validate() } == "packages[0].products[0].id")
        r = Self.request(); r.packages[0].products[0].imageUrl = "https://s/" + String(repeating: "i", count: 491)
        #expect(field { try r.validate() } == "packages[0].products[0].imageUrl")
        r = Self.request(); r.packages = []
        #expect(field { try r.validate() } == "packages")
        r = Self.request(); r.packages[0].products = []
        #expect(field { try r.validate() } == "packages[0].products")
        r = Self.request(); r.redirectUrls.appPackageName = String(repeating: "a", count: 4001)
        #expect(field { try r.validate() } == "redirectUrls.appPackageName")
        r = Self.request(options: RequestOptions(extra: .init(branchName: String(repeating: "b", count: 2001))))
        #expect(field { try r.validate() } == "options.extra.branchName")
        r = Self.request(options: RequestOptions(extra: .init(branchId: String(repeating: "b", count: 33))))
        #expect(field { try r.validate() } == "options.extra.branchId")
        r = Self.request(options: RequestOptions(shipping: .init(feeInquiryUrl: "ftp://x")))
        #expect(field { try r.validate() } == "options.shipping.feeInquiryUrl")
        let longAddress: [(Address, String)] = [
            (Address(country: "TWN"), "country"), (Address(postalCode: String(repeating: "1", count: 11)), "postalCode"),
            (Address(state: String(repeating: "s", count: 101)), "state"), (Address(city: String(repeating: "c", count: 101)), "city"),
            (Address(detail: String(repeating: "d", count: 1001)), "detail"), (Address(optional: String(repeating: "o", count: 1001)), "optional"),
            (Address(recipient: Recipient(firstName: String(repeating: "f", count: 201))), "recipient.firstName"),
            (Address(recipient: Recipient(lastName: String(repeating: "f", count: 201))), "recipient.lastName"),
            (Address(recipient: Recipient(firstNameOptional: String(repeating: "f", count: 201))), "recipient.firstNameOptional"),
            (Address(recipient: Recipient(lastNameOptional: String(repeating: "f", count: 201))), "recipient.lastNameOptional"),
            (Address(recipient: Recipient(email: String(repeating: "e", count: 101))), "recipient.email"),
            (Address(recipient: Recipient(phoneNo: String(repeating: "9", count: 51))), "recipient.phoneNo"),
        ]
        for (address, name) in longAddress {
            let req = Self.request(options: RequestOptions(shipping: .init(address: address)))
            #expect(field { try req.validate() } == "options.shipping.address.\(name)")
        }
        // amount = packages + userFee + shipping fee.
        var withFees = Self.request(amount: 410, options: RequestOptions(shipping: .init(feeAmount: 40)))
        withFees.packages[0].userFee = 10
        #expect(field { try withFees.validate() } == nil)
        withFees.amount = 400
        #expect(field { try withFees.validate() } == "amount")
    }

    @Test func otherEndpointsValidate() {
        let id = TransactionID("2016020510824221610")!
        let key = RegKey("RK9A1B2C3D4E5F6")!
        #expect(field { try ConfirmPayment(transactionId: id, amount: 0, currency: .TWD).validate() } == "amount")
        #expect(field { try ConfirmPayment(transactionId: id, amount: Decimal(string: "1.5")!, currency: .JPY).validate() } == "amount")
        #expect(field { try ConfirmPayment(transactionId: id, amount: Decimal(string: "1.55")!, currency: .THB).validate() } == nil)
        #expect(field { try CapturePayment(transactionId: id, amount: -1, currency: .TWD).validate() } == "amount")
        #expect(field { try RefundPayment(transactionId: id, refundAmount: 0).validate() } == "refundAmount")
        #expect(field { try RefundPayment(transactionId: id, refundAmount: Decimal(string: "0.5")!, currency: .TWD).validate() } == "refundAmount")
        #expect(field { try RefundPayment(transactionId: id).validate() } == nil)
        #expect(field { try PaymentDetails().validate() } == "transactionId[]")
        #expect(field { try PaymentDetails(transactionIds: Array(repeating: id, count: 101)).validate() } == "transactionId[]")
        #expect(field { try PaymentDetails(transactionIds: Array(repeating: id, count: 100)).validate() } == nil)
        #expect(field { try PayPreapproved(regKey: key, productName: "", amount: 1, currency: .JPY, orderId: "o").validate() } == "productName")
        #expect(field { try PayPreapproved(regKey: key, productName: "p", amount: 0, currency: .JPY, orderId: "o").validate() } == "amount")
        #expect(field { try PayPreapproved(regKey: key, productName: "p", amount: 1, currency: .JPY, orderId: "o/1").validate() } == "orderId")
    }

    @Test func localesAndCurrenciesAreTheReferenceLists() throws {
        #expect(Set(PaymentPageLocale.allCases.map(\.rawValue)) == ["en", "ja", "ko", "th", "zh_TW", "zh_CN"])
        #expect(Set(Currency.allCases.map(\.rawValue)) == ["USD", "JPY", "TWD", "THB"])
        #expect(Currency(rawValue: "EUR") == nil)
    }
}
