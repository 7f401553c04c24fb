import Testing
@testable import LinePayPages

/// Four complete string tables, the right `<html lang>`, and no English left in the other languages.
@Suite(.timeLimit(.minutes(5))) struct LanguageTests {
    /// Keys whose text may equal the English one in another language (none today: even "Error {code}" is translated).
    static let sameAsEnglishAllowed: Set<TextKey> = []

    static func placeholders(_ s: String) -> Set<String> {
        Set(s.matches(of: #/\{([a-z]+)\}/#).map { String($0.output.1) })
    }

    @Test(arguments: PageLanguage.allCases)
    func everyKeyHasATextWithTheSamePlaceholders(language: PageLanguage) {
        let table = Catalog.table(language)
        #expect(Set(table.keys) == Set(TextKey.allCases))
        for key in TextKey.allCases {
            let text = table[key] ?? ""
            let english = Catalog.en[key] ?? ""
            #expect(!text.trimmingCharacters(in: .whitespaces).isEmpty, "\(language) \(key)")
            #expect(Self.placeholders(text) == Self.placeholders(english), "\(language) \(key)")
            if language != .en && !Self.sameAsEnglishAllowed.contains(key) {
                #expect(text != english, "\(language) \(key) is still English")
            }
        }
    }

    @Test func theLanguagesAreWrittenInTheirScripts() {
        func count(_ table: [TextKey: String], _ range: ClosedRange<UInt32>) -> Int {
            table.values.filter { $0.unicodeScalars.contains { range.contains($0.value) } }.count
        }
        let all = TextKey.allCases.count
        #expect(count(Catalog.ja, 0x3040...0x30FF) >= all * 3 / 4)        // kana in most Japanese strings
        #expect(count(Catalog.ja, 0x3040...0x9FFF) == all)                 // kana or kanji in every one
        #expect(count(Catalog.zhTW, 0x3040...0x30FF) == 0)                 // no kana in Chinese
        #expect(count(Catalog.zhTW, 0x4E00...0x9FFF) == all)               // Han in every Chinese string
        #expect(count(Catalog.th, 0x0E00...0x0E7F) == all)                 // Thai in every Thai string
        // Traditional, not Simplified, forms.
        for simplified in ["们", "这", "请", "订", "单", "关", "页", "无", "确", "认", "时", "费"] {
            #expect(!Catalog.zhTW.values.contains { $0.contains(simplified) }, "\(simplified)")
        }
    }

    @Test(arguments: PageLanguage.allCases)
    func everyPageHasTheRightLangAttribute(language: PageLanguage) {
        let expected = ["en": "en", "ja": "ja", "zh_TW": "zh-Hant-TW", "th": "th"][language.rawValue]!
        #expect(language.htmlLang == expected)
        for (page, html) in Fixture.allPages(Fixture.context(language), order: Fixture.order()) {
            #expect(html.contains("<html lang=\"\(expected)\">"), "\(language) \(page)")
        }
    }

    /// English UI strings, cut at their placeholders, as they could show up in a page.
    static let englishFragments: [String] = Catalog.en.values.flatMap { text in
        text.split(separator: #/\{[a-z]+\}/#).map { $0.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)) }
    }.filter { $0.count >= 4 && $0 != "LINE Pay" }

    @Test(arguments: [PageLanguage.ja, .zh_TW, .th])
    func noEnglishLeaksIntoOtherLanguages(language: PageLanguage) {
        #expect(Self.englishFragments.count > 40)
        // Data without English, so any English on the page comes from the UI.
        let c = PageContext(language: language, basePath: "/linepay", assetBase: "/linepay/assets", shopName: "茶房",
                            returnURL: "https://shop.example/")
        let items = [LineItemView(name: "烏龍茶", quantity: 2, unitPrice: "120", lineTotal: "240"),
                     LineItemView(name: "ชาไทย", quantity: 1, unitPrice: "80", lineTotal: "80", imageUrl: "https://shop.example/t.png")]
        var pages: [(page: String, html: String)] = []
        for status in ["paid", "authorized", "refunded", "partially_refunded", "voided", "new", "cancelled", "failed", "expired", "checking", "reserved"] {
            let order = OrderView(orderId: "A-1", currency: "JPY", items: items, shippingFee: "60", total: "380",
                                  transactionId: "2016020510824221610", status: status)
            pages += Fixture.allPages(c, order: order, text: "金額 1124", url: "https://pay.example/x")
        }
        for (page, html) in pages {
            let visible = HTML.visibleText(html)
            for english in Self.englishFragments {
                #expect(!visible.contains(english), "\(language) \(page): \"\(english)\"")
            }
            #expect(onlyBrand(visible), "\(language) \(page): \(visible)")
        }
    }

    /// True when every Latin word on the page is the brand "LINE Pay" or the currency code.
    func onlyBrand(_ text: String) -> Bool {
        text.matches(of: #/[A-Za-z]{3,}/#).allSatisfy { ["LINE", "Pay", "JPY"].contains(String($0.output)) }
    }

    @Test func orderStatusNamesAreTranslated() {
        for language in [PageLanguage.ja, .zh_TW, .th] {
            for status in ["created", "reserved", "paid", "authorized", "cancelled", "failed", "expired", "checking", "refunded", "partially_refunded", "new", "voided"] {
                #expect(Pages.statusName(status, language) != Pages.statusName(status, .en), "\(language) \(status)")
            }
        }
        #expect(Pages.statusName("weird", .ja) == "weird")
    }
}
