/// Why the store refused to open or to do something (a lost race is not an error: methods return false or nil).
public enum OrderStoreError: Error, Equatable, CustomStringConvertible {
    /// A PRAGMA the store depends on is not in effect (e.g. WAL refused on a network filesystem).
    case pragma(name: String, expected: String, actual: String)
    /// The file was migrated by a newer version; this one would misread its schema.
    case schemaTooNew(found: Int, supported: Int)
    /// A stored value does not decode (money text, state name): refuse rather than guess.
    case corrupt(table: String, column: String, value: String)
    /// An orderId the store does not hold.
    case unknownOrder(String)
    /// A transition was asked from a state it must never leave that way (it would lose track of money).
    case forbiddenTransition(from: OrderState, to: OrderState)
    /// `linepay migrate` refused or found a difference (nothing was kept).
    case copy(String)

    /// One line for logs.
    public var description: String {
        switch self {
        case let .pragma(name, expected, actual): return "PRAGMA \(name) is \(actual), expected \(expected)"
        case let .schemaTooNew(found, supported):
            return "database schema version \(found) is newer than this program's \(supported)"
        case let .corrupt(table, column, value): return "\(table).\(column) holds an unreadable value \(value)"
        case let .unknownOrder(orderId): return "no order \(orderId)"
        case let .forbiddenTransition(from, to): return "an order may not go from \(from.rawValue) to \(to.rawValue)"
        case let .copy(reason): return "migrate: \(reason)"
        }
    }
}
