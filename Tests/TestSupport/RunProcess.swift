import Foundation

/// Runs `path` to completion and returns its exit status and output. `env` replaces our environment when given;
/// `stdin` is fed from a file so a large input cannot deadlock against unread output. Past `timeout` seconds the
/// child's process group is killed and this throws, with the command line and the tail of its output.
public func runProcess(_ path: String, _ arguments: [String] = [], env: [String: String]? = nil,
                       stdin: [UInt8] = [], timeout: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
    let directory = makeTemporaryDirectory("run")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let streams = SpawnStreams(stdin: directory + "/stdin", stdout: directory + "/stdout", stderr: directory + "/stderr")
    _ = FileManager.default.createFile(atPath: streams.stdin, contents: Data(stdin))
    let child = try ManagedProcess(path, arguments, env: env, currentDirectory: nil, streams: streams, logFiles: [],
                                   createdDirectory: nil)
    guard let ended = child.waitForExit(within: timeout) else {
        let report = child.report("no exit within \(timeout) s")
        try child.stop(grace: 0)
        throw HarnessError(report)
    }
    let out = (try? String(contentsOfFile: streams.stdout, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: streams.stderr!, encoding: .utf8)) ?? ""
    return (ended.status, out, err)
}

/// `runProcess` with text on stdin.
public func runProcess(_ path: String, _ arguments: [String] = [], env: [String: String]? = nil,
                       stdin: String, timeout: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
    try runProcess(path, arguments, env: env, stdin: Array(stdin.utf8), timeout: timeout)
}
