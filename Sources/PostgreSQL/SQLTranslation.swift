/// The store's SQL is written once, in the subset SQLite and PostgreSQL share, with `?` placeholders. This turns a
/// statement into what PostgreSQL runs, outside string literals, quoted identifiers and comments only:
/// - `?` becomes `$1`, `$2`... in order;
/// - `? IS NULL` / `? IS NOT NULL` becomes `CAST($n AS TEXT) IS NULL`: PostgreSQL cannot type a bare parameter that
///   is only tested for NULL ("could not determine data type of parameter");
/// - `INDEXED BY name` (a SQLite planner hint) is dropped;
/// - a word in `quoted` (a PostgreSQL reserved word used as a column name, e.g. `user`) is double-quoted.
public enum SQLTranslation {
    /// The translated text and how many parameters it has.
    public static func postgreSQL(_ sql: String, quoting quoted: Set<String> = []) -> (sql: String, parameters: Int) {
        let chars = Array(sql)
        var out = ""
        out.reserveCapacity(chars.count + 16)
        var i = 0
        var n = 0
        func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        func followingWords(_ from: Int, _ count: Int) -> ([String], Int) {
            var words: [String] = []
            var j = from
            while words.count < count {
                while j < chars.count, chars[j].isWhitespace { j += 1 }
                let start = j
                while j < chars.count, isWordChar(chars[j]) { j += 1 }
                if start == j { break }
                words.append(String(chars[start..<j]).uppercased())
            }
            return (words, j)
        }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "'", "\"":
                // A literal or quoted identifier, with its doubled quotes, copied as is.
                var j = i + 1
                while j < chars.count {
                    if chars[j] == c {
                        if j + 1 < chars.count, chars[j + 1] == c { j += 2; continue }
                        break
                    }
                    j += 1
                }
                out += String(chars[i...min(j, chars.count - 1)])
                i = j + 1
            case "-" where i + 1 < chars.count && chars[i + 1] == "-":
                var j = i
                while j < chars.count, chars[j] != "\n" { j += 1 }
                out += String(chars[i..<j])
                i = j
            case "?":
                n += 1
                let (words, _) = followingWords(i + 1, 3)
                if words.first == "IS", words.dropFirst().first == "NULL" || (words.dropFirst().first == "NOT" && words.last == "NULL") {
                    out += "CAST($\(n) AS TEXT)"
                } else {
                    out += "$\(n)"
                }
                i += 1
            case _ where isWordChar(c) && (i == 0 || !isWordChar(chars[i - 1])):
                var j = i
                while j < chars.count, isWordChar(chars[j]) { j += 1 }
                let word = String(chars[i..<j])
                let previous = out.last
                if word.uppercased() == "INDEXED" {
                    let (words, end) = followingWords(j, 2)
                    if words.first == "BY", words.count == 2 { i = end; continue }
                }
                if quoted.contains(word.lowercased()) && previous != "." && previous != "$" {
                    out += "\"\(word.lowercased())\""
                } else {
                    out += word
                }
                i = j
            default:
                out.append(c)
                i += 1
            }
        }
        return (out, n)
    }
}
