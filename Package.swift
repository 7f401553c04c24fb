// swift-tools-version:6.0
// LINE Pay for existing web shops: a signing/API library, a FastCGI checkout responder and a local sandbox.
// No Swift package dependencies: only Debian's C libraries through the system-library targets below.
import PackageDescription

let package = Package(
    name: "linepay-fcgi",
    products: [
        .library(name: "LinePay", type: .dynamic, targets: ["LinePay"]),
        .library(name: "LinePayTesting", targets: ["LinePayTesting"]),
        .executable(name: "linepay-fcgi", targets: ["linepay-fcgi"]),
        .executable(name: "linepay", targets: ["linepay"]),
        .executable(name: "linepay-sandbox", targets: ["linepay-sandbox"]),
    ],
    targets: [
        // C libraries from Debian (libfcgi-dev, libsqlite3-dev, libssl-dev, libcurl4-openssl-dev, libpq-dev).
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi"),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3"),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto"),
        // libcurl and libpq are opened with dlopen on first use (Debian's headers, no link): a CGI /status on SQLite
        // never maps them and their ~30 dependencies (TLS, LDAP, Kerberos), 5 ms of every CGI run.
        .target(name: "CCurl"),
        .target(name: "CPostgreSQL"),

        // The LINE Pay Online API v3 client: signing, typed endpoints, outcomes. Knows nothing of FastCGI or SQLite.
        .target(name: "LinePay", dependencies: ["COpenSSL", "CCurl"]),
        // An in-memory, scripted LINE Pay for tests (ours and a shop's): a LinePayTransport with faults and a clock.
        .target(name: "LinePayTesting", dependencies: ["LinePay"]),
        // A thin Swift face on SQLite: one connection, prepared statements, transactions.
        // The values, rows and connection protocol the store is written against, shared by both databases.
        .target(name: "DatabaseCore", dependencies: []),
        .target(name: "SQLite", dependencies: ["CSQLite", "DatabaseCore"]),
        // A thin Swift face on libpq: one connection per thread, `?` SQL, reconnect with backoff, SQLSTATE errors.
        .target(name: "PostgreSQL", dependencies: ["CPostgreSQL", "DatabaseCore"]),
        // A thin Swift face on libfcgi: threaded accept loop, CGI fallback, request/response as plain data.
        .target(name: "FastCGI", dependencies: ["CFastCGI"]),
        // The local LINE Pay v3 simulator: checks signatures, keeps transactions, plays the shopper, injects faults.
        .target(name: "LinePaySandbox", dependencies: ["LinePay", "SQLite", "FastCGI", "LinePayPages"]),

        // Orders, items, sessions, the event log and the notification outbox in SQLite; every change conditional.
        .target(name: "LinePayStore", dependencies: ["SQLite", "PostgreSQL", "LinePay"]),
        // The payment core: the order's state machine, after-sale operations and the reconciler. No HTTP, no pages.
        .target(name: "LinePayCheckout", dependencies: ["LinePay", "LinePayStore"]),
        // The responder's configuration file (every key checked) and the admin password hash: shared by linepay-fcgi and linepay.
        .target(name: "LinePayConfig", dependencies: ["LinePay", "LinePayStore", "LinePayCheckout", "COpenSSL"]),
        // Server-rendered pages in en, ja, zh_TW and th: pure functions from view values to HTML.
        .target(name: "LinePayPages", dependencies: []),
        // The checkout responder: config, routes, use cases (reserve, confirm once, cancel, settle), notifications.
        .target(name: "LinePayResponder", dependencies: ["LinePay", "LinePayStore", "LinePayCheckout", "LinePayConfig", "LinePayPages", "FastCGI", "COpenSSL"]),

        // The Makefile builds them with --static-swift-stdlib: the Swift runtime and Foundation inside, so a CGI run or
        // a start-up maps one file instead of a dozen shared libraries and binds no symbols at run time.
        .executableTarget(name: "linepay-fcgi", dependencies: ["LinePayResponder", "LinePayConfig", "FastCGI"]),
        .executableTarget(name: "linepay", dependencies: ["LinePayConfig", "LinePayCheckout", "LinePayStore", "LinePay", "LinePayPages"]),
        .executableTarget(name: "linepay-sandbox", dependencies: ["LinePaySandbox", "FastCGI"]),

        // Helpers shared by the test targets: loopback servers, nginx harness, process runner.
        .target(name: "TestSupport", dependencies: [], path: "Tests/TestSupport"),
        .testTarget(name: "LinePayTests", dependencies: ["LinePay", "TestSupport"]),
        .testTarget(name: "LinePayTestingTests", dependencies: ["LinePayTesting", "LinePay"]),
        .testTarget(name: "FastCGITests", dependencies: ["FastCGI", "SQLite", "TestSupport"]),
        .testTarget(name: "LinePayStoreTests", dependencies: ["LinePayStore", "PostgreSQL", "LinePay", "TestSupport"]),
        .testTarget(name: "LinePayPagesTests", dependencies: ["LinePayPages"]),
        .testTarget(name: "LinePayResponderTests", dependencies: ["LinePayResponder", "LinePayConfig", "LinePayCheckout", "LinePayStore", "LinePay", "FastCGI", "TestSupport"]),
        .testTarget(name: "LinePayAdminTests", dependencies: ["LinePayResponder", "LinePayConfig", "LinePayCheckout", "LinePayStore", "LinePay", "TestSupport"]),
        .testTarget(name: "LinePayCheckoutTests", dependencies: ["LinePayCheckout", "LinePayStore", "LinePay", "LinePayTesting", "TestSupport"]),
        .testTarget(name: "LinePaySandboxTests", dependencies: ["LinePaySandbox", "LinePay", "FastCGI", "TestSupport"]),
    ]
)
