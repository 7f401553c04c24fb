import Foundation
@testable import LinePayPages

/// Contexts, orders and every page rendered, for the suites of this target.
enum Fixture {
    static let hostile = "<script>alert(1)</script>"
    static let quoted = "\"quoted\" & 'single'"

    static func context(_ language: PageLanguage = .en, shopName: String = "Cony Tea House",
                        returnURL: String? = "https://shop.example/cart?order=A-1001&sig=f00d") -> PageContext {
        PageContext(language: language, basePath: "/linepay", assetBase: "/linepay/assets", shopName: shopName, returnURL: returnURL)
    }

    static func order(status: String = "paid", items: [LineItemView]? = nil) -> OrderView {
        OrderView(orderId: "A-1001", currency: "TWD",
                  items: items ?? [
                      LineItemView(name: "Oolong tea", quantity: 3, unitPrice: "120", lineTotal: "360",
                                   imageUrl: "https://shop.example/img/tea.png"),
                      LineItemView(name: "Brown plush", quantity: 1, unitPrice: "590", lineTotal: "590"),
                  ],
                  shippingFee: "60", total: "1010", transactionId: "2016020510824221610", status: status)
    }

    /// An order whose every text field is an attack or a quote.
    static func hostileOrder(status: String = "paid") -> OrderView {
        OrderView(orderId: "A-\"1<2>", currency: "<b>TWD</b>",
                  items: [
                      LineItemView(name: hostile, quantity: 1, unitPrice: "1<0", lineTotal: "1\"0",
                                   imageUrl: "https://img.example/a.png\"><script>alert(2)</script>"),
                      LineItemView(name: quoted, quantity: 2, unitPrice: "5", lineTotal: "10", imageUrl: "javascript:alert(3)"),
                  ],
                  shippingFee: "<i>5</i>", total: "15' onmouseover='x", transactionId: "\"><script>alert(4)</script>", status: status)
    }

    static func hostileContext(_ language: PageLanguage = .en) -> PageContext {
        PageContext(language: language, basePath: "/lp\"><script>alert(5)</script>", assetBase: "/a\" onload=\"alert(6)",
                    shopName: "Shop \(hostile)", returnURL: "https://shop.example/?a=\"><script>alert(7)</script>")
    }

    /// Every page the module renders, by its `data-page` value.
    static func allPages(_ c: PageContext, order: OrderView, text: String = "LINE Pay said \(hostile)",
                         url: String = "https://sandbox-web-pay.line.me/web/payment/wait?transactionReserveId=x&locale=en\"'<>")
        -> [(page: String, html: String)] {
        var pages: [(String, String)] = [
            ("checkout", Pages.checkout(c, order: order, csrfToken: "tok\"<en>")),
            ("pay", Pages.payDesktop(c, order: order, paymentURL: url, statusURL: "/linepay/status?o=1&x=\"", resultURL: "/linepay/result?o=1&x=<",
                                     csrfToken: "tok\"<en>")),
            ("receipt", Pages.receipt(c, order: order)),
            ("other-browser", Pages.otherBrowserComplete(c)),
            ("other-browser-failed", Pages.otherBrowserNotCompleted(c)),
            ("other-browser-checking", Pages.otherBrowserChecking(c)),
            ("other-window", Pages.otherWindowPaying(c)),
            ("checking", Pages.checking(c, order: order, statusURL: "/linepay/status?o=1", resultURL: "/linepay/result?o=1")),
            ("cancelled", Pages.cancelled(c, order: order, csrfToken: "tok\"<en>")),
            ("failed", Pages.failed(c, order: order, reason: text, csrfToken: "tok\"<en>")),
        ]
        for kind in Pages.ErrorKind.allCases {
            pages.append(("error", Pages.error(c, kind: kind, message: text)))
        }
        return pages
    }
}

/// Just enough HTML reading for tests of our own, always double-quoted, output.
enum HTML {
    struct Tag {
        var name: String
        var attributes: [String: String]
        var raw: String
        /// Where the tag ends in the document, to read the text after it.
        var end: String.Index
    }

    /// Every start tag, in order.
    static func tags(_ html: String) -> [Tag] {
        var tags: [Tag] = []
        for match in html.matches(of: #/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/#) {
            var attributes: [String: String] = [:]
            for a in String(match.output.2).matches(of: #/([^\s="'<>\/]+)(?:="([^"]*)")?/#) {
                attributes[String(a.output.1).lowercased()] = a.output.2.map { unescape(String($0)) } ?? ""
            }
            tags.append(Tag(name: String(match.output.1).lowercased(), attributes: attributes, raw: String(match.output.0),
                            end: match.range.upperBound))
        }
        return tags
    }

    static func element(_ html: String, id: String) -> Tag? {
        tags(html).first { $0.attributes["id"] == id }
    }

    static func body(_ html: String) -> Tag? {
        tags(html).first { $0.name == "body" }
    }

    /// The unescaped text inside the element with `id` (up to its closing tag; our ids sit on leaf-ish elements).
    static func text(_ html: String, id: String) -> String? {
        guard let tag = element(html, id: id) else { return nil }
        let rest = html[tag.end...]
        guard let close = rest.range(of: "</\(tag.name)>") else { return nil }
        return visibleText(String(rest[..<close.lowerBound]))
    }

    /// What a reader sees or hears: the text between tags (without script bodies), plus the attributes that are read
    /// out or shown (`title`, `alt`, `aria-label`, `placeholder`, `value` of buttons) and the `data-text-*` texts
    /// linepay.js puts on screen.
    static func visibleText(_ html: String) -> String {
        var text = html.replacing(#/<script[^>]*>.*?</script>/#.dotMatchesNewlines(), with: " ")
        text = text.replacing(#/<[^>]*>/#, with: " ")
        var parts = [unescape(text)]
        for tag in tags(html) {
            for (name, value) in tag.attributes
            where ["title", "alt", "aria-label", "placeholder"].contains(name) || name.hasPrefix("data-text-") {
                parts.append(value)
            }
        }
        return parts.joined(separator: " ")
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
