import Foundation
import Testing
import TestSupport

/// Pages link fingerprinted asset names; the shipped nginx snippet serves them from www/ with a year of caching,
/// and the responder serves the same names as the fallback, with ETag and 304.
@Suite(.serialized, .timeLimit(.minutes(5))) struct AssetTests {
    @Test func pagesLinkFingerprintedNamesServedByTheSnippetAndTheResponder() throws {
        let h = try ResponderHarness()
        let page = try Browser().go("POST", h.baseURL + "/checkout", form: Flow.handoff(orderId: Flow.newOrderId()))
        let css = try #require(Flow.capture(#"href="/linepay/assets/(linepay\.[0-9a-f]{16}\.css)""#, page.text), "\(page.text.prefix(600))")
        let js = try #require(Flow.capture(#"src="/linepay/assets/(linepay\.[0-9a-f]{16}\.js)""#, page.text))
        let cssFile = try #require(FileManager.default.contents(atPath: repoRoot() + "/www/linepay.css"))

        // The fallback: the responder answers the fingerprinted name with immutable caching and a validator.
        let fallback = try Browser().go("GET", h.baseURL + "/assets/" + css)
        #expect(fallback.status == 200 && Data(fallback.body) == cssFile)
        #expect(fallback.headers["cache-control"] == "public, max-age=31536000, immutable")
        let etag = try #require(fallback.headers["etag"])
        #expect(try Browser().go("GET", h.baseURL + "/assets/" + css, headers: [("If-None-Match", etag)]).status == 304)
        #expect(try Browser().go("GET", h.baseURL + "/assets/" + js).status == 200)
        #expect(try Browser().go("GET", h.baseURL + "/assets/linepay.0000000000000000.css").status == 404)

        // The shipped snippet, with this machine's folder and socket, in front of the same responder.
        let snippets = try NginxServer.shippedSnippets(socket: h.directory + "/linepay.sock", assets: repoRoot() + "/www")
        let nginx = try NginxServer(locations: [], extraServerConfig: snippets.server, extraHTTPConfig: snippets.http)
        let direct = try Browser().go("GET", nginx.baseURL + "/linepay/assets/" + css)
        #expect(direct.status == 200 && Data(direct.body) == cssFile)
        #expect(direct.headers["cache-control"] == "public, max-age=31536000, immutable")
        #expect(direct.headers["content-type"]?.hasPrefix("text/css") == true)
        // Other names under assets/ still reach the responder (it adds its security headers; nginx's files have none).
        let plain = try Browser().go("GET", nginx.baseURL + "/linepay/assets/linepay.css")
        #expect(plain.status == 200 && plain.headers["x-content-type-options"] == "nosniff")
        #expect(direct.headers["x-content-type-options"] == nil, "served by nginx from the file, not by the responder")
    }
}
