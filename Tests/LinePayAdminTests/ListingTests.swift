import Foundation
import LinePay
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import LinePayStore
import Testing
import TestSupport

/// The order list and search: every shape runs on an index (so a million orders answer in the time of a page;
/// `make bench` times it), pages follow a cursor, totals are per page; the dashboard's chart; and every admin page
/// keeps the Content-Security-Policy rules of the shopper pages.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ListingTests {
    @Test func everySearchShapeUsesAnIndexAndNoTemporarySort() throws {
        let dir = makeTemporaryDirectory("plan")
        let store = try OrderStore(path: dir + "/orders.sqlite")
        #expect(try store.seed(count: 3000, days: 90, tag: "P", now: 1_700_000_000) == 3000)
        try store.connection.execute("ANALYZE")
        let shapes: [(String, OrderFilter, OrderCursor?)] = [
            ("newest", OrderFilter(), nil),
            ("newest, page 2", OrderFilter(), .created(1_699_000_000, 500)),
            ("status", OrderFilter(state: .paid), nil),
            ("status, page 2", OrderFilter(state: .paid), .created(1_699_000_000, 500)),
            ("dates", OrderFilter(from: 1_695_000_000, to: 1_697_000_000), nil),
            ("status and dates", OrderFilter(state: .refunded, from: 1_695_000_000, to: 1_697_000_000), nil),
            ("orderId prefix", OrderFilter(orderIdPrefix: "SEED-P-00012"), nil),
            ("orderId prefix, page 2", OrderFilter(orderIdPrefix: "SEED-P-00012"), .orderId("SEED-P-0001205")),
            ("orderId prefix and status", OrderFilter(orderIdPrefix: "SEED", state: .refunded), nil),
            ("transaction", OrderFilter(transactionId: 1_000_123), nil),
        ]
        for (name, filter, cursor) in shapes {
            let plan = try store.orderQueryPlan(filter, after: cursor)
            #expect(plan.contains { $0.contains("USING INDEX") || $0.contains("USING INTEGER PRIMARY KEY") }, "\(name): \(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN orders") && !$0.contains("INDEX") }, "\(name): \(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(name): \(plan)")
        }
        // And they return what they say.
        var seen: [String] = []
        var cursor: OrderCursor? = nil
        repeat {
            let page = try store.orders(OrderFilter(), limit: 500, after: cursor)
            seen += page.orders.map(\.orderId)
            #expect(zip(page.orders, page.orders.dropFirst()).allSatisfy { ($0.createdAt, $0.rowId) > ($1.createdAt, $1.rowId) })
            cursor = page.next
        } while cursor != nil
        #expect(seen.count == 3000 && Set(seen).count == 3000)
        let prefix = try store.orders(OrderFilter(orderIdPrefix: "SEED-P-00012"), limit: 5)
        #expect(prefix.orders.map(\.orderId) == (1200...1204).map { String(format: "SEED-P-%07d", $0) })
        #expect(try store.orders(OrderFilter(orderIdPrefix: "SEED-P-00012"), limit: 100, after: prefix.next).orders.count == 95)
        let one = try store.orders(OrderFilter(transactionId: try #require(prefix.orders.first?.transactionId)), limit: 50)
        #expect(one.orders.map(\.orderId) == ["SEED-P-0001200"])
        let window = try store.orders(OrderFilter(from: 1_695_000_000, to: 1_697_000_000), limit: 500)
        #expect(!window.orders.isEmpty && window.orders.allSatisfy { (1_695_000_000..<1_697_000_000).contains($0.createdAt) })
        #expect(try store.orders(OrderFilter(state: .refunded), limit: 50).orders.isEmpty)
        #expect(try store.orders(OrderFilter(orderIdPrefix: "SEED", state: .refunded), limit: 50).orders.isEmpty)
        #expect(try store.orders(OrderFilter(orderIdPrefix: "SEED-P-000120", state: .paid), limit: 50).orders.count == 10)
        #expect(try store.orderQueryPlan(OrderFilter(orderIdPrefix: "SEED", state: .paid)).joined().contains("orders_state_order"))
    }

    @Test func theListSearchesPagesAndTotalsThroughNginx() throws {
        let h = try Admin.harness()
        let (paid, tx) = try Shop.paid(h)
        #expect(try runLinePay(h, ["seed", "--orders", "120", "--days", "20"]).status == 0)
        let b = try Admin.browser(h)
        let first = try b.go("GET", h.baseURL + "/admin/orders?status=paid")
        #expect(first.status == 200 && first.text.contains(#"id="lpa-orders""#))
        #expect(first.text.components(separatedBy: "<tr data-order-id=").count - 1 == 50)
        #expect(first.text.contains(#"id="lpa-totals""#) && first.text.contains("<td class=\"lpa-num\">50</td>"))
        let next = try #require(Admin.capture(#"id="lpa-next" class="lpa-button" href="([^"]+)""#, first.text))
        #expect(next.contains("status=paid") && next.contains("after=c."))
        let second = try b.go("GET", h.nginx.baseURL + next.replacingOccurrences(of: "&amp;", with: "&"))
        #expect(second.status == 200 && second.text.components(separatedBy: "<tr data-order-id=").count - 1 == 50)
        let ids = { (t: String) in Set(t.components(separatedBy: "<tr data-order-id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }) }
        #expect(ids(first.text).isDisjoint(with: ids(second.text)))

        let byTx = try b.go("GET", h.baseURL + "/admin/orders?tx=\(tx)")
        #expect(ids(byTx.text) == [paid])
        let byPrefix = try b.go("GET", h.baseURL + "/admin/orders?q=\(paid.prefix(8))")
        #expect(ids(byPrefix.text).contains(paid))
        let today = String(utcDate(Int64(Date().timeIntervalSince1970)))
        #expect(ids(try b.go("GET", h.baseURL + "/admin/orders?from=\(today)&to=\(today)&q=\(paid)").text) == [paid])
        let bad = try b.go("GET", h.baseURL + "/admin/orders?q=%3Cscript%3E&from=2024-02-31")
        #expect(bad.status == 400 && bad.text.contains("Order ids hold only") && bad.text.contains("From must be a date"))
        #expect(!bad.text.contains("<script>"))

        let dashboard = try b.go("GET", h.baseURL + "/admin")
        #expect(dashboard.text.contains(#"<figure class="lpa-chart" id="lpa-chart-TWD">"#))
        #expect(dashboard.text.components(separatedBy: #"<rect class="lpa-bar""#).count - 1 == 30)
        #expect(dashboard.text.contains(#"data-date="\#(today)" data-net="#))
        let css = try b.go("GET", h.baseURL + "/admin/admin.css")
        #expect(css.status == 200 && css.headers["content-type"]?.hasPrefix("text/css") == true && css.text.contains(".lpa-bar{fill"))
    }

    @Test func everyAdminPageKeepsTheContentSecurityRules() throws {
        let h = try Admin.harness(["capture = false", "pay_type = PREAPPROVED"])
        // A product name made to break out of HTML, everywhere it is shown.
        let hostile = "<img src=x onerror=alert(1)>\"'"
        let phone = Browser(Browser.iPhone)
        let orderId = Shop.newOrderId()
        var form: [(String, String)] = [("orderId", orderId), ("currency", "TWD"), ("ts", String(Int64(Date().timeIntervalSince1970))),
                                        ("items[0][name]", hostile), ("items[0][price]", "100"), ("items[0][quantity]", "1"), ("amount", "100")]
        form.append(("signature", SignedFields.sign(form, secret: ResponderHarness.handoffSecret)))
        let co = try phone.go("POST", h.baseURL + "/checkout", form: form)
        let pay = try phone.go("POST", h.baseURL + "/pay", form: [("orderId", orderId), ("csrf", try #require(formField("csrf", in: co.text)))])
        #expect(pay.status == 302)
        let tx = try #require(try OrderStore(path: h.database).order(orderId: orderId)?.transactionId)
        _ = try httpRequest(url: try #require(try h.sandbox.approve(tx)["confirmUrl"] as? String))
        let b = try Admin.browser(h)
        var pages = [try b.go("GET", h.baseURL + "/admin/login")]
        for path in ["", "/orders", "/orders?q=\(orderId)", "/orders/\(orderId)", "/orders/\(orderId)/capture", "/orders/\(orderId)/void",
                     "/orders/\(orderId)/refund", "/regkeys", "/regkeys/\(orderId)/charge?amount=5&product=\(formEscape(hostile))",
                     "/regkeys/\(orderId)/expire", "/nothing"] {
            pages.append(try b.go("GET", h.baseURL + "/admin" + path))
        }
        for page in pages {
            let html = page.text
            #expect(page.headers["content-security-policy"]?.contains("script-src 'self'; style-src 'self'") == true)
            #expect(!html.contains("<style") && !html.contains(" style=") && !html.contains(hostile))
            // Attribute values are all double-quoted (and escaped): without them, no attribute name may start with "on".
            let names = html.replacingOccurrences(of: #""[^"]*""#, with: "\"\"", options: .regularExpression)
            if let r = names.range(of: #"<[^>]*\son[a-z]+\s*="#, options: .regularExpression) { Issue.record("handler: \(names[r])") }
            #expect(html.range(of: #"<script(?![^>]*src="/linepay/assets/linepay\.[0-9a-f]{16}\.js")"#, options: .regularExpression) == nil)
            #expect(html.range(of: #"<script[^>]*>[^<]"#, options: .regularExpression) == nil, "inline script")
        }
        #expect(pages[4].text.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;"))
    }

    func utcDate(_ t: Int64) -> Substring {
        var time = time_t(t)
        var parts = tm()
        gmtime_r(&time, &parts)
        return Substring(String(format: "%04d-%02d-%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday))
    }
}
