import FastCGI
import Foundation
import Testing
import TestSupport

/// The FastCGI server in this process, a real nginx in front, requests over real HTTP.
@Suite(.timeLimit(.minutes(5))) struct ThroughNginxTests {
    @Test func splitsScriptNameAndPathInfoAsTheTextbookBlockSays() throws {
        let stack = try Stack()
        let response = try httpRequest(url: stack.url("/linepay/checkout/confirm?orderId=A-1"))
        #expect(response.status == 200, "\(response.text)\n\(stack.nginx.errorLog)")
        let seen = try decodeEcho(response)
        #expect(seen.scriptName == "/linepay")
        #expect(seen.pathInfo == "/checkout/confirm")
        #expect(seen.queryString == "orderId=A-1")
        #expect(seen.method == "GET")
        #expect(seen.isHTTPS == false)
        #expect(seen.remoteAddr == "127.0.0.1")
        #expect(stack.stop())
    }

    @Test func decodesQueryAndFormAsUTF8WithPlusAsSpace() throws {
        let stack = try Stack()
        let query = "name=%E3%83%A9%E3%82%A4%E3%83%B3+Pay&a=1&a=2&empty=&flag&pct=100%25"
        let get = try decodeEcho(try httpRequest(url: stack.url("/linepay/echo?" + query)))
        #expect(get.query == [["name", "ライン Pay"], ["a", "1"], ["a", "2"], ["empty", ""], ["flag", ""],
                              ["pct", "100%"]])
        #expect(get.form.isEmpty)

        let form = "greeting=hello+world&yen=%C2%A5100&kana=%E3%81%82&plus=1%2B1"
        let post = try decodeEcho(try httpRequest(
            method: "POST", url: stack.url("/linepay/echo"),
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")], body: Array(form.utf8)))
        #expect(post.method == "POST")
        #expect(post.form == [["greeting", "hello world"], ["yen", "¥100"], ["kana", "あ"], ["plus", "1+1"]])
        #expect(post.contentType == "application/x-www-form-urlencoded; charset=UTF-8")

        // The same body as JSON is not a form.
        let json = try decodeEcho(try httpRequest(
            method: "POST", url: stack.url("/linepay/echo"),
            headers: [("Content-Type", "application/json")], body: Array(form.utf8)))
        #expect(json.form.isEmpty)
        #expect(json.bodyCount == form.utf8.count)
        #expect(stack.stop())
    }

    @Test func echoesAPostBodyByteForByte() throws {
        let stack = try Stack()
        var generator = SystemRandomNumberGenerator()
        let body = (0..<300_000).map { i in i < 256 ? UInt8(i) : UInt8.random(in: 0...255, using: &generator) }
        let response = try httpRequest(method: "POST", url: stack.url("/linepay/body"),
                                       headers: [("Content-Type", "application/octet-stream")], body: body)
        #expect(response.status == 200)
        #expect(response.headers["content-length"] == "\(body.count)")
        #expect(response.body == body)
        #expect(stack.stop())
    }

    @Test func passesHeadersAndCookiesInAndDuplicateSetCookieOut() throws {
        let stack = try Stack()
        let seen = try decodeEcho(try httpRequest(url: stack.url("/linepay/echo"), headers: [
            ("User-Agent", "LinePayTest/1.0"), ("X-Request-Id", "req-42"),
            ("Cookie", "session=abc; theme=\"dark\"; session=shadowed"),
        ]))
        #expect(seen.userAgent == "LinePayTest/1.0")
        #expect(seen.requestID == "req-42")
        #expect(seen.cookies == ["session": "abc", "theme": "dark"])

        let response = try httpRequest(url: stack.url("/linepay/cookies"))
        #expect(response.status == 201)
        #expect(response.setCookies == ["a=1; Path=/; HttpOnly", "b=2; Path=/"])
        #expect(response.headers["x-linepay-test"] == "yes")
        #expect(response.text == "two cookies")
        #expect(stack.stop())
    }

    @Test func refusesABodyOverTheLimitWith413AndKeepsServing() throws {
        let calls = Locked(0)
        let stack = try Stack(maxBodyBytes: 64 * 1024) { request in
            calls.withLock { $0 += 1 }
            return echo(request)
        }
        let big = [UInt8](repeating: 0x41, count: 1_000_000)
        let refused = try httpRequest(method: "POST", url: stack.url("/linepay/body"), body: big)
        #expect(refused.status == 413, "\(refused.text)\n\(stack.nginx.errorLog)")
        // Our text, not nginx's own 413 page (its client_max_body_size is 16m here).
        #expect(refused.text.contains("at most 65536 bytes"))
        #expect(calls.current == 0)

        let exact = [UInt8](repeating: 0x42, count: 64 * 1024)
        let accepted = try httpRequest(method: "POST", url: stack.url("/linepay/body"), body: exact)
        #expect(accepted.status == 200)
        #expect(accepted.body == exact)
        #expect(calls.current == 1)
        #expect(stack.stop())
    }

    @Test func answersSixteenConcurrentRequestsOnFourThreads() throws {
        let stack = try Stack(threads: 4)
        let (answered, finished) = stack.concurrentGets(count: 16, timeout: 60) { "/linepay/n/\($0)?i=\($0)" }
        #expect(finished)
        #expect(answered.count == 16)
        for i in 0..<16 { #expect(answered[i] == "200 /n/\(i)") }
        #expect(stack.stop())
    }

    @Test func answersHeadAndBodylessRequests() throws {
        let stack = try Stack()
        let head = try httpRequest(method: "HEAD", url: stack.url("/linepay/echo"))
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.headers["content-type"] == "application/json")

        let get = try decodeEcho(try httpRequest(url: stack.url("/linepay/echo")))
        #expect(get.bodyCount == 0)
        #expect(get.query.isEmpty)

        let empty = try httpRequest(url: stack.url("/linepay/empty"))
        #expect(empty.status == 204)
        #expect(empty.body.isEmpty)

        let emptyPost = try decodeEcho(try httpRequest(method: "POST", url: stack.url("/linepay/echo")))
        #expect(emptyPost.method == "POST")
        #expect(emptyPost.bodyCount == 0)
        #expect(stack.stop())
    }

    @Test func stopLetsABusyRequestFinish() throws {
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let stack = try Stack { request in
            guard request.pathInfo == "/slow" else { return echo(request) }
            entered.signal()
            release.wait()
            return .text("finished after stop")
        }
        let reply = Locked<HTTPResponse?>(nil)
        let clientDone = DispatchSemaphore(value: 0)
        let url = stack.url("/linepay/slow")
        Thread {
            let response = try? httpRequest(url: url)
            reply.withLock { $0 = response }
            clientDone.signal()
        }.start()
        #expect(entered.wait(timeout: .now() + 10) == .success)

        stack.app.server.stop()
        // The worker is blocked inside the handler, so run cannot have returned.
        #expect(stack.app.waitForReturn(timeout: 0) == false)
        release.signal()
        #expect(clientDone.wait(timeout: .now() + 10) == .success)
        #expect(reply.current?.status == 200)
        #expect(reply.current?.text == "finished after stop")
        #expect(stack.app.waitForReturn(timeout: 10))
        #expect(FileManager.default.fileExists(atPath: stack.app.socketPath) == false)
        stack.nginx.stop()
    }
}
