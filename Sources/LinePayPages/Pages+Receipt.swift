extension Pages {
    /// The receipt (GET /result): a headline by status ("Payment complete" for paid, "Payment authorized" for
    /// authorized, "Order status: …" otherwise), order number, transaction ID, items, total and "Return to the shop".
    /// Opened in the popup, linepay.js hands the page to the window that opened it and closes the popup
    /// (`data-popup="hand-back"`).
    public static func receipt(_ c: PageContext, order: OrderView) -> String {
        let l = c.language
        let headline: String
        var note: String?
        switch order.status.lowercased() {
        case "paid":
            headline = Catalog.text(.headlinePaid, l)
            note = Catalog.text(.receiptPaidNote, l)
        case "authorized", "authorised":
            headline = Catalog.text(.headlineAuthorized, l)
            note = Catalog.text(.receiptAuthorizedNote, l)
        default:
            headline = Catalog.text(.headlineOther, l, ["status": statusName(order.status, l)])
        }
        let main = """
            <section class="lp-card lp-receipt">
            <h1 id="lp-headline">\(htmlEscape(headline))</h1>
            \(note.map { "<p class=\"lp-note\">\(htmlEscape($0))</p>" } ?? "")
            \(Fragment.facts(order, l))
            </section>
            \(Fragment.summary(order, l))
            <div class="lp-actions">
            \(Fragment.returnLink(c, primary: true))
            </div>
            """
        return Document(context: c, page: "receipt", title: headline,
                        data: [("status", order.status.lowercased()), ("popup", "hand-back")], main: main).render()
    }
}
