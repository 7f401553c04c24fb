import FastCGI
import Foundation
import LinePay
import LinePayConfig
import LinePayCheckout
import LinePayPages
import LinePayStore

/// One thread's responder: its own OrderStore; routes a request to a use case and the use case's result to a page.
final class ResponderWorker {
    let responder: Responder
    /// The payment core over this thread's store.
    let core: PaymentCore
    var store: OrderStore { core.store }
    var configuration: ResponderConfiguration { responder.configuration }
    var client: LinePayClient { responder.client }

    static let sessionCookie = "lp_session"

    init(responder: Responder, core: PaymentCore) {
        self.responder = responder
        self.core = core
    }

    func handle(_ request: FastCGIRequest) -> FastCGIResponse {
        let now = unixNow()
        var response: FastCGIResponse
        do {
            response = try route(request, now: now)
        } catch {
            // A store or encoding failure: a clear page, no internals (the log line has them, never a secret).
            FileHandle.standardError.write(Data("linepay-fcgi: \(request.method) \(request.pathInfo): \(error)\n".utf8))
            response = page(503, Pages.error(context(request, order: nil), kind: .unavailable,
                                              message: "The payment service is busy. Please try again in a moment."))
        }
        return secured(response, request)
    }

    /// A shopper's route: this worker, the request, the pattern's parts, the clock.
    typealias Handler = @Sendable (ResponderWorker, FastCGIRequest, [String: String], Int64) throws -> FastCGIResponse

    /// Every URL below the location block; /admin has its own table (AdminRoutes.swift).
    static let routes: RouteTable<Handler> = {
        var t = RouteTable<Handler>()
        t.add("POST", "/checkout") { w, r, _, now in try w.checkout(r, now: now) }
        t.add("POST", "/pay") { w, r, _, now in try w.pay(r, now: now) }
        t.add("GET", "/confirm") { w, r, _, now in try w.confirm(r, now: now) }
        t.add("GET", "/cancel") { w, r, _, now in try w.cancel(r, now: now) }
        t.add("GET", "/status") { w, r, _, now in try w.status(r, now: now) }
        t.add("GET", "/result") { w, r, _, now in try w.result(r, now: now) }
        t.add("POST", "/shipping-methods") { w, r, _, now in try w.shippingMethods(r, now: now) }
        t.add("GET", "/assets/:name") { w, r, p, _ in w.asset(p["name", default: ""], r) }
        for method in ["GET", "POST"] {
            t.add(method, "/admin") { w, r, _, now in try w.admin(r, now: now) }
            t.add(method, "/admin/*") { w, r, _, now in try w.admin(r, now: now) }
        }
        return t
    }()

    private func route(_ request: FastCGIRequest, now: Int64) throws -> FastCGIResponse {
        let path = request.pathInfo.isEmpty ? "/" : request.pathInfo
        switch Self.routes.match(method: request.method, path: path) {
        case .found(let handler, let params):
            return try handler(self, request, params, now)
        case .wrongMethod where path.hasPrefix("/admin"):
            return try admin(request, now: now)   // the admin pages answer their own 405 (after authentication)
        case .wrongMethod(let allowed):
            let message = allowed == ["POST"] ? "Use the shop's checkout button." : "This address does not take a \(request.method)."
            return page(405, Pages.error(context(request, order: nil), kind: .badRequest, message: message),
                        headers: [("Allow", allowed.joined(separator: ", "))])
        case .none:
            return page(404, Pages.error(context(request, order: nil), kind: .notFound, message: "There is no such page."))
        }
    }

    // MARK: sessions

    /// The caller's session, when its cookie names a live one.
    func session(_ request: FastCGIRequest, now: Int64) throws -> Session? {
        guard let id = callerSessionId(request) else { return nil }
        return try store.session(id: id, now: now)
    }

    /// The session id the caller's cookie stands for (live or not), when it has a well-formed one.
    func callerSessionId(_ request: FastCGIRequest) -> String? {
        guard let token = request.cookies[Self.sessionCookie], token.count == 64 else { return nil }
        return Self.sessionId(token)
    }

    /// Only a hash of the cookie is stored: a copy of the database does not let anyone act as a shopper.
    static func sessionId(_ token: String) -> String {
        lowerHex(hmacSHA256(key: Array("linepay-session".utf8), message: Array(token.utf8)))
    }

    func newSession(_ request: FastCGIRequest, now: Int64) throws -> (Session, String) {
        let token = lowerHex(secureRandomBytes(32))
        let csrf = lowerHex(secureRandomBytes(24))
        let session = try store.createSession(id: Self.sessionId(token), csrfToken: csrf, now: now, lifetime: configuration.sessionLifetime)
        var attributes = "Path=\(configuration.basePath.isEmpty ? "/" : configuration.basePath); HttpOnly; SameSite=Lax; Max-Age=\(configuration.sessionLifetime)"
        if request.isHTTPS || configuration.publicBaseURL.hasPrefix("https://") { attributes += "; Secure" }
        return (session, "\(Self.sessionCookie)=\(token); \(attributes)")
    }

