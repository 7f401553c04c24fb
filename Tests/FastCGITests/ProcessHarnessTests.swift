import Foundation
import Testing
import TestSupport

/// The test harness's own children (TestSupport's ManagedProcess): an early exit is reported, not awaited; a
/// child that ignores SIGTERM is killed with its group within the deadline; every wait says what it waited for.
@Suite(.timeLimit(.minutes(1))) struct ProcessHarnessTests {
    @Test func aChildThatExitsAtOnceIsReportedWithItsStatusAndOutput() throws {
        let child = try ManagedProcess("/bin/sh", ["-c", "echo going away; exit 3"])
        let started = Date()
        do {
            try child.waitUntilReady("a socket it never opens", timeout: 30) { false }
            Issue.record("waitUntilReady returned for a child that exited")
        } catch {
            let message = "\(error)"
            #expect(message.contains("exited with status 3 while waiting for a socket it never opens"), "\(message)")
            #expect(message.contains("command: /bin/sh -c 'echo going away; exit 3'"), "\(message)")
            #expect(message.contains("going away"), "\(message)")
        }
        #expect(Date().timeIntervalSince(started) < 10, "the exit was noticed, not waited out")
        #expect(child.exit == .exited(3))
        #expect(!child.isRunning)
        #expect(child.terminate() == 3)
    }

    @Test func aChildThatIgnoresSIGTERMIsKilledWithItsGroupWithinTheDeadline() throws {
        // sh ignores TERM and so does its `sleep` (an ignored signal stays ignored across exec); the sleep's pid
        // shows whether the group, not only the leader, was ended.
        let child = try ManagedProcess("/bin/sh", ["-c", "trap '' TERM; sleep 1000 & echo $!; wait; wait"])
        try child.waitUntilReady("the child to print its sleep's pid", timeout: 10) { pidIn(child.output) != nil }
        let sleeper = try #require(pidIn(child.output))
        let started = Date()
        let ended = try child.stop(grace: 1, killDeadline: 5)
        let took = Date().timeIntervalSince(started)
        #expect(ended == .signaled(SIGKILL), "it should have needed SIGKILL: \(ended)")
        #expect(took >= 1 && took < 6, "SIGKILL after the 1 s grace, reaped at once: took \(took) s")
        #expect(!isAlive(sleeper), "the sleep \(sleeper) in the child's group outlived it")
    }

    @Test func droppingAChildThatIgnoresSIGTERMDoesNotBlock() throws {
        var child: ManagedProcess? = try ManagedProcess("/bin/sh", ["-c", "trap '' TERM; echo ready; sleep 1000"])
        try child!.waitUntilReady("the child to set its trap", timeout: 10) { child!.output.contains("ready") }
        let pid = child!.pid
        let started = Date()
        child = nil
        #expect(Date().timeIntervalSince(started) < ManagedProcess.killDeadline + 1)
        #expect(!isAlive(pid))
    }

    @Test func aRunPastItsTimeoutThrowsWithTheCommandLine() throws {
        let started = Date()
        do {
            _ = try runProcess("/bin/sh", ["-c", "echo started; exec sleep 30"], timeout: 0.5)
            Issue.record("runProcess returned for a child that outlived its timeout")
        } catch {
            let message = "\(error)"
            #expect(message.contains("no exit within 0.5 s"), "\(message)")
            #expect(message.contains("command: /bin/sh -c 'echo started; exec sleep 30'"), "\(message)")
            #expect(message.contains("started"), "\(message)")
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aReadinessWaitPastItsDeadlineSaysWhatItWaitedFor() throws {
        let child = try ManagedProcess("/bin/sleep", ["30"])
        do {
            try child.waitUntilReady("a file that never appears", timeout: 0.3) { false }
            Issue.record("waitUntilReady returned though its condition never held")
        } catch {
            let message = "\(error)"
            #expect(message.contains("timed out after 0."), "\(message)")
            #expect(message.contains("waiting for a file that never appears"), "\(message)")
            #expect(message.contains("command: /bin/sleep 30"), "\(message)")
        }
        #expect(child.isRunning)
        #expect(child.terminate() == SIGTERM)
    }

    @Test func aServerThatCannotStartFailsAtOnceWithItsError() throws {
        // nginx refusing its config is not a lost port race: no retries, and nginx's own words in the error.
        let started = Date()
        do {
            _ = try NginxServer(locations: [], extraServerConfig: "no_such_directive on;")
            Issue.record("nginx started with an unknown directive")
        } catch {
            #expect("\(error)".contains("unknown directive \"no_such_directive\""), "\(error)")
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }
}

/// The first line of `output` as a pid.
private func pidIn(_ output: String) -> pid_t? {
    output.split(separator: "\n").first.flatMap { pid_t($0.trimmingCharacters(in: .whitespaces)) }
}

/// True while `pid` is a live process (a zombie waiting for init to reap it counts as gone).
private func isAlive(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
}
