import Foundation
import LinePayPages
import LinePay
import LinePayConfig
import LinePayCheckout
import LinePayStore

/// `linepay`: the operator's command, on the responder's own configuration and store. Everything but argument
/// parsing is the same code the admin pages run (LinePayCheckout's PaymentCore and Reconciler).
public enum LinePayCommand {
    /// What `linepay` exits with; scripts and cron can switch on it.
    public enum Exit: Int32 {
        /// Done (or nothing to do).
        case ok = 0
        /// LINE Pay refused: nothing happened there; the words are printed.
        case refusedByLinePay = 1
        /// Bad arguments or configuration.
        case usage = 2
        /// The outcome is unknown (or still unknown after reconcile): run `linepay reconcile` later; never repeat the call.
        case unknown = 3
        /// No such order, transaction or regKey.
        case notFound = 4
        /// Refused by us before calling LINE Pay (amount above what remains, wrong state, another operation open).
        case refusedByUs = 5
        /// Not done because LINE Pay (or the shop's notify_url) could not be reached; nothing happened, try again.
        case unavailable = 6
        /// The idempotency key was used before for another operation, order or amount: nothing was done (never "done").
        case keyReused = 7
    }

    public static let usage = """
        usage: linepay [--config FILE] [--json] COMMAND ...
        The configuration is linepay-fcgi's (--config, or LINEPAY_CONFIG).

          orders [--status S] [--order PREFIX] [--transaction ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--limit N] [--after CURSOR]
          show ORDER
          capture ORDER [--amount A] [--key KEY]       capture an authorization (default: all of it)
          void ORDER [--key KEY]                       void an authorization
          refund ORDER [--amount A] [--key KEY]        refund (default: all that remains)
          details ORDER | --transaction ID             LINE Pay's payment details
          reconcile [--min-age SECONDS]                settle every order that is not final from LINE Pay (cron: every minute)
          notify                                       deliver waiting notifications to notify_url now
          regkey list
          regkey charge ORDER --amount A --product NAME [--no-capture] [--order-id NEW] [--key KEY]
          regkey check ORDER
          regkey expire ORDER
          admin-password [--iterations N]              read a password on stdin, print the admin_password_hash line
          admin-sessions [list]                        the live admin sessions (id prefix, user, times, void if the credential changed)
          admin-sessions revoke ID | --all [--user U]  end one admin session, or all (of one user)
          config check
          sign OPERATION [--order ORDER] [--transaction ID] [--amount A] [--currency C] [--regkey K] [--product NAME]
                         [--capture true|false] [--nonce N] [--full-request]
                                                       the canonical string and signature for a support ticket (secret and
                                                       regKey masked; a money-moving request's signature cut short unless
                                                       --full-request, which prints the whole request)
          seed --orders N [--days D]                   development only: N synthetic paid orders, for make bench
          migrate --from FILE.sqlite3 --to postgresql://USER@HOST:5432/DB [--password-file F]
                                                       copy every row into an empty PostgreSQL database, then compare
                                                       counts and sums on both sides (no --config needed)

        --key: an idempotency key (8 to 64 of A-Z a-z 0-9 _ -); the same key never acts twice, so a script may retry.
        --json: machine-readable output (amounts and ids as strings).
        Exit codes: 0 ok, 1 refused by LINE Pay, 2 usage or configuration, 3 outcome unknown (reconcile settles it),
        4 not found, 5 refused by us before calling LINE Pay, 6 LINE Pay or notify_url unreachable (nothing happened),
        7 the --key was used before for another operation, order or amount (nothing was done).
        """

    /// Runs one command; returns the exit code. `input` is stdin (admin-password reads it).
    public static func main(_ arguments: [String], environment: [String: String], input: FileHandle = .standardInput) -> Int32 {
        var parsed: Arguments
        do { parsed = try Arguments(Array(arguments.dropFirst()), environment: environment) } catch {
            return fail("\(error)\n\(usage)", .usage)
        }
        if parsed.help || parsed.positional.isEmpty {
            if parsed.help { print(usage); return Exit.ok.rawValue }
            return fail(usage, .usage)
        }
        let command = parsed.positional.removeFirst()
        let context = CommandContext(arguments: parsed, environment: environment, input: input)
        do {
            return try context.run(command).rawValue
        } catch let e as UsageError {
            return fail("\(e.message)\n(see linepay --help)", .usage)
        } catch let e as ConfigurationError {
            return fail(e.description, .usage)
        } catch {
            return fail("\(error)", .unavailable)
        }
    }

    static func fail(_ message: String, _ code: Exit) -> Int32 {
        FileHandle.standardError.write(Data("linepay: \(message)\n".utf8))
        return code.rawValue
    }
}

/// A problem with the command line.
struct UsageError: Error { let message: String; init(_ m: String) { message = m } }

/// The command line: global options anywhere (`--config`, `--json`, `--help`), command options by name, the rest positional.
struct Arguments {
    var positional: [String] = []
    var options: [String: String] = [:]
    var flags: Set<String> = []
    var configPath: String?
    var json = false
    var help = false

    static let valued: Set<String> = ["--config", "--status", "--limit", "--amount", "--key", "--transaction", "--order", "--from", "--to",
                                      "--after", "--product", "--order-id", "--iterations", "--currency", "--regkey", "--capture",
                                      "--nonce", "--orders", "--days", "--min-age", "--user", "--password-file"]
    static let bare: Set<String> = ["--json", "--help", "-h", "--no-capture", "--all", "--full-request"]

    init(_ args: [String], environment: [String: String]) throws {
        configPath = environment["LINEPAY_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        var i = 0
        while i < args.count {
            let a = args[i]
            if Self.valued.contains(a) {
                guard i + 1 < args.count else { throw UsageError("\(a) needs a value") }
                if a == "--config" { configPath = args[i + 1] } else {
                    guard options[a] == nil else { throw UsageError("\(a) is given twice") }
                    options[a] = args[i + 1]
                }
                i += 2
                continue
            }
            switch a {
            case "--json": json = true
            case "--help", "-h": help = true
            case _ where Self.bare.contains(a): flags.insert(a)
            case _ where a.hasPrefix("--"): throw UsageError("unknown option \(a)")
            default: positional.append(a)
            }
            i += 1
        }
    }

    /// Refuses options the command does not take (a typo must not be ignored on a command that moves money).
    func only(_ allowed: Set<String>, positional count: ClosedRange<Int>) throws {
        if let bad = options.keys.sorted().first(where: { !allowed.contains($0) }) ?? flags.sorted().first(where: { !allowed.contains($0) }) {
            throw UsageError("\(bad) does not apply here")
        }
        guard count.contains(positional.count) else {
            throw UsageError(positional.count < count.lowerBound ? "missing argument" : "unexpected argument '\(positional.last ?? "")'")
        }
    }

    func amount(_ name: String = "--amount") throws -> Decimal? {
        guard let text = options[name] else { return nil }
        guard let d = Money.parse(text), !text.hasPrefix("-"), d > 0 else { throw UsageError("\(name): '\(text)' is not an amount above 0") }
        return d
    }

    /// --key, or a fresh random key for this run.
    func idempotencyKey() throws -> String {
        guard let key = options["--key"] else { return "cli-" + lowerHex(secureRandomBytes(16)) }
        guard (8...64).contains(key.utf8.count), OrderStore.isOrderIdText(key) else { throw UsageError("--key must be 8 to 64 of A-Z a-z 0-9 _ -") }
        return "cli-" + key
    }
}
