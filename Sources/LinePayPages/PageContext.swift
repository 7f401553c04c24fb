/// What every page needs: the language, where the responder and its assets live, and the shop.
public struct PageContext: Sendable {
    /// The language every visible string is written in.
    public var language: PageLanguage
    /// The location prefix, e.g. `/linepay`; links are `basePath + "/pay"`, ...
    public var basePath: String
    /// Where `linepay.css` and `linepay.js` are served from, e.g. `/linepay/assets`.
    public var assetBase: String
    /// The shop's name, shown in the header.
    public var shopName: String
    /// The shop's page for "Return to the shop" (already signed by the caller when it carries a result); nil hides the link.
    public var returnURL: String?
    /// The name each asset is linked by, e.g. `linepay.css` -> `linepay.0123456789abcdef.css` (a fingerprint of
    /// its content, so the web server may cache it for a year); a file not listed is linked by its own name.
    public var assetNames: [String: String] = [:]

    public init(language: PageLanguage = .en, basePath: String, assetBase: String, shopName: String, returnURL: String? = nil) {
        self.language = language
        self.basePath = basePath
        self.assetBase = assetBase
        self.shopName = shopName
        self.returnURL = returnURL
    }
}
