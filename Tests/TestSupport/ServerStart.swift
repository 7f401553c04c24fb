import Foundation

/// Starts a web server (nginx, Apache) on a loopback port picked just before: `launch` writes its config for the
/// port and spawns it. Ready means its pid file holds its pid (both write it only after binding every listener,
/// so the port is its own, not another suite's) and the port accepts. A bind that lost the race to another
/// parallel suite ("Address already in use" in its logs) is retried on a fresh port; any other failure throws at
/// once with what it said.
func startOnFreshPort(_ name: String, attempts: Int = 8, timeout: Double = 20,
                      launch: (_ port: Int) throws -> (process: ManagedProcess, pidFile: String)) throws
    -> (port: Int, process: ManagedProcess) {
    var failures: [String] = []
    for _ in 0..<attempts {
        let port = freeLoopbackPort()
        let (process, pidPath) = try launch(port)
        do {
            try process.waitUntilReady("\(name) to listen on 127.0.0.1:\(port)", timeout: timeout) {
                pidFile(pidPath, holds: process.pid) && connectTCP(port: port).map { close($0); return true } ?? false
            }
            return (port, process)
        } catch {
            let said = ([process.outputPath] + process.logFiles).map { fileTail($0, bytes: 100_000) }.joined()
            failures.append("\(error)")
            do { try process.stop() } catch { failures.append("\(error)") }
            guard said.contains("Address already in use") else { break }
        }
    }
    throw HarnessError("\(name) did not start:\n" + failures.joined(separator: "\n"))
}

/// True when the file at `path` holds `pid` (a server's pid file).
func pidFile(_ path: String, holds pid: pid_t) -> Bool {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
    return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) == pid
}
