import Foundation
import Testing

/// A child process for a test, spawned and reaped by the harness itself (see `spawnChild`): output captured to a
/// file, its own process group, every wait bounded. Ending it ends the whole group: SIGTERM, then SIGKILL.
public final class ManagedProcess: @unchecked Sendable {   // @unchecked: the exit is only touched under `reaped`'s lock
    /// The child's pid (also its process group id).
    public let pid: pid_t
    /// The file that receives stdout and stderr together.
    public let outputPath: String
    /// The program and its arguments, as a shell would show them (for failure messages).
    public let commandLine: String
    /// More logs whose tails go into failure messages (nginx's and Apache's error.log).
    public let logFiles: [String]
    private let reaped = Locked<ChildExit?>(nil)
    private let createdDirectory: String?

    /// Seconds between SIGTERM and SIGKILL in `stop`, and the bound on every wait after SIGKILL.
    public static let gracePeriod = 5.0, killDeadline = 5.0

    /// Starts `path` with `arguments`; `env` replaces our environment when given; `currentDirectory` defaults to ours.
    public convenience init(_ path: String, _ arguments: [String] = [], env: [String: String]? = nil,
                            currentDirectory: String? = nil, outputPath: String? = nil, logFiles: [String] = []) throws {
        let directory = outputPath == nil ? makeTemporaryDirectory("proc") : nil
        let output = outputPath ?? directory! + "/output.log"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        try self.init(path, arguments, env: env, currentDirectory: currentDirectory,
                      streams: SpawnStreams(stdout: output), logFiles: logFiles, createdDirectory: directory)
    }

    /// Starts `path` with its streams as given (`runProcess` keeps stderr apart).
    init(_ path: String, _ arguments: [String], env: [String: String]?, currentDirectory: String?,
         streams: SpawnStreams, logFiles: [String], createdDirectory: String?) throws {
        self.outputPath = streams.stdout
        self.commandLine = TestSupport.commandLine(path, arguments)
        self.logFiles = logFiles + (streams.stderr.map { [$0] } ?? [])
        self.createdDirectory = createdDirectory
        do {
            self.pid = try spawnChild(path, arguments, env: env, currentDirectory: currentDirectory, streams: streams)
        } catch {
            if let createdDirectory { try? FileManager.default.removeItem(atPath: createdDirectory) }
            throw error
        }
    }

    deinit {
        // Never blocks for long: SIGKILL to the group and a bounded reap (a test that wanted a graceful stop
        // called stop() itself).
        if exit == nil {
            do { _ = try stop(grace: 0) } catch { Issue.record("\(error)") }
        }
        if let createdDirectory { try? FileManager.default.removeItem(atPath: createdDirectory) }
    }

    /// Everything the child wrote to stdout and stderr so far.
    public var output: String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// How the child ended, or nil while it runs. Once it has exited, whatever it left in its group is killed
    /// (while its zombie still holds the group id) and it is reaped.
    public var exit: ChildExit? {
        reaped.withLock { known in
            if known == nil && hasExitedUnreaped(pid) {
                killpg(pid, SIGKILL)
                known = reapIfExited(pid)
            }
            return known
        }
    }

    /// True while the child has not exited.
    public var isRunning: Bool { exit == nil }

    /// Sends a signal to the child (not its group).
    public func send(_ signal: Int32) { if isRunning { kill(pid, signal) } }

    /// Waits up to `timeout` seconds for the child to exit; how it ended, or nil when it still runs.
    public func waitForExit(within timeout: Double) -> ChildExit? {
        var ended: ChildExit?
        _ = waitUntil(timeout: timeout) { ended = exit; return ended != nil }
        return ended
    }

    /// Waits up to `timeout` seconds; the exit status (or terminating signal) when the child exited, else nil.
    @discardableResult
    public func waitForExit(timeout: Double = 10) -> Int32? {
        waitForExit(within: timeout)?.status
    }

    /// Ends the child's whole process group: SIGTERM, up to `grace` seconds for the leader to exit, then SIGKILL
    /// to every member still alive, then the leader is reaped. Throws (with the command line and the log tails)
    /// when the group has not gone `killDeadline` seconds after SIGKILL.
    @discardableResult
    public func stop(grace: Double = ManagedProcess.gracePeriod,
                     killDeadline: Double = ManagedProcess.killDeadline) throws -> ChildExit {
        if let ended = reaped.current { return ended }
        // These waits ignore the test's cancellation (its time limit): they are bounded, and must run to the end.
        if grace > 0 {
            killpg(pid, SIGTERM)
            _ = poll(timeout: grace, stopWhenCancelled: false) { hasExitedUnreaped(pid) }
        }
        // The leader is at most a zombie here, so its pid, the group id, cannot be reused by another child yet.
        killpg(pid, SIGKILL)
        let groupGone = poll(timeout: killDeadline, stopWhenCancelled: false) {
            hasExitedUnreaped(pid) && liveMembers(ofGroup: pid).allSatisfy { $0 == pid }
        }
        var ended: ChildExit?
        _ = poll(timeout: groupGone ? killDeadline : 0.1, stopWhenCancelled: false) { ended = exit; return ended != nil }
        guard groupGone, let ended else {
            let left = liveMembers(ofGroup: pid)
            throw HarnessError(report("still running \(String(format: "%.0f", killDeadline)) s after SIGKILL to its "
                                      + "process group (members alive: \(left))"))
        }
        return ended
    }

    /// SIGTERM to the group, up to 5 s, then SIGKILL. Returns the exit status (or terminating signal); a child
    /// that cannot be ended fails the test (recorded) and gives -1.
    @discardableResult
    public func terminate() -> Int32 {
        do { return try stop().status } catch {
            Issue.record("\(error)")
            return -1
        }
    }

    /// Waits until `condition` holds, for at most `timeout` seconds; throws when the child exits first or the
    /// deadline passes, saying what was awaited, with the command line and the tail of its logs.
    public func waitUntilReady(_ what: String, timeout: Double = 20, _ condition: () -> Bool) throws {
        var ended: ChildExit?
        try waitFor(what, timeout: timeout, explained: report) {
            ended = exit
            return ended != nil || condition()
        }
        if let ended { throw HarnessError(report("\(ended) while waiting for \(what)")) }
    }

    /// `headline`, then the command line, the pid and the tail of the output and of every log file.
    public func report(_ headline: String) -> String {
        var lines = ["\(headline)", "  command: \(commandLine)", "  pid: \(pid)"]
        for path in [outputPath] + logFiles {
            let tail = fileTail(path)
            lines.append("  \(path):" + (tail.isEmpty ? " (empty)" : "\n" + tail))
        }
        return lines.joined(separator: "\n")
    }
}
