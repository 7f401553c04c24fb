extension Pages {
    /// For a browser that did not start the checkout (the shopper came back in another one): "Payment complete.
    /// Return to the window where you started the payment." Nothing about the order: no number, amount, items,
    /// nor the return URL (which may carry the order in its query).
    public static func otherBrowserComplete(_ c: PageContext) -> String {
        otherBrowser(c, page: "other-browser", title: .headlinePaid, body: .otherBrowserBody)
    }

    /// The same situation when the payment did not complete: a neutral "The payment was not completed. Return to
    /// the window where you started." No details.
    public static func otherBrowserNotCompleted(_ c: PageContext) -> String {
        otherBrowser(c, page: "other-browser-failed", title: .otherBrowserNotCompletedTitle, body: .otherBrowserNotCompletedBody)
    }

    /// The same situation while the outcome is still being checked: never "complete", never "failed". No details.
    public static func otherBrowserChecking(_ c: PageContext) -> String {
        otherBrowser(c, page: "other-browser-checking", title: .otherBrowserCheckingTitle, body: .otherBrowserCheckingBody)
    }

    /// For a browser that re-posted a handoff whose order is already in payment in another (live) session: "This
    /// order is being paid in another window." The owner's window is unaffected; no details of the order.
    public static func otherWindowPaying(_ c: PageContext) -> String {
        otherBrowser(c, page: "other-window", title: .otherWindowTitle, body: .otherWindowBody)
    }

    private static func otherBrowser(_ c: PageContext, page: String, title: TextKey, body: TextKey) -> String {
        let l = c.language
        let heading = Catalog.text(title, l)
        let main = """
            <section class="lp-card lp-other">
            <h1>\(htmlEscape(heading))</h1>
            <p id="lp-status">\(htmlEscape(Catalog.text(body, l)))</p>
            <p class="lp-hint">\(htmlEscape(Catalog.text(.otherBrowserHint, l)))</p>
            </section>
            """
        return Document(context: c, page: page, title: heading, main: main).render()
    }
}
