import Foundation
import LinePay
import LinePayStore
import LinePayCheckout
import LinePayStore

/// The responder's settings, read from `key = value` lines. Every key is checked; an error names the file, line and key.
public struct ResponderConfiguration: Sendable {
    public var channelId = ""
    public var channelSecret = ""
    public var apiBaseURL = LinePayEnvironment.sandbox.baseURL
    /// Online API v3 (the legacy API, default) or v4: every call's path starts /v3/ or /v4/.
    public var apiVersion = LinePayAPIVersion.v3
    public var database = ""
    /// Where `database` points, with the password from `database_password_file` (PostgreSQL): what OrderStore opens.
    public var store = StoreLocation.sqlite(path: "")
    /// statement_timeout of every PostgreSQL session, in milliseconds.
    public var databaseStatementTimeout = 10_000
    /// The absolute URL of the location block, e.g. https://shop.example/linepay (confirmUrl = this + "/confirm").
    public var publicBaseURL = ""
    public var handoffSecret = ""
    public var returnURL = ""
    public var notifyURL: String? = nil
    public var capture = true
    public var confirmURLType = ConfirmUrlType.CLIENT
    public var checkConfirmURLBrowser = false
    /// The pages' language when the handoff names none; nil: from Accept-Language.
    public var locale: String? = nil
    public var shopName = "Shop"
    /// Where linepay.css and linepay.js are read from at start-up.
    public var assetsDir = ""
    public var timeouts = Timeouts()
    /// How long the shopper's session cookie lives.
    public var sessionLifetime: Int64 = 2 * 3600
    /// NORMAL, or PREAPPROVED to have confirm issue a regKey the admin can charge later.
    public var payType = PayType.NORMAL
    /// Who may use /admin: nobody (off, the default: /admin answers 404), the password login, or the web server's REMOTE_USER.
    public var adminAuth = AdminAuthMode.off
    /// `pbkdf2-sha256$ITERATIONS$SALT$HASH` from `linepay admin-password` (password mode).
    public var adminPasswordHash: String? = nil
    /// The login name of password mode.
    public var adminUser = "admin"
    /// How long an admin session lives, in seconds.
    public var adminSessionLifetime: Int64 = 3600
    /// How often linepay-fcgi's background reconciler runs, in seconds (0: never; cron runs `linepay reconcile`).
    public var reconcileInterval: Int64 = 30
    /// How old an order's state must be before the reconciler looks at it, in seconds.
    public var reconcileMinAge: Int64 = 60
    /// Origins allowed to POST a handoff to /checkout; empty means return_url's origin (see `checkoutOrigins`).
    public var allowedOrigins: [String] = []
    /// A request header (e.g. X-Real-IP) naming the client when the request comes from one of `realIPFrom`; nil: REMOTE_ADDR.
    public var realIPHeader: String? = nil
    /// The proxies whose `realIPHeader` is believed.
    public var realIPFrom: [String] = ["127.0.0.1", "::1"]
    /// How often the background loop deletes expired shopper and admin sessions, in seconds.
    public var sessionCleanupInterval: Int64 = 60
    /// `shipping=line` orders: the shop's shipping methods (`shipping_rules` file), or its own URL that answers instead.
    public var shippingRules: ShippingRules? = nil
    public var shippingRulesURL: String? = nil
    /// CONDITION (ask again when the shopper changes the address, the default) or FIXED.
    public var shippingFeeInquiryType = RequestOptions.Shipping.FeeInquiryType.CONDITION
    /// How many LINE Pay calls one process makes at once (a bulkhead: the other threads keep serving pages).
    public var linePayCallSlots = 4
    /// How long a call over `linePayCallSlots` waits for a slot before it is answered "busy", in milliseconds.
    public var linePayCallWaitMilliseconds = 200

    public init() {}

    /// Who may post a handoff: `allowed_origins`, else the origin of return_url (the shop's own pages).
    public var checkoutOrigins: [String] {
        allowedOrigins.isEmpty ? [webOrigin(returnURL)].compactMap { $0 } : allowedOrigins
    }

