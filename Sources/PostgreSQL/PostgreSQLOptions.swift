import Foundation

/// Where and how to connect: a `postgresql://user@host:port/dbname?sslmode=...` URL (passed to libpq as is, so
/// every parameter libpq knows works, TLS included), the password apart from it, and the per-session bounds.
public struct PostgreSQLOptions: Sendable {
    /// The URL, without a password (`PostgreSQLOptions.init` refuses one in it).
    public let url: String
    /// From `database_password_file`; nil to let libpq use ~/.pgpass, PGPASSWORD or a password-less method.
    public let password: String?
    /// statement_timeout for every statement of the session (0: none, for `linepay migrate`).
    public let statementTimeoutMilliseconds: Int
    /// libpq's connect_timeout.
    public let connectTimeoutSeconds: Int

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isURL(_ text: String) -> Bool { text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") }

    /// Checks the URL's shape; a password written in it is refused (it would end up in logs and `ps`), without
    /// repeating it in the error.
    public init(url: String, password: String? = nil, statementTimeoutMilliseconds: Int = 10_000,
                connectTimeoutSeconds: Int = 5) throws {
        guard Self.isURL(url), let c = URLComponents(string: url) else {
            throw PostgreSQLError(sqlState: "08001", message: "the database URL must look like postgresql://user@host:5432/dbname")
        }
        guard c.password == nil else {
            throw PostgreSQLError(sqlState: "08001", message: "the database URL must not hold a password: put it in database_password_file")
        }
        self.url = url
        self.password = password
        self.statementTimeoutMilliseconds = max(0, statementTimeoutMilliseconds)
        self.connectTimeoutSeconds = max(1, connectTimeoutSeconds)
    }

    /// "user@host:port/dbname" for messages (the URL without its query, which may hold key file paths).
    public var target: String {
        guard let c = URLComponents(string: url) else { return "postgresql" }
        let host = c.host.map { $0.isEmpty ? "localhost" : $0 } ?? "localhost"
        return (c.user.map { "\($0)@" } ?? "") + host + (c.port.map { ":\($0)" } ?? "") + c.path
    }

    /// The same server and options, another database (tests, `linepay migrate` creating its target).
    public func database(_ name: String) throws -> PostgreSQLOptions {
        guard var c = URLComponents(string: url) else { return self }
        c.path = "/" + name
        return try PostgreSQLOptions(url: c.string ?? url, password: password,
                                     statementTimeoutMilliseconds: statementTimeoutMilliseconds,
                                     connectTimeoutSeconds: connectTimeoutSeconds)
    }
}
