import FastCGI
import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayPages
import LinePayStore

/// Who is using /admin for this request, and the session that binds their CSRF token.
struct AdminIdentity {
    let user: String
    /// How the event log names them: "admin:NAME" (password mode) or "remote:NAME" (REMOTE_USER).
    let actor: String
    let session: AdminSession
    /// A Set-Cookie for a session created on this request (REMOTE_USER mode's first visit).
    let setCookie: String?
}

/// Authentication of /admin: the password login with throttling and the session cookie, or REMOTE_USER; and the
/// CSRF check every POST goes through.
extension ResponderWorker {
    static let adminCookie = "lp_admin"
    static let adminLoginCookie = "lp_admin_login"
    /// Login attempts allowed per client address within `loginWindow` seconds, counted before the password is
    /// hashed (the hash is the costly part); the next gets 429 without a hash. Kept apart from the per-user lock.
    static let maxAttemptsPerAddress = 10
    /// Failed logins allowed per user name (from any address) within the window: slows guessing from many addresses.
    static let maxFailuresPerUser = 20
    static let loginWindow: Int64 = 15 * 60

    /// The identity of the request, or the response to send instead (login redirect, 401, 403).
    func authenticate(_ request: FastCGIRequest, now: Int64) throws -> Result<AdminIdentity, AdminRefusal> {
        let session = try adminSession(request, now: now)
        switch configuration.adminAuth {
        case .off:
            return .failure(.notFound)
        case .password:
            if let session, sessionMatchesCredential(session) {
                return .success(AdminIdentity(user: session.user, actor: "admin:\(session.user)", session: session, setCookie: nil))
            }
            return .failure(request.method == "GET" ? .login : .unauthorized)
        case .remote_user:
            // Only the parameter the web server sets: a client's "Remote-User" header arrives as HTTP_REMOTE_USER.
            let user = (request.params["REMOTE_USER"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !user.isEmpty, user.utf8.count <= 200, !user.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                return .failure(.forbidden("The web server did not say who you are (REMOTE_USER is empty): /admin must sit behind "
                                           + "the web server's own authentication (see docs/admin.md)."))
            }
            if let session, sessionMatchesCredential(session), constantTimeEquals(Array(session.user.utf8), Array(user.utf8)) {
                return .success(AdminIdentity(user: user, actor: "remote:\(user)", session: session, setCookie: nil))
            }
            // A POST needs the session its form was made in: without it the CSRF token cannot be checked.
            guard request.method == "GET" else { return .failure(.forbidden("Your admin session has expired. Reload the page and try again.")) }
            let (created, cookie) = try newAdminSession(request, user: user, now: now)
            return .success(AdminIdentity(user: user, actor: "remote:\(user)", session: created, setCookie: cookie))
        }
    }

    /// Whether the POST's `csrf` field is the session's token (constant time).
    func csrfMatches(_ request: FastCGIRequest, _ identity: AdminIdentity) -> Bool {
        guard let sent = request.form.first(where: { $0.0 == "csrf" })?.1, !sent.isEmpty else { return false }
        return constantTimeEquals(Array(sent.utf8), Array(identity.session.csrfToken.utf8))
    }

    // MARK: Sessions

    func credentialFingerprint(user: String) -> String { configuration.adminCredentialFingerprint(user: user) }

    func sessionMatchesCredential(_ session: AdminSession) -> Bool {
        constantTimeEquals(Array(session.credential.utf8), Array(credentialFingerprint(user: session.user).utf8))
    }

    /// The client's address for throttling: REMOTE_ADDR, or `real_ip_header` when the request comes from one of
    /// `real_ip_from` (the proxy in front). Never a header by default: any client can send one.
    func clientAddress(_ request: FastCGIRequest) -> String {
        let remote = request.params["REMOTE_ADDR"] ?? ""
        guard let name = configuration.realIPHeader, configuration.realIPFrom.contains(remote),
              let value = request.header(name) else { return remote }
        // X-Forwarded-For lists every hop: the last is the one our proxy saw.
        let last = value.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let isAddress = !last.isEmpty && last.utf8.count <= 45 && last.utf8.allSatisfy { b in
            (b >= 48 && b <= 58) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102) || b == 46   // hex digits . :
        }
        return isAddress ? last : remote
    }

