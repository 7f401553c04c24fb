import Foundation
import LinePayPages
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayStore

/// `linepay admin-sessions`: the live admin sessions, and revoking them (issue 10, attack 9).
extension CommandContext {
    /// `admin-sessions [list]`, `admin-sessions revoke ID-PREFIX`, `admin-sessions revoke --all [--user NAME]`.
    /// A session is shown by the first 12 characters of its stored id (a hash of the cookie, never the cookie).
    func adminSessions() throws -> LinePayCommand.Exit {
        let sub = arguments.positional.isEmpty ? "list" : arguments.positional.removeFirst()
        let c = try configuration, s = try store, at = now()
        switch sub {
        case "list":
            try arguments.only([], positional: 0...0)
            let sessions = try s.adminSessions(now: at)
            let rows = sessions.map { x -> (AdminSession, Bool) in
                (x, constantTimeEquals(Array(x.credential.utf8), Array(c.adminCredentialFingerprint(user: x.user).utf8)))
            }
            if arguments.json {
                printJSON(["sessions": rows.map { x, valid in
                    ["id": String(x.id.prefix(12)), "user": x.user, "createdAt": x.createdAt, "expiresAt": x.expiresAt,
                     "valid": valid] as [String: Any]
                }])
            } else {
                for (x, valid) in rows {
                    say("\(x.id.prefix(12))  \(x.user)  created \(utcText(x.createdAt))  expires \(utcText(x.expiresAt))"
                        + (valid ? "" : "  void: made with another credential"))
                }
                if rows.isEmpty { say("no admin sessions") }
            }
            return .ok
        case "revoke":
            try arguments.only(["--user", "--all"], positional: arguments.flags.contains("--all") ? 0...0 : 1...1)
            let ended: Int
            if arguments.flags.contains("--all") {
                ended = try s.revokeAdminSessions(user: arguments.options["--user"])
            } else {
                let prefix = arguments.positional[0]
                guard prefix.utf8.count >= 8, prefix.utf8.count <= 64, prefix.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
                else { throw UsageError("admin-sessions revoke: give 8 or more hex characters of an id from admin-sessions list, or --all") }
                ended = try s.revokeAdminSessions(idPrefix: prefix)
                if ended == 0 { return notFound("no admin session \(prefix)") }
            }
            try s.appendEvent(orderId: nil, kind: "admin.revoke", actor: actor, detail: "ended \(ended) admin session\(ended == 1 ? "" : "s")", now: at)
            if arguments.json { printJSON(["revoked": ended]) } else { say("revoked \(ended)") }
            return .ok
        default:
            throw UsageError("admin-sessions takes list or revoke")
        }
    }
}
