/// The frame every page shares: doctype, `<html lang>`, the head linking `linepay.css` and `linepay.js` (no inline
/// script or style anywhere, for the responder's Content-Security-Policy), the shop header and the footer.
struct Document {
    var context: PageContext
    /// The `data-page` value tests and `linepay.js` key on.
    var page: String
    /// The page's own title (plain text); the shop name is appended.
    var title: String
    /// More `data-*` attributes for `<body>`, as (name without `data-`, plain value); values are escaped here.
    var data: [(String, String)] = []
    /// The inside of `<main>`, already HTML.
    var main: String

    func render() -> String {
        let c = context
        let assets = { (file: String) in htmlEscape(joinPath(c.assetBase, "/" + (c.assetNames[file] ?? file))) }
        var bodyAttributes = " data-page=\"\(htmlEscape(page))\""
        for (name, value) in data {
            bodyAttributes += " data-\(name)=\"\(htmlEscape(value))\""
        }
        let fullTitle = c.shopName.isEmpty ? title : "\(title) | \(c.shopName)"
        return """
            <!DOCTYPE html>
            <html lang="\(c.language.htmlLang)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex, nofollow">
            <meta name="format-detection" content="telephone=no">
            <title>\(htmlEscape(fullTitle))</title>
            <link rel="stylesheet" href="\(assets("linepay.css"))">
            <script src="\(assets("linepay.js"))" defer></script>
            </head>
            <body\(bodyAttributes)>
            <header class="lp-header"><p class="lp-shop">\(htmlEscape(c.shopName))</p></header>
            <main class="lp-main">
            \(main)
            </main>
            <footer class="lp-footer"><p>\(htmlEscape(Catalog.text(.footer, c.language)))</p></footer>
            </body>
            </html>

            """
    }
}