    func adminSession(_ request: FastCGIRequest, now: Int64) throws -> AdminSession? {
        guard let token = request.cookies[Self.adminCookie], token.count == 64 else { return nil }
        return try store.adminSession(id: Self.adminSessionId(token), now: now)
    }

    /// Only a keyed hash of the cookie is stored (another key than the shopper's sessions).
    static func adminSessionId(_ token: String) -> String {
        hex(hmacSHA256(key: Array("linepay-admin-session".utf8), message: Array(token.utf8)))
    }

    /// A fresh session (new random id, new CSRF token) and its cookie: HttpOnly, SameSite=Strict, Path=<base>/admin,
    /// Max-Age = admin_session_lifetime, Secure on https.
    func newAdminSession(_ request: FastCGIRequest, user: String, now: Int64) throws -> (AdminSession, String) {
        try store.deleteExpiredAdminSessions(now: now)
        let token = hex(secureRandomBytes(32))
        let id = Self.adminSessionId(token)
        try store.createAdminSession(id: id, user: user, csrfToken: hex(secureRandomBytes(24)), now: now,
                                     lifetime: configuration.adminSessionLifetime, credential: credentialFingerprint(user: user))
        guard let session = try store.adminSession(id: id, now: now) else { throw ConfigurationError("admin session was not stored") }
        return (session, adminCookie(Self.adminCookie, token, maxAge: configuration.adminSessionLifetime, request))
    }

    func adminCookie(_ name: String, _ value: String, maxAge: Int64, _ request: FastCGIRequest) -> String {
        var c = "\(name)=\(value); Path=\(configuration.basePath)/admin; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)"
        if request.isHTTPS || configuration.publicBaseURL.hasPrefix("https://") { c += "; Secure" }
        return c
    }

    // MARK: Login and logout (password mode)

    /// GET /admin/login: the form, with a pre-session CSRF token in a cookie and in the form.
    func loginPage(_ request: FastCGIRequest, now: Int64, status: Int = 200, message: String? = nil, throttled: Bool = false,
                   user: String = "", extraHeaders: [(String, String)] = []) throws -> FastCGIResponse {
        if status == 200, try adminSession(request, now: now) != nil { return redirect(adminURL("")) }
        let token = request.cookies[Self.adminLoginCookie].flatMap { $0.count == 48 ? $0 : nil } ?? hex(secureRandomBytes(24))
        let html = AdminPages.login(adminContext(nil), loginToken: token, user: user, message: message, throttled: throttled)
        return page(status, html, headers: [("Set-Cookie", adminCookie(Self.adminLoginCookie, token, maxAge: 1800, request))] + extraHeaders)
    }