    /// Every key the file may hold, with what it takes (for errors and `--check-config`).
    public static let keys: [String: String] = [
        "channel_id": "the LINE Pay channel id (digits)",
        "channel_secret": "the channel secret key",
        "channel_secret_file": "a file holding the channel secret key",
        "api_base_url": "https://sandbox-api-pay.line.me, https://api-pay.line.me or the local sandbox's URL",
        "api_version": "v3 or v4 (default v3)",
        "database": "the SQLite file, or postgresql://user@host:5432/dbname (libpq parameters such as ?sslmode=verify-full allowed, no password)",
        "database_password_file": "a file holding the PostgreSQL password (first line)",
        "database_statement_timeout": "milliseconds a PostgreSQL statement may run (default 10000)",
        "public_base_url": "the absolute URL of the location block, e.g. https://shop.example/linepay",
        "handoff_secret": "the secret the shop signs handoffs with (16 characters or more)",
        "return_url": "the shop page the shopper returns to (absolute URL)",
        "notify_url": "the shop URL told of paid, authorized, cancelled and refunded orders (absolute URL)",
        "capture": "true or false",
        "confirm_url_type": "CLIENT, SERVER or NONE",
        "check_confirm_url_browser": "true or false",
        "locale": "en, ja, zh_TW or th",
        "shop_name": "the name shown on the pages",
        "assets_dir": "the folder holding linepay.css and linepay.js",
        "connect_timeout": "seconds (default 5)",
        "read_timeout_request": "seconds (default 20)", "read_timeout_confirm": "seconds (default 40)",
        "read_timeout_capture": "seconds (default 60)", "read_timeout_void": "seconds (default 20)",
        "read_timeout_refund": "seconds (default 20)", "read_timeout_payment_details": "seconds (default 20)",
        "read_timeout_check": "seconds (default 20)",
        "session_lifetime": "seconds (default 7200)",
        "pay_type": "NORMAL or PREAPPROVED (default NORMAL)",
        "admin_auth": "off, password or remote_user (default off: /admin answers 404)",
        "admin_password_hash": "the line `linepay admin-password` prints (pbkdf2-sha256$ITERATIONS$SALT$HASH)",
        "admin_user": "the login name for admin_auth = password: 1 to 64 of A-Z a-z 0-9 . _ @ - (default admin)",
        "admin_session_lifetime": "seconds from 300 to 604800 (default 3600)",
        "reconcile_interval": "seconds from 0 (off) to 3600 between background reconciler runs (default 30)",
        "reconcile_min_age": "seconds from 0 to 3600 an order's state must last before the reconciler looks (default 60)",
        "allowed_origins": "origins (https://shop.example) that may post a handoff to /checkout, separated by spaces (default: return_url's)",
        "real_ip_header": "a header naming the client address set by a proxy in front, e.g. X-Real-IP (default none: REMOTE_ADDR)",
        "session_cleanup_interval": "seconds from 1 to 3600 between deletions of expired sessions (default 60)",
        "shipping_rules": "a file of shipping methods for shipping=line handoffs ([id] sections; see docs/shipping.md)",
        "shipping_rules_url": "a shop URL (https) that answers LINE Pay's ShippingMethods inquiry instead of shipping_rules, asked with a signed POST",
        "shipping_fee_inquiry_type": "CONDITION or FIXED (default CONDITION)",
        "real_ip_from": "addresses of the proxies whose real_ip_header is believed, separated by spaces (default 127.0.0.1 ::1)",
        "linepay_call_slots": "LINE Pay calls one process makes at once, 1 to 256; keep it below --threads (default 4)",
        "linepay_call_wait": "milliseconds from 0 to 10000 a call over linepay_call_slots waits for a slot (default 200)",
    ]

