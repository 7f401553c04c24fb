import Foundation
import LinePayConfig
import LinePayStore

/// `linepay migrate`: a shop moving from one machine's SQLite file to PostgreSQL (several web servers).
extension CommandContext {
    func migrate() throws -> LinePayCommand.Exit {
        try arguments.only(["--from", "--to", "--password-file"], positional: 0...0)
        guard let from = arguments.options["--from"], !from.isEmpty, !StoreLocation.isPostgreSQL(from) else {
            throw UsageError("migrate needs --from FILE: the SQLite database to copy")
        }
        guard FileManager.default.fileExists(atPath: from) else { throw UsageError("--from: \(from) does not exist") }
        guard let to = arguments.options["--to"], StoreLocation.isPostgreSQL(to) else {
            throw UsageError("migrate needs --to postgresql://USER@HOST:5432/DBNAME: the empty PostgreSQL database to fill")
        }
        var password: String? = nil
        if let file = arguments.options["--password-file"] {
            guard let data = FileManager.default.contents(atPath: file),
                  let line = String(data: data, encoding: .utf8)?.split(separator: "\n").first, !line.isEmpty
            else { throw UsageError("--password-file: \(file) cannot be read or is empty") }
            password = String(line)
        }
        // No statement timeout: one INSERT of a large batch, and the comparison, may take longer than a request may.
        let target = try StoreLocation.parse(to, password: password, statementTimeoutMilliseconds: 0)
        let started = Date()
        let source: OrderStore
        let destination: OrderStore
        do { source = try OrderStore(.sqlite(path: from)) } catch { throw ConfigurationError("--from \(from): \(error)") }
        do { destination = try OrderStore(target) } catch { throw ConfigurationError("--to \(target.description): \(error)") }
        let figures = try StoreCopy.copy(from: source, to: destination) { line in
            if !arguments.json { FileHandle.standardError.write(Data("copied \(line)\n".utf8)) }
        }
        let seconds = Date().timeIntervalSince(started)
        if arguments.json {
            printJSON(["seconds": (seconds * 10).rounded() / 10,
                       "figures": figures.map { ["name": $0.name, "sqlite": $0.source, "postgresql": $0.target] }])
        } else {
            let width = figures.map(\.name.count).max() ?? 10
            say("figure".padding(toLength: width, withPad: " ", startingAt: 0) + "  sqlite  postgresql")
            for f in figures {
                say(f.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(f.source)  \(f.target)  \(f.matches ? "same" : "DIFFERENT")")
            }
            say("copied \(from) to \(target.description) in \(String(format: "%.1f", seconds)) s; every figure matches")
        }
        return .ok
    }
}
