import Testing
@testable import LinePayPages

/// Every interpolated value is escaped; unsafe URLs never reach an attribute.
@Suite(.timeLimit(.minutes(5))) struct EscapingTests {
    @Test func escapesTheFiveCharactersAndNothingElse() {
        #expect(htmlEscape(#"<a href="x">Tom & 'Jerry'</a>"#) == "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;")
        #expect(htmlEscape("烏龍茶 ชาไทย ¥120") == "烏龍茶 ชาไทย ¥120")
        #expect(htmlEscape("&amp;") == "&amp;amp;")
    }

    @Test(arguments: ["checkout", "receipt"])
    func productNamesAppearEscaped(page: String) {
        let order = Fixture.order(items: [
            LineItemView(name: Fixture.hostile, quantity: 1, unitPrice: "1", lineTotal: "1"),
            LineItemView(name: "\"quoted\"", quantity: 1, unitPrice: "2", lineTotal: "2"),
        ])
        let html = page == "checkout" ? Pages.checkout(Fixture.context(), order: order, csrfToken: "t")
                                      : Pages.receipt(Fixture.context(), order: order)
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;quoted&quot;"))
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("\"quoted\""))
    }

    @Test(arguments: PageLanguage.allCases)
    func noRawMarkupFromDataOnAnyPage(language: PageLanguage) {
        for (page, html) in Fixture.allPages(Fixture.hostileContext(language), order: Fixture.hostileOrder()) {
            #expect(!html.contains("<script>"), "\(page)")
            #expect(!html.contains("<b>") && !html.contains("<i>"), "\(page)")
            // The only script element is the external linepay.js.
            #expect(html.components(separatedBy: "<script").count == 2, "\(page)")
            // No attribute was broken out of: every tag parses into known names only.
            for tag in HTML.tags(html) {
                #expect(!tag.attributes.keys.contains { $0.hasPrefix("on") }, "\(page): \(tag.raw)")
            }
        }
    }

    @Test func unsafeURLsAreDropped() {
        let c = Fixture.context(returnURL: "javascript:alert(1)")
        let order = Fixture.hostileOrder()
        for (page, html) in Fixture.allPages(c, order: order, url: " JavaScript:alert(1)") {
            #expect(!html.lowercased().contains("javascript:"), "\(page)")
            #expect(HTML.element(html, id: "lp-return") == nil, "\(page)")
        }
        let pay = Pages.payDesktop(c, order: order, paymentURL: "javascript:alert(1)", statusURL: "/s", resultURL: "/r", csrfToken: "t")
        #expect(HTML.element(pay, id: "lp-fallback")?.attributes["href"] == "#")
        // The item image with a javascript: URL is left out; the https one stays (escaped).
        let receipt = Pages.receipt(Fixture.context(), order: order)
        let images = HTML.tags(receipt).filter { $0.name == "img" }
        #expect(images.count == 1)
        #expect(images.first?.attributes["src"] == "https://img.example/a.png\"><script>alert(2)</script>")
    }

    @Test func safeURLRules() {
        #expect(safeURL("https://a.example/x?y=1") != nil)
        #expect(safeURL("http://127.0.0.1:8080/") != nil)
        #expect(safeURL("/linepay/result?o=1") != nil)
        #expect(safeURL("javascript:alert(1)") == nil)
        #expect(safeURL("vbscript:x") == nil)
        #expect(safeURL("data:text/html,<script>") == nil)
        #expect(safeURL("data:image/png;base64,AAAA") == nil)
        #expect(safeURL("data:image/png;base64,AAAA", allowImageData: true) != nil)
        #expect(safeURL("data:image/svg+xml,<svg/>", allowImageData: true) == nil)
        #expect(safeURL("/\\evil.example") == nil)
        #expect(safeURL("https://a.example/\n") == nil)
        #expect(safeURL("") == nil)
    }

    @Test func placeholdersInArgumentsAreNotExpandedAgain() {
        let text = Catalog.text(.failedReason, .en, ["reason": "{reason} {code}"])
        #expect(text == "Reason given by LINE Pay: {reason} {code}")
        #expect(Catalog.text(.errorCode, .ja, ["code": "404"]) == "エラー 404")
    }
}
