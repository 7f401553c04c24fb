import Testing
@testable import LinePayPages

/// The desktop pay page: the popup's size and URL for linepay.js, the fallback link, the hidden try-again form.
@Suite(.timeLimit(.minutes(5))) struct PayPageTests {
    static let paymentURL = "https://sandbox-web-pay.line.me/web/payment/wait?transactionReserveId=cGF5&locale=ja"

    func page(_ language: PageLanguage = .en, csrf: String = "csrf-123") -> String {
        Pages.payDesktop(Fixture.context(language), order: Fixture.order(status: "reserved"), paymentURL: Self.paymentURL,
                         statusURL: "/linepay/status?orderId=A-1001", resultURL: "/linepay/result?orderId=A-1001&s=1",
                         csrfToken: csrf)
    }

    @Test func carriesThePopupSizeAndURLsInDataAttributes() throws {
        let html = page()
        let body = try #require(HTML.body(html))
        #expect(body.attributes["data-page"] == "pay")
        #expect(body.attributes["data-popup-width"] == "700")
        #expect(body.attributes["data-popup-height"] == "546")
        #expect(body.attributes["data-payment-url"] == Self.paymentURL)
        #expect(body.attributes["data-status-url"] == "/linepay/status?orderId=A-1001")
        #expect(body.attributes["data-result-url"] == "/linepay/result?orderId=A-1001&s=1")
        // Escaped in the markup itself.
        #expect(html.contains("data-payment-url=\"https://sandbox-web-pay.line.me/web/payment/wait?transactionReserveId=cGF5&amp;locale=ja\""))
    }

    @Test func fallbackAndOpenButtonPointAtLinePay() throws {
        let html = page()
        let fallback = try #require(HTML.element(html, id: "lp-fallback"))
        #expect(fallback.name == "a")
        #expect(fallback.attributes["href"] == Self.paymentURL)
        #expect(fallback.attributes["target"] == nil)          // this window
        #expect(HTML.text(html, id: "lp-fallback") == "Open LINE Pay in this window")
        let open = try #require(HTML.element(html, id: "lp-open"))
        #expect(open.attributes["href"] == Self.paymentURL)
        #expect(open.attributes["class"]?.contains("lp-primary") == true)
        #expect(HTML.text(html, id: "lp-open") == "Open LINE Pay")
    }

    @Test func statusTextsForTheScriptAreOnTheBody() throws {
        for language in PageLanguage.allCases {
            let body = try #require(HTML.body(page(language)))
            for name in ["waiting", "blocked", "checking", "paid", "cancelled", "failed", "expired", "not-completed", "open", "show"] {
                let value = body.attributes["data-text-" + name]
                #expect(value?.isEmpty == false, "\(language) data-text-\(name)")
            }
            #expect(body.attributes["data-text-blocked"] == Catalog.text(.statusBlocked, language))
            #expect(HTML.text(page(language), id: "lp-status") == Catalog.text(.statusWaiting, language))
        }
    }

    @Test func tryAgainFormIsThereButHiddenUntilTheStatusIsFinal() throws {
        let html = page(csrf: "csrf-\"x")
        let final = try #require(HTML.element(html, id: "lp-final"))
        #expect(final.attributes["hidden"] != nil)
        let form = try #require(HTML.tags(html).first { $0.name == "form" })
        #expect(form.attributes["method"] == "post" && form.attributes["action"] == "/linepay/pay")
        let inputs = HTML.tags(html).filter { $0.name == "input" }
        #expect(inputs.contains { $0.attributes["name"] == "orderId" && $0.attributes["value"] == "A-1001" && $0.attributes["type"] == "hidden" })
        #expect(inputs.contains { $0.attributes["name"] == "csrf" && $0.attributes["value"] == "csrf-\"x" })
        #expect(HTML.element(html, id: "lp-retry")?.attributes["type"] == "submit")
        #expect(HTML.element(html, id: "lp-total") != nil)
    }
}

