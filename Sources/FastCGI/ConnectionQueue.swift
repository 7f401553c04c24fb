import CFastCGI
import Foundation

/// Hands each worker its next connection with a request ready to read: a new one from the listening socket, or one
/// the web server kept open (FCGI_KEEP_CONN) that has its next request waiting. All workers wait on one epoll set,
/// so an idle kept connection holds a descriptor and no thread (libfcgi alone parks a thread on it, reading).
final class ConnectionQueue: @unchecked Sendable {   // the descriptors never change; `idle` under `lock`
    /// What `next()` found.
    enum Next {
        /// A connected socket whose next request (or end) can be read without waiting.
        case connection(Int32)
        /// `stop()` was called.
        case stop
        /// epoll_wait or accept failed for good (errno).
        case failed(Int32)
    }

    private let epoll: Int32
    private let wake: Int32
    private let listenFD: Int32
    private let lock = NSLock()
    /// Kept connections waiting in the epoll set for their next request: closed by `close()`.
    private var idle = Set<Int32>()
    /// FCGI_WEB_SERVER_ADDRS, as libfcgi's accept honours it: IPv4 peers allowed on a TCP socket (nil: any).
    private let allowedPeers: Set<String>?
    private let overTCP: Bool
    /// The listening socket is a Unix socket (so are its connections).
    let overUnixSocket: Bool
    private let state: ServerState

    init(listenFD: Int32, state: ServerState) throws {
        self.listenFD = listenFD
        self.state = state
        let family = socketFamily(listenFD)
        overTCP = family == sa_family_t(AF_INET)
        overUnixSocket = family == sa_family_t(AF_UNIX)
        allowedPeers = ProcessInfo.processInfo.environment["FCGI_WEB_SERVER_ADDRS"].map {
            Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wake = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard epoll >= 0, wake >= 0 else {
            let why = String(cString: strerror(errno))
            if epoll >= 0 { Glibc.close(epoll) }
            if wake >= 0 { Glibc.close(wake) }
            throw FastCGIServerError.listenFailed("epoll: \(why)")
        }
        // Non-blocking, so a worker woken with another for the same connection gets EAGAIN instead of waiting in accept.
        let flags = fcntl(listenFD, F_GETFL)
        _ = fcntl(listenFD, F_SETFL, flags | O_NONBLOCK)
        // The listener is one-shot (one worker accepts, then re-arms it); the wake-up stays ready once written, so
        // every worker sees it.
        guard control(EPOLL_CTL_ADD, listenFD, EPOLLIN.rawValue | EPOLLONESHOT.rawValue),
              control(EPOLL_CTL_ADD, wake, EPOLLIN.rawValue) else {
            let why = String(cString: strerror(errno))
            Glibc.close(epoll)
            Glibc.close(wake)
            throw FastCGIServerError.listenFailed("epoll_ctl: \(why)")
        }
    }

    /// Waits for a connection with something to read, or for `stop()`.
    func next() -> Next {
        while true {
            var event = epoll_event()
            let n = epoll_wait(epoll, &event, 1, -1)
            if n < 0 {
                if errno == EINTR { continue }
                return .failed(errno)
            }
            guard n == 1 else { continue }
            let fd = event.data.fd
            if fd == wake { return .stop }
            if fd != listenFD {
                lock.lock(); idle.remove(fd); lock.unlock()
                return .connection(fd)
            }
            let connection = accept4(listenFD, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
            let acceptError = errno
            if connection < 0, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(acceptError) {
                logLine("fastcgi: accept: \(String(cString: strerror(acceptError))); retrying")
                usleep(100_000)   // back off while descriptors or memory are short (the listener stays disarmed meanwhile)
            }
            // Not a listening socket (fd 0 was a pipe or a file, say): nothing will ever come, so the server stops.
            if connection < 0, [EBADF, EINVAL, ENOTSOCK, EFAULT].contains(acceptError) { return .failed(acceptError) }
            _ = control(EPOLL_CTL_MOD, listenFD, EPOLLIN.rawValue | EPOLLONESHOT.rawValue)
            guard connection >= 0 else { continue }   // EAGAIN (another worker took it), ECONNABORTED, EINTR, ...
            guard admit(connection) else { Glibc.close(connection); continue }
            state.countAcceptedConnection()
            // The web server writes its request right after connecting, so it is usually here already; if not, the
            // connection waits in the set like a kept one instead of holding this worker in read().
            if readable(connection) { return .connection(connection) }
            keep(connection)
        }
    }

    /// Puts a connection the web server keeps open back in the set, to be handed out when its next request arrives.
    func keep(_ fd: Int32) {
        lock.lock(); idle.insert(fd); lock.unlock()
        let events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLONESHOT.rawValue
        if !control(EPOLL_CTL_MOD, fd, events) && !(errno == ENOENT && control(EPOLL_CTL_ADD, fd, events)) {
            lock.lock(); idle.remove(fd); lock.unlock()
            Glibc.close(fd)
        }
    }

    /// Wakes every waiting worker with `.stop` (and every later call of `next()`).
    func stop() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    /// Closes the kept connections and the set; call once no worker uses the queue.
    func close() {
        lock.lock()
        for fd in idle { Glibc.close(fd) }
        idle.removeAll()
        lock.unlock()
        Glibc.close(epoll)
        Glibc.close(wake)
    }

    private func control(_ operation: Int32, _ fd: Int32, _ events: UInt32) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        return epoll_ctl(epoll, operation, fd, &event) == 0
    }

    private func readable(_ fd: Int32) -> Bool {
        var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&probe, 1, 0) == 1
    }

    /// TCP: Nagle off (each answer goes at once, as libfcgi sets it), and a peer outside FCGI_WEB_SERVER_ADDRS (when
    /// set) is refused. Unix sockets are guarded by their file mode.
    private func admit(_ fd: Int32) -> Bool {
        guard overTCP else { return true }
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        guard let allowedPeers else { return true }
        var address = sockaddr_in()
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &size) }
        }
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        guard rc == 0, address.sin_family == sa_family_t(AF_INET),
              inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(text.count)) != nil else { return false }
        return allowedPeers.contains(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}

/// The address family of a socket (AF_UNIX, AF_INET), or nil when it has none.
func socketFamily(_ fd: Int32) -> sa_family_t? {
    var address = sockaddr_storage()
    var size = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let rc = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) }
    }
    return rc == 0 ? address.ss_family : nil
}
