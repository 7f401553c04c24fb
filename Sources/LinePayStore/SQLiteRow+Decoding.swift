import Foundation
import LinePay
import SQLite

/// Strict column readers: a value that does not decode is an error, never a default (a 0 amount is a wrong amount).
extension SQLiteRow {
    func requiredInt(_ column: String, table: String) throws -> Int64 {
        guard let v = int(column) else { throw OrderStoreError.corrupt(table: table, column: column, value: "\(self[column])") }
        return v
    }

    func requiredText(_ column: String, table: String) throws -> String {
        guard let v = text(column) else { throw OrderStoreError.corrupt(table: table, column: column, value: "\(self[column])") }
        return v
    }

    func money(_ column: String, table: String) throws -> Decimal {
        guard let t = text(column), let v = Money.parse(t) else {
            throw OrderStoreError.corrupt(table: table, column: column, value: "\(self[column])")
        }
        return v
    }

    func state(_ column: String, table: String) throws -> OrderState {
        guard let t = text(column), let v = OrderState(rawValue: t) else {
            throw OrderStoreError.corrupt(table: table, column: column, value: "\(self[column])")
        }
        return v
    }
}
