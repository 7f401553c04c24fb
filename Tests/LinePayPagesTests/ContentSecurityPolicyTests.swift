import Testing
@testable import LinePayPages

/// The responder sends `script-src 'self'; style-src 'self'`: no inline script, style or handler may appear.
@Suite(.timeLimit(.minutes(5))) struct ContentSecurityPolicyTests {
    @Test(arguments: PageLanguage.allCases)
    func noInlineScriptStyleOrHandlers(language: PageLanguage) {
        let pages = Fixture.allPages(Fixture.context(language), order: Fixture.order())
            + Fixture.allPages(Fixture.hostileContext(language), order: Fixture.hostileOrder())
        for (page, html) in pages {
            let tags = HTML.tags(html)
            #expect(!tags.contains { $0.name == "style" }, "\(page): <style> element")
            for tag in tags {
                #expect(tag.attributes["style"] == nil, "\(page): style= on \(tag.raw)")
                #expect(!tag.attributes.keys.contains { $0.hasPrefix("on") }, "\(page): handler on \(tag.raw)")
                if tag.name == "script" {
                    #expect(tag.attributes["src"]?.hasSuffix("/linepay.js") == true, "\(page): \(tag.raw)")
                    #expect(html[tag.end...].hasPrefix("</script>"), "\(page): script with a body")
                }
                for name in ["href", "src", "action"] {
                    #expect(tag.attributes[name]?.lowercased().hasPrefix("javascript:") != true, "\(page): \(tag.raw)")
                }
            }
        }
    }

    @Test func linksTheTwoAssetsFromAssetBase() {
        for (page, html) in Fixture.allPages(Fixture.context(), order: Fixture.order()) {
            let tags = HTML.tags(html)
            let sheets = tags.filter { $0.name == "link" && $0.attributes["rel"] == "stylesheet" }
            #expect(sheets.map { $0.attributes["href"] } == ["/linepay/assets/linepay.css"], "\(page)")
            let scripts = tags.filter { $0.name == "script" }
            #expect(scripts.map { $0.attributes["src"] } == ["/linepay/assets/linepay.js"], "\(page)")
            #expect(scripts.first?.attributes["defer"] != nil, "\(page)")
        }
        let slashed = PageContext(basePath: "/shop/linepay/", assetBase: "/static/", shopName: "S")
        let html = Pages.checkout(slashed, order: Fixture.order(), csrfToken: "t")
        #expect(html.contains("href=\"/static/linepay.css\"") && html.contains("src=\"/static/linepay.js\""))
        #expect(html.contains("action=\"/shop/linepay/pay\""))
    }

    @Test func everyPageIsADocumentForSmallScreens() {
        for (page, html) in Fixture.allPages(Fixture.context(), order: Fixture.order()) {
            #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang="), "\(page)")
            #expect(html.contains("<meta charset=\"utf-8\">"), "\(page)")
            #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"), "\(page)")
            #expect(HTML.body(html)?.attributes["data-page"] == page, "\(page)")
            #expect(html.contains("<title>") && html.contains("Cony Tea House</title>"), "\(page)")
            #expect(html.hasSuffix("</html>\n"), "\(page)")
        }
    }
}
