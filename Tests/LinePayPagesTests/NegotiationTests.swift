import Testing
@testable import LinePayPages

/// PageLanguage.negotiate: an explicit preference, then Accept-Language with q-values, then English.
@Suite(.timeLimit(.minutes(5))) struct NegotiationTests {
    @Test(arguments: [
        ("ja,en;q=0.8", PageLanguage.ja),
        ("th-TH", .th),
        ("zh-TW,zh;q=0.9", .zh_TW),
        ("fr", .en),
        ("", .en),
        ("en-US,en;q=0.9,ja;q=0.8", .en),
        ("fr-FR, th;q=0.5, ja;q=0.4", .th),
        ("de;q=1.0, ja;q=0.2, zh-Hant-HK;q=0.3", .zh_TW),
        ("ja;q=0.5, th;q=0.5", .ja),                  // a tie goes to the first listed
        ("ja;q=0, th;q=0.1", .th),                    // q=0: not acceptable
        ("ja;q=bogus, th;q=0.1", .th),
        ("zh-CN,zh-Hans;q=0.9", .en),                 // Simplified Chinese is not ours
        ("zh", .zh_TW),
        ("JA-jp", .ja),
        ("*", .en),
    ])
    func acceptLanguage(header: String, expected: PageLanguage) {
        #expect(PageLanguage.negotiate(preferred: nil, acceptLanguage: header) == expected)
    }

    @Test(arguments: [("ja", PageLanguage.ja), ("zh_TW", .zh_TW), ("zh-TW", .zh_TW), ("ZH_tw", .zh_TW), ("zh-Hant", .zh_TW),
                      ("th", .th), ("EN", .en), (" th ", .th)])
    func preferenceWinsOverTheHeader(preferred: String, expected: PageLanguage) {
        let header = expected == .th ? "ja,en;q=0.5" : "th,en;q=0.5"
        #expect(PageLanguage.negotiate(preferred: preferred, acceptLanguage: header) == expected)
    }

    @Test func anUnknownPreferenceFallsBackToTheHeader() {
        #expect(PageLanguage.negotiate(preferred: "fr", acceptLanguage: "th-TH") == .th)
        #expect(PageLanguage.negotiate(preferred: "", acceptLanguage: "ja") == .ja)
        #expect(PageLanguage.negotiate(preferred: nil, acceptLanguage: nil) == .en)
        #expect(PageLanguage.negotiate(preferred: "xx", acceptLanguage: nil) == .en)
    }
}
