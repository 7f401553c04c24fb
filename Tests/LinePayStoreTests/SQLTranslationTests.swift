import PostgreSQL
import Testing

/// The store's `?` SQL as PostgreSQL receives it: only outside literals, quoted names and comments.
@Suite(.timeLimit(.minutes(5))) struct SQLTranslationTests {
    func pg(_ sql: String) -> String { SQLTranslation.postgreSQL(sql, quoting: ["user"]).sql }

    @Test func placeholdersAreNumberedOutsideQuotesAndComments() {
        #expect(pg("SELECT * FROM t WHERE a = ? AND b IN (?, ?)") == "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)")
        #expect(pg("SELECT '?', \"a?\", 'it''s ?' FROM t WHERE x = ? -- what?\n AND y = ?")
                == "SELECT '?', \"a?\", 'it''s ?' FROM t WHERE x = $1 -- what?\n AND y = $2")
        #expect(SQLTranslation.postgreSQL("UPDATE t SET a = ? WHERE b = ?").parameters == 2)
    }

    @Test func aParameterOnlyTestedForNullIsTyped() {
        #expect(pg("WHERE (? IS NULL OR transaction_id = ?)") == "WHERE (CAST($1 AS TEXT) IS NULL OR transaction_id = $2)")
        #expect(pg("WHERE ? is not null") == "WHERE CAST($1 AS TEXT) is not null")
        #expect(pg("WHERE ? = x IS NULL") == "WHERE $1 = x IS NULL")
    }

    @Test func sqliteHintsGoAndReservedColumnNamesAreQuoted() {
        #expect(pg("SELECT * FROM orders INDEXED BY orders_created WHERE id < ?") == "SELECT * FROM orders  WHERE id < $1")
        #expect(pg("INSERT INTO admin_sessions (id, user) VALUES (?, ?)") == "INSERT INTO admin_sessions (id, \"user\") VALUES ($1, $2)")
        #expect(pg("DELETE FROM admin_sessions WHERE user = ?") == "DELETE FROM admin_sessions WHERE \"user\" = $1")
        #expect(pg("SELECT username, s.user_id FROM x AS s") == "SELECT username, s.user_id FROM x AS s")
    }
}
