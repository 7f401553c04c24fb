import Foundation
import LinePay
import Testing
@testable import LinePayConfig
@testable import LinePayResponder
import LinePayCheckout

/// The config file: every key checked, errors name the file, line and key, and never hold the secret.
@Suite(.timeLimit(.minutes(5))) struct ConfigurationTests {
    static let good = """
    # demo
    channel_id = 1234567890
    channel_secret = canary-secret-do-not-print
    api_base_url = http://127.0.0.1:8081
    database = /tmp/x.sqlite
    public_base_url = https://shop.example/linepay
    handoff_secret = shop-handoff-secret-0123
    return_url = https://shop.example/thanks.php
    """

    func error(_ text: String) -> String? {
        do { _ = try ResponderConfiguration.parse(text, file: "linepay.conf"); return nil } catch { return error.description }
    }

    @Test func aGoodFileParses() throws {
        let c = try ResponderConfiguration.parse(Self.good + "\nconfirm_url_type = NONE\nread_timeout_confirm = 3\ncapture = false", file: "f")
        #expect(c.confirmURLType == .NONE && c.capture == false && c.basePath == "/linepay")
        #expect(c.timeouts.read(.confirm) == .seconds(3) && c.timeouts.read(.capture) == .seconds(60))
    }

    /// Lines may end in CRLF (a file saved on Windows) and values may be padded with spaces or tabs; line numbers hold.
    @Test func crlfLinesAndPaddedValuesParse() throws {
        let c = try ResponderConfiguration.parse(Self.good.replacingOccurrences(of: "\n", with: "\r\n") + "\r\nshop_name =\t Cony  Shop \t\r\n",
                                                 file: "f")
        #expect(c.channelId == "1234567890" && c.shopName == "Cony  Shop" && c.returnURL == "https://shop.example/thanks.php")
        #expect(error(Self.good.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n\r\nnonsense")?.hasPrefix("linepay.conf:10:") == true)
    }

    /// Issue 9, case 10: a query in public_base_url would put reserved names into confirmUrl.
    @Test func publicBaseURLWithAQueryIsRefused() {
        let bad = Self.good.replacingOccurrences(of: "public_base_url = https://shop.example/linepay",
                                                 with: "public_base_url = https://shop.example/linepay?orderId=X")
        #expect(error(bad)?.contains("public_base_url must have no query") == true)
        let fragment = Self.good.replacingOccurrences(of: "/linepay\n", with: "/linepay#top\n")
        #expect(error(fragment)?.contains("public_base_url") == true)
    }

    /// Issue 9, case 9: under SERVER, Confirm is bounded well inside LINE Pay's 20 s call to confirmUrl.
    @Test func serverTypeBoundsConfirmInsideLinePaysWait() throws {
        let c = try ResponderConfiguration.parse(Self.good + "\nconfirm_url_type = SERVER", file: "f")
        #expect(c.timeouts.read(.confirm) == .seconds(12) && c.timeouts.connect + c.timeouts.read(.confirm) <= .seconds(17))
        #expect(error(Self.good + "\nconfirm_url_type = SERVER\nread_timeout_confirm = 40")?.contains("at most 17") == true)
        #expect(try ResponderConfiguration.parse(Self.good, file: "f").timeouts.read(.confirm) == .seconds(40))
    }

    /// Issue 10's keys: who may post a handoff, and whose header names the client.
    @Test func trustKeysParseAndDefaultSafely() throws {
        let d = try ResponderConfiguration.parse(Self.good, file: "f")
        #expect(d.checkoutOrigins == ["https://shop.example"] && d.realIPHeader == nil && d.sessionCleanupInterval == 60)
        let c = try ResponderConfiguration.parse(Self.good + "\nallowed_origins = https://Shop.example:443 http://127.0.0.1:8080\n"
                                                 + "real_ip_header = X-Real-IP\nreal_ip_from = 10.0.0.1", file: "f")
        #expect(c.checkoutOrigins == ["https://shop.example", "http://127.0.0.1:8080"])
        #expect(c.realIPHeader == "X-Real-IP" && c.realIPFrom == ["10.0.0.1"])
        #expect(error(Self.good + "\nallowed_origins = https://shop.example/cart")?.contains("allowed_origins") == true)
        #expect(error(Self.good + "\nallowed_origins = shop.example")?.contains("allowed_origins") == true)
        #expect(error(Self.good + "\nreal_ip_header = X Real IP")?.contains("real_ip_header") == true)
    }

    @Test func errorsNameFileLineAndKey() {
        #expect(error(Self.good + "\ncolour = blue") == "linepay.conf:9: unknown key 'colour'")
        #expect(error(Self.good + "\ncapture = maybe")?.hasPrefix("linepay.conf:9: capture must be true or false") == true)
        #expect(error(Self.good + "\nconfirm_url_type = POPUP")?.hasPrefix("linepay.conf:9: confirm_url_type") == true)
        #expect(error(Self.good + "\nchannel_id = 42")?.contains("set twice") == true)
        #expect(error(Self.good + "\njust words")?.hasPrefix("linepay.conf:9:") == true)
        #expect(error(Self.good.replacingOccurrences(of: "return_url = https://shop.example/thanks.php", with: ""))?.contains("'return_url' is required") == true)
        #expect(error(Self.good.replacingOccurrences(of: "https://shop.example/linepay", with: "http://shop.example/linepay"))?.contains("public_base_url") == true)
        #expect(error(Self.good + "\nhandoff_secret = short")?.contains("set twice") == true)
        #expect(error(Self.good.replacingOccurrences(of: "handoff_secret = shop-handoff-secret-0123", with: "handoff_secret = short"))?.contains("handoff_secret must be") == true)
        #expect(error(Self.good + "\nread_timeout_confirm = 0")?.contains("read_timeout_confirm") == true)
    }

    @Test func errorsNeverHoldTheSecret() {
        for bad in [Self.good + "\nchannel_secret_file = /nonexistent", Self.good + "\nchannel_id = x", Self.good + "\nbogus = 1"] {
            let e = error(bad) ?? ""
            #expect(!e.isEmpty)
            #expect(!e.contains("canary-secret-do-not-print"))
        }
    }

    @Test func secretFromAFile() throws {
        let dir = NSTemporaryDirectory() + "cfg-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "from-file-secret\n".write(toFile: dir + "/secret", atomically: true, encoding: .utf8)
        let text = Self.good.replacingOccurrences(of: "channel_secret = canary-secret-do-not-print", with: "channel_secret_file = \(dir)/secret")
        #expect(try ResponderConfiguration.parse(text, file: "f").channelSecret == "from-file-secret")
    }

    @Test func apiVersionChoosesThePathsAndIsChecked() throws {
        #expect(try ResponderConfiguration.parse(Self.good, file: "f").linePay.apiVersion == .v3)
        let v4 = try ResponderConfiguration.parse(Self.good + "\napi_version = v4", file: "f")
        #expect(v4.apiVersion == .v4 && v4.linePay.apiVersion == .v4)
        let prepared = try LinePayClient(configuration: v4.linePay).prepare(VoidAuthorization(transactionId: TransactionID(2016020510824221610)))
        #expect(prepared.path == "/v4/payments/authorizations/2016020510824221610/void")
        #expect(error(Self.good + "\napi_version = v5") == "linepay.conf:9: api_version must be v3 or v4 (default v3)")
        #expect(error(Self.good + "\napi_version = V4")?.hasPrefix("linepay.conf:9: api_version") == true)
    }
}
