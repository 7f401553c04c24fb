import CFastCGI
import Foundation

/// Why a `FastCGIServer` could not start, or stopped on its own.
public enum FastCGIServerError: Error, CustomStringConvertible {
    /// The listening socket could not be set up.
    case listenFailed(String)
    /// A worker's `makeHandler` threw; the server stopped instead of running short-handed.
    case handlerSetupFailed(any Error)
    /// Accepting failed with a non-transient errno (fd 0 not a listening socket, for instance).
    case acceptFailed(errno: Int32)
    /// `run` was called a second time on the same server.
    case alreadyRun

    /// A one-line explanation for logs.
    public var description: String {
        switch self {
        case .listenFailed(let why): "cannot listen: \(why)"
        case .handlerSetupFailed(let error): "a worker could not set up its handler: \(error)"
        case .acceptFailed(let code): "accept failed: \(String(cString: strerror(code)))"
        case .alreadyRun: "FastCGIServer.run was called twice"
        }
    }
}

/// A threaded libfcgi responder: N threads, each accepting and answering one request at a time.
public final class FastCGIServer: Sendable {
    /// Where connections come from.
    public let listen: ListenAddress
    /// How many worker threads (requests answered at once).
    public let threads: Int
    /// Larger bodies are refused with 413 before being read.
    public let maxBodyBytes: Int
    /// The group a Unix socket is given (php-fpm's listen.group), so the web server's user can connect; nil: ours.
    public let socketGroup: gid_t?
    private let state = ServerState()

    /// A server; nothing happens until `run`.
    public init(listen: ListenAddress, threads: Int, maxBodyBytes: Int = 1 << 20, socketGroup: gid_t? = nil) {
        self.listen = listen
        self.socketGroup = socketGroup
        self.threads = max(1, threads)
        self.maxBodyBytes = min(max(0, maxBodyBytes), Int(Int32.max))   // FCGX_GetStr counts in Int32
    }

    /// Serves until SIGTERM/SIGINT/SIGHUP or `stop()`; each worker thread calls makeHandler once and keeps what it returns
    /// (so each thread owns one SQLite connection and one curl handle); busy workers finish their request.
    ///
    /// Throws when the socket cannot be opened, when a `makeHandler` throws (after a line on stderr), or when
    /// accepting fails for good. A Unix socket it created is removed on return. Call it from the main thread
    /// before starting other threads of your own: a thread with SIGTERM unblocked would take the signal and die.
    public func run(makeHandler: @escaping @Sendable () throws -> (FastCGIRequest) -> FastCGIResponse) throws {
        try state.begin()
        // glibc gives each thread that meets contention its own malloc arena (up to 8 per core), and each keeps what
        // it freed: with a few arenas per core instead, a process holds about 3 MB less after 10,000 payments.
        _ = mallopt(M_ARENA_MAX, Int32(max(2, min(threads, 2 * ProcessInfo.processInfo.activeProcessorCount))))
        // Block the stop signals before FCGX_Init and before any thread exists, so workers inherit the mask and
        // only this thread ever takes them (in sigwait below).
        var stopSignals = sigset_t(), previousMask = sigset_t()
        sigemptyset(&stopSignals)
        for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&stopSignals, s) }
        pthread_sigmask(SIG_BLOCK, &stopSignals, &previousMask)
        defer { pthread_sigmask(SIG_SETMASK, &previousMask, nil) }
        guard libraryReady == 0 else { throw FastCGIServerError.listenFailed("FCGX_Init failed") }

        let (listenFD, createdPath) = try openListenSocket()
        defer {
            if createdPath != nil || listen != .inherited { close(listenFD) }
            if let createdPath { unlink(createdPath) }
        }

        let queue = try ConnectionQueue(listenFD: listenFD, state: state)
        defer { queue.close() }

        var workers: [pthread_t] = []
        for index in 0..<threads {
            let maxBody = maxBodyBytes, state = self.state
            do {
                workers.append(try startThread {
                    workerLoop(index: index, queue: queue, maxBodyBytes: maxBody, state: state, makeHandler: makeHandler)
                })
            } catch {
                state.fail(.listenFailed("cannot start worker thread: \(error)"))
                break
            }
        }

        // SIGUSR1 is how stop() and failing workers wake us: taken by sigwait with the stop signals.
        var waitSet = stopSignals
        sigaddset(&waitSet, SIGUSR1)
        pthread_sigmask(SIG_BLOCK, &waitSet, nil)
        state.setRunThread(pthread_self())
        while !state.isStopping {
            var signal: Int32 = 0
            guard sigwait(&waitSet, &signal) == 0 else { continue }
            if signal != SIGUSR1 {
                logLine("fastcgi: caught signal \(signal), finishing busy requests")
                state.requestStop()
            }
        }
        state.setRunThread(nil)

        // Idle workers wake from the queue at once; busy ones finish their request first.
        queue.stop()
        for thread in workers { pthread_join(thread, nil) }
        if let failure = state.failure { throw failure }
    }

    /// Connections accepted since `run` began: a web server that keeps its connections (nginx's upstream keepalive
    /// with fastcgi_keep_conn on) opens a few and sends every request over them.
    public var connectionsAccepted: Int { state.connectionsAccepted }

    /// Makes `run` return: idle workers stop at once, busy ones after their current request.
    ///
    /// Uses no process-wide state (unlike `FCGX_ShutdownPending`), so a test process can run and stop many servers.
    public func stop() {
        state.requestStop()
    }

    private func openListenSocket() throws -> (fd: Int32, createdPath: String?) {
        let backlog: Int32 = 1024   // a burst of shoppers (2,000 polling) must queue, not be refused with 502
        switch listen {
        case .inherited:
            return (ListenAddress.inheritedFD, nil)
        case .tcp(let host, let port):
            let fd = FCGX_OpenSocket("\(host):\(port)", backlog)
            guard fd >= 0 else { throw FastCGIServerError.listenFailed("\(host):\(port): \(errnoText())") }
            return (fd, nil)
        case .unixSocket(let path, let mode):
            try removeStaleSocket(path)
            let fd = FCGX_OpenSocket(path, backlog)
            guard fd >= 0 else { throw FastCGIServerError.listenFailed("\(path): \(errnoText())") }
            // The group first, then the mode: the socket is never open to a group it was not meant for.
            if let group = socketGroup, chown(path, uid_t.max, group) != 0 {
                let why = errnoText()
                close(fd)
                unlink(path)
                throw FastCGIServerError.listenFailed("chown \(path) to group \(group): \(why)")
            }
            guard chmod(path, mode) == 0 else {
                let why = errnoText()
                close(fd)
                unlink(path)
                throw FastCGIServerError.listenFailed("chmod \(path): \(why)")
            }
            return (fd, path)
        }
    }
}

