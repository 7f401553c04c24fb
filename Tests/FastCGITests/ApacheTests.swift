import FastCGI
import Foundation
import Testing
import TestSupport

/// The FastCGI server in this process behind a real Apache 2.4, configured with the snippets shipped in apache/.
@Suite(.timeLimit(.minutes(5))) struct ApacheTests {
    @Test func proxyFCGISnippetSplitsScriptNameAndPathInfo() throws {
        let app = TestServer(handler: echo)
        let apache = try ApacheServer(.fastcgi(prefix: "/linepay", socket: app.socketPath))
        let response = try httpRequest(url: apache.baseURL + "/linepay/a/b?orderId=A-1&x=%E3%81%82")
        #expect(response.status == 200, "\(response.text)\n\(apache.errorLog)")
        let seen = try decodeEcho(response)
        #expect(seen.scriptName == "/linepay")
        #expect(seen.pathInfo == "/a/b")
        #expect(seen.queryString == "orderId=A-1&x=%E3%81%82")
        #expect(seen.query == [["orderId", "A-1"], ["x", "あ"]])
        #expect(seen.method == "GET")
        #expect(seen.remoteAddr == "127.0.0.1")

        // The bare prefix reaches the app too; a longer word sharing the prefix does not.
        let bare = try decodeEcho(try httpRequest(url: apache.baseURL + "/linepay"))
        #expect(bare.scriptName == "/linepay")
        #expect(bare.pathInfo == "")
        let slash = try decodeEcho(try httpRequest(url: apache.baseURL + "/linepay/"))
        #expect(slash.scriptName == "/linepay")
        #expect(slash.pathInfo == "/")
        #expect(try httpRequest(url: apache.baseURL + "/linepayment").status == 404)
        apache.stop()
        #expect(app.stop())
    }

    @Test func proxyFCGIPassesFormBodyHeadersAndAnswerThrough() throws {
        let app = TestServer(handler: echo)
        let apache = try ApacheServer(.fastcgi(prefix: "/linepay", socket: app.socketPath))
        let form = "orderId=A-1&items%5B0%5D%5Bname%5D=%E5%92%96%E5%95%A1+%26+tea&amount=360"
        let post = try httpRequest(method: "POST", url: apache.baseURL + "/linepay/checkout",
                                   headers: [("Content-Type", "application/x-www-form-urlencoded"),
                                             ("User-Agent", "LinePayTest/1.0"), ("Cookie", "session=abc")],
                                   body: Array(form.utf8))
        #expect(post.status == 200, "\(post.text)\n\(apache.errorLog)")
        let seen = try decodeEcho(post)
        #expect(seen.method == "POST")
        #expect(seen.pathInfo == "/checkout")
        #expect(seen.form == [["orderId", "A-1"], ["items[0][name]", "咖啡 & tea"], ["amount", "360"]])
        #expect(seen.bodyCount == form.utf8.count)
        #expect(seen.userAgent == "LinePayTest/1.0")
        #expect(seen.cookies == ["session": "abc"])

        var generator = SystemRandomNumberGenerator()
        let body = (0..<300_000).map { i in i < 256 ? UInt8(i) : UInt8.random(in: 0...255, using: &generator) }
        let echoed = try httpRequest(method: "POST", url: apache.baseURL + "/linepay/body",
                                     headers: [("Content-Type", "application/octet-stream")], body: body)
        #expect(echoed.status == 200)
        #expect(echoed.body == body)

        let cookies = try httpRequest(url: apache.baseURL + "/linepay/cookies")
        #expect(cookies.status == 201)
        #expect(cookies.setCookies == ["a=1; Path=/; HttpOnly", "b=2; Path=/"])
        #expect(cookies.headers["x-linepay-test"] == "yes")
        #expect(cookies.text == "two cookies")
        apache.stop()
        #expect(app.stop())
    }

    /// Legacy PHP shops route every missing file to index.php from an .htaccess; the snippet switches rewriting
    /// off under its location, so /linepay/... still reaches the responder.
    @Test func proxyFCGISnippetWinsOverAFrontControllerHtaccess() throws {
        let root = makeTemporaryDirectory("docroot")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "shop front controller\n".write(toFile: root + "/index.php", atomically: true, encoding: .utf8)
        try """
        RewriteEngine On
        RewriteBase /
        RewriteRule ^index\\.php$ - [L]
        RewriteCond %{REQUEST_FILENAME} !-f
        RewriteCond %{REQUEST_FILENAME} !-d
        RewriteRule . /index.php [L]

        """.write(toFile: root + "/.htaccess", atomically: true, encoding: .utf8)
        let app = TestServer(handler: echo)
        let apache = try ApacheServer(.fastcgi(prefix: "/linepay", socket: app.socketPath), extraModules: ["rewrite"],
                                      extraConfig: "<Directory \"\(root)\">\n    AllowOverride All\n</Directory>",
                                      documentRoot: root)
        #expect(try httpRequest(url: apache.baseURL + "/catalog/tea").text == "shop front controller\n",
                "the .htaccess is not in effect: \(apache.errorLog)")
        let response = try httpRequest(url: apache.baseURL + "/linepay/checkout?x=1")
        #expect(response.status == 200, "\(response.text)\n\(apache.errorLog)")
        let seen = try decodeEcho(response)
        #expect(seen.scriptName == "/linepay")
        #expect(seen.pathInfo == "/checkout")
        apache.stop()
        #expect(app.stop())
    }

    @Test func mountsSeveralPrefixesAtOnce() throws {
        let linepay = TestServer(handler: echo)
        let sandbox = TestServer(handler: echo)
        let apache = try ApacheServer(mounts: [
            .fastcgi(prefix: "/linepay", socket: linepay.socketPath),
            .fastcgi(prefix: "/v3", socket: sandbox.socketPath),
            .fastcgi(prefix: "/sandbox", socket: sandbox.socketPath),
        ])
        for (path, script, info) in [("/linepay/pay", "/linepay", "/pay"),
                                     ("/v3/payments/request", "/v3", "/payments/request"),
                                     ("/sandbox/pay/123", "/sandbox", "/pay/123")] {
            let response = try httpRequest(url: apache.baseURL + path)
            #expect(response.status == 200, "\(path): \(response.text)\n\(apache.errorLog)")
            let seen = try decodeEcho(response)
            #expect(seen.scriptName == script)
            #expect(seen.pathInfo == info)
        }
        apache.stop()
        #expect(linepay.stop())
        #expect(sandbox.stop())
    }

    @Test func cgiSnippetRunsTheBinaryWithItsConfigAndAuthorization() throws {
        let directory = makeTemporaryDirectory("cgi")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = directory + "/echo-cgi"
        try """
        #!/bin/sh
        printf 'Status: 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\n'
        echo "SCRIPT_NAME=$SCRIPT_NAME"
        echo "PATH_INFO=$PATH_INFO"
        echo "QUERY_STRING=$QUERY_STRING"
        echo "REQUEST_METHOD=$REQUEST_METHOD"
        echo "LINEPAY_CONFIG=$LINEPAY_CONFIG"
        echo "HTTP_AUTHORIZATION=$HTTP_AUTHORIZATION"
        echo "BODY=$(head -c "${CONTENT_LENGTH:-0}")"

        """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let config = directory + "/linepay conf/linepay.conf"
        let apache = try ApacheServer(.cgi(prefix: "/linepay", binary: script,
                                           environment: ["LINEPAY_CONFIG": config]))
        let response = try httpRequest(method: "POST", url: apache.baseURL + "/linepay/a/b?x=1",
                                       headers: [("Authorization", "Bearer t0ken"),
                                                 ("Content-Type", "application/x-www-form-urlencoded")],
                                       body: Array("k=v&n=2".utf8))
        #expect(response.status == 200, "\(response.text)\n\(apache.errorLog)")
        let lines = response.text.split(separator: "\n").map(String.init)
        #expect(lines == ["SCRIPT_NAME=/linepay", "PATH_INFO=/a/b", "QUERY_STRING=x=1", "REQUEST_METHOD=POST",
                          "LINEPAY_CONFIG=\(config)", "HTTP_AUTHORIZATION=Bearer t0ken", "BODY=k=v&n=2"])

        let bare = try httpRequest(url: apache.baseURL + "/linepay")
        #expect(bare.text.hasPrefix("SCRIPT_NAME=/linepay\nPATH_INFO=\n"))
        #expect(try httpRequest(url: apache.baseURL + "/linepayment").status == 404)
        apache.stop()
    }

    /// mod_fcgid starts a FastCGI program of ours with the listen socket on fd 0: the sandbox binary, built
    /// from the FastCGI library, answers its API under /v3.
    @Test func fcgidSnippetStartsTheProgramOnItsOwn() throws {
        let directory = makeTemporaryDirectory("fcgid")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        chmod(directory, 0o777) // the processes run as www-data and create the SQLite file here
        let command = [builtBinary("linepay-sandbox"), "--database", directory + "/sandbox.sqlite",
                       "--channel", "1234567890:fcgid-test-secret"]
        let apache = try ApacheServer(.fcgid(prefix: "/v3", command: command))
        let response = try httpRequest(url: apache.baseURL + "/v3/payments/requests")
        #expect(response.status == 200, "\(response.text)\n\(apache.errorLog)")
        #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
        #expect(response.text.contains("\"returnCode\""))
        apache.stop()
    }

    @Test func refusesToStartWithABadConfigAndSaysWhy() throws {
        do {
            _ = try ApacheServer(mounts: [], extraConfig: "NoSuchDirective on")
            Issue.record("Apache started with an invalid directive")
        } catch {
            #expect("\(error)".contains("NoSuchDirective"), "\(error)")
        }
    }

    @Test func rendersTheShippedSnippetsWithTheirCommentsDropped() throws {
        let apache = try ApacheServer(mounts: [.fastcgi(prefix: "/v3", socket: "/tmp/nowhere.sock"),
                                               .cgi(prefix: "/cgi", binary: "/bin/true", environment: ["A": "b c"])])
        let text = apache.configText
        #expect(text.contains("<Location \"/v3\">\n    SetHandler \"proxy:unix:/tmp/nowhere.sock|fcgi://localhost\""))
        #expect(text.contains("ScriptAlias /cgi /bin/true\n<Location \"/cgi\">\n    SetEnv A \"b c\"\n    CGIPassAuth On"))
        #expect(!text.contains("/run/linepay/linepay.sock"))
        #expect(!text.contains("LINEPAY_CONFIG"))
        apache.stop()
    }
}
