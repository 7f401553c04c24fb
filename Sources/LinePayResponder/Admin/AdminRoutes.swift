import FastCGI
import Foundation
import LinePay
import LinePayConfig
import LinePayCheckout
import LinePayPages
import LinePayStore

/// /admin: off (404) until `admin_auth` is configured. Every page needs an identity; every POST a CSRF token bound
/// to the admin session; every action a confirmation step, and it is written to the event log with who did it
/// and LINE Pay's answer. Responses carry `Server-Timing: app;dur=MS` (how long the responder took).
extension ResponderWorker {
    func admin(_ request: FastCGIRequest, now: Int64) throws -> FastCGIResponse {
        guard configuration.adminAuth != .off else {
            return page(404, Pages.error(context(request, order: nil), kind: .notFound, message: "There is no such page."))
        }
        let started = ContinuousClock.now
        var response = try adminRoute(request, now: now)
        let (s, atto) = (ContinuousClock.now - started).components
        response.headers.append(("Server-Timing", String(format: "app;dur=%.1f", Double(s) * 1000 + Double(atto) / 1e15)))
        return response
    }

    private func adminRoute(_ request: FastCGIRequest, now: Int64) throws -> FastCGIResponse {
        let rest = String(request.pathInfo.dropFirst("/admin".count))
        let parts = rest.split(separator: "/").map { percentDecode($0) }
        let method = request.method
        if parts == ["admin.css"] && method == "GET" { return stylesheet(request) }
        if parts == ["login"] && configuration.adminAuth == .password {
            switch method {
            case "GET": return try loginPage(request, now: now)
            case "POST": return try login(request, now: now)
            default: return page(405, AdminPages.message(adminContext(nil), title: "Not allowed", text: "Use GET or POST."), headers: [("Allow", "GET, POST")])
            }
        }
        let identity: AdminIdentity
        switch try authenticate(request, now: now) {
        case .success(let i): identity = i
        case .failure(.notFound): return page(404, Pages.error(context(request, order: nil), kind: .notFound, message: "There is no such page."))
        case .failure(.login): return redirect(adminURL("/login"))
        case .failure(.unauthorized):
            return page(401, AdminPages.message(adminContext(nil), title: "Log in first",
                                                text: "Your admin session has expired or you are not logged in. Log in and try again."))
        case .failure(.forbidden(let why)):
            return page(403, AdminPages.message(adminContext(nil), title: "Forbidden", text: why))
        }
        var response: FastCGIResponse
        if method == "POST" && !csrfMatches(request, identity) {
            response = page(403, AdminPages.message(adminContext(identity), title: "Forbidden",
                                                    text: "This form has expired or was not sent from the admin pages (CSRF token missing or wrong). Nothing was done. Reload the page and try again."))
        } else {
            response = try route(parts, method: method, request, identity, now: now)
        }
        if let cookie = identity.setCookie { response.headers.append(("Set-Cookie", cookie)) }
        return response
    }

    /// An admin route: this worker, the request, the signed-in admin, the pattern's parts, the clock.
    typealias AdminHandler = @Sendable (ResponderWorker, FastCGIRequest, AdminIdentity, [String: String], Int64) throws -> FastCGIResponse

    /// Every page below /admin (after authentication and, for POST, the CSRF check).
    static let adminRoutes: RouteTable<AdminHandler> = {
        var t = RouteTable<AdminHandler>()
        t.add("GET", "/") { w, _, id, _, now in try w.dashboard(id, now: now) }
        t.add("GET", "/orders") { w, r, id, _, _ in try w.orderList(r, id) }
        t.add("GET", "/orders/:id") { w, r, id, p, _ in try w.orderPage(p["id", default: ""], r, id) }
        for kind in [OperationKind.capture, .void, .refund] {
            t.add("GET", "/orders/:id/\(kind.rawValue)") { w, r, id, p, _ in try w.confirmOperation(p["id", default: ""], kind, r, id) }
            t.add("POST", "/orders/:id/\(kind.rawValue)") { w, r, id, p, now in try w.performOperation(p["id", default: ""], kind, r, id, now: now) }
        }
        t.add("POST", "/orders/:id/refresh") { w, r, id, p, now in try w.refreshOrder(p["id", default: ""], r, id, now: now) }
        t.add("GET", "/regkeys") { w, r, id, _, _ in try w.regKeyList(r, id, notice: nil) }
        for action in ["charge", "expire"] {
            t.add("GET", "/regkeys/:id/\(action)") { w, r, id, p, _ in try w.confirmRegKey(p["id", default: ""], action: action, r, id) }
        }
        for action in ["charge", "check", "expire"] {
            t.add("POST", "/regkeys/:id/\(action)") { w, r, id, p, now in try w.regKeyAction(p["id", default: ""], action: action, r, id, now: now) }
        }
        t.add("POST", "/logout") { w, r, id, _, now in try w.logout(r, id, now: now) }
        t.add("POST", "/logout-everywhere") { w, r, id, _, now in try w.logout(r, id, everywhere: true, now: now) }
        return t
    }()

