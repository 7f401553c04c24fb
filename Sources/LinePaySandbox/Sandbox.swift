import FastCGI
import Foundation
import LinePay
import LinePayPages
import SQLite

/// The local LINE Pay Online API simulator (v3 and v4). `makeHandler()` gives each FastCGI thread its own worker (its own SQLite
/// connection); Swift tests can call a worker's `handle` in-process or run it behind nginx.
public final class Sandbox: Sendable {
    public let configuration: SandboxConfiguration

    /// Opens (and migrates) the SQLite file once, so start-up fails early on a bad path.
    public init(configuration: SandboxConfiguration) throws {
        self.configuration = configuration
        _ = try SandboxStore(path: configuration.database)
    }

    /// A handler for one thread.
    public func makeHandler() throws -> (FastCGIRequest) -> FastCGIResponse {
        let worker = try SandboxWorker(configuration: configuration)
        return { worker.handle($0) }
    }
}

/// What one thread uses to answer: the configuration and its own store.
final class SandboxWorker {
    let configuration: SandboxConfiguration
    let store: SandboxStore
    let channels: [String: SandboxChannel]

    init(configuration: SandboxConfiguration) throws {
        self.configuration = configuration
        store = try SandboxStore(path: configuration.database)
        channels = Dictionary(configuration.channels.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    var now: Int64 { configuration.clock.now }

    func handle(_ request: FastCGIRequest) -> FastCGIResponse {
        let path = request.scriptName + request.pathInfo
        do {
            if path.hasPrefix("/v3/") || path.hasPrefix("/v4/") { return try api(request, path: path) }
            if path.hasPrefix("/sandbox/control/") { return try control(request, path: path) }
            if path.hasPrefix("/sandbox/pay/") { return try page(request, path: path) }
            if path == "/" || path == "/sandbox" || path == "/sandbox/" { return home() }
            return .text("not found\n", status: 404)
        } catch {
            // A store error: say so without details (no SQL, no secrets). The API answers as LINE Pay does, 9000 in
            // JSON (every endpoint lists it); the pages and the control API keep a plain 500.
            FileHandle.standardError.write(Data("linepay-sandbox: \(path): \(error)\n".utf8))
            if path.hasPrefix("/v3/") || path.hasPrefix("/v4/") {
                return FastCGIResponse(status: 200, headers: [("Content-Type", "application/json;charset=UTF-8")],
                                       body: Array(APIAnswer(code: "9000", message: "Internal error").body.utf8))
            }
            return .text("sandbox internal error\n", status: 500)
        }
    }

    /// The sandbox's own absolute URL for links it hands out.
    func baseURL(_ request: FastCGIRequest) -> String {
        if let u = configuration.publicURL { return u.hasSuffix("/") ? String(u.dropLast()) : u }
        let scheme = request.isHTTPS ? "https" : "http"
        let host = request.params["SERVER_ADDR"] ?? "127.0.0.1"
        let port = request.params["SERVER_PORT"] ?? (request.isHTTPS ? "443" : "80")
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(h):\(port)"
    }

    private func home() -> FastCGIResponse {
        .text("linepay-sandbox: LINE Pay Online API simulator. API under /v3/ and /v4/, shopper pages under /sandbox/pay/, control API under /sandbox/control/.\n")
    }
}

/// Appends LINE Pay's parameters to a merchant URL: orderId only if the URL does not carry it already; on a
/// SHIPPING payment's confirmUrl also shippingFeeAmount and shippingMethodId (002_...txt, confirmUrl).
func appendingParameters(_ url: String, transactionId: Int64, orderId: String, shipping: (methodId: String, fee: Decimal)? = nil) -> String {
    let hasOrder = url.contains("?orderId=") || url.contains("&orderId=")   // not a regular expression: one per approval
    var params = "transactionId=\(transactionId)"
    if !hasOrder { params += "&orderId=\(formEncode(orderId))" }
    if let shipping { params += "&shippingFeeAmount=\(Money.format(shipping.fee))&shippingMethodId=\(formEncode(shipping.methodId))" }
    return url + (url.contains("?") ? "&" : "?") + params
}

/// Percent-encodes a query value.
func formEncode(_ s: String) -> String {
    s.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? ""
}

/// ISO 8601 in UTC, as LINE Pay writes dates: `2026-12-01T09:30:00Z` (no ICU time zone data needed).
func isoDate(_ unix: Int64) -> String {
    let text = utcText(unix)   // "YYYY-MM-DD HH:MM:SS"
    return text.prefix(10) + "T" + text.suffix(8) + "Z"
}