    /// Reads and checks a configuration file.
    public static func load(path: String) throws(ConfigurationError) -> ResponderConfiguration {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("\(path): cannot be read")
        }
        return try parse(text, file: path)
    }

    /// Parses configuration text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> ResponderConfiguration {
        var c = ResponderConfiguration()
        var seen = Set<String>()
        var secretFile: String? = nil
        var passwordFile: String? = nil
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = trimmedSpaces(raw)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let at = "\(file):\(index + 1)"
            guard let eq = line.firstIndex(of: "=") else { throw ConfigurationError("\(at): expected 'key = value'") }
            let key = trimmedSpaces(line[..<eq])
            let value = trimmedSpaces(line[line.index(after: eq)...])
            guard keys[key] != nil else { throw ConfigurationError("\(at): unknown key '\(key)'") }
            guard seen.insert(key).inserted else { throw ConfigurationError("\(at): '\(key)' is set twice") }
            func bad() -> ConfigurationError { ConfigurationError("\(at): \(key) must be \(keys[key]!)") }
            switch key {
            case "channel_id":
                guard !value.isEmpty, value.count <= 32, value.allSatisfy(\.isNumber) else { throw bad() }
                c.channelId = value
            case "channel_secret":
                guard !value.isEmpty else { throw bad() }
                c.channelSecret = value
            case "channel_secret_file":
                guard !value.isEmpty else { throw bad() }
                secretFile = value
            case "api_base_url":
                guard isHTTPURL(value, allowHTTPOnLoopback: true) else { throw bad() }
                c.apiBaseURL = value.hasSuffix("/") ? String(value.dropLast()) : value
            case "api_version":
                guard let v = LinePayAPIVersion(rawValue: value) else { throw bad() }
                c.apiVersion = v
            case "database":
                guard !value.isEmpty else { throw bad() }
                if StoreLocation.isPostgreSQL(value) {
                    // Checked here for its shape only; a password written in it is refused without being repeated.
                    do { _ = try StoreLocation.parse(value) } catch { throw ConfigurationError("\(at): database: \(error)") }
                }
                c.database = value
            case "database_password_file":
                guard !value.isEmpty else { throw bad() }
                passwordFile = value
            case "database_statement_timeout":
                guard let ms = Int(value), ms >= 100, ms <= 3_600_000 else { throw bad() }
                c.databaseStatementTimeout = ms
            case "public_base_url":
                guard isHTTPURL(value, allowHTTPOnLoopback: true) else { throw bad() }
                // confirmUrl and cancelUrl are this plus a path: a query or fragment would end up in the wrong place,
                // and LINE Pay appends orderId and transactionId (and shipping's fields) to confirmUrl itself.
                if let u = URLComponents(string: value), u.query != nil || u.fragment != nil {
                    throw ConfigurationError("\(at): public_base_url must have no query or fragment (LINE Pay appends orderId, transactionId, shippingFeeAmount and shippingMethodId to confirmUrl)")
                }
                c.publicBaseURL = value.hasSuffix("/") ? String(value.dropLast()) : value
            case "handoff_secret":
                guard value.count >= 16 else { throw bad() }
                c.handoffSecret = value
            case "return_url":
                guard value.hasPrefix("https://") || value.hasPrefix("http://"), URL(string: value)?.host != nil else { throw bad() }
                c.returnURL = value
            case "notify_url":
                guard value.hasPrefix("https://") || value.hasPrefix("http://"), URL(string: value)?.host != nil else { throw bad() }
                c.notifyURL = value
            case "capture":
                guard let b = Bool(value) else { throw bad() }
                c.capture = b
            case "confirm_url_type":
                guard let t = ConfirmUrlType(rawValue: value) else { throw bad() }
                c.confirmURLType = t
            case "check_confirm_url_browser":
                guard let b = Bool(value) else { throw bad() }
                c.checkConfirmURLBrowser = b
            case "locale":
                guard ["en", "ja", "zh_TW", "th"].contains(value) else { throw bad() }
                c.locale = value
            case "shop_name":
                guard !value.isEmpty, value.count <= 100 else { throw bad() }
                c.shopName = value
            case "assets_dir":
                guard !value.isEmpty else { throw bad() }
                c.assetsDir = value
            case "session_lifetime":
                guard let n = Int64(value), n >= 60, n <= 86400 * 30 else { throw bad() }
                c.sessionLifetime = n
            case "pay_type":
                guard let t = PayType(rawValue: value) else { throw bad() }
                c.payType = t
            case "admin_auth":
                guard let mode = AdminAuthMode(rawValue: value) else { throw bad() }
                c.adminAuth = mode
            case "admin_password_hash":
                guard AdminPassword.parse(value) != nil else { throw bad() }
                c.adminPasswordHash = value
            case "admin_user":
                guard AdminAuthMode.isUserName(value) else { throw bad() }
                c.adminUser = value
            case "admin_session_lifetime":
                guard let n = Int64(value), n >= 300, n <= 7 * 86400 else { throw bad() }
                c.adminSessionLifetime = n
            case "reconcile_interval":
                guard let n = Int64(value), (0...3600).contains(n) else { throw bad() }
                c.reconcileInterval = n
            case "reconcile_min_age":
                guard let n = Int64(value), (0...3600).contains(n) else { throw bad() }
                c.reconcileMinAge = n
            case "allowed_origins":
                let origins = value.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
                guard !origins.isEmpty else { throw bad() }
                c.allowedOrigins = try origins.map { o throws(ConfigurationError) in
                    guard let normal = webOrigin(o), let parts = URLComponents(string: o), parts.path.isEmpty || parts.path == "/",
                          parts.query == nil, parts.fragment == nil, parts.user == nil else { throw bad() }
                    return normal
                }
            case "real_ip_header":
                guard !value.isEmpty, value.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 })
                else { throw bad() }
                c.realIPHeader = value
            case "session_cleanup_interval":
                guard let n = Int64(value), (1...3600).contains(n) else { throw bad() }
                c.sessionCleanupInterval = n
            case "real_ip_from":
                let addresses = value.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
                guard !addresses.isEmpty else { throw bad() }
                c.realIPFrom = addresses
            case "shipping_rules":
                guard let data = FileManager.default.contents(atPath: value), let text = String(data: data, encoding: .utf8) else {
                    throw ConfigurationError("\(at): shipping_rules '\(value)' cannot be read")
                }
                c.shippingRules = try ShippingRules.parse(text, file: value)
            case "shipping_rules_url":
                guard value.hasPrefix("https://") || isLoopbackURL(value), value.hasPrefix("http"), URL(string: value)?.host != nil else { throw bad() }
                c.shippingRulesURL = value
            case "shipping_fee_inquiry_type":
                guard let t = RequestOptions.Shipping.FeeInquiryType(rawValue: value) else { throw bad() }
                c.shippingFeeInquiryType = t
            case "linepay_call_slots":
                guard let n = Int(value), (1...256).contains(n) else { throw bad() }
                c.linePayCallSlots = n
            case "linepay_call_wait":
                guard let n = Int(value), (0...10_000).contains(n) else { throw bad() }
                c.linePayCallWaitMilliseconds = n
            default:
                guard let seconds = Int(value), (1...300).contains(seconds) else { throw bad() }
                if key == "connect_timeout" {
                    c.timeouts.connect = .seconds(seconds)
                } else {
                    let names: [String: LinePayOperation] = [
                        "read_timeout_request": .request, "read_timeout_confirm": .confirm, "read_timeout_capture": .capture,
                        "read_timeout_void": .void, "read_timeout_refund": .refund, "read_timeout_payment_details": .paymentDetails,
                        "read_timeout_check": .checkPaymentStatus,
                    ]
                    c.timeouts.readOverrides[names[key]!] = .seconds(seconds)
                }
            }
        }
        if let secretFile {
            if seen.contains("channel_secret") { throw ConfigurationError("\(file): set channel_secret or channel_secret_file, not both") }
            guard let data = FileManager.default.contents(atPath: secretFile),
                  let s = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !s.isEmpty
            else { throw ConfigurationError("\(file): channel_secret_file '\(secretFile)' cannot be read or is empty") }
            c.channelSecret = s
        }
        for required in ["channel_id", "database", "public_base_url", "handoff_secret", "return_url"] where !seen.contains(required) {
            throw ConfigurationError("\(file): '\(required)' is required (\(keys[required]!))")
        }
        var password: String? = nil
        if let passwordFile {
            guard StoreLocation.isPostgreSQL(c.database) else {
                throw ConfigurationError("\(file): database_password_file is for a postgresql:// database")
            }
            guard let data = FileManager.default.contents(atPath: passwordFile),
                  let first = String(data: data, encoding: .utf8)?.split(separator: "\n", omittingEmptySubsequences: false).first,
                  !first.isEmpty
            else { throw ConfigurationError("\(file): database_password_file '\(passwordFile)' cannot be read or is empty") }
            password = String(first.hasSuffix("\r") ? first.dropLast() : first)
        }
        do { c.store = try StoreLocation.parse(c.database, password: password, statementTimeoutMilliseconds: c.databaseStatementTimeout) }
        catch { throw ConfigurationError("\(file): database: \(error)") }
        if c.channelSecret.isEmpty { throw ConfigurationError("\(file): 'channel_secret' or 'channel_secret_file' is required") }
        if c.adminAuth == .password && c.adminPasswordHash == nil {
            throw ConfigurationError("\(file): admin_auth = password needs admin_password_hash (make one with: linepay admin-password)")
        }
        if c.confirmURLType == .SERVER && !c.publicBaseURL.hasPrefix("https://") && !isLoopbackURL(c.publicBaseURL) {
            throw ConfigurationError("\(file): confirm_url_type = SERVER needs an https public_base_url")
        }
        if c.confirmURLType == .SERVER {
            // LINE Pay's own call to confirmUrl gives up after 20 s and we answer it after our Confirm: bound Confirm well inside.
            c.timeouts.readOverrides[.confirm] = c.timeouts.readOverrides[.confirm] ?? serverConfirmReadTimeout
            if c.timeouts.connect + c.timeouts.read(.confirm) > .seconds(17) {
                throw ConfigurationError("\(file): connect_timeout + read_timeout_confirm must be at most 17 with confirm_url_type = SERVER (LINE Pay waits 20 s for confirmUrl; default 5 + 12)")
            }
        }
        return c
    }

    /// The LINE Pay client configuration this file describes.
    public var linePay: LinePayConfiguration {
        LinePayConfiguration(channelId: channelId, channelSecret: channelSecret, environment: .custom(apiBaseURL),
                             apiVersion: apiVersion, timeouts: timeouts)
    }

    /// The notifier for this shop over `store`, or nil when no notify_url is set.
    public func notifier(store: OrderStore) -> Notifier? {
        notifyURL.map { Notifier(notifyURL: $0, handoffSecret: handoffSecret, store: store) }
    }

    /// The payment core's view of this configuration.
    public var checkout: CheckoutSettings {
        var s = CheckoutSettings(publicBaseURL: publicBaseURL, capture: capture, payType: payType, confirmURLType: confirmURLType,
                                 checkConfirmURLBrowser: checkConfirmURLBrowser, shopName: shopName, locale: locale, linePay: linePay,
                                 reconcileMinAge: reconcileMinAge)
        s.shippingFeeInquiryType = shippingFeeInquiryType
        return s
    }

    /// The path of the location block (`/linepay`), from public_base_url: links in pages start with it.
    public var basePath: String {
        let path = URLComponents(string: publicBaseURL)?.path ?? ""
        return path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}

