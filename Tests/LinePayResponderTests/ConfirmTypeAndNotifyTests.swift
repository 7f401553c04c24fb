import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// confirmUrlType SERVER and NONE, the notification outbox's retries, CGI mode, and secrets kept out of logs.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ConfirmTypeAndNotifyTests {
    @Test func serverTypeIsConfirmedByLinePaysCallAndTheDesktopPagePollsToPaid() throws {
        let h = try ResponderHarness(config: ["confirm_url_type = SERVER"])
        let shopper = Browser(Browser.desktop)
        let orderId = Flow.newOrderId()
        let pay = try Flow.checkoutAndPay(h, shopper, orderId: orderId)
        #expect(Flow.page(pay) == "pay")
        // The sandbox's server calls confirmUrl itself (no cookies); we answer 200 with an empty body.
        let status = try shopper.go("GET", h.baseURL + "/status?orderId=\(orderId)")
        let transactionId = try #require(Flow.capture(#""transactionId":"([0-9]+)""#, status.text))
        let answer = try h.sandbox.approve(transactionId)
        #expect(answer["serverCallOk"] as? Bool == true)
        #expect(try shopper.go("GET", h.baseURL + "/status?orderId=\(orderId)").text.contains(#""status":"paid""#))
        #expect(try h.sandbox.calls(operation: "confirm").count == 1)
    }

    enum Shop { static func state(_ h: ResponderHarness, _ id: String) throws -> OrderState? { try OrderStore(path: h.database).order(orderId: id)?.state } }

    /// Issue 9, case 9: LINE Pay's own call hears 200 only once we have confirmed; a refused Confirm is not a 200.
    @Test func serverTypeAnswersSuccessOnlyForAConfirmedPayment() throws {
        let h = try ResponderHarness(config: ["confirm_url_type = SERVER", "reconcile_interval = 0"])
        let shopper = Browser(Browser.desktop)
        let orderId = Flow.newOrderId()
        _ = try Flow.checkoutAndPay(h, shopper, orderId: orderId)
        let status = try shopper.go("GET", h.baseURL + "/status?orderId=\(orderId)")
        let transactionId = try #require(Flow.capture(#""transactionId":"([0-9]+)""#, status.text))
        try h.sandbox.fault("confirm", "code", "1169")
        let answer = try h.sandbox.approve(transactionId)
        #expect(answer["serverCallOk"] as? Bool == false, "LINE Pay was told success: \(answer)")
        #expect(try Shop.state(h, orderId) == .failed)
    }

    @Test func noneTypeIsFollowedByCheckingStatusAtMostOnceASecond() throws {
        let h = try ResponderHarness(config: ["confirm_url_type = NONE"])
        let shopper = Browser(Browser.desktop)
        let orderId = Flow.newOrderId()
        _ = try Flow.checkoutAndPay(h, shopper, orderId: orderId)
        let before = try shopper.go("GET", h.baseURL + "/status?orderId=\(orderId)")
        #expect(before.text.contains(#""status":"reserved""#))
        let transactionId = try #require(Flow.capture(#""transactionId":"([0-9]+)""#, before.text))
        // Many polls within a second ask LINE Pay at most once or twice (the second may fall in the next second).
        for _ in 0..<10 { _ = try shopper.go("GET", h.baseURL + "/status?orderId=\(orderId)") }
        #expect(try h.sandbox.calls(operation: "checkPaymentStatus").count <= 3)
        try h.sandbox.approve(transactionId)
        #expect(waitUntil(timeout: 5) {
            (try? shopper.go("GET", h.baseURL + "/status?orderId=\(orderId)").text.contains(#""status":"paid""#)) == true
        })
        #expect(try h.sandbox.calls(operation: "confirm").count == 1)
    }

    @Test func aRefusedNotificationStaysInTheOutboxForALaterAttempt() throws {
        let h = try ResponderHarness(config: ["confirm_url_type = NONE"], notifyStatus: 500)
        let phone = Browser(Browser.iPhone)
        let orderId = Flow.newOrderId()
        _ = try Flow.checkoutAndPay(h, phone, orderId: orderId)
        let transactionId = try #require(Flow.capture(#""transactionId":"([0-9]+)""#, try phone.go("GET", h.baseURL + "/status?orderId=\(orderId)").text))
        try h.sandbox.approve(transactionId)
        #expect(waitUntil(timeout: 5) { (try? phone.go("GET", h.baseURL + "/status?orderId=\(orderId)").text.contains("paid")) == true })
        #expect(waitUntil(timeout: 10) { !h.notifications.received.isEmpty })
        // The shop answered 500: the row stays undelivered with a later next attempt.
        let store = try OrderStore(path: h.database)
        // The notifier records the failure after the shop's answer arrives: wait for that, not for the request.
        #expect(waitUntil(timeout: 10) { ((try? store.connection.queryOne("SELECT attempts FROM outbox"))??.int("attempts") ?? 0) >= 1 })
        let row = try #require(try store.connection.queryOne("SELECT attempts, delivered_at FROM outbox"))
        #expect(row.int("attempts") ?? 0 >= 1)
        #expect(row["delivered_at"] == .null)
        #expect(try store.dueNotifications(now: Int64(Date().timeIntervalSince1970) + 3600, limit: 10).count == 1)
    }

    @Test func plainCGIAnswersOneRequest() throws {
        let h = try ResponderHarness()
        let form = Flow.handoff(orderId: Flow.newOrderId())
        let body = form.map { "\(formEscape($0.0))=\(formEscape($0.1))" }.joined(separator: "&")
        let r = try runProcess(builtBinary("linepay-fcgi"), [], env: [
            "LINEPAY_CONFIG": h.configPath, "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "/linepay", "PATH_INFO": "/checkout", "QUERY_STRING": "",
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": String(body.utf8.count),
            "HTTP_USER_AGENT": Browser.desktop, "SERVER_PROTOCOL": "HTTP/1.1",
        ], stdin: Array(body.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("Status: 200"))
        #expect(r.stdout.contains("Set-Cookie: lp_session=") && r.stdout.contains("data-page=\"checkout\""))
    }

    /// libcurl and libpq are opened on first use (Sources/CCurl, CPostgreSQL), never linked: a CGI /status on SQLite
    /// must not map them and their dependencies. FoundationNetworking (which links libcurl) is not used at all.
    @Test func theBinariesLinkNeitherLibcurlNorLibpq() throws {
        for name in ["linepay-fcgi", "linepay", "linepay-sandbox"] {
            let r = try runProcess("/usr/bin/readelf", ["-d", builtBinary(name)], env: [:])
            #expect(r.status == 0 && r.stdout.contains("(NEEDED)"), "\(r.stderr)")
            let needed = r.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }.joined(separator: "\n")
            #expect(!needed.contains("libcurl") && !needed.contains("libpq") && !needed.contains("FoundationNetworking"), "\(name):\n\(needed)")
        }
    }

    @Test func theChannelSecretNeverReachesALogAPageOrTheDatabase() throws {
        let h = try ResponderHarness()
        let phone = Browser(Browser.iPhone)
        let orderId = Flow.newOrderId()
        var seen = ""
        let pay = try Flow.checkoutAndPay(h, phone, orderId: orderId)
        seen += pay.text
        let approved = try Flow.approveAtLinePay(phone, paymentURL: try #require(pay.headers["location"]))
        let confirmed = try phone.go("GET", try #require(approved.headers["location"]))
        seen += try phone.follow(confirmed, base: h.nginx.baseURL).text
        seen += try phone.go("GET", h.baseURL + "/status?orderId=\(orderId)").text
        seen += try Browser().go("GET", h.baseURL + "/nope").text
        // A bad config names the key, not the value.
        let bad = h.directory + "/bad.conf"
        try (String(contentsOfFile: h.configPath, encoding: .utf8) + "capture = perhaps\n").write(toFile: bad, atomically: true, encoding: .utf8)
        let check = try runProcess(builtBinary("linepay-fcgi"), ["--config", bad, "--check-config"])
        #expect(check.status != 0 && check.stderr.contains("capture"))
        seen += check.stdout + check.stderr
        h.process.terminate()
        for file in ["linepay.log", "linepay.sqlite", "linepay.sqlite-wal"] {
            seen += (try? String(contentsOfFile: h.directory + "/" + file, encoding: .isoLatin1)) ?? ""
        }
        seen += h.nginx.errorLog + ((try? String(contentsOfFile: h.nginx.directory + "/access.log", encoding: .utf8)) ?? "")
        #expect(!seen.isEmpty)
        #expect(!seen.contains(SandboxHarness.channelSecret))
        #expect(!seen.contains(ResponderHarness.handoffSecret))
    }
}
