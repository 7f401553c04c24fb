import SQLite

/// One line of the append-only event log.
public struct Event: Sendable, Equatable {
    /// Increasing with time of writing.
    public var id: Int64
    /// The order it concerns (Order.rowId), if any.
    public var orderRowId: Int64?
    /// When it happened (Unix seconds).
    public var at: Int64
    /// What happened: "state.paid", "session.rebound", or a caller's own kind.
    public var kind: String
    /// Who did it: "system", "shopper", "admin:<name>", "reconcile"...
    public var actor: String
    /// A short human-readable text (never secrets).
    public var detail: String

    init(row: SQLiteRow) throws {
        id = try row.requiredInt("id", table: "events")
        orderRowId = row.int("order_row")
        at = try row.requiredInt("at", table: "events")
        kind = try row.requiredText("kind", table: "events")
        actor = try row.requiredText("actor", table: "events")
        detail = try row.requiredText("detail", table: "events")
    }
}