    func isOwner(_ order: Order, _ request: FastCGIRequest, now: Int64) throws -> Bool {
        guard let s = try session(request, now: now) else { return false }
        return constantTimeEquals(Array(s.id.utf8), Array(order.sessionId.utf8))
    }

    // MARK: pages and responses

    func context(_ request: FastCGIRequest, order: Order?) -> PageContext {
        let language = PageLanguage.negotiate(preferred: order?.locale ?? configuration.locale, acceptLanguage: request.header("Accept-Language"))
        return PageContext(language: language, basePath: configuration.basePath, assetBase: configuration.basePath + "/assets",
                           shopName: configuration.shopName, returnURL: configuration.returnURL)
            .withAssetNames(responder.assets.linkedNames)
    }

    func view(_ order: Order) -> OrderView {
        OrderView(orderId: order.orderId, currency: order.currency,
                  items: order.items.map { LineItemView(name: $0.name, quantity: $0.quantity, unitPrice: Money.format($0.price),
                                                         lineTotal: Money.format($0.price * Decimal($0.quantity)), imageUrl: $0.imageUrl) },
                  shippingFee: order.shippingFee > 0 ? Money.format(order.shippingFee) : nil, total: Money.format(order.amount),
                  transactionId: order.transactionId.map(String.init), status: order.state.publicStatus)
    }

    /// The shop's return link: kind=return and the result's fields, signed with the return key (never valid as a
    /// notification: the shop takes money news from notifications only).
    func signedReturnURL(_ order: Order, now: Int64) -> String {
        let fields = [("orderId", order.orderId), ("status", order.state.publicStatus),
                      ("transactionId", order.transactionId.map(String.init) ?? ""), ("currency", order.currency),
                      ("amount", Money.format(order.amount))] + shippingFields(order, address: false) + [("ts", String(now))]
        let base = configuration.returnURL
        return base + (base.contains("?") ? "&" : "?") + SignedFields.signedMessage(.return, fields, secret: configuration.handoffSecret)
    }

    func page(_ status: Int, _ html: String, headers: [(String, String)] = []) -> FastCGIResponse {
        FastCGIResponse(status: status, headers: [("Content-Type", "text/html; charset=utf-8")] + headers, body: Array(html.utf8))
    }

    func redirect(_ location: String, status: Int = 303, headers: [(String, String)] = []) -> FastCGIResponse {
        FastCGIResponse(status: status, headers: [("Location", location)] + headers, body: [])
    }

    func json(_ status: Int, _ text: String) -> FastCGIResponse {
        FastCGIResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(text.utf8))
    }

    func asset(_ name: String, _ request: FastCGIRequest) -> FastCGIResponse {
        // The fingerprinted name (what pages link) may be cached for good: its content never changes under that name.
        let (file, fingerprinted) = responder.assets.lookup(name)
        guard let file else { return .text("not found\n", status: 404) }
        let headers = [("Content-Type", file.type), ("ETag", file.etag),
                       ("Cache-Control", fingerprinted ? "public, max-age=31536000, immutable" : "public, max-age=3600")]
        if request.header("If-None-Match") == file.etag { return FastCGIResponse(status: 304, headers: headers, body: []) }
        return FastCGIResponse(status: 200, headers: headers, body: file.body)
    }

    /// Security headers on every response; dynamic answers are never cached (they belong to one shopper).
    private func secured(_ response: FastCGIResponse, _ request: FastCGIRequest) -> FastCGIResponse {
        var r = response
        // The fixed headers are built once per process (Responder.securityHeaders), not per request.
        r.headers += responder.securityHeaders
        if request.isHTTPS { r.headers.append(("Strict-Transport-Security", "max-age=31536000")) }
        if !r.headers.contains(where: { $0.0 == "Cache-Control" }) { r.headers.append(("Cache-Control", "no-store")) }
        return r
    }

    /// LINE Pay's ids in query strings: digits only, exact (never through Double).
    func transactionId(_ request: FastCGIRequest) -> Int64? {
        guard let text = request.query.first(where: { $0.0 == "transactionId" })?.1 else { return nil }
        return TransactionID(text)?.rawValue
    }

    func queryValue(_ request: FastCGIRequest, _ name: String) -> String? {
        request.query.first { $0.0 == name }?.1
    }

    /// What marks a phone's User-Agent, lower-case (compared without regard to ASCII case).
    static let phoneMarkers = ["mobile", "android", "iphone", "ipad", "ipod", "line/", "windows phone"].map { Array($0.utf8) }

    /// A plain byte search: a regular expression here was compiled again on every Pay.
    func isPhone(_ request: FastCGIRequest) -> Bool {
        let agent = (request.header("User-Agent") ?? "").utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }
        return Self.phoneMarkers.contains { marker in
            agent.count >= marker.count && (0...(agent.count - marker.count)).contains { agent[$0..<($0 + marker.count)].elementsEqual(marker) }
        }
    }
}
