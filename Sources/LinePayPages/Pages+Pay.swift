extension Pages {
    /// The desktop page after POST /pay: linepay.js opens `paymentURL` in a centred 700x546 popup (on load, and on the
    /// primary `#lp-open` button, which also re-focuses an open popup), polls `statusURL` every 2 s, moves to
    /// `resultURL` when the status is paid/authorized, and shows `#lp-final` (try again, return) when it is
    /// cancelled/failed/expired. `#lp-fallback` (LINE Pay in this window) is always there, prominent when the popup
    /// was blocked.
    ///
    /// `statusURL` must answer JSON with a `status` string: `paid`, `authorized`, `cancelled`, `failed`, `expired`,
    /// `checking`, anything else meaning "still waiting".
    public static func payDesktop(_ c: PageContext, order: OrderView, paymentURL: String, statusURL: String, resultURL: String,
                                  csrfToken: String) -> String {
        let l = c.language
        let t = { (key: TextKey) in htmlEscape(Catalog.text(key, l)) }
        let payment = safeURL(paymentURL) ?? "#"
        let heading = Catalog.text(.payHeading, l)
        var data: [(String, String)] = [
            ("state", "ready"),
            ("payment-url", payment), ("status-url", statusURL), ("result-url", resultURL),
            ("popup-width", "700"), ("popup-height", "546"),
            ("text-open", Catalog.text(.openLinePay, l)), ("text-show", Catalog.text(.showLinePay, l)),
        ]
        data += statusTexts(l)
        let main = """
            <section class="lp-card lp-pay">
            <h1>\(htmlEscape(heading))</h1>
            <p id="lp-status" class="lp-status" role="status" aria-live="polite">\(t(.statusWaiting))</p>
            <div class="lp-actions lp-open-actions">
            <a id="lp-open" class="lp-button lp-primary lp-linepay" href="\(htmlEscape(payment))" target="lp-linepay">\(t(.openLinePay))</a>
            <a id="lp-fallback" class="lp-fallback" href="\(htmlEscape(payment))">\(t(.openInThisWindow))</a>
            </div>
            <p class="lp-hint">\(t(.payHint))</p>
            <div id="lp-final" hidden>
            \(Fragment.retryAndReturn(c, order: order, csrfToken: csrfToken))
            </div>
            </section>
            <section class="lp-card lp-compact">
            \(Fragment.facts(order, l, transaction: false))
            </section>
            \(Fragment.summary(order, l))
            """
        return Document(context: c, page: "pay", title: heading, data: data, main: main).render()
    }
}
