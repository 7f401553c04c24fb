import FastCGI
import Foundation
import LinePay
import LinePayConfig
import LinePayCheckout
import LinePayPages
import LinePayStore

/// The checkout responder, shared by every thread: configuration, the LINE Pay client, the static assets.
/// `makeHandler()` gives each FastCGI thread a `ResponderWorker` with its own database connection (SQLite or PostgreSQL;
/// a PostgreSQL one reconnects by itself after a restart, and a request that finds it down gets the 503 page).
public final class Responder: Sendable {
    public let configuration: ResponderConfiguration
    let client: LinePayClient
    let assets: Assets
    /// The pages' policy: no inline script or style; forms (and the redirect after Pay) go to us or https, plus a
    /// plain-http local sandbox on loopback, whose payment page the phone redirect must be allowed to reach.
    let contentSecurityPolicy: String
    /// The security headers every response carries, CSP included: built once here.
    let securityHeaders: [(String, String)]
    /// Wakes the notifier when a handler queued a notification, so the shop hears at once.
    let notifierWakeup = DispatchSemaphore(value: 0)
    /// Password hashes allowed at once in this process: half the cores (at least one), so shoppers always have a core.
    /// Made at the first admin login (counting cores reads cgroup files, which a CGI /status need not pay for).
    static let passwordHashSlots = Slots(limit: ProcessInfo.processInfo.activeProcessorCount / 2)

