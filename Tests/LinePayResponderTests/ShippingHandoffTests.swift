import Foundation
import Testing
@testable import LinePayResponder
import LinePayConfig
import LinePayCheckout

/// `shipping=line` handoffs (Tests/vectors/handoff-shipping.json, also checked by PHP and Python), the rules file
/// and the ShippingMethods inquiry as untrusted input.
@Suite(.timeLimit(.minutes(5))) struct ShippingHandoffTests {
    struct Vectors: Decodable {
        struct Vector: Decodable { let handoffSecret: String; let fields: [String: String]; let canonical: String; let signature: String }
        let vectors: [Vector]
    }

    @Test func theShippingVectorSignsAndParsesAsALineShippingOrder() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("vectors/handoff-shipping.json")
        let vectors = try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url)).vectors
        #expect(!vectors.isEmpty)
        for v in vectors {
            let fields = v.fields.map { ($0.key, $0.value) }
            #expect(SignedFields.canonical(fields) == v.canonical)
            #expect(SignedFields.sign(fields, secret: v.handoffSecret) == v.signature)
            let h = try Handoff.parse(fields + [("signature", v.signature)], secret: v.handoffSecret, now: Int64(v.fields["ts"]!)! + 10)
            #expect(h.order.lineShipping && h.order.shippingFee == 0 && h.order.amount == Decimal(string: v.fields["amount"]!))
            // Without the field it is another checkout (another digest), and the signature no longer covers it.
            let without = fields.filter { $0.0 != "shipping" }
            #expect(throws: Handoff.Rejection.self) { try Handoff.parse(without + [("signature", v.signature)], secret: v.handoffSecret, now: Int64(v.fields["ts"]!)! + 10) }
        }
    }

    static func signed(_ f: [(String, String)]) -> [(String, String)] { f + [("signature", SignedFields.sign(f, secret: "s-0123456789abcdef"))] }

    @Test func shippingMustBeLineAndCarriesNoFeeOfItsOwn() throws {
        let base: [(String, String)] = [("orderId", "A-1"), ("currency", "TWD"), ("ts", "100"), ("items[0][name]", "Tea"),
                                        ("items[0][price]", "100"), ("items[0][quantity]", "1")]
        #expect(throws: Handoff.Rejection.self) { try Handoff.parse(Self.signed(base + [("amount", "100"), ("shipping", "home")]), secret: "s-0123456789abcdef", now: 100) }
        do {
            _ = try Handoff.parse(Self.signed(base + [("amount", "160"), ("shippingFee", "60"), ("shipping", "line")]), secret: "s-0123456789abcdef", now: 100)
            Issue.record("a fixed fee beside shipping=line was accepted")
        } catch { #expect(error.field == "shippingFee") }
        #expect(try Handoff.parse(Self.signed(base + [("amount", "100")]), secret: "s-0123456789abcdef", now: 100).order.lineShipping == false)
    }

    @Test func rulesFileErrorsNameTheLineAndKey() throws {
        let good = try ShippingRules.parse("[home]\nname = Home\ncurrency = TWD\nfee = 60\ncountries = TW\npostal_prefixes = 1 2\n", file: "r")
        #expect(good.methods.count == 1 && good.methods[0].postalPrefixes == ["1", "2"])
        #expect(good.methods(country: "TW", postalCode: "104-91", currency: .TWD).count == 1)
        #expect(good.methods(country: "TW", postalCode: "880", currency: .TWD).isEmpty)
        #expect(good.methods(country: "TW", postalCode: "104", currency: .JPY).isEmpty)
        for (text, words) in [("[home]\nname = Home\ncurrency = TWD\nfee = 60.5\ncountries = TW\n", "decimals"),
                              ("[home]\nname = Home\ncurrency = TWD\ncountries = TW\n", "needs a fee"),
                              ("[ho me]\n", "a section is"), ("name = x\n", "timezone"),
                              ("[a]\nname = A\ncurrency = TWD\nfee = 1\ncountries = Taiwan\n", "r:5: countries"),
                              ("[a]\nname = A\ncurrency = TWD\nfee = 1\ncountries = TW\ncolour = red\n", "unknown key 'colour'")] {
            do { _ = try ShippingRules.parse(text, file: "r"); Issue.record("accepted: \(text)") } catch {
                #expect(error.description.contains(words), "\(error.description)")
            }
        }
    }

    @Test func inquiriesAreCheckedFieldByField() throws {
        func parse(_ s: String) -> String {
            do { _ = try ShippingInquiry.parse(Array(s.utf8)); return "ok" } catch { return error.code }
        }
        #expect(parse(#"{"orderId":"A","transactionId":2026121500123456789,"shippingAddress":{"country":"TW","postalCode":"104"}}"#) == "ok")
        #expect(try ShippingInquiry.parse(Array(#"{"orderId":"A","transactionId":2026121500123456789,"shippingAddress":{"country":"TW"}}"#.utf8)).transactionId == 2026121500123456789)
        #expect(parse(#"{"orderId":"A","transactionId":2026121500123456789,"shippingAddress":{"country":"tw"}}"#) == "4002")
        #expect(parse(#"{"orderId":"A","transactionId":2026121500123456789,"shippingAddress":{"country":"TW","postalCode":"<script>"}}"#) == "4002")
        #expect(parse(#"{"orderId":"A","transactionId":2026121500123456789,"shippingAddress":{"country":"TW","city":"a\u0007"}}"#) == "4002")
        #expect(parse(#"{"orderId":"A","transactionId":2026121500123456789}"#) == "4002")
        #expect(parse(#"{"orderId":"A","transactionId":1.5e18,"shippingAddress":{"country":"TW"}}"#) == "5001")
        #expect(parse(#"{"orderId":"A\nB","transactionId":2026121500123456789,"shippingAddress":{"country":"TW"}}"#) == "5001")
        #expect(parse("not json") == "5001")
        #expect(parse(String(repeating: " ", count: 20_000)) == "5001")
    }

    @Test func aShopAnswerIsCheckedBeforeItIsQuoted() throws {
        let ok = parseShopShippingAnswer(Array(#"{"returnCode":"0000","info":{"shippingMethods":[{"id":"a","name":"A","amount":60}]}}"#.utf8), currency: .TWD)
        #expect(ok?.code == "0000" && ok?.methods.first?.amount == 60)
        #expect(parseShopShippingAnswer(Array(#"{"returnCode":"0000","info":{"shippingMethods":[{"id":"a","name":"A","amount":60.5}]}}"#.utf8), currency: .TWD) == nil)
        #expect(parseShopShippingAnswer(Array(#"{"returnCode":"0000","info":{"shippingMethods":[{"id":"a b","name":"A","amount":1}]}}"#.utf8), currency: .TWD) == nil)
        #expect(parseShopShippingAnswer(Array(#"{"returnCode":"1234"}"#.utf8), currency: .TWD) == nil)
        #expect(parseShopShippingAnswer(Array(#"{"returnCode":"4001","returnMessage":"no"}"#.utf8), currency: .TWD)?.code == "4001")
        #expect(shippingAnswer("0000", "Success", [QuotedMethod(id: "a", name: "A \"x\"", amount: 60, toDeliveryYmd: "20261203")])
                == #"{"returnCode":"0000","returnMessage":"Success","info":{"shippingMethods":[{"id":"a","name":"A \"x\"","amount":60,"toDeliveryYmd":"20261203"}]}}"#)
    }
}
