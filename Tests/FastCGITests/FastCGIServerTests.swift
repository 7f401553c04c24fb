@testable import FastCGI
import Foundation
import Testing
import TestSupport

/// The server's life cycle and listening, without nginx.
@Suite(.timeLimit(.minutes(5))) struct FastCGIServerTests {
    struct SetupFailed: Error {}
    /// The two tests that swap fd 0 take turns (tests of a suite run in parallel).
    static let standardInput = NSLock()

    /// Runs `body` holding fd 0 to itself, then puts the original fd 0 back.
    func swappingStandardInput(_ body: () throws -> Void) throws {
        Self.standardInput.lock()
        defer { Self.standardInput.unlock() }
        let saved = dup(0)
        try #require(saved >= 0, "fd 0 must be open to be swapped")
        defer { dup2(saved, 0); close(saved) }
        try body()
    }

    @Test func runThrowsWhenMakeHandlerThrowsInsteadOfCrashing() {
        let app = TestServer(threads: 3, waitForSocket: false) { throw SetupFailed() }
        #expect(app.waitForReturn(timeout: 10))
        guard case .failure(let error)? = app.outcome.current,
              case FastCGIServerError.handlerSetupFailed(let cause)? = error as? FastCGIServerError
        else {
            Issue.record("expected handlerSetupFailed, got \(String(describing: app.outcome.current))")
            return
        }
        #expect(cause is SetupFailed)
        #expect(FileManager.default.fileExists(atPath: app.socketPath) == false)
    }

    @Test func stopReturnsFromRunAndRemovesTheSocket() {
        let app = TestServer(handler: echo)
        #expect(FileManager.default.fileExists(atPath: app.socketPath))
        #expect(app.stop())
        #expect(app.outcome.current.map { if case .success = $0 { true } else { false } } == true)
        #expect(FileManager.default.fileExists(atPath: app.socketPath) == false)
        #expect(connectUnix(path: app.socketPath) == nil)
    }

    /// An inherited fd 0 that is a socket but not a listening one (a wrong spawn line): run stops with the reason
    /// instead of waiting forever for connections that cannot come.
    @Test func runFailsOnASocketThatDoesNotListen() throws {
        try swappingStandardInput {
            let unconnected = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            dup2(unconnected, 0)
            close(unconnected)
            let server = FastCGIServer(listen: .inherited, threads: 1)
            let outcome = Locked<(any Error)?>(nil), returned = DispatchSemaphore(value: 0)
            Thread {
                do { try server.run { echo } } catch { outcome.withLock { $0 = error } }
                returned.signal()
            }.start()
            #expect(returned.wait(timeout: .now() + 20) == .success, "run did not return")
            guard case FastCGIServerError.acceptFailed(let code)? = outcome.current as? FastCGIServerError else {
                Issue.record("expected acceptFailed, got \(String(describing: outcome.current))")
                return
            }
            #expect(code == EINVAL)
        }
    }

    @Test func runTwiceIsRefused() throws {
        let app = TestServer(handler: echo)
        #expect(throws: FastCGIServerError.self) { try app.server.run { echo } }
        #expect(app.stop())
    }

    @Test func servesOverTCPToCgiFcgi() throws {
        // The probed port can be taken by a parallel suite before our bind: then (run returns) on another one.
        var port = 0, started: FastCGIServer?, returned = DispatchSemaphore(value: 0)
        for _ in 0..<5 where started == nil {
            port = freeLoopbackPort()
            let candidate = FastCGIServer(listen: .tcp(host: "127.0.0.1", port: port), threads: 2)
            let done = DispatchSemaphore(value: 0), ended = Locked(false)
            Thread {
                try? candidate.run { echo }
                ended.withLock { $0 = true }
                done.signal()
            }.start()
            try waitFor("the server to listen on 127.0.0.1:\(port)", timeout: 10) { ended.current || thisProcessListens(onPort: port) }
            if !ended.current { (started, returned) = (candidate, done) }
        }
        let server = try #require(started)
        let result = try runProcess("/usr/bin/cgi-fcgi", ["-bind", "-connect", "127.0.0.1:\(port)"], env: [
            "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/linepay", "PATH_INFO": "/tcp", "QUERY_STRING": "x=%E2%9C%93",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Status: 200 OK\r\n"))
        let body = result.stdout.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        let seen = try JSONDecoder().decode(Echo.self, from: Data(body.utf8))
        #expect(seen.pathInfo == "/tcp")
        #expect(seen.query == [["x", "✓"]])
        server.stop()
        #expect(returned.wait(timeout: .now() + 10) == .success)
    }

    @Test func replacesAStaleSocketButNotALiveOneOrAFile() throws {
        let directory = makeTemporaryDirectory("stale")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/app.sock"
        // A socket file whose server is gone: bound, never listened, closed.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
        #expect(bound == 0)
        #expect(FileManager.default.fileExists(atPath: path))

        let first = FastCGIServer(listen: .unixSocket(path: path, mode: 0o600), threads: 1)
        let firstReturned = DispatchSemaphore(value: 0)
        Thread { try? first.run { echo }; firstReturned.signal() }.start()
        #expect(waitForUnixSocket(path: path))
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)

        // A second server on a live socket must refuse rather than steal it.
        let second = FastCGIServer(listen: .unixSocket(path: path, mode: 0o666), threads: 1)
        #expect(throws: FastCGIServerError.self) { try second.run { echo } }
        #expect(connectUnix(path: path).map { close($0); return true } == true)
        first.stop()
        #expect(firstReturned.wait(timeout: .now() + 10) == .success)

        // A regular file is never deleted.
        let filePath = directory + "/not-a-socket"
        _ = FileManager.default.createFile(atPath: filePath, contents: Data("keep me".utf8))
        let third = FastCGIServer(listen: .unixSocket(path: filePath, mode: 0o666), threads: 1)
        #expect(throws: FastCGIServerError.self) { try third.run { echo } }
        #expect((try? String(contentsOfFile: filePath, encoding: .utf8)) == "keep me")
    }

    @Test func findsTheRepositoryAndTheBuildProducts() {
        #expect(FileManager.default.fileExists(atPath: repoRoot() + "/Package.swift"))
        #expect(FileManager.default.fileExists(atPath: repoRoot() + "/Tests/FastCGITests"))
        // The executables the end-to-end tests run: `make build`'s (LINEPAY_BIN_DIR), else those beside this test binary.
        let products = (try? FileManager.default.contentsOfDirectory(atPath: builtProductsDirectory())) ?? []
        #expect(["linepay-fcgi", "linepay", "linepay-sandbox"].allSatisfy(products.contains), "\(builtProductsDirectory())")
    }

    @Test func parsesListenArguments() {
        #expect(ListenAddress(argument: "unix:/run/linepay/linepay.sock")
                == .unixSocket(path: "/run/linepay/linepay.sock", mode: 0o660))
        #expect(ListenAddress(argument: "/tmp/a.sock", socketMode: 0o666) == .unixSocket(path: "/tmp/a.sock", mode: 0o666))
        #expect(ListenAddress(argument: "127.0.0.1:9000") == .tcp(host: "127.0.0.1", port: 9000))
        #expect(ListenAddress(argument: ":9000") == .tcp(host: "", port: 9000))
        #expect(ListenAddress(argument: "inherited") == .inherited)
        #expect(ListenAddress(argument: "127.0.0.1:0") == nil)
        #expect(ListenAddress(argument: "127.0.0.1:70000") == nil)
        #expect(ListenAddress(argument: "unix:relative.sock") == nil)
        #expect(ListenAddress(argument: "[::1]:9000") == nil)
        #expect(ListenAddress(argument: "nonsense") == nil)
    }

    /// fd 0 decides CGI versus FastCGI; swapped for a moment and restored.
    @Test func detectsCGIFromWhatIsOnStandardInput() throws {
        try swappingStandardInput {
            var pipeFDs: [Int32] = [0, 0]
            #expect(pipe(&pipeFDs) == 0)
            dup2(pipeFDs[0], 0)
            #expect(FastCGIServer.isCGI, "a pipe (mod_cgi) is CGI")
            close(pipeFDs[0]); close(pipeFDs[1])

            var pair: [Int32] = [0, 0]
            #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
            dup2(pair[0], 0)
            #expect(FastCGIServer.isCGI, "a connected socket (mod_cgid) is CGI")
            close(pair[0]); close(pair[1])

            let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var family = sa_family_t(AF_UNIX)   // an address of just the family: the kernel autobinds an abstract name
            let bound = withUnsafePointer(to: &family) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sa_family_t>.size)) }
            }
            #expect(bound == 0 && listen(listener, 1) == 0)
            dup2(listener, 0)
            #expect(FastCGIServer.isCGI == false, "a listening socket (spawn-fcgi, mod_fcgid) is FastCGI")
            close(listener)
        }
    }
}