/// A socket file left by a crashed server is removed; a live server's socket or any other file is not.
private func removeStaleSocket(_ path: String) throws {
    guard path.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else {
        throw FastCGIServerError.listenFailed("\(path): socket path too long")
    }
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    guard info.st_mode & S_IFMT == S_IFSOCK else {
        throw FastCGIServerError.listenFailed("\(path) exists and is not a socket")
    }
    let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(probe) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
    }
    let live = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
        }
    }
    if live { throw FastCGIServerError.listenFailed("\(path): another server is listening there") }
    unlink(path)
}

/// Process-wide setup, once: ignore SIGPIPE (a client gone mid-response must not kill us), install a do-nothing
/// SIGUSR1 handler (the run thread's wake-up; libfcgi keeps a handler it finds, and its own would set the permanent
/// process-wide shutdown flag), then FCGX_Init.
private let libraryReady: Int32 = {
    signal(SIGPIPE, SIG_IGN)
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGUSR1, &action, nil)
    return FCGX_Init()
}()

private func workerLoop(index: Int, queue: ConnectionQueue, maxBodyBytes: Int, state: ServerState,
                        makeHandler: @Sendable () throws -> (FastCGIRequest) -> FastCGIResponse) {
    // SIGUSR1 is the run thread's: here it would only cut a read of libfcgi's short (which drops the request).
    var wakeSignal = sigset_t()
    sigemptyset(&wakeSignal)
    sigaddset(&wakeSignal, SIGUSR1)
    pthread_sigmask(SIG_BLOCK, &wakeSignal, nil)
    let handler: (FastCGIRequest) -> FastCGIResponse
    do {
        handler = try makeHandler()
    } catch {
        logLine("fastcgi: worker \(index) could not set up its handler: \(error)")
        state.fail(.handlerSetupFailed(error))
        return
    }
    // Heap-allocated and never moved: libfcgi's streams point back into the request. No listening socket (-1):
    // the queue accepts, and libfcgi, finding none, can never block in an accept of its own.
    let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
    defer { request.deallocate() }
    FCGX_InitRequest(request, -1, 0)
    defer { FCGX_Free(request, 0) }

    while true {
        switch queue.next() {
        case .stop:
            return
        case .failed(let code):
            logLine("fastcgi: accept failed: \(String(cString: strerror(code)))")
            state.fail(.acceptFailed(errno: code))
            return
        case .connection(let fd):
            serve(connection: fd, request: request, queue: queue, maxBodyBytes: maxBodyBytes, handler: handler)
        }
    }
}

