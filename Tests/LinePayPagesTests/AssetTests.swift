import Foundation
import Testing
@testable import LinePayPages

/// `www/linepay.css` and `www/linepay.js` against the pages: size, colours, and the data-* and ids they agree on.
@Suite(.timeLimit(.minutes(5))) struct AssetTests {
    static let www = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("www")

    static func read(_ name: String) throws -> String {
        try String(contentsOf: www.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func stylesheetIsSmallAndSelfContained() throws {
        let css = try Self.read("linepay.css")
        #expect(css.utf8.count < 6 * 1024)
        #expect(css.lowercased().contains("#06c755"))
        #expect(!css.contains("@import") && !css.contains("url(") && !css.contains("@font-face"))
        // >= 16 px text and >= 44 px tap targets.
        #expect(css.contains("font:16px/"))
        #expect(css.contains("min-height:48px") && css.contains("min-height:44px"))
    }

    @Test func scriptReadsOnlyAttributesAndIdsThePagesHave() throws {
        let js = try Self.read("linepay.js")
        let pages = Fixture.allPages(Fixture.context(), order: Fixture.order()).map(\.html).joined()
        // data.fooBar and data['fooBar'] -> data-foo-bar on some page.
        var names = Set(js.matches(of: #/data\.([a-zA-Z]+)/#).map { String($0.output.1) })
        names.formUnion(js.matches(of: #/'(text[A-Z][a-zA-Z]+)'/#).map { String($0.output.1) })
        #expect(names.contains("paymentUrl") && names.contains("popupWidth") && names.contains("textBlocked"))
        for name in names where name != "state" && name != "submitted" {
            let attribute = "data-" + name.replacing(#/[A-Z]/#) { "-" + $0.output.lowercased() }
            #expect(pages.contains(attribute + "=") || pages.contains(attribute + ">") || pages.contains(attribute + " "), "\(attribute)")
        }
        let ids = js.matches(of: #/byId\('([a-z-]+)'\)/#).map { String($0.output.1) }
        #expect(Set(ids) == ["lp-status", "lp-open", "lp-final"])
        for id in ids { #expect(pages.contains("id=\"\(id)\""), "\(id)") }
    }

    @Test func scriptOpensTheCentredPopupAndPollsSameOrigin() throws {
        let js = try Self.read("linepay.js")
        #expect(js.contains("window.open(paymentUrl"))
        #expect(js.contains("width=${width},height=${height},left=${left},top=${top}"))
        #expect(js.contains("(window.outerWidth - width) / 2") && js.contains("(window.outerHeight - height) / 2"))
        #expect(js.contains("credentials: 'same-origin'") && js.contains("POLL_MS = 2000"))
        #expect(js.contains("opener.location.href = window.location.href") && js.contains("window.close()"))
        // No UI text in the script: every sentence comes from data-text-* attributes.
        for english in Catalog.en.values where english.contains(" ") { #expect(!js.contains(english), "\(english)") }
    }
}
