import Foundation
import LinePay
import Testing
import TestSupport

/// A shop's existing PHP code against the sandbox: Tests/php/sdk-style-client.php builds its requests as the
/// most used PHP SDK does (http_build_query arrays, json_encode bodies, `date('c') . uniqid('-')` nonces).
@Suite(.serialized, .timeLimit(.minutes(5))) struct PHPClientTests {
    let sandbox: SandboxHarness
    let nginx: NginxServer
    let client: LinePayClient

    init() throws {
        let sandbox = try SandboxHarness()
        self.sandbox = sandbox
        nginx = try NginxServer(locations: ["/v3", "/v4", "/sandbox"].map { NginxLocation(prefix: $0, fastcgiSocket: sandbox.socket) },
                                extraServerConfig: SandboxHarness.dropConfig)
        client = sandbox.client()
    }

    @Test(arguments: ["v3", "v4"]) func phpSDKStyleRequestsAndArrayDetailsAnswer0000(version: String) throws {
        var ids: [TransactionID] = []
        var orderId = ""
        for _ in 0..<2 {
            orderId = "P-" + UUID().uuidString.prefix(8)
            let r = try client.request(SandboxLifecycleTests.order(orderId))
            try sandbox.approve(r.transactionId)
            _ = try client.confirm(transactionId: r.transactionId, amount: 360, currency: .TWD)
            ids.append(r.transactionId)
        }
        let before = try sandbox.calls().count
        let run = try runProcess("/usr/bin/php", [repoRoot() + "/Tests/php/sdk-style-client.php", nginx.baseURL, SandboxHarness.channelId,
                                                  SandboxHarness.channelSecret, version, orderId, ids[0].description, ids[1].description])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let lines = try run.stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(lines.map { $0["call"] as? String } == ["request", "details"])
        let details = try #require(lines.last)
        #expect(details["returnCode"] as? String == "0000")
        #expect(Set(details["ids"] as? [String] ?? []) == Set(ids.map(\.description)))   // exact 19 digits, orderId's one not twice
        #expect(details["query"] as? String == "transactionId%5B0%5D=\(ids[0])&transactionId%5B1%5D=\(ids[1])&orderId%5B0%5D=\(orderId)")
        let providers = details["providers"] as? [Any] ?? []
        #expect(providers.allSatisfy { ($0 as? String) == (version == "v4" ? "TSP" : nil) })
        // What the sandbox saw: PHP's nonces, the query exactly as built, every signature right.
        let calls = try sandbox.calls().dropFirst(before)
        #expect(calls.count == 2)
        for call in calls {
            #expect(call["signatureOk"] as? Bool == true && call["returnCode"] as? String == "0000", "\(call["verdict"] ?? "")")
            #expect((call["path"] as? String)?.hasPrefix("/\(version)/") == true)
            let nonce = call["nonce"] as? String ?? ""
            #expect(nonce.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d-[0-9a-f]{13}$"#, options: .regularExpression) != nil, "\(nonce)")
        }
        #expect(calls.last?["query"] as? String == details["query"] as? String)
        #expect((calls.first?["body"] as? String)?.contains(#"https:\/\/shop.example"#) == true)   // json_encode's escaped slashes, signed as sent
    }
}
