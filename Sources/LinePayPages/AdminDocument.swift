/// The frame of the admin pages: the shopper pages' rules (no inline script or style, everything escaped, CSP
/// `default-src 'self'`), their own stylesheet (`/admin/admin.css`) and linepay.js for `data-once` forms.
struct AdminDocument {
    var context: AdminContext
    /// The `data-page` value tests key on (`admin-orders`, `admin-order`...).
    var page: String
    var title: String
    /// The inside of `<main>`, already HTML.
    var main: String

    func render() -> String {
        let c = context
        var nav = ""
        if let user = c.user {
            nav = """
                <nav class="lpa-nav" aria-label="Admin">
                <a href="\(htmlEscape(c.url("")))">Dashboard</a>
                <a href="\(htmlEscape(c.url("/orders")))">Orders</a>
                <a href="\(htmlEscape(c.url("/regkeys")))">RegKeys</a>
                <span class="lpa-user" id="lpa-user">\(htmlEscape(user))</span>
                """
            if c.canLogOut, let token = c.csrfToken {
                nav += """

                    <form class="lpa-inline" method="post" action="\(htmlEscape(c.url("/logout")))">
                    <input type="hidden" name="csrf" value="\(htmlEscape(token))">
                    <button class="lpa-link" type="submit" id="lpa-logout">Log out</button>
                    </form>
                    <form class="lpa-inline" method="post" action="\(htmlEscape(c.url("/logout-everywhere")))">
                    <input type="hidden" name="csrf" value="\(htmlEscape(token))">
                    <button class="lpa-link" type="submit" id="lpa-logout-everywhere">Log out everywhere</button>
                    </form>
                    """
            }
            nav += "\n</nav>"
        }
        let fullTitle = c.shopName.isEmpty ? "\(title) | LINE Pay admin" : "\(title) | \(c.shopName) LINE Pay admin"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex, nofollow">
            <title>\(htmlEscape(fullTitle))</title>
            <link rel="stylesheet" href="\(htmlEscape(c.url("/admin.css")))">
            <script src="\(htmlEscape(joinPath(c.basePath, "/assets/" + (c.assetNames["linepay.js"] ?? "linepay.js"))))" defer></script>
            </head>
            <body data-page="\(htmlEscape(page))" class="lpa">
            <header class="lpa-header"><p class="lpa-brand">\(htmlEscape(c.shopName)) · LINE Pay admin</p>
            \(nav)
            </header>
            <main class="lpa-main">
            <h1>\(htmlEscape(title))</h1>
            \(main)
            </main>
            </body>
            </html>

            """
    }
}

/// Small pieces of the admin pages; every value is escaped here.
enum AdminFragment {
    static func csrfField(_ c: AdminContext) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(htmlEscape(c.csrfToken ?? ""))\">"
    }

    static func hidden(_ name: String, _ value: String) -> String {
        "<input type=\"hidden\" name=\"\(htmlEscape(name))\" value=\"\(htmlEscape(value))\">"
    }

    /// A `<dl>` of (label, value) rows.
    static func facts(_ rows: [(String, String)], id: String? = nil) -> String {
        var html = "<dl class=\"lpa-facts\"\(id.map { " id=\"\(htmlEscape($0))\"" } ?? "")>\n"
        for (label, value) in rows { html += "<div><dt>\(htmlEscape(label))</dt><dd>\(htmlEscape(value))</dd></div>\n" }
        return html + "</dl>"
    }

    /// A notice box: `kind` is ok, warn, error or info.
    static func notice(_ text: String, kind: String, id: String? = nil, data: [(String, String)] = []) -> String {
        let attributes = data.map { " data-\($0.0)=\"\(htmlEscape($0.1))\"" }.joined()
        return "<p class=\"lpa-notice lpa-\(htmlEscape(kind))\"\(id.map { " id=\"\(htmlEscape($0))\"" } ?? "")\(attributes) role=\"status\">\(htmlEscape(text))</p>"
    }

    /// Amount with its currency symbol, as the shopper pages write it.
    static func money(_ amount: String, _ currency: String) -> String { Fragment.money(amount, currency) }

    /// The words shown for an operation's state.
    static func operationState(_ state: String) -> String {
        switch state {
        case "pending": return "in progress"
        case "unknown": return "checking with LINE Pay"
        case "done": return "done"
        case "refused": return "refused by LINE Pay"
        case "rejected": return "refused (not sent to LINE Pay)"
        case "not_sent": return "not sent (LINE Pay unreachable)"
        case "not_done": return "did not happen"
        default: return state
        }
    }

    /// "notice kind" for an operation state.
    static func operationKind(_ state: String) -> String {
        switch state {
        case "done": return "ok"
        case "pending", "unknown": return "warn"
        default: return "error"
        }
    }
}
