extension Pages {
    /// The checkout page: items, shipping, total, a "Pay with LINE Pay" button (`#lp-pay`): a form POSTing the hidden
    /// `orderId` and `csrf` to `{basePath}/pay`.
    public static func checkout(_ c: PageContext, order: OrderView, csrfToken: String) -> String {
        let l = c.language
        let heading = Catalog.text(.checkoutHeading, l)
        let main = """
            <h1>\(htmlEscape(heading))</h1>
            \(Fragment.summary(order, l))
            <section class="lp-card lp-checkout">
            \(Fragment.facts(order, l, transaction: false))
            <p class="lp-note">\(htmlEscape(Catalog.text(.checkoutNote, l)))</p>
            <div class="lp-actions">
            \(Fragment.payForm(c, orderId: order.orderId, csrfToken: csrfToken, buttonId: "lp-pay", label: .payWithLinePay, buttonClass: "lp-primary lp-linepay"))
            \(Fragment.returnLink(c))
            </div>
            </section>
            """
        return Document(context: c, page: "checkout", title: heading, main: main).render()
    }
}
