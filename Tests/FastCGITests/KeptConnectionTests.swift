import FastCGI
import Foundation
import Testing
import TestSupport

/// nginx keeping its FastCGI connections (upstream keepalive, fastcgi_keep_conn on), as the shipped snippet does.
@Suite(.timeLimit(.minutes(5))) struct KeptConnectionTests {
    /// nginx keeps up to 16 idle connections, more than the server's 2 threads. With a thread parked reading each
    /// kept connection (libfcgi on its own), requests nginx sent over the others would wait until its timeout.
    @Test func moreKeptConnectionsThanThreadsAreAllServed() throws {
        let stack = try Stack(threads: 2, keepsConnections: true) { request in
            usleep(20_000)   // load, not synchronisation: requests overlap, so nginx opens (and keeps) many connections
            return echo(request)
        }
        for round in 0..<3 {
            let (answered, finished) = stack.concurrentGets(count: 24) { "/linepay/r\(round)/\($0)" }
            #expect(finished, "round \(round) did not end")
            #expect((0..<24).allSatisfy { answered[$0] == "200 /r\(round)/\($0)" }, "round \(round): \(answered)\n\(stack.nginx.errorLog)")
        }
        #expect(stack.app.server.connectionsAccepted > 2, "nginx opened no more connections than there are threads")
        #expect(stack.stop())
    }

    @Test func oneConnectionCarriesManyRequests() throws {
        let stack = try Stack(threads: 2, keepsConnections: true)
        #expect(try httpRequest(url: stack.url("/linepay/first")).status == 200)
        let before = stack.app.server.connectionsAccepted
        for i in 0..<50 {
            let seen = try decodeEcho(try httpRequest(url: stack.url("/linepay/seq/\(i)")))
            #expect(seen.pathInfo == "/seq/\(i)")
        }
        // One after another, nginx takes its cached connection each time: no new connection (one spare allowed).
        #expect(stack.app.server.connectionsAccepted - before <= 1, "\(stack.app.server.connectionsAccepted - before) new connections for 50 requests")
        #expect(stack.stop())
    }

    /// A body refused unread (413) must not be taken for the next request on the same connection: the server closes
    /// that connection, and every later request, over a new or a kept connection, is answered.
    @Test func aBodyLeftUnreadDoesNotSpoilTheNextRequest() throws {
        let stack = try Stack(threads: 1, maxBodyBytes: 1024, keepsConnections: true)
        for i in 0..<5 {
            let refused = try httpRequest(method: "POST", url: stack.url("/linepay/body"), body: [UInt8](repeating: 0x41, count: 200_000))
            #expect(refused.status == 413, "\(refused.text)\n\(stack.nginx.errorLog)")
            let small = Array("hello \(i)".utf8)
            let echoed = try httpRequest(method: "POST", url: stack.url("/linepay/body"), body: small)
            #expect(echoed.status == 200 && echoed.body == small, "\(echoed.status)\n\(stack.nginx.errorLog)")
            #expect(try decodeEcho(try httpRequest(url: stack.url("/linepay/after/\(i)"))).pathInfo == "/after/\(i)")
        }
        #expect(stack.stop())
    }

    /// Stopping closes the idle kept connections: run returns, and nginx's next request fails at once (502) instead
    /// of waiting on a connection nobody reads.
    @Test func stopClosesKeptConnections() throws {
        let stack = try Stack(threads: 2, keepsConnections: true)
        _ = stack.concurrentGets(count: 8) { "/linepay/r0/\($0)" }
        #expect(stack.app.stop())
        let after = try httpRequest(url: stack.url("/linepay/gone"), timeout: 30)
        #expect(after.status == 502, "\(after.status) \(after.text)")
        stack.nginx.stop()
    }
}