/// The other pages' content and ids.
@Suite(.timeLimit(.minutes(5))) struct PageContentTests {
    @Test func checkoutHasItemsTotalsAndAPayFormThatSubmitsOnce() throws {
        let html = Pages.checkout(Fixture.context(), order: Fixture.order(status: "created"), csrfToken: "csrf-9")
        #expect(HTML.body(html)?.attributes["data-page"] == "checkout")
        #expect(html.contains("Oolong tea") && html.contains("Brown plush"))
        #expect(html.contains("Quantity: 3 · NT$120 each") && html.contains("NT$360"))
        #expect(html.contains("<dt>Shipping</dt><dd>NT$60</dd>"))
        #expect(HTML.text(html, id: "lp-total") == "NT$1010")
        let pay = try #require(HTML.element(html, id: "lp-pay"))
        #expect(pay.name == "button" && pay.attributes["type"] == "submit")
        #expect(HTML.text(html, id: "lp-pay") == "Pay with LINE Pay")
        let form = try #require(HTML.tags(html).first { $0.name == "form" })
        #expect(form.attributes["method"] == "post" && form.attributes["action"] == "/linepay/pay")
        #expect(form.attributes["data-once"] != nil)
        #expect(html.contains("<input type=\"hidden\" name=\"orderId\" value=\"A-1001\">"))
        #expect(html.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-9\">"))
        #expect(HTML.element(html, id: "lp-retry") == nil)
    }

    @Test func checkoutWithoutShippingShowsNoShippingRow() {
        var order = Fixture.order()
        order.shippingFee = nil
        let html = Pages.checkout(Fixture.context(), order: order, csrfToken: "t")
        #expect(!html.contains("Shipping"))
    }

    @Test(arguments: [("paid", "Payment complete"), ("authorized", "Payment authorized"), ("refunded", "Order status: Refunded"),
                      ("partially_refunded", "Order status: Partly refunded"),
                      ("mystery<x>", "Order status: mystery<x>")])
    func receiptHeadlineFollowsTheStatus(status: String, headline: String) throws {
        let html = Pages.receipt(Fixture.context(), order: Fixture.order(status: status))
        #expect(HTML.text(html, id: "lp-headline") == headline)
        #expect(HTML.text(html, id: "lp-order-id") == "A-1001")
        #expect(HTML.text(html, id: "lp-transaction-id") == "2016020510824221610")
        #expect(HTML.text(html, id: "lp-total") == "NT$1010")
        #expect(html.contains("Oolong tea"))
        let back = try #require(HTML.element(html, id: "lp-return"))
        #expect(back.attributes["href"] == "https://shop.example/cart?order=A-1001&sig=f00d")
        #expect(HTML.text(html, id: "lp-return") == "Return to the shop")
        #expect(HTML.body(html)?.attributes["data-popup"] == "hand-back")
    }

    @Test func receiptWithoutReturnURLHasNoReturnLink() {
        let html = Pages.receipt(Fixture.context(returnURL: nil), order: Fixture.order())
        #expect(HTML.element(html, id: "lp-return") == nil)
    }

    @Test(arguments: PageLanguage.allCases)
    func checkingNeverSaysFailed(language: PageLanguage) throws {
        let html = Pages.checking(Fixture.context(language), order: Fixture.order(status: "checking"),
                                  statusURL: "/linepay/status?o=A-1001", resultURL: "/linepay/result?o=A-1001")
        let body = try #require(HTML.body(html))
        #expect(body.attributes["data-page"] == "checking")
        #expect(body.attributes["data-status-url"] == "/linepay/status?o=A-1001")
        #expect(body.attributes["data-result-url"] == "/linepay/result?o=A-1001")
        #expect(HTML.text(html, id: "lp-status") == Catalog.text(.statusChecking, language))
        #expect(HTML.element(html, id: "lp-return") != nil)
        // What is on screen at first never mentions failure (the data-text-* are for after a final answer).
        var shown = html
        for tag in HTML.tags(html) where tag.name == "body" { shown = shown.replacingOccurrences(of: tag.raw, with: "<body>") }
        for failure in [TextKey.statusFailed, .failedTitle, .failedBody, .stateFailed, .statusNotCompleted] {
            #expect(!HTML.visibleText(shown).contains(Catalog.text(failure, language)), "\(failure)")
        }
        if language == .en { #expect(!shown.lowercased().contains("fail")) }
    }

    @Test func cancelledOffersTryAgainOnlyWithAToken() throws {
        let with = Pages.cancelled(Fixture.context(), order: Fixture.order(status: "cancelled"), csrfToken: "c1")
        #expect(HTML.body(with)?.attributes["data-page"] == "cancelled")
        #expect(HTML.text(with, id: "lp-retry") == "Try again")
        #expect(with.contains("name=\"csrf\" value=\"c1\"") && with.contains("action=\"/linepay/pay\""))
        #expect(HTML.element(with, id: "lp-return") != nil)
        #expect(with.contains("You cancelled the payment at LINE Pay."))
        let without = Pages.cancelled(Fixture.context(), order: Fixture.order(status: "cancelled"), csrfToken: nil)
        #expect(HTML.element(without, id: "lp-retry") == nil)
        #expect(!without.contains("<form"))
        #expect(HTML.element(without, id: "lp-return") != nil)
    }

    @Test func failedShowsTheReasonEscaped() throws {
        let html = Pages.failed(Fixture.context(), order: Fixture.order(status: "failed"),
                                reason: "Amount info error <1124>", csrfToken: "c2")
        #expect(HTML.body(html)?.attributes["data-page"] == "failed")
        #expect(html.contains("Reason given by LINE Pay: Amount info error &lt;1124&gt;"))
        #expect(HTML.text(html, id: "lp-retry") == "Try again")
        #expect(HTML.element(html, id: "lp-return") != nil)
        let blank = Pages.failed(Fixture.context(), order: Fixture.order(status: "failed"), reason: "  ", csrfToken: nil)
        #expect(!blank.contains("Reason given by LINE Pay"))
        #expect(HTML.element(blank, id: "lp-retry") == nil)
    }

    @Test(arguments: Pages.ErrorKind.allCases)
    func errorPagesNameTheKindAndTheProblem(kind: Pages.ErrorKind) throws {
        let html = Pages.error(Fixture.context(), kind: kind, message: "The field 'amount' must be a number.")
        #expect(HTML.body(html)?.attributes["data-page"] == "error")
        #expect(html.contains("Error \(kind.httpStatus)"))
        #expect(html.contains("<h1>\(htmlEscape(Catalog.text(kind.title, .en)))</h1>"))
        #expect(HTML.text(html, id: "lp-status") == "The field 'amount' must be a number.")
        #expect(html.contains("The field &#39;amount&#39; must be a number."))
    }

    @Test func errorKindsMapToHTTPStatuses() {
        #expect(Pages.ErrorKind.allCases.map(\.httpStatus) == [400, 403, 404, 409, 410, 503])
        #expect(Set(Pages.ErrorKind.allCases.map(\.title)).count == Pages.ErrorKind.allCases.count)
    }
}
