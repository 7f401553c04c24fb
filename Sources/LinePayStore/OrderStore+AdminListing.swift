import Foundation
import LinePay
import SQLite

/// The admin order list and the sales chart. Each search shape is pinned to an index with INDEXED BY, so that a
/// million orders answer in the time of a page (`orderQueryPlan` shows it; a test checks no table scan and no
/// temporary sort), and pages continue from a cursor (keyset) rather than an OFFSET that reads what it skips.
extension OrderStore {
    /// One page of orders matching `filter`: newest first, or in orderId order for a prefix search.
    public func orders(_ filter: OrderFilter, limit: Int, after: OrderCursor? = nil) throws -> OrderPage {
        let limit = max(1, min(limit, 500))
        let (sql, bindings) = Self.orderQuery(filter, limit: limit + 1, after: after)
        // A list shows no items: rows are read without them (an order page reads them).
        var orders = try connection.query(sql, bindings).map { try Order(row: $0, items: []) }
        var next: OrderCursor? = nil
        if orders.count > limit {
            orders.removeLast()
            if let last = orders.last { next = filter.byOrderId ? .orderId(last.orderId) : .created(last.createdAt, last.rowId) }
        }
        var open: [Int64: AfterSaleOperation] = [:]
        if !orders.isEmpty {
            let ids = orders.map(\.rowId)
            for row in try connection.query(Self.operationSelect + """
                 WHERE p.state IN ('pending', 'unknown') AND p.order_row IN (\(placeholders(ids.count)))
                """, ids.map { .integer($0) }) {
                let op = try AfterSaleOperation(row: row)
                open[op.orderRowId] = op
            }
        }
        return OrderPage(orders: orders, openOperations: open, next: next)
    }

    /// SQLite's plan for the query `orders(filter, ...)` runs, one line per step (EXPLAIN QUERY PLAN's `detail`).
    public func orderQueryPlan(_ filter: OrderFilter, after: OrderCursor? = nil) throws -> [String] {
        let (sql, bindings) = Self.orderQuery(filter, limit: 51, after: after)
        return try connection.query("EXPLAIN QUERY PLAN " + sql, bindings).compactMap { $0.text("detail") }
    }

    /// The SQL for a page. A prefix is a range on the unique orderId index; a transaction id an equality on its
    /// unique index; otherwise (state, created_at) or created_at, walked backwards from the cursor.
    static func orderQuery(_ f: OrderFilter, limit: Int, after: OrderCursor?) -> (String, [SQLiteValue]) {
        var conditions: [String] = []
        var bindings: [SQLiteValue] = []
        let index: String
        let order: String
        if let tx = f.transactionId {
            index = "orders_transaction_id"
            order = "id DESC"
            conditions.append("transaction_id = ?"); bindings.append(.integer(tx))
        } else if let prefix = f.orderIdPrefix, !prefix.isEmpty {
            index = f.state == nil ? "orders_order_id" : "orders_state_order"
            order = "order_id"
            if let state = f.state { conditions.append("state = ?"); bindings.append(.text(state.rawValue)) }
            // Order ids are A-Z a-z 0-9 _ -: every one starting with the prefix sorts below prefix + "~".
            conditions.append("order_id >= ? AND order_id < ?"); bindings += [.text(prefix), .text(prefix + "~")]
            if case .orderId(let last) = after { conditions.append("order_id > ?"); bindings.append(.text(last)) }
        } else {
            index = f.state == nil ? "orders_created" : "orders_state_created"
            order = "created_at DESC, id DESC"
            if let state = f.state { conditions.append("state = ?"); bindings.append(.text(state.rawValue)) }
            if case .created(let at, let row) = after {
                // A range on created_at the index can seek to, then the tie-break on id.
                conditions.append("created_at <= ? AND (created_at < ? OR id < ?)")
                bindings += [.integer(at), .integer(at), .integer(row)]
            }
        }
        if let from = f.from { conditions.append("created_at >= ?"); bindings.append(.integer(from)) }
        if let to = f.to { conditions.append("created_at < ?"); bindings.append(.integer(to)) }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        bindings.append(.integer(Int64(limit)))
        return ("SELECT * FROM orders INDEXED BY \(index)\(whereClause) ORDER BY \(order) LIMIT ?", bindings)
    }

    /// Net sales (captured minus refunded) per UTC day and currency, for orders created since `since` (the
    /// `daily_sales` table the schema's triggers keep, in exact integer hundredths).
    public func dailySales(since: Int64) throws -> [DailySales] {
        try connection.query("""
            SELECT day, currency, net, orders FROM daily_sales WHERE day >= ? AND orders > 0 ORDER BY day, currency
            """, [.integer(since / 86400)]).map { row in
            DailySales(day: try row.requiredInt("day", table: "daily_sales") * 86400, currency: try row.requiredText("currency", table: "daily_sales"),
                       net: Decimal(try row.requiredInt("net", table: "daily_sales")) / 100, orders: Int(row.int("orders") ?? 0))
        }
    }
}