    /// POST /admin/login: form token, throttle, then the password (PBKDF2, constant-time); a new session on success.
    func login(_ request: FastCGIRequest, now: Int64) throws -> FastCGIResponse {
        let form = Dictionary(request.form, uniquingKeysWith: { a, _ in a })
        guard let sent = form["csrf"], let expected = request.cookies[Self.adminLoginCookie], !expected.isEmpty,
              constantTimeEquals(Array(sent.utf8), Array(expected.utf8)) else {
            return page(403, AdminPages.message(adminContext(nil), title: "Forbidden",
                                                text: "This login form has expired or was not sent from this site. Load the login page again."))
        }
        let user = String((form["user"] ?? "").prefix(64))
        let password = form["password"] ?? ""
        let address = clientAddress(request)
        let addressKey = hex(hmacSHA256(key: Array("linepay-admin-throttle".utf8), message: Array(("address\n" + address).utf8)))
        let userKey = hex(hmacSHA256(key: Array("linepay-admin-throttle".utf8), message: Array(("user\n" + user.lowercased()).utf8)))
        // Cheap refusals first, so that no flood of POSTs can keep the cores hashing: a free hash slot (else 429 at
        // once), then the throttle, which records the attempt before the hash runs.
        guard password.utf8.count <= 1024 else { return try loginPage(request, now: now, status: 401, message: "Wrong user name or password.", user: user) }
        guard Responder.passwordHashSlots.tryAcquire() else {
            return try loginPage(request, now: now, status: 429, message: "The login is busy. Try again in a moment.", throttled: true,
                                 user: user, extraHeaders: [("Retry-After", "1")])
        }
        defer { Responder.passwordHashSlots.release() }
        switch try store.beginLoginAttempt(addressKey: addressKey, userKey: userKey, now: now, window: Self.loginWindow,
                                           addressLimit: Self.maxAttemptsPerAddress, userLimit: Self.maxFailuresPerUser) {
        case .throttled(let wait, let byAddress):
            let minutes = (wait + 59) / 60
            return try loginPage(request, now: now, status: 429,
                                 message: "Too many failed logins \(byAddress ? "from your address" : "for this user"). Wait \(minutes) minute\(minutes == 1 ? "" : "s") and try again.",
                                 throttled: true, user: user, extraHeaders: [("Retry-After", String(wait))])
        case .allowed:
            break
        }
        // Both checks always run, so the time taken does not tell whether the user name was right.
        let passwordOK = AdminPassword.verify(password: password, against: configuration.adminPasswordHash ?? "")
        let userOK = constantTimeEquals(Array(user.utf8), Array(configuration.adminUser.utf8))
        guard passwordOK && userOK else {
            return try loginPage(request, now: now, status: 401, message: "Wrong user name or password.", user: user)
        }
        try store.loginSucceeded(addressKey: addressKey, userKey: userKey)
        // A new session id at every login: a session id planted before login is never promoted.
        if let old = request.cookies[Self.adminCookie], old.count == 64 { try store.deleteAdminSession(id: Self.adminSessionId(old), now: now) }
        let (_, cookie) = try newAdminSession(request, user: configuration.adminUser, now: now)
        try store.appendEvent(orderId: nil, kind: "admin.login", actor: "admin:\(configuration.adminUser)",
                              detail: "logged in from \(address)", now: now)
        return redirect(adminURL(""), headers: [("Set-Cookie", cookie),
                                                ("Set-Cookie", adminCookie(Self.adminLoginCookie, "", maxAge: 0, request))])
    }

    /// POST /admin/logout (CSRF checked by the caller): the session is deleted and its cookie cleared. With
    /// `everywhere`, every admin session of this user ends (other browsers, a stolen cookie).
    func logout(_ request: FastCGIRequest, _ identity: AdminIdentity, everywhere: Bool = false, now: Int64) throws -> FastCGIResponse {
        if everywhere {
            let ended = try store.revokeAdminSessions(user: identity.user)
            try store.appendEvent(orderId: nil, kind: "admin.logout", actor: identity.actor,
                                  detail: "logged out everywhere (\(ended) session\(ended == 1 ? "" : "s"))", now: now)
        } else {
            try store.deleteAdminSession(id: identity.session.id, now: now)
            try store.appendEvent(orderId: nil, kind: "admin.logout", actor: identity.actor, detail: "logged out", now: now)
        }
        let clear = ("Set-Cookie", adminCookie(Self.adminCookie, "", maxAge: 0, request))
        if configuration.adminAuth == .password { return redirect(adminURL("/login"), headers: [clear]) }
        return page(200, AdminPages.message(adminContext(nil), title: "Logged out",
                                            text: "This admin session has ended. Your web server login is unchanged."), headers: [clear])
    }
}


/// Why a request gets no admin page.
enum AdminRefusal: Error {
    case notFound
    /// Password mode, GET without a session: to the login form.
    case login
    /// Password mode, POST without a session.
    case unauthorized
    case forbidden(String)
}

func hex(_ bytes: [UInt8]) -> String { lowerHex(bytes) }