    private func route(_ parts: [String], method: String, _ request: FastCGIRequest, _ identity: AdminIdentity, now: Int64) throws -> FastCGIResponse {
        switch Self.adminRoutes.match(method: method, path: "/" + parts.joined(separator: "/")) {
        case .found(let handler, let params):
            return try handler(self, request, identity, params, now)
        case .wrongMethod(let allowed):
            return page(405, AdminPages.message(adminContext(identity), title: "Not allowed", text: "This address does not take a \(method)."),
                        headers: [("Allow", allowed.joined(separator: ", "))])
        case .none:
            return page(404, AdminPages.message(adminContext(identity), title: "Not found", text: "There is no such admin page."))
        }
    }

    private func stylesheet(_ request: FastCGIRequest) -> FastCGIResponse {
        let body = Array(AdminStyle.css.utf8)
        let etag = "\"" + hex(Array(hmacSHA256(key: [], message: body).prefix(8))) + "\""
        let headers = [("Content-Type", "text/css; charset=utf-8"), ("ETag", etag), ("Cache-Control", "public, max-age=3600")]
        if request.header("If-None-Match") == etag { return FastCGIResponse(status: 304, headers: headers, body: []) }
        return FastCGIResponse(status: 200, headers: headers, body: body)
    }

    // MARK: Shared

    func adminURL(_ path: String) -> String { configuration.basePath + "/admin" + path }

    func adminContext(_ identity: AdminIdentity?) -> AdminContext {
        var c = AdminContext(basePath: configuration.basePath, shopName: configuration.shopName, user: identity?.user,
                             csrfToken: identity?.session.csrfToken, canLogOut: configuration.adminAuth == .password)
        c.assetNames = responder.assets.linkedNames
        return c
    }

    func formValue(_ request: FastCGIRequest, _ name: String) -> String? {
        request.form.first { $0.0 == name }?.1
    }

    /// 32 hex characters: what the forms carry as their idempotency key.
    static func isIdempotencyKey(_ s: String) -> Bool {
        s.utf8.count == 32 && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    static func newIdempotencyKey() -> String { hex(secureRandomBytes(16)) }

    // MARK: Dashboard

    func dashboard(_ identity: AdminIdentity, now: Int64) throws -> FastCGIResponse {
        let today = now / 86400 * 86400
        let since = today - 29 * 86400
        let sales = try store.dailySales(since: since)
        let series = Dictionary(grouping: sales, by: \.currency).keys.sorted().map { currency in
            let byDay = Dictionary(uniqueKeysWithValues: sales.filter { $0.currency == currency }.map { ($0.day, $0) })
            let days = (0..<30).map { i -> AdminSalesDay in
                let day = since + Int64(i) * 86400
                return AdminSalesDay(date: String(utcText(day).prefix(10)), net: byDay[day]?.net ?? 0, orders: byDay[day]?.orders ?? 0)
            }
            return (currency: currency, days: days)
        }
        let attention = try store.ordersNeedingAttention(limit: 50)
        var open: [Int64: AfterSaleOperation] = [:]
        for o in attention { if let op = try store.openOperation(orderRowId: o.rowId) { open[o.rowId] = op } }
        return page(200, AdminPages.dashboard(adminContext(identity), sales: series, attention: attention.map { row($0, open[$0.rowId]) }))
    }
}