/// Confirm's read timeout under confirm_url_type = SERVER: our answer to LINE Pay's 20 s call waits for it.
let serverConfirmReadTimeout: Duration = .seconds(12)

/// A configuration problem, naming the file, line and key; it never holds a secret's value.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// "scheme://host[:port]" of an http(s) URL, lower-cased, without a default port; nil when it is none.
public func webOrigin(_ url: String) -> String? {
    guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), scheme == "https" || scheme == "http",
          let host = c.host?.lowercased(), !host.isEmpty else { return nil }
    let port = c.port.flatMap { (scheme == "https" && $0 == 443) || (scheme == "http" && $0 == 80) ? nil : $0 }
    let h = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    return "\(scheme)://\(h)" + (port.map { ":\($0)" } ?? "")
}

/// An absolute https URL, or http on loopback when allowed.
public func isHTTPURL(_ s: String, allowHTTPOnLoopback: Bool) -> Bool {
    guard let c = URLComponents(string: s), let scheme = c.scheme?.lowercased(), let host = c.host, !host.isEmpty else { return false }
    if scheme == "https" { return true }
    return scheme == "http" && allowHTTPOnLoopback && isLoopbackHost(host)
}

/// Whether the URL's host is loopback.
public func isLoopbackURL(_ s: String) -> Bool { URLComponents(string: s)?.host.map(isLoopbackHost) ?? false }

/// localhost, 127.x or ::1.
public func isLoopbackHost(_ host: String) -> Bool {
    let h = host.lowercased()
    return h == "localhost" || h.hasPrefix("127.") || h == "::1" || h == "[::1]"
}

/// `text` without leading and trailing spaces and tabs (what CharacterSet.whitespaces trims), in Swift alone: the
/// config is parsed on every CGI run, and bridging to NSString per line was a visible part of it.
func trimmedSpaces(_ text: Substring) -> String {
    func isSpace(_ c: Character) -> Bool {
        c.unicodeScalars.allSatisfy { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
    }
    guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
    return String(text[first...last])
}
