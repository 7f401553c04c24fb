import DatabaseCore

/// The store's view of a PostgreSQL connection: schema versions in a one-row `schema_version` table, migrations
/// under a session-level advisory lock.
extension PostgreSQLConnection: SQLDatabase {
    /// PostgreSQL's SQL.
    public var dialect: SQLDialect { .postgresql }

    /// The version in `schema_version`, 0 when the table does not exist yet (an empty database).
    public var userVersion: Int {
        get throws {
            guard try queryOne("SELECT to_regclass('schema_version') IS NOT NULL AS present")?.int("present") == 1 else { return 0 }
            return Int(try queryOne("SELECT version FROM schema_version")?.int("version") ?? 0)
        }
    }

    /// Writes the version (creating the table on the first step); called inside the migration's transaction.
    public func setUserVersion(_ version: Int) throws {
        try execute("""
            CREATE TABLE IF NOT EXISTS schema_version (one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL);
            INSERT INTO schema_version (one, version) VALUES (1, \(version))
              ON CONFLICT (one) DO UPDATE SET version = excluded.version;
            """)
    }

    /// pg_advisory_lock for the whole migration: the first process to start migrates, the others wait, then find
    /// the version current. Released even when a step fails (a session lock outlives a rolled-back transaction).
    public func withMigrationLock<T>(_ body: () throws -> T) throws -> T {
        try execute("SELECT pg_advisory_lock(\(Self.migrationLockKey))")
        defer { _ = try? execute("SELECT pg_advisory_unlock(\(Self.migrationLockKey))") }
        return try body()
    }
}
