import Foundation
import Testing

/// Why the harness gave up: a wait past its deadline, a child that exited early or would not die. The text names
/// what was awaited, the child's command line and the tail of its logs.
public struct HarnessError: Error, CustomStringConvertible {
    /// What went wrong, with the context to debug it.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}

/// Polls `condition` every 10 ms until it holds or `timeout` seconds pass; true when it held.
/// For waiting on a real condition (a socket accepting, a file appearing), never as a blind sleep. Also gives up
/// when the test's task is cancelled (its `.timeLimit` passed), so a timed-out test does not keep polling.
public func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
    poll(timeout: timeout, stopWhenCancelled: true, condition)
}

/// The polling loop; `stopWhenCancelled: false` for the bounded waits that end a child, which must run to the
/// end even in a test past its time limit.
func poll(timeout: Double, stopWhenCancelled: Bool, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if condition() { return true }
        if Date() >= deadline || (stopWhenCancelled && Task.isCancelled) { return false }
        usleep(10_000)
    }
}

/// `waitUntil` that throws past the deadline, naming `what` was awaited: "timed out after 10 s waiting for
/// nginx to listen on 127.0.0.1:41234".
public func waitFor(_ what: String, timeout: Double, _ condition: () -> Bool) throws {
    try waitFor(what, timeout: timeout, explained: { $0 }, condition)
}

/// `waitFor` whose message goes through `explained` (which adds the child's command line and logs).
func waitFor(_ what: String, timeout: Double, explained: (String) -> String, _ condition: () -> Bool) throws {
    let started = Date()
    guard waitUntil(timeout: timeout, condition) else {
        let waited = String(format: "%.1f", Date().timeIntervalSince(started))
        guard !Task.isCancelled else {
            // Swift Testing drops what a cancelled test throws: record what it was waiting for as well.
            let message = explained("the test's time limit passed after \(waited) s waiting for \(what)")
            Issue.record(Comment(rawValue: message))
            throw HarnessError(message)
        }
        throw HarnessError(explained("timed out after \(waited) s waiting for \(what)"))
    }
}
