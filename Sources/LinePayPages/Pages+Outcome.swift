import Foundation

extension Pages {
    /// "We are checking your payment" while the outcome is unknown: never says failed. linepay.js polls `statusURL`
    /// (JSON `{"status": ...}`) every 2 s and moves to `resultURL` when paid/authorized; if the payment turns out not
    /// to have completed it says so neutrally. Shows the order and the shop link.
    public static func checking(_ c: PageContext, order: OrderView, statusURL: String, resultURL: String) -> String {
        let l = c.language
        let heading = Catalog.text(.checkingTitle, l)
        var data: [(String, String)] = [("state", "checking"), ("status-url", statusURL), ("result-url", resultURL)]
        data += statusTexts(l)
        let main = """
            <section class="lp-card lp-checking">
            <h1>\(htmlEscape(heading))</h1>
            <p id="lp-status" class="lp-status" role="status" aria-live="polite">\(htmlEscape(Catalog.text(.statusChecking, l)))</p>
            <p class="lp-note">\(htmlEscape(Catalog.text(.checkingBody, l)))</p>
            \(Fragment.facts(order, l))
            </section>
            \(Fragment.summary(order, l))
            <div class="lp-actions">
            \(Fragment.returnLink(c))
            </div>
            """
        return Document(context: c, page: "checking", title: heading, data: data, main: main).render()
    }

    /// Cancelled at LINE Pay (GET /cancel): says so, "Try again" (POST `{basePath}/pay` with orderId and csrf, when a
    /// token is given) and "Return to the shop". In the popup, linepay.js closes it when the pay page opened it.
    public static func cancelled(_ c: PageContext, order: OrderView, csrfToken: String?) -> String {
        let l = c.language
        let heading = Catalog.text(.cancelledTitle, l)
        let main = """
            <section class="lp-card lp-cancelled">
            <h1>\(htmlEscape(heading))</h1>
            <p id="lp-status">\(htmlEscape(Catalog.text(.cancelledBody, l)))</p>
            \(Fragment.facts(order, l, transaction: false))
            \(Fragment.retryAndReturn(c, order: order, csrfToken: csrfToken))
            </section>
            \(Fragment.summary(order, l))
            """
        return Document(context: c, page: "cancelled", title: heading, data: [("popup", "close")], main: main).render()
    }

    /// LINE Pay refused the payment: a clear message with LINE Pay's `reason` (escaped; omitted when empty), try
    /// again, return to the shop.
    public static func failed(_ c: PageContext, order: OrderView, reason: String, csrfToken: String?) -> String {
        let l = c.language
        let heading = Catalog.text(.failedTitle, l)
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let reasonLine = trimmed.isEmpty ? "" :
            "<p class=\"lp-reason\">\(htmlEscape(Catalog.text(.failedReason, l, ["reason": trimmed])))</p>"
        let main = """
            <section class="lp-card lp-failed">
            <h1>\(htmlEscape(heading))</h1>
            \(reasonLine)
            <p id="lp-status">\(htmlEscape(Catalog.text(.failedBody, l)))</p>
            \(Fragment.facts(order, l, transaction: false))
            \(Fragment.retryAndReturn(c, order: order, csrfToken: csrfToken))
            </section>
            \(Fragment.summary(order, l))
            """
        return Document(context: c, page: "failed", title: heading, data: [("popup", "close")], main: main).render()
    }

    /// Any error page: a title by kind, "Error 4xx", the caller's message naming what is wrong (escaped), and the shop
    /// link. Never a stack trace: only `message` is shown. Callers write `message` in English: in the other languages
    /// the page leads with the kind's explanation in the page's language and shows `message` after it as a detail.
    public static func error(_ c: PageContext, kind: ErrorKind, message: String) -> String {
        let l = c.language
        let heading = Catalog.text(kind.title, l)
        let explained = l == .en ? "<p id=\"lp-status\">\(htmlEscape(message))</p>" : """
            <p id="lp-status">\(htmlEscape(Catalog.text(kind.explanation, l)))</p>
            <p class="lp-detail">\(htmlEscape(message))</p>
            """
        let main = """
            <section class="lp-card lp-error">
            <p class="lp-code">\(htmlEscape(Catalog.text(.errorCode, l, ["code": String(kind.httpStatus)])))</p>
            <h1>\(htmlEscape(heading))</h1>
            \(explained)
            <p class="lp-hint">\(htmlEscape(Catalog.text(.errorHint, l)))</p>
            <div class="lp-actions">
            \(Fragment.returnLink(c))
            </div>
            </section>
            """
        return Document(context: c, page: "error", title: heading, data: [("status", String(kind.httpStatus))], main: main).render()
    }
}
