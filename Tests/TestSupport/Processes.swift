import Foundation

/// A child process for a test: output captured to a file, SIGTERM then SIGKILL on `terminate()`, killed in deinit.
public final class ManagedProcess {
    /// The child's pid.
    public let pid: pid_t
    /// The file that receives stdout and stderr together.
    public let outputPath: String
    private let process: Process
    private let createdDirectory: String?

    /// Starts `path` with `arguments`; `env` replaces our environment when given; `currentDirectory` defaults to ours.
    public init(_ path: String, _ arguments: [String] = [], env: [String: String]? = nil,
                currentDirectory: String? = nil, outputPath: String? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let env { process.environment = env }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        createdDirectory = outputPath == nil ? makeTemporaryDirectory("proc") : nil
        let output = outputPath ?? createdDirectory! + "/output.log"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try withEmptySignalMask { try process.run() }
        try? handle.close()
        self.process = process
        self.pid = process.processIdentifier
        self.outputPath = output
    }

    deinit {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
        if let createdDirectory { try? FileManager.default.removeItem(atPath: createdDirectory) }
    }

    /// Everything the child wrote to stdout and stderr so far.
    public var output: String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// True while the child has not exited.
    public var isRunning: Bool { process.isRunning }

    /// Sends a signal to the child.
    public func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits up to `timeout` seconds; the exit status (or terminating signal) when the child exited, else nil.
    @discardableResult
    public func waitForExit(timeout: Double = 10) -> Int32? {
        guard waitUntil(timeout: timeout, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGTERM, up to 5 s for a clean exit, then SIGKILL. Returns the exit status.
    @discardableResult
    public func terminate() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, SIGTERM)
        if let status = waitForExit(timeout: 5) { return status }
        kill(pid, SIGKILL)
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Runs `path` to completion and returns its exit status and output. `env` replaces our environment when given;
/// `stdin` is fed from a file so a large input cannot deadlock against unread output. Killed after `timeout` s.
public func runProcess(_ path: String, _ arguments: [String] = [], env: [String: String]? = nil,
                       stdin: [UInt8] = [], timeout: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
    let directory = makeTemporaryDirectory("run")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let inputPath = directory + "/stdin", outPath = directory + "/stdout", errPath = directory + "/stderr"
    _ = FileManager.default.createFile(atPath: inputPath, contents: Data(stdin))
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let env { process.environment = env }
    process.standardInput = FileHandle(forReadingAtPath: inputPath)
    process.standardOutput = FileHandle(forWritingAtPath: outPath)
    process.standardError = FileHandle(forWritingAtPath: errPath)
    try withEmptySignalMask { try process.run() }
    if !waitUntil(timeout: timeout, { !process.isRunning }) {
        kill(process.processIdentifier, SIGKILL)
    }
    process.waitUntilExit()
    let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return (process.terminationStatus, out, err)
}

/// `runProcess` with text on stdin.
public func runProcess(_ path: String, _ arguments: [String] = [], env: [String: String]? = nil,
                       stdin: String, timeout: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
    try runProcess(path, arguments, env: env, stdin: Array(stdin.utf8), timeout: timeout)
}

/// Runs `body` (which spawns a child) with no signal blocked on this thread. A child inherits the spawning
/// thread's mask, and test threads come from libdispatch, which blocks SIGTERM and SIGUSR1: a child started
/// from there would ignore SIGTERM and could never show its graceful stop.
func withEmptySignalMask<T>(_ body: () throws -> T) rethrows -> T {
    var empty = sigset_t(), saved = sigset_t()
    sigemptyset(&empty)
    pthread_sigmask(SIG_SETMASK, &empty, &saved)
    defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
    return try body()
}
