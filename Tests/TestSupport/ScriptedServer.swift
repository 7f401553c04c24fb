import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for client tests: it records every request as received (bytes, headers,
/// which connection carried it) and answers as the test scripts it: a response, a stall, a reset, a close.
public final class ScriptedServer: @unchecked Sendable {   // state is guarded by `lock`
    public enum Action: Sendable {
        case respond(status: Int, body: String)
        /// Read the request, then send nothing until the client gives up.
        case stall
        /// Read the request, then reset the connection (RST).
        case reset
        /// Read the request, then close without answering.
        case close
    }

    public struct Received: Sendable {
        public let method: String
        public let target: String
        public let headers: [(String, String)]
        public let body: [UInt8]
        public let connection: Int
        public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
        public var query: String { target.contains("?") ? String(target.split(separator: "?", maxSplits: 1)[1]) : "" }
    }

    public let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var _received: [Received] = []
    private var connections = 0
    private let script: @Sendable (Received) -> Action

    public init(script: @escaping @Sendable (Received) -> Action) {
        self.script = script
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 64)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        port = Int(UInt16(bigEndian: addr.sin_port))
        self.fd = fd
        let t = Thread { [self] in acceptLoop() }
        t.start()
    }

    deinit { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public var received: [Received] { lock.lock(); defer { lock.unlock() }; return _received }

    private func acceptLoop() {
        while true {
            let c = accept(fd, nil, nil)
            if c < 0 { return }
            lock.lock(); connections += 1; let id = connections; lock.unlock()
            let t = Thread { [self] in serve(c, connection: id) }
            t.start()
        }
    }

    private func serve(_ c: Int32, connection: Int) {
        var buffer = [UInt8]()
        defer { close(c) }
        while true {
            guard let request = readRequest(c, &buffer, connection: connection) else { return }
            lock.lock(); _received.append(request); lock.unlock()
            switch script(request) {
            case .respond(let status, let body):
                let b = Array(body.utf8)
                let head = "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(b.count)\r\n\r\n"
                let out = Array(head.utf8) + b
                _ = out.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            case .stall:
                var byte: UInt8 = 0
                while recv(c, &byte, 1, 0) > 0 {}  // until the client closes
                return
            case .reset:
                var l = linger(l_onoff: 1, l_linger: 0)
                setsockopt(c, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
                return
            case .close:
                return
            }
        }
    }

    private func readRequest(_ c: Int32, _ buffer: inout [UInt8], connection: Int) -> Received? {
        func fill() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = recv(c, &chunk, chunk.count, 0)
            if n <= 0 { return false }
            buffer += chunk[0..<n]
            return true
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int? = nil
        while headEnd == nil {
            if buffer.count >= 4 {
                for i in 0...(buffer.count - 4) where Array(buffer[i..<i + 4]) == separator { headEnd = i; break }
            }
            if headEnd == nil && !fill() { return nil }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        let bodyStart = headEnd! + 4
        while buffer.count < bodyStart + length { if !fill() { return nil } }
        let body = Array(buffer[bodyStart..<bodyStart + length])
        buffer.removeFirst(bodyStart + length)
        return Received(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body,
                        connection: connection)
    }
}

/// A thread-safe counter for scripts.
public final class Counter: @unchecked Sendable {   // guarded by `lock`
    private let lock = NSLock()
    private var value = 0
    public init() {}
    public func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value - 1 }
}
