import FastCGI
import Foundation
import LinePay
import SQLite

/// Check regKey, expire regKey and pay preapproved: payments without the shopper, on a key confirm issued.
extension SandboxWorker {
    // MARK: preapproved

    private func regKeyRow(_ key: String, _ channel: SandboxChannel) throws -> SQLiteRow {
        guard let row = try store.db.queryOne("SELECT * FROM reg_keys WHERE reg_key = ? AND channel_id = ?", [.text(key), .text(channel.id)])
        else { throw ParameterError("1190", "no regKey \(key)") }
        if row.text("status") == "expired" { throw ParameterError("1193", "regKey \(key) expired") }
        return row
    }

    func checkRegKey(_ key: String, channel: SandboxChannel) throws -> APIAnswer {
        _ = try regKeyRow(key, channel)
        return APIAnswer(code: "0000", message: "Success.")
    }

    func expireRegKey(_ key: String, channel: SandboxChannel) throws -> APIAnswer {
        try store.db.immediateTransaction {
            _ = try regKeyRow(key, channel)
            try store.db.run("UPDATE reg_keys SET status = 'expired' WHERE reg_key = ?", [.text(key)])
            return APIAnswer(code: "0000", message: "Success.")
        }
    }

    func payPreapproved(_ key: String, _ body: [UInt8], channel: SandboxChannel, provider: JSONText?) throws -> APIAnswer {
        let b = try decode(PreapprovedBody.self, body)
        return try store.db.immediateTransaction {
            let row = try regKeyRow(key, channel)
            // Pay preapproved's list has no 1178 or 1183: a currency or amount it cannot take is a parameter error.
            guard let cur = Currency(rawValue: b.currency) else { throw ParameterError("2101", "unsupported currency \(b.currency)") }
            try length(b.productName, 4000, "productName", required: true)
            try length(b.orderId, 100, "orderId", required: true)
            if b.amount <= 0 { throw ParameterError("2101", "amount must be greater than 0") }
            try scale(b.amount, cur, "amount")
            if row.text("currency") != b.currency { throw ParameterError("2101", "currency differs from the regKey's") }
            let id = newTransactionID()
            let capture = b.capture != false
            let expiresAt: Int64? = capture ? nil : now + Self.authorizationLifetime
            do {
                try store.db.run("""
                    INSERT INTO transactions (id, channel_id, order_id, amount, currency, product_name, packages_json, confirm_url,
                      confirm_url_type, cancel_url, capture, pay_type, locale, check_browser, status, created_at, access_token,
                      authorized_amount, captured_amount, reg_key, confirmed_at, authorization_expires_at)
                    VALUES (?,?,?,?,?,?,'[]','','NONE','',?,'PREAPPROVED','en',0,?,?,?,?,?,?,?,?)
                    """, [.integer(id), .text(channel.id), .text(b.orderId), .text(Money.format(b.amount)), .text(cur.rawValue),
                          .text(b.productName), .integer(capture ? 1 : 0), .text(capture ? "captured" : "authorized"), .integer(now),
                          .text("pre-\(id)"), .text(Money.format(b.amount)), .text(capture ? Money.format(b.amount) : "0"), .text(key), .integer(now), SQLiteValue(expiresAt)])
            } catch let e as SQLiteError where e.isConstraint {
                throw ParameterError("1172", "orderId \(b.orderId) already used")
            }
            return APIAnswer(code: "0000", message: "Success.", info: .object([
                ("orderId", .string(b.orderId)), ("transactionId", .id(id)), ("transactionDate", .string(isoDate(now))),
                ("authorizationExpireDate", expiresAt.map { .string(isoDate($0)) }), ("paymentProvider", provider),
            ]))
        }
    }
}