/// Answers the request waiting on `fd`, then gives the connection back to the queue if the web server keeps it
/// (FCGI_KEEP_CONN); otherwise libfcgi has closed it.
///
/// libfcgi reads a request from FCGX_Request.ipcFd when it is open: the fd is set there, with keepConnection set
/// so that FCGX_Accept_r's opening FCGX_Finish_r leaves it open, and taken back after FCGX_Finish_r.
private func serve(connection fd: Int32, request: UnsafeMutablePointer<FCGX_Request>, queue: ConnectionQueue,
                   maxBodyBytes: Int, handler: (FastCGIRequest) -> FastCGIResponse) {
    request.pointee.ipcFd = fd
    request.pointee.keepConnection = 1
    request.pointee.detached = 0
    // Fails when the web server closed the connection or sent nonsense: libfcgi has closed it, then found no socket
    // to accept from.
    guard FCGX_Accept_r(request) == 0 else { return }
    let params = copyParams(request.pointee.envp)
    let input = request.pointee.in
    // Whether the body was read to its end (a refused or short body leaves input unread: then the lingering close).
    let body = BodyRead()
    let response = FastCGIServer.respond(params: params, maxBodyBytes: maxBodyBytes, handler: handler) { count in
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes {
            FCGX_GetStr($0.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(count), input)
        }
        body.complete = got == count
        return got == count ? bytes : nil
    }
    if (params["CONTENT_LENGTH"] ?? "").isEmpty || params["CONTENT_LENGTH"] == "0" { body.complete = true }
    let bytes = response.serialized()
    bytes.withUnsafeBytes {
        _ = FCGX_PutStr($0.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count), request.pointee.out)
    }
    // Read to the end of stdin: on a kept connection, a record of this request left unread would be taken for the
    // next one (libfcgi then drops the connection, and the web server's next request on it with it).
    let drained = body.complete && FCGX_GetChar(input) == -1 && FCGX_GetError(input) == 0
    if !drained {
        // Not kept, and closed the slow way: libfcgi shuts down the send side and polls until the web server hangs
        // up (up to 2 s), so that data it is still sending cannot make it fail (Apache sends the end of stdin late
        // and gets EPIPE) or, over TCP, turn into an RST that eats the answer.
        request.pointee.keepConnection = 0
    } else if queue.overUnixSocket {
        // On a Unix socket with stdin read to its end the web server sends nothing more, and an answer already
        // written stays readable after close: a connection that is not kept is closed at once (the poll and context
        // switch of that wait were 15% of a /status).
        FCGX_Detach(request)
    }
    FCGX_Finish_r(request)
    let kept = request.pointee.ipcFd
    if kept >= 0 {
        request.pointee.ipcFd = -1
        queue.keep(kept)
    }
}

private final class BodyRead { var complete = false }


/// Copies libfcgi's "NAME=value" array into a dictionary. A name sent twice keeps its last value, as
/// PHP-FPM and Go do (libfcgi's FCGX_GetParam would return the first): a later fastcgi_param overrides an include.
private func copyParams(_ envp: FCGX_ParamArray?) -> [String: String] {
    var params: [String: String] = [:]
    params.reserveCapacity(40)
    guard var cursor = envp else { return params }
    while let entry = cursor.pointee {
        // Split on the bytes: one strlen and one memchr, then each half decoded once (no Character walk).
        let length = strlen(entry)
        entry.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            let all = UnsafeBufferPointer(start: bytes, count: length)
            if let eq = all.firstIndex(of: UInt8(ascii: "=")) {
                params[String(decoding: UnsafeBufferPointer(rebasing: all[..<eq]), as: UTF8.self)] =
                    String(decoding: UnsafeBufferPointer(rebasing: all[(eq + 1)...]), as: UTF8.self)
            }
        }
        cursor += 1
    }
    return params
}

func logLine(_ text: String) {
    let line = text + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}

private func errnoText() -> String { String(cString: strerror(errno)) }

private final class ThreadBody {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// A joinable pthread (Foundation's Thread cannot be joined, and run must wait for busy workers).
private func startThread(_ body: @escaping @Sendable () -> Void) throws -> pthread_t {
    let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, box)
    guard rc == 0 else {
        Unmanaged<ThreadBody>.fromOpaque(box).release()
        throw FastCGIServerError.listenFailed(String(cString: strerror(rc)))
    }
    return thread
}