    /// Checks that the assets load (and, unless `checkStore` is false, that the database opens), so start-up fails
    /// early and clearly. A CGI run passes false: it opens its one store in `serveCGI`.
    public init(configuration: ResponderConfiguration, checkStore: Bool = true) throws {
        self.configuration = configuration
        // Every LINE Pay call of this process (pages, reconciler) shares linepay_call_slots: a slow LINE Pay can hold
        // that many threads, never all of them.
        client = LinePayClient(configuration: configuration.linePay,
                               transport: LimitedTransport(CurlLinePayTransport(), slots: configuration.linePayCallSlots,
                                                           wait: .milliseconds(configuration.linePayCallWaitMilliseconds)))
        var formTargets = "'self' https:"
        if let c = URLComponents(string: configuration.apiBaseURL), c.scheme == "http", let host = c.host, isLoopbackHost(host) {
            formTargets += " http://\(host)" + (c.port.map { ":\($0)" } ?? "")
        }
        contentSecurityPolicy = "default-src 'self'; img-src 'self' https: data:; script-src 'self'; style-src 'self'; "
            + "frame-ancestors 'none'; form-action \(formTargets); base-uri 'none'"
        securityHeaders = [
            ("Content-Security-Policy", contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"), ("Referrer-Policy", "no-referrer"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ]
        assets = try Assets(directory: configuration.assetsDir)
        if checkStore { _ = try OrderStore(configuration.store) }
    }

    /// A handler for one thread (one OrderStore, one curl handle through the client's thread-local transport).
    public func makeHandler() throws -> (FastCGIRequest) -> FastCGIResponse {
        let worker = ResponderWorker(responder: self, core: makeCore(store: try OrderStore(configuration.store)))
        return { worker.handle($0) }
    }

    /// The payment core over `store`, acting as `actor`; its changes wake this process's notifier.
    public func makeCore(store: OrderStore, actor: String = "system") -> PaymentCore {
        let wakeup = notifierWakeup
        return PaymentCore(settings: configuration.checkout, client: client, store: store, actor: actor, wake: { wakeup.signal() })
    }

    /// Runs the reconciler every `reconcile_interval` seconds until `stop` returns true; one thread, its own store.
    /// Every process may run one: leases and conditional transitions keep each order settled by one of them.
    public func runReconciler(stop: @escaping @Sendable () -> Bool, wakeup: DispatchSemaphore = DispatchSemaphore(value: 0)) {
        guard configuration.reconcileInterval > 0 else { return }
        var store: OrderStore? = nil
        while !stop() {
            do {
                if store == nil { store = try OrderStore(configuration.store) }
                let report = try Reconciler(core: makeCore(store: store!)).run(now: unixNow())
                for line in report.lines where !line.contains(": still ") {
                    FileHandle.standardError.write(Data("linepay-fcgi: reconcile: \(line)\n".utf8))
                }
            } catch {
                FileHandle.standardError.write(Data("linepay-fcgi: reconcile: \(error)\n".utf8))
                store = nil   // reopen next time (the file may have been replaced or locked)
            }
            _ = wakeup.wait(timeout: .now() + .seconds(Int(configuration.reconcileInterval)))
        }
    }

    /// Delivers due notifications until `stop` returns true, and deletes expired shopper and admin sessions every
    /// `session_cleanup_interval` (issue 10, attack 6: replayed handoffs must not grow the database); one thread, its own store.
    public func runNotifier(stop: @escaping @Sendable () -> Bool) {
        guard let store = try? OrderStore(configuration.store) else { return }
        let notifier = configuration.notifier(store: store)
        var lastCleanUp: Int64 = 0
        while !stop() {
            let now = unixNow()
            notifier?.deliverDue(now: now)
            if now - lastCleanUp >= configuration.sessionCleanupInterval {
                lastCleanUp = now
                _ = try? store.deleteExpired(now: now, loginWindow: ResponderWorker.loginWindow)
            }
            _ = notifierWakeup.wait(timeout: .now() + 1)
        }
    }

    /// One plain-CGI request on one store: answer, close stdout so the web server can finish the shopper's response,
    /// then do what the background threads of a FastCGI process would: tell the shop what is due, clean up.
    public func serveCGI() throws {
        let store = try OrderStore(configuration.store)
        let worker = ResponderWorker(responder: self, core: makeCore(store: store))
        FastCGIServer.runCGI { worker.handle($0) }
        close(1)
        deliverNotificationsOnce(store: store)
    }

    /// A CGI run's background work, on its store: expired sessions cleaned up (an indexed DELETE, usually of
    /// nothing: CGI has no background loop) and what is due told to the shop; returns how many were delivered.
    @discardableResult
    func deliverNotificationsOnce(store: OrderStore) -> Int {
        _ = try? store.deleteExpired(now: unixNow(), loginWindow: ResponderWorker.loginWindow)
        return configuration.notifier(store: store)?.deliverDue(now: unixNow()) ?? 0
    }
}

/// The CSS and JS the pages link, read once at start-up and served with a validator.
struct Assets: Sendable {
    let files: [String: (body: [UInt8], type: String, etag: String)]
    /// linepay.css -> linepay.<16 hex of its SHA-256>.css: the names pages link (nginx/ and apache/ serve them from
    /// www/ with a year of caching; the responder serves them too, as the fallback).
    let linkedNames: [String: String]
    private let byLinkedName: [String: String]

    /// The file under `name`, plain or fingerprinted, and whether the name was the fingerprinted one.
    func lookup(_ name: String) -> (file: (body: [UInt8], type: String, etag: String)?, fingerprinted: Bool) {
        if let plain = byLinkedName[name] { return (files[plain], true) }
        return (files[name], false)
    }

    init(directory: String) throws {
        var files: [String: (body: [UInt8], type: String, etag: String)] = [:]
        var linked: [String: String] = [:]
        for (name, type) in [("linepay.css", "text/css; charset=utf-8"), ("linepay.js", "text/javascript; charset=utf-8")] {
            let path = (directory.isEmpty ? "www" : directory) + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError("assets_dir: \(path) cannot be read (set assets_dir to the folder holding linepay.css and linepay.js)")
            }
            let digest = lowerHex(hmacSHA256(key: [], message: Array(data)).prefix(8))
            files[name] = (Array(data), type, "\"\(digest)\"")
            let dot = name.lastIndex(of: ".")!
            linked[name] = "\(name[..<dot]).\(digest)\(name[dot...])"
        }
        self.files = files
        linkedNames = linked
        byLinkedName = Dictionary(uniqueKeysWithValues: linked.map { ($0.value, $0.key) })
    }
}

extension PageContext {
    /// The context linking the fingerprinted asset names.
    func withAssetNames(_ names: [String: String]) -> PageContext {
        var c = self
        c.assetNames = names
        return c
    }
}

