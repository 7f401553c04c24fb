import Foundation

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, close).
public func freeLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    precondition(fd >= 0, "socket: \(String(cString: strerror(errno)))")
    defer { close(fd) }
    var address = loopbackAddress(port: 0)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    precondition(bound == 0, "bind: \(String(cString: strerror(errno)))")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// True once something accepts TCP connections on 127.0.0.1:`port` (tried until `timeout`).
public func waitForTCP(port: Int, timeout: Double = 10) -> Bool {
    waitUntil(timeout: timeout) { connectTCP(port: port).map { close($0); return true } ?? false }
}

/// True once something accepts connections on the Unix socket at `path` (tried until `timeout`).
public func waitForUnixSocket(path: String, timeout: Double = 10) -> Bool {
    waitUntil(timeout: timeout) { connectUnix(path: path).map { close($0); return true } ?? false }
}

/// A connected TCP socket to 127.0.0.1:`port`, or nil.
public func connectTCP(port: Int) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    var address = loopbackAddress(port: port)
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    if rc == 0 { return fd }
    close(fd)
    return nil
}

/// A connected Unix socket to `path`, or nil.
public func connectUnix(path: String) -> Int32? {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { close(fd); return nil }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (i, b) in bytes.enumerated() { raw[i] = b }
    }
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    if rc == 0 { return fd }
    close(fd)
    return nil
}

/// A fresh private directory under /tmp with a short path (Unix socket paths must stay under 108 bytes).
public func makeTemporaryDirectory(_ prefix: String = "t") -> String {
    var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(made != nil, "mkdtemp: \(String(cString: strerror(errno)))")
    // nginx workers may run as nobody: let them reach sockets placed here.
    chmod(String(cString: made!), 0o755)
    return String(cString: made!)
}

private func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

/// True when a socket of this very process listens on 127.0.0.1:`port` (/proc/net/tcp's inode among
/// /proc/self/fd): proof that a port answering is ours, not a parallel suite's that won a probe-then-bind race.
public func thisProcessListens(onPort port: Int) -> Bool {
    // Not String(contentsOfFile:): it stops after the first 4 KB of a /proc file.
    guard let handle = FileHandle(forReadingAtPath: "/proc/net/tcp"),
          let data = try? handle.readToEnd() else { return false }
    try? handle.close()
    let table = String(decoding: data, as: UTF8.self)
    let local = String(format: "0100007F:%04X", port)
    let inodes = table.split(separator: "\n").dropFirst().compactMap { line -> String? in
        let f = line.split(separator: " ")
        return f.count > 9 && f[1] == local && f[3] == "0A" ? String(f[9]) : nil   // 0A: LISTEN
    }
    guard !inodes.isEmpty, let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return false }
    return fds.contains { fd in
        inodes.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) == "socket:[\($0)]" }
    }
}
