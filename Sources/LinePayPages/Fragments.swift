/// The pieces several pages share. Every function returns HTML with all data escaped.
enum Fragment {
    /// An amount with its currency: `¥1200`-style symbols for the four LINE Pay currencies, `120 XYZ` otherwise.
    /// USD and THB, which have cents, always show two decimals (`$29.80`, `฿683.00`): amounts arrive as LINE Pay's
    /// bodies write them, without trailing zeros.
    static func money(_ amount: String, _ currency: String) -> String {
        switch currency.uppercased() {
        case "JPY": return "¥" + amount
        case "TWD": return "NT$" + amount
        case "THB": return "฿" + cents(amount)
        case "USD": return "$" + cents(amount)
        default: return currency.isEmpty ? amount : "\(amount) \(currency)"
        }
    }

    /// `29.8` -> `29.80`, `30` -> `30.00`; anything but plain digits with at most one point is left as it is.
    static func cents(_ amount: String) -> String {
        let parts = amount.split(separator: ".", omittingEmptySubsequences: false)
        guard !amount.isEmpty, parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 >= "0" && $0 <= "9" } }) else {
            return amount
        }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        return fraction.count >= 2 ? amount : "\(parts[0]).\(fraction)\(String(repeating: "0", count: 2 - fraction.count))"
    }

    /// A card with a heading, the items (optional), the shipping fee and the total (`#lp-total`).
    static func summary(_ order: OrderView, _ language: PageLanguage, items showItems: Bool = true) -> String {
        let t = { (key: TextKey) in htmlEscape(Catalog.text(key, language)) }
        var html = "<section class=\"lp-card lp-order\" aria-labelledby=\"lp-items-heading\">\n"
        html += "<h2 id=\"lp-items-heading\">\(t(.itemsHeading))</h2>\n"
        if showItems && !order.items.isEmpty {
            html += "<ul class=\"lp-items\">\n"
            for item in order.items {
                html += "<li class=\"lp-item\">"
                if let image = item.imageUrl, let src = safeURL(image, allowImageData: true) {
                    html += "<img class=\"lp-thumb\" src=\"\(htmlEscape(src))\" alt=\"\" width=\"56\" height=\"56\" loading=\"lazy\">"
                }
                let quantity = Catalog.text(.itemQuantity, language, ["quantity": String(item.quantity)])
                let unit = Catalog.text(.itemUnitPrice, language, ["price": money(item.unitPrice, order.currency)])
                html += "<div class=\"lp-item-text\"><p class=\"lp-item-name\">\(htmlEscape(item.name))</p>"
                html += "<p class=\"lp-item-meta\">\(htmlEscape(quantity)) · \(htmlEscape(unit))</p></div>"
                html += "<p class=\"lp-item-total\">\(htmlEscape(money(item.lineTotal, order.currency)))</p></li>\n"
            }
            html += "</ul>\n"
        }
        html += "<dl class=\"lp-totals\">\n"
        if let fee = order.shippingFee {
            html += "<div class=\"lp-row\"><dt>\(t(.shipping))</dt><dd>\(htmlEscape(money(fee, order.currency)))</dd></div>\n"
        }
        html += "<div class=\"lp-row lp-grand\"><dt>\(t(.total))</dt><dd id=\"lp-total\">\(htmlEscape(money(order.total, order.currency)))</dd></div>\n"
        html += "</dl>\n</section>"
        return html
    }

    /// The order number and, when known, the LINE Pay transaction ID.
    static func facts(_ order: OrderView, _ language: PageLanguage, transaction: Bool = true) -> String {
        let t = { (key: TextKey) in htmlEscape(Catalog.text(key, language)) }
        var html = "<dl class=\"lp-facts\">\n"
        html += "<div class=\"lp-row\"><dt>\(t(.orderNumber))</dt><dd id=\"lp-order-id\">\(htmlEscape(order.orderId))</dd></div>\n"
        if transaction, let id = order.transactionId, !id.isEmpty {
            html += "<div class=\"lp-row\"><dt>\(t(.transactionId))</dt><dd id=\"lp-transaction-id\">\(htmlEscape(id))</dd></div>\n"
        }
        return html + "</dl>"
    }

    /// `#lp-return`, or nothing when the context has no (safe) return URL.
    static func returnLink(_ c: PageContext, primary: Bool = false) -> String {
        guard let url = c.returnURL, let safe = safeURL(url) else { return "" }
        let style = primary ? "lp-primary" : "lp-secondary"
        return "<a id=\"lp-return\" class=\"lp-button \(style)\" href=\"\(htmlEscape(safe))\">\(htmlEscape(Catalog.text(.returnToShop, c.language)))</a>"
    }

    /// A form that POSTs `orderId` and `csrf` to `{basePath}/pay`, submitting once (`data-once`, see linepay.js).
    static func payForm(_ c: PageContext, orderId: String, csrfToken: String, buttonId: String, label: TextKey,
                        buttonClass: String = "lp-primary") -> String {
        """
        <form class="lp-form" method="post" action="\(htmlEscape(joinPath(c.basePath, "/pay")))" data-once>
        <input type="hidden" name="orderId" value="\(htmlEscape(orderId))">
        <input type="hidden" name="csrf" value="\(htmlEscape(csrfToken))">
        <button id="\(buttonId)" class="lp-button \(buttonClass)" type="submit">\(htmlEscape(Catalog.text(label, c.language)))</button>
        </form>
        """
    }

    /// "Try again" (`#lp-retry`) when there is a CSRF token to send, then "Return to the shop".
    static func retryAndReturn(_ c: PageContext, order: OrderView, csrfToken: String?) -> String {
        var html = "<div class=\"lp-actions\">\n"
        if let token = csrfToken, !token.isEmpty {
            html += payForm(c, orderId: order.orderId, csrfToken: token, buttonId: "lp-retry", label: .tryAgain) + "\n"
        }
        html += returnLink(c) + "\n</div>"
        return html
    }
}
