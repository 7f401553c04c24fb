import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a child ended: its exit code, or the signal that killed it.
public enum ChildExit: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// Foundation's `terminationStatus` convention: the exit code, or the signal number.
    public var status: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal): return "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
        }
    }

    init(waitStatus s: Int32) {
        // The W* macros do not import: WIFEXITED is (s & 0x7f) == 0, WEXITSTATUS (s >> 8) & 0xff.
        if s & 0x7f == 0 { self = .exited((s >> 8) & 0xff) } else { self = .signaled(s & 0x7f) }
    }
}

/// Where a spawned child's standard streams go: files opened in the child (so no descriptor of ours leaks).
struct SpawnStreams {
    var stdin = "/dev/null"
    var stdout: String
    /// nil: stderr joins stdout.
    var stderr: String?
}

/// Starts `path` with posix_spawn as the leader of a new process group (pgid = its pid), signals reset to their
/// defaults and none blocked, descriptors above 2 closed. Not Foundation's Process: the harness reaps the pid
/// itself with waitpid (Foundation's monitor was seen to miss an exit and then wait forever), and the group lets
/// it end whatever the child left behind (mod_cgid's daemon, php-cgi children).
func spawnChild(_ path: String, _ arguments: [String], env: [String: String]?, currentDirectory: String?,
                streams: SpawnStreams) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, streams.stdin, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, streams.stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    if let err = streams.stderr {
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    } else {
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
    }
    // Test sockets (ScriptedServer's listener, clients) are not close-on-exec: a child must not hold them open.
    _ = gnuAddCloseFrom(&actions, 3)
    if let currentDirectory { _ = gnuAddChdir(&actions, currentDirectory) }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    posix_spawnattr_setpgroup(&attributes, 0)
    // Test threads come from libdispatch, which blocks SIGTERM and SIGUSR1; a child inherits that mask and would
    // ignore SIGTERM. SIG_IGN dispositions also survive exec: reset every signal to its default.
    var none = sigset_t(), all = sigset_t()
    sigemptyset(&none)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)

    var environment = env ?? ProcessInfo.processInfo.environment
    // Tests/bounded.sh marks its run so that it can find and kill whatever a killed test process left behind.
    if let mark = ProcessInfo.processInfo.environment[runMarker], environment[runMarker] == nil {
        environment[runMarker] = mark
    }
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
    guard rc == 0 else {
        throw HarnessError("cannot start \(commandLine(path, arguments)): \(String(cString: strerror(rc)))")
    }
    return pid
}

// glibc 2.34's posix_spawn_file_actions_addclosefrom_np and 2.29's addchdir_np are declared only under
// _GNU_SOURCE, which Swift's Glibc module does not define: look them up by name.
private let gnuAddCloseFrom = unsafeBitCast(
    gnuSymbol("posix_spawn_file_actions_addclosefrom_np"),
    to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
private let gnuAddChdir = unsafeBitCast(
    gnuSymbol("posix_spawn_file_actions_addchdir_np"),
    to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)

private func gnuSymbol(_ name: String) -> UnsafeMutableRawPointer {
    guard let symbol = dlsym(nil, name) else { fatalError("\(name) not in this libc (glibc 2.34 or later needed)") }
    return symbol
}

/// The environment variable naming a test run (set by Tests/bounded.sh), passed on to every child.
let runMarker = "LINEPAY_TEST_RUN"

/// `path` and `arguments` as one shell-like line for messages (arguments with spaces or quotes quoted).
func commandLine(_ path: String, _ arguments: [String]) -> String {
    ([path] + arguments).map { word in
        word.isEmpty || word.contains(where: { " \t\"'$\\".contains($0) })
            ? "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" : word
    }.joined(separator: " ")
}

/// Reaps `pid` if it has exited (waitpid WNOHANG); nil while it runs. ECHILD (someone else reaped it, or SIGCHLD
/// is ignored) counts as exited with an unknown status, reported as status 255.
func reapIfExited(_ pid: pid_t) -> ChildExit? {
    var status: Int32 = 0
    while true {
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { return ChildExit(waitStatus: status) }
        if r == 0 { return nil }
        if errno == EINTR { continue }
        return .exited(255)
    }
}

/// True once `pid` has exited, without reaping it: the zombie keeps its pid (and so the group id) from being
/// reused while the rest of the group is killed.
func hasExitedUnreaped(_ pid: pid_t) -> Bool {
    var info = siginfo_t()
    while true {
        info.si_signo = 0
        let r = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        if r == 0 { return info.si_signo != 0 }   // si_signo stays 0 while it runs
        if errno == EINTR { continue }
        return true
    }
}

/// The pids of live (not zombie) processes in process group `pgid`, from /proc.
func liveMembers(ofGroup pgid: pid_t) -> [pid_t] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { name -> pid_t? in
        guard let pid = pid_t(name),
              let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After "(comm)": state ppid pgrp ...
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, fields[0] != "Z", pid_t(fields[2]) == pgid else { return nil }
        return pid
    }
}

/// The last `bytes` of the file at `path` ("" when unreadable).
func fileTail(_ path: String, bytes: Int = 2000) -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
    defer { try? handle.close() }
    let size = (try? handle.seekToEnd()) ?? 0
    try? handle.seek(toOffset: size > UInt64(bytes) ? size - UInt64(bytes) : 0)
    let data = (try? handle.readToEnd()) ?? Data()
    return (size > UInt64(bytes) ? "…" : "") + String(decoding: data, as: UTF8.self)
}
