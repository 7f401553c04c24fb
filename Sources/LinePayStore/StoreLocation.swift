import PostgreSQL

/// Which database a store opens: the `database` setting, a SQLite file path or a `postgresql://` URL.
public enum StoreLocation: Sendable {
    /// One SQLite file for one machine (WAL, synchronous=FULL, the busy timeout).
    case sqlite(path: String, busyTimeoutMilliseconds: Int32 = 5000)
    /// A PostgreSQL database shared by several machines.
    case postgresql(PostgreSQLOptions)

    /// Whether a `database` value is a PostgreSQL URL (postgresql:// or postgres://) rather than a file.
    public static func isPostgreSQL(_ database: String) -> Bool { PostgreSQLOptions.isURL(database) }

    /// The location a `database` value names; `password` only for a URL (from `database_password_file`).
    public static func parse(_ database: String, password: String? = nil, statementTimeoutMilliseconds: Int = 10_000) throws -> StoreLocation {
        guard PostgreSQLOptions.isURL(database) else { return .sqlite(path: database) }
        return .postgresql(try PostgreSQLOptions(url: database, password: password,
                                                 statementTimeoutMilliseconds: statementTimeoutMilliseconds))
    }

    /// For messages: the file, or user@host:port/dbname (never a password).
    public var description: String {
        switch self {
        case .sqlite(let path, _): return path
        case .postgresql(let options): return "postgresql://" + options.target
        }
    }
}
