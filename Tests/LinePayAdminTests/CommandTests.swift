import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// The built `linepay` binary: its output (text and --json) and its exit codes.
@Suite(.serialized, .timeLimit(.minutes(5))) struct CommandTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func listsShowsAndRefundsWithMeaningfulExitCodes() throws {
        let h = try ResponderHarness()
        let (a, txA) = try Shop.paid(h)
        let (b, _) = try Shop.paid(h, price: "50", quantity: 2)

        let listed = try runLinePay(h, ["orders", "--json", "--status", "paid"])
        #expect(listed.status == 0, "\(listed)")
        let orders = try #require(try json(listed.stdout)["orders"] as? [[String: Any]])
        #expect(orders.compactMap { $0["orderId"] as? String } == [b, a])   // newest first
        #expect(orders.last?["amount"] as? String == "360" && orders.last?["transactionId"] as? String == String(txA))
        let firstPage = try json(try runLinePay(h, ["orders", "--json", "--limit", "1"]).stdout)
        let cursor = try #require(firstPage["next"] as? String)
        let second = try json(try runLinePay(h, ["orders", "--json", "--limit", "1", "--after", cursor]).stdout)
        #expect((second["orders"] as? [[String: Any]])?.first?["orderId"] as? String == a)
        #expect(try runLinePay(h, ["orders", "--transaction", String(txA)]).stdout.hasPrefix(a + "  paid  360 TWD"))
        #expect(try runLinePay(h, ["orders", "--order", String(a.prefix(6)), "--json"]).stdout.contains(a))

        let shown = try runLinePay(h, ["show", a])
        #expect(shown.status == 0 && shown.stdout.contains("order \(a): paid") && shown.stdout.contains("refundable 360"))
        #expect(try runLinePay(h, ["show", "NO-SUCH"]).status == 4)
        #expect(try runLinePay(h, ["refund", "NO-SUCH"]).status == 4)

        let refund = try runLinePay(h, ["refund", a, "--amount", "100", "--key", "ticket-4711"])
        #expect(refund.status == 0 && refund.stdout.contains("refund 100 TWD of \(a): done"), "\(refund)")
        let replay = try runLinePay(h, ["refund", a, "--amount", "100", "--key", "ticket-4711", "--json"])
        #expect(replay.status == 0)
        #expect(try json(replay.stdout)["replayed"] as? Bool == true)
        #expect(try runLinePay(h, ["refund", b, "--key", "ticket-4711"]).status == 7)   // a key is for one action
        let tooMuch = try runLinePay(h, ["refund", a, "--amount", "261"])
        #expect(tooMuch.status == 5 && tooMuch.stdout.contains("at most the 260 TWD that remains"))
        #expect(try runLinePay(h, ["capture", a]).status == 5)
        #expect(try runLinePay(h, ["void", a]).status == 5)
        try h.sandbox.fault("refund", "code", "1164")
        let refused = try runLinePay(h, ["refund", a, "--amount", "1"])
        #expect(refused.status == 1 && refused.stdout.contains("Exceeded refundable amount."), "\(refused)")
        #expect(try h.sandbox.calls(operation: "refund").count == 2)

        let details = try runLinePay(h, ["details", a, "--json"])
        #expect(details.status == 0, "\(details)")
        let detail = try #require((try json(details.stdout)["details"] as? [[String: Any]])?.first)
        #expect(detail["payStatus"] as? String == "CAPTURED" && detail["remaining"] as? String == "260")
        #expect((detail["refundList"] as? [[String: Any]])?.count == 1)
        #expect(try runLinePay(h, ["details", "--transaction", String(txA)]).stdout.contains("remaining 260"))
        #expect(try runLinePay(h, ["details", "--transaction", "123"]).status == 4)
        // Every command moving money was logged with who ran it.
        #expect(try OrderStore(path: h.database).events(orderId: a).contains { $0.kind == "api.refund" && $0.actor.hasPrefix("cli:") })
    }

    @Test func usageErrorsExitTwo() throws {
        let h = try ResponderHarness()
        for arguments in [["refund"], ["refund", "A", "--amonut", "5"], ["refund", "A", "--amount", "-5"], ["orders", "--status", "gone"],
                          ["frobnicate"], ["void", "A", "--amount", "5"], ["seed"], ["config"]] {
            let r = try runLinePay(h, arguments)
            #expect(r.status == 2, "\(arguments): \(r)")
            #expect(r.stderr.hasPrefix("linepay: "), "\(arguments)")
        }
        let noConfig = try runProcess(builtBinary("linepay"), ["orders"], env: ["PATH": "/usr/bin:/bin"])
        #expect(noConfig.status == 2 && noConfig.stderr.contains("LINEPAY_CONFIG"))
        let viaEnvironment = try runProcess(builtBinary("linepay"), ["orders", "--json"], env: ["LINEPAY_CONFIG": h.configPath])
        #expect(viaEnvironment.status == 0 && viaEnvironment.stdout.contains(#""orders""#))
        #expect(try runLinePay(h, ["--help"]).stdout.contains("Exit codes: 0 ok, 1 refused by LINE Pay"))
    }

    @Test func adminPasswordMakesALineThatLogsIn() throws {
        let made = try runProcess(builtBinary("linepay"), ["admin-password"], stdin: "a long enough password\n")
        #expect(made.status == 0, "\(made)")
        let line = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.hasPrefix("admin_password_hash = pbkdf2-sha256$600000$"))
        #expect(!line.contains("a long enough password"))
        #expect(try runProcess(builtBinary("linepay"), ["admin-password"], stdin: "short\n").status == 2)
        #expect(try runProcess(builtBinary("linepay"), ["admin-password"], stdin: "").status == 2)

        let h = try ResponderHarness(config: ["admin_auth = password", line, "admin_user = ops"])
        #expect(try Admin.login(Browser(), h, user: "ops", password: "a long enough password").status == 303)
        #expect(try Admin.login(Browser(), h, user: "admin", password: "a long enough password").status == 401)
        let checked = try runLinePay(h, ["config", "check"])
        #expect(checked.status == 0 && checked.stdout.contains(": ok") && checked.stdout.contains("admin_auth = password (user ops)"))
        #expect(checked.stdout.contains("channel_secret = ****") && !checked.stdout.contains(SandboxHarness.channelSecret))
    }

    @Test func configCheckNamesTheProblem() throws {
        let dir = makeTemporaryDirectory("cfg")
        let path = dir + "/bad.conf"
        try "channel_id = 1\nadmin_auth = sometimes\n".write(toFile: path, atomically: true, encoding: .utf8)
        let r = try runProcess(builtBinary("linepay"), ["--config", path, "config", "check"])
        #expect(r.status == 2 && r.stderr.contains("bad.conf:2: admin_auth must be off, password or remote_user"))
        try "channel_id = 1\nadmin_auth = password\n".write(toFile: path, atomically: true, encoding: .utf8)
        let weak = try runProcess(builtBinary("linepay"), ["--config", path, "config", "check"])
        #expect(weak.status == 2)
        try "admin_password_hash = pbkdf2-sha256$1000$c2FsdHNhbHQ=$AAAA\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try runProcess(builtBinary("linepay"), ["--config", path, "config", "check"]).stderr.contains("admin_password_hash must be"))
    }

    @Test func signPrintsTheCanonicalStringWithSecretsMasked() throws {
        let h = try ResponderHarness()
        let nonce = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
        let path = "/v3/payments/2016020510824221610/confirm"
        let body = #"{"amount":360,"currency":"TWD"}"#
        let signature = LinePaySignature.make(channelSecret: SandboxHarness.channelSecret, path: path, payload: body, nonce: nonce)
        // By default (issue 10, attack 8): the canonical string and a signature cut short, no ready-to-send request.
        let r = try runLinePay(h, ["sign", "confirm", "--transaction", "2016020510824221610", "--amount", "360", "--currency", "TWD", "--nonce", nonce])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("canonical string: ****\(path)\(body)\(nonce)\n"))
        #expect(r.stdout.contains("signature: \(signature.prefix(8))… (cut short"))
        #expect(!r.stdout.contains(signature) && !r.stdout.contains("X-LINE-Authorization: ") && !r.stdout.contains(h.sandbox.baseURL))
        // Asked for explicitly, the whole request.
        let whole = try runLinePay(h, ["sign", "confirm", "--transaction", "2016020510824221610", "--amount", "360", "--currency", "TWD",
                                       "--nonce", nonce, "--full-request"])
        #expect(whole.stdout.hasPrefix("POST \(h.sandbox.baseURL)\(path)\n"))
        for line in ["Content-Type: application/json", "X-LINE-ChannelId: \(SandboxHarness.channelId)", "X-LINE-Authorization-Nonce: \(nonce)",
                     "X-LINE-Authorization: \(signature)", body, "canonical string: ****\(path)\(body)\(nonce)"] {
            #expect(whole.stdout.contains(line + "\n"), "\(line)")
        }
        #expect(!r.stdout.contains(SandboxHarness.channelSecret) && !whole.stdout.contains(SandboxHarness.channelSecret))
        // A GET signs its query string; a lookup moves no money, so its signature is whole.
        let details = try runLinePay(h, ["sign", "details", "--transaction", "2016020510824221610", "--nonce", nonce, "--json"])
        let j = try json(details.stdout)
        #expect(j["method"] as? String == "GET" && j["canonical"] as? String == "****/v3/payments" + "transactionId=2016020510824221610" + nonce)
        #expect(j["truncated"] as? Bool == false && (j["signature"] as? String)?.count == 44)
        // A regKey is never printed in clear, even with --full-request.
        let regKey = "RK9F3A7B2C1D0E5F6A7B8C9D"
        for extra in [[], ["--full-request"]] {
            let pre = try runLinePay(h, ["sign", "payPreapproved", "--regkey", regKey, "--product", "Tea", "--amount", "100", "--currency", "TWD"] + extra)
            #expect(pre.status == 0 && !pre.stdout.contains(regKey) && pre.stdout.contains("RK9F…8C9D"), "\(pre)")
            let check = try runLinePay(h, ["sign", "checkRegKey", "--regkey", regKey] + extra)
            #expect(check.status == 0 && !check.stdout.contains(regKey), "\(check)")
        }
        #expect(try runLinePay(h, ["sign", "capture", "--transaction", "1"]).status == 2)   // needs an amount and currency
    }

    @Test func notifyRetriesAtOnceIgnoringTheBackoff() throws {
        let h = try ResponderHarness(notifyStatus: 503)
        let (orderId, _) = try Shop.paid(h)
        let store = try OrderStore(path: h.database)
        #expect(waitUntil(timeout: 10) { (try? store.connection.queryOne("SELECT attempts FROM outbox")?.int("attempts")) == 1 })
        let heard = h.notifications.received.count
        let r = try runLinePay(h, ["notify"])
        #expect(r.status == 6 && r.stdout.contains("delivered 0, still waiting 1"), "\(r)")
        #expect(h.notifications.received.count == heard + 1)
        #expect(try store.connection.queryOne("SELECT attempts FROM outbox")?.int("attempts") == 2)
        let lastBody = String(decoding: h.notifications.received.last?.body ?? [], as: UTF8.self)
        #expect(lastBody.contains("orderId=\(orderId)"))
        let quiet = try ResponderHarness()
        #expect(try runLinePay(quiet, ["notify"]).stdout.contains("delivered 0, still waiting 0"))
    }

    @Test func regKeysFromTheCommandLine() throws {
        let h = try ResponderHarness(config: ["pay_type = PREAPPROVED"])
        let (source, _) = try Shop.paid(h)
        let list = try runLinePay(h, ["regkey", "list", "--json"])
        let keys = try #require(try json(list.stdout)["regKeys"] as? [[String: Any]])
        #expect(keys.first?["orderId"] as? String == source && (keys.first?["regKey"] as? String)?.contains("…") == true)
        let charged = try runLinePay(h, ["regkey", "charge", source, "--amount", "45", "--product", "Tea refill", "--order-id", "SUB-1"])
        #expect(charged.status == 0 && charged.stdout.contains("charge 45 as SUB-1: done"), "\(charged)")
        #expect(try Shop.state(h, "SUB-1") == .paid)
        #expect(try runLinePay(h, ["regkey", "check", source]).status == 0)
        #expect(try runLinePay(h, ["regkey", "expire", source]).status == 0)
        let check = try runLinePay(h, ["regkey", "check", source])
        #expect(check.status == 1 && check.stdout.contains("The regKey has expired."))
        #expect(try runLinePay(h, ["regkey", "charge", source, "--amount", "45", "--product", "Tea"]).status == 5)
        #expect(try runLinePay(h, ["regkey", "check", "SUB-1"]).status == 4)
    }
}
