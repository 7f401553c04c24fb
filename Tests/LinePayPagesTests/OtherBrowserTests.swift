import Testing
@testable import LinePayPages

/// A browser that did not start the checkout learns only whether the payment completed, nothing about the order.
@Suite(.timeLimit(.minutes(5))) struct OtherBrowserTests {
    static let secrets = ["A-1001", "1010", "360", "Oolong tea", "Brown plush", "2016020510824221610", "shop.example", "f00d"]

    @Test(arguments: PageLanguage.allCases)
    func completePageShowsNoOrderDetails(language: PageLanguage) throws {
        let html = Pages.otherBrowserComplete(Fixture.context(language))
        for secret in Self.secrets { #expect(!html.contains(secret), "\(secret)") }
        #expect(HTML.body(html)?.attributes["data-page"] == "other-browser")
        #expect(HTML.text(html, id: "lp-status") == Catalog.text(.otherBrowserBody, language))
        #expect(HTML.element(html, id: "lp-return") == nil && HTML.element(html, id: "lp-total") == nil)
        #expect(!html.contains("<form"))
    }

    @Test(arguments: PageLanguage.allCases)
    func notCompletedPageShowsNoOrderDetails(language: PageLanguage) throws {
        let html = Pages.otherBrowserNotCompleted(Fixture.context(language))
        for secret in Self.secrets { #expect(!html.contains(secret), "\(secret)") }
        #expect(HTML.body(html)?.attributes["data-page"] == "other-browser-failed")
        #expect(HTML.text(html, id: "lp-status") == Catalog.text(.otherBrowserNotCompletedBody, language))
        #expect(HTML.element(html, id: "lp-return") == nil && HTML.element(html, id: "lp-retry") == nil)
    }

    @Test(arguments: PageLanguage.allCases)
    func checkingPageShowsNoOrderDetailsAndNoVerdict(language: PageLanguage) throws {
        let html = Pages.otherBrowserChecking(Fixture.context(language))
        for secret in Self.secrets { #expect(!html.contains(secret), "\(secret)") }
        #expect(HTML.body(html)?.attributes["data-page"] == "other-browser-checking")
        #expect(HTML.text(html, id: "lp-status") == Catalog.text(.otherBrowserCheckingBody, language))
        #expect(!html.contains(Catalog.text(.otherBrowserBody, language)) && !html.contains(Catalog.text(.otherBrowserNotCompletedBody, language)))
    }

    @Test func englishWording() {
        #expect(Pages.otherBrowserComplete(Fixture.context()).contains("Payment complete. Return to the window where you started the payment."))
        #expect(Pages.otherBrowserNotCompleted(Fixture.context()).contains("The payment was not completed. Return to the window where you started."))
    }
}
