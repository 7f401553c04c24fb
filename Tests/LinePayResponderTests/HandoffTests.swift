import Foundation
import LinePayStore
import Testing
@testable import LinePayConfig
@testable import LinePayResponder
import LinePayCheckout

/// The shop's signed handoff: the vectors in ../shared/test-vectors/handoff.json, then every rejection.
@Suite(.timeLimit(.minutes(5))) struct HandoffTests {
    struct Vectors: Decodable {
        struct Vector: Decodable { let handoffSecret: String; let fields: [String: String]; let canonical: String; let signature: String }
        let vectors: [Vector]
    }

    @Test func everyVectorMatches() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/test-vectors/handoff.json")
        let vectors = try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url)).vectors
        #expect(vectors.count >= 2)
        for v in vectors {
            let fields = v.fields.map { ($0.key, $0.value) }
            #expect(SignedFields.canonical(fields) == v.canonical)
            #expect(SignedFields.sign(fields, secret: v.handoffSecret) == v.signature)
            #expect(SignedFields.verify(fields, signature: v.signature.uppercased(), secret: v.handoffSecret))
            // The vectors are real handoffs: they parse (at their own time).
            let now = Int64(v.fields["ts"]!)! + 10
            let h = try Handoff.parse(fields + [("signature", v.signature)], secret: v.handoffSecret, now: now)
            #expect(h.order.orderId == v.fields["orderId"])
            #expect(h.order.amount == Decimal(string: v.fields["amount"]!))
        }
    }

    static let secret = "test-handoff-secret-0123456789abcdef"
    static let now: Int64 = 1_790_000_000

    static func fields(_ changes: [String: String?] = [:]) -> [(String, String)] {
        var f: [String: String] = ["orderId": "A-1001", "currency": "TWD", "amount": "360", "ts": String(now),
                                   "items[0][name]": "Tea", "items[0][price]": "120", "items[0][quantity]": "3"]
        for (k, v) in changes { f[k] = v }
        return f.map { ($0.key, $0.value) }
    }

    static func signed(_ fields: [(String, String)]) -> [(String, String)] {
        fields + [("signature", SignedFields.sign(fields, secret: secret))]
    }

    func rejection(_ form: [(String, String)], now: Int64 = HandoffTests.now) -> String? {
        do { _ = try Handoff.parse(form, secret: Self.secret, now: now); return nil } catch { return error.field }
    }

    @Test func aGoodHandoffParses() throws {
        let h = try Handoff.parse(Self.signed(Self.fields(["shippingFee": "40", "amount": "400", "locale": "th",
                                                         "items[0][id]": "sku-1", "items[0][imageUrl]": "https://shop.example/a.png"])),
                                  secret: Self.secret, now: Self.now)
        #expect(h.order.shippingFee == 40 && h.order.items[0].itemId == "sku-1" && h.order.locale == "th")
    }

    @Test func everyRejectionNamesItsField() {
        #expect(rejection(Self.fields()) == "signature")                                        // missing
        #expect(rejection(Self.fields() + [("signature", String(repeating: "0", count: 64))]) == "signature")
        #expect(rejection(Self.signed(Self.fields()), now: Self.now + 15 * 60 + 1) == "ts")    // too old
        #expect(rejection(Self.signed(Self.fields(["ts": String(Self.now + 3600)]))) == "ts")  // future
        #expect(rejection(Self.signed(Self.fields(["ts": "12x"]))) == "ts")
        #expect(rejection(Self.signed(Self.fields(["orderId": "a b"]))) == "orderId")
        #expect(rejection(Self.signed(Self.fields(["orderId": "A__2"]))) == "orderId")     // "__" marks our retries
        #expect(rejection(Self.signed(Self.fields(["orderId": String(repeating: "x", count: 91)]))) == "orderId")
        #expect(rejection(Self.signed(Self.fields(["currency": "EUR"]))) == "currency")
        #expect(rejection(Self.signed(Self.fields(["amount": "361"]))) == "amount")              // sum does not add up
        #expect(rejection(Self.signed(Self.fields(["amount": "360.5"]))) == "amount")            // TWD is whole
        #expect(rejection(Self.signed(Self.fields(["amount": "1e3"]))) == "amount")
        #expect(rejection(Self.signed(Self.fields(["amount": "-360"]))) == "amount")
        #expect(rejection(Self.signed(Self.fields(["items[0][quantity]": "0"]))) == "items[0][quantity]")
        #expect(rejection(Self.signed(Self.fields(["items[0][price]": "abc"]))) == "items[0][price]")
        #expect(rejection(Self.signed(Self.fields(["items[0][name]": ""]))) == "items[0][name]")
        #expect(rejection(Self.signed(Self.fields(["items[0][imageUrl]": "http://x/a.png"]))) == "items[0][imageUrl]")
        #expect(rejection(Self.signed(Self.fields(["items[2][name]": "gap"]))) == "items[2][name]")   // numbered with a gap
        #expect(rejection(Self.signed(Self.fields(["locale": "fr"]))) == "locale")
        #expect(rejection(Self.signed(Self.fields(["shippingFee": "-1"]))) == "shippingFee")
        #expect(rejection(Self.signed(Self.fields(["submit": "Pay"]))) == "submit")
        #expect(rejection(Self.signed(Self.fields(["items[0][name]": nil, "items[0][price]": nil, "items[0][quantity]": nil]))) == "items[0][name]")
    }

    @Test func theDigestIgnoresTimeButNotContent() throws {
        let a = try Handoff.parse(Self.signed(Self.fields()), secret: Self.secret, now: Self.now)
        let b = try Handoff.parse(Self.signed(Self.fields(["ts": String(Self.now - 100)])), secret: Self.secret, now: Self.now)
        let c = try Handoff.parse(Self.signed(Self.fields(["items[0][name]": "Coffee"])), secret: Self.secret, now: Self.now)
        #expect(a.order.contentDigest == b.order.contentDigest)
        #expect(a.order.contentDigest != c.order.contentDigest)
    }
}
