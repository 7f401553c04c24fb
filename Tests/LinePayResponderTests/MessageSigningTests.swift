import Foundation
import Testing
@testable import LinePayConfig
@testable import LinePayResponder
import LinePayCheckout

/// Return links and notifications (issue 10, attack 1): Tests/vectors/messages.json, checked here, by PHP
/// (www/examples/test-messages.php) and by Python (Tests/browser/test_handoff_signing.py).
@Suite(.timeLimit(.minutes(5))) struct MessageSigningTests {
    struct Vectors: Decodable {
        struct Vector: Decodable {
            let handoffSecret: String; let kind: String; let key: String
            let fields: [String: String]; let canonical: String; let signature: String
        }
        let vectors: [Vector]
    }

    static func vectors() throws -> [Vectors.Vector] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("vectors/messages.json")
        return try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url)).vectors
    }

    @Test func everyVectorMatchesAndVerifiesAsItsOwnKindOnly() throws {
        let vectors = try Self.vectors()
        #expect(Set(vectors.map(\.kind)) == ["return", "notification"])
        for v in vectors {
            let kind = try #require(MessageKind(rawValue: v.kind))
            #expect(kind.key(v.handoffSecret) == v.key)
            let fields = v.fields.map { ($0.key, $0.value) }
            #expect(SignedFields.canonical(fields) == v.canonical)
            #expect(SignedFields.sign(fields, secret: v.key) == v.signature)
            let signed = fields + [("signature", v.signature)]
            for other in MessageKind.allCases {
                #expect(SignedFields.verifyMessage(other, signed, secret: v.handoffSecret) == (other == kind), "\(v.kind) as \(other)")
            }
            // Relabelled as another kind, the fields still fail: the key is the kind's.
            let relabelled = fields.map { $0.0 == "kind" ? ("kind", kind == .return ? "notification" : "return") : $0 }
            #expect(!SignedFields.verifyMessage(kind == .return ? .notification : .return, relabelled + [("signature", v.signature)],
                                                secret: v.handoffSecret))
            // Never a handoff either: signed with the raw secret it would be, so the signature must differ.
            #expect(SignedFields.sign(fields, secret: v.handoffSecret) != v.signature)
        }
    }

    @Test func whatTheResponderSignsMatchesTheVectors() throws {
        let v = try #require(try Self.vectors().first { $0.kind == "notification" })
        let fields = v.fields.filter { $0.key != "kind" }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let query = SignedFields.signedMessage(.notification, fields, secret: v.handoffSecret)
        #expect(query.hasPrefix("kind=notification&") && query.hasSuffix("&signature=\(v.signature)"))
    }
}
