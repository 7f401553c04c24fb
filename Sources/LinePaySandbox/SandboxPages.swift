import FastCGI
import LinePayPages
import Foundation
import LinePay

/// The shopper's side: the payment page behind `paymentUrl.web`, with a login step on desktop, Approve, Cancel and
/// Fail, and the browser check of checkConfirmUrlBrowser (browsers told apart by a cookie).
extension SandboxWorker {
    static let browserCookie = "lp_sandbox_browser"
    static let loginCookie = "lp_sandbox_login"

    func page(_ request: FastCGIRequest, path: String) throws -> FastCGIResponse {
        // /sandbox/pay/{token}[/login|/approve|/cancel|/fail|/continue]
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 3, let tx = try store.transaction(token: parts[2]) else {
            return html(404, "Not found", "<p>This payment request does not exist.</p>", locale: "en")
        }
        let action = parts.count > 3 ? parts[3] : ""
        var cookies: [(String, String)] = []
        var browser = request.cookies[Self.browserCookie] ?? ""
        if browser.isEmpty {
            browser = lowerHex(secureRandomBytes(12))
            cookies.append(("Set-Cookie", "\(Self.browserCookie)=\(browser); Path=/sandbox/; HttpOnly; SameSite=Lax"))
        }
        var response: FastCGIResponse
        switch (request.method, action) {
        case ("GET", ""):
            // The browser that opens paymentUrl first is the one checkConfirmUrlBrowser compares with.
            try store.db.run("UPDATE transactions SET browser_token = ? WHERE id = ? AND browser_token IS NULL", [.text(browser), .integer(tx.id)])
            response = paymentPage(tx, request: request)
        case ("POST", "login"):
            cookies.append(("Set-Cookie", "\(Self.loginCookie)=1; Path=/sandbox/; HttpOnly; SameSite=Lax"))
            response = redirect("\(baseURL(request))/sandbox/pay/\(tx.accessToken)")
        case ("POST", "address"):
            guard tx.status == "reserved", !expired(tx), tx.shippingType == "SHIPPING" else { response = closed(tx, expired(tx) ? "expired" : tx.status); break }
            let notice = try chooseAddress(tx, form: Dictionary(request.form, uniquingKeysWith: { a, _ in a }))
            response = paymentPage(try store.transaction(id: tx.id)!, request: request, notice: notice)
        case ("POST", "approve"):
            if expired(tx) { response = closed(tx, "expired"); break }
            // A SHIPPING payment is approved with one of the methods the merchant offered for the chosen address.
            if tx.shippingType == "SHIPPING", tx.status == "reserved",
               try !chooseMethod(tx, id: request.form.first { $0.0 == "shippingMethodId" }?.1) {
                response = paymentPage(tx, request: request, notice: text(tx.locale, "shipFirst")); break
            }
            guard try store.transition(tx.id, from: ["reserved"], to: "approved") else { response = closed(tx, tx.status); break }
            response = try proceed(try store.transaction(id: tx.id)!, browser: browser, request: request)
        case ("GET", "continue"):
            response = tx.status == "approved" ? try proceed(tx, browser: browser, request: request) : closed(tx, tx.status)
        case ("POST", "cancel"):
            guard try store.transition(tx.id, from: ["reserved", "approved"], to: "cancelled") else { response = closed(tx, tx.status); break }
            response = redirect(appendingParameters(tx.cancelUrl, transactionId: tx.id, orderId: tx.orderId))
        case ("POST", "fail"):
            guard try store.transition(tx.id, from: ["reserved"], to: "failed") else { response = closed(tx, tx.status); break }
            response = html(200, text(tx.locale, "failed"), "<p>\(htmlEscape(text(tx.locale, "failedBody")))</p><p><a class=btn href=\"\(htmlEscape(appendingParameters(tx.cancelUrl, transactionId: tx.id, orderId: tx.orderId)))\">\(htmlEscape(text(tx.locale, "back")))</a></p>", locale: tx.locale)
        default:
            response = html(405, "Method not allowed", "<p>Use the buttons on the payment page.</p>", locale: tx.locale)
        }
        response.headers += cookies
        return response
    }

    /// After approval: CLIENT sends the browser to confirmUrl (or guides it back when checkConfirmUrlBrowser sees
    /// another browser); SERVER has the sandbox call confirmUrl itself; NONE leaves it to the merchant's polling.
    func proceed(_ tx: SandboxTransaction, browser: String, request: FastCGIRequest) throws -> FastCGIResponse {
        let target = tx.confirmTarget
        switch tx.confirmUrlType {
        case "SERVER":
            let ok = callConfirmURL(target)
            return html(200, text(tx.locale, "approved"), "<p>\(htmlEscape(text(tx.locale, ok ? "serverDone" : "serverFailed")))</p>", locale: tx.locale)
        case "NONE":
            return html(200, text(tx.locale, "approved"), "<p>\(htmlEscape(text(tx.locale, "noneDone")))</p>", locale: tx.locale)
        default:
            if tx.checkBrowser, let opener = tx.browserToken, opener != browser {
                return html(200, text(tx.locale, "otherBrowser"), "<p>\(htmlEscape(text(tx.locale, "otherBrowserBody")))</p>", locale: tx.locale,
                            marker: "sandbox-other-browser")
            }
            return redirect(target)
        }
    }

    /// LINE Pay's server-to-server GET of confirmUrl (5 s connect, 20 s read); true on HTTP 200.
    func callConfirmURL(_ url: String) -> Bool {
        if case .response(200, _) = CurlLinePayTransport().exchange(method: "GET", url: url, body: nil, connectTimeout: .seconds(5),
                                                                     readTimeout: .seconds(20)) { return true }
        return false
    }

    private func paymentPage(_ tx: SandboxTransaction, request: FastCGIRequest, notice: String? = nil) -> FastCGIResponse {
        guard tx.status == "reserved", !expired(tx) else { return closed(tx, expired(tx) ? "expired" : tx.status) }
        let base = "\(baseURL(request))/sandbox/pay/\(tx.accessToken)"
        let merchant = channels[tx.channelId]?.merchantName ?? "Merchant"
        let ua = request.header("User-Agent") ?? ""
        let desktop = ua.range(of: "Mobile|Android|iPhone|iPad|Line/", options: .regularExpression) == nil
        if desktop && request.cookies[Self.loginCookie] == nil {
            return html(200, text(tx.locale, "login"), """
                <p>\(htmlEscape(text(tx.locale, "loginBody")))</p>
                <form method=post action="\(htmlEscape(base))/login"><label>LINE ID <input name=id value="sandbox-user" autocomplete=off></label>
                <button class=btn type=submit id=login>\(htmlEscape(text(tx.locale, "login")))</button></form>
                """, locale: tx.locale, marker: "sandbox-login")
        }
        var shipping = ""
        var methods = ""
        if tx.shippingType == "SHIPPING" {
            let s = shippingSection(tx, base: base, notice: notice)
            shipping = s.addressForms
            // No Pay button until the merchant has offered a method for an address.
            guard let inputs = s.methodInputs else {
                return html(200, "LINE Pay", """
                    <p class=merchant>\(htmlEscape(merchant))</p><p class=product>\(htmlEscape(tx.productName))</p>
                    <p class=amount>\(htmlEscape(Money.format(tx.amount))) \(htmlEscape(tx.currency)) + \(htmlEscape(text(tx.locale, "shipFee")))</p>
                    \(shipping)
                    <form method=post action="\(htmlEscape(base))/cancel"><button class=btn type=submit id=cancel>\(htmlEscape(text(tx.locale, "cancel")))</button></form>
                    """, locale: tx.locale, marker: "sandbox-shipping")
            }
            methods = inputs
        }
        return html(200, "LINE Pay", """
            <p class=merchant>\(htmlEscape(merchant))</p>
            <p class=product>\(htmlEscape(tx.productName))</p>
            <p class=amount>\(htmlEscape(Money.format(tx.amount))) \(htmlEscape(tx.currency))\(methods.isEmpty ? "" : " + " + htmlEscape(text(tx.locale, "shipFee")))</p>
            \(shipping)
            <form method=post action="\(htmlEscape(base))/approve">\(methods)<button class="btn primary" type=submit id=approve>\(htmlEscape(text(tx.locale, "approve")))</button></form>
            <form method=post action="\(htmlEscape(base))/cancel"><button class=btn type=submit id=cancel>\(htmlEscape(text(tx.locale, "cancel")))</button></form>
            <form method=post action="\(htmlEscape(base))/fail"><button class="btn quiet" type=submit id=fail>\(htmlEscape(text(tx.locale, "fail")))</button></form>
            """, locale: tx.locale, marker: "sandbox-payment")
    }

    private func closed(_ tx: SandboxTransaction, _ status: String) -> FastCGIResponse {
        html(409, text(tx.locale, "closed"), "<p>\(htmlEscape(text(tx.locale, "closedBody"))) (\(htmlEscape(status)))</p>", locale: tx.locale, marker: "sandbox-closed")
    }

    func redirect(_ url: String) -> FastCGIResponse {
        FastCGIResponse(status: 303, headers: [("Location", url), ("Cache-Control", "no-store")], body: [])
    }

    func html(_ status: Int, _ title: String, _ body: String, locale: String, marker: String = "sandbox") -> FastCGIResponse {
        let lang = locale.replacingOccurrences(of: "_", with: "-")
        let page = """
        <!doctype html><html lang="\(htmlEscape(lang))"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(htmlEscape(title)) - LINE Pay sandbox</title><style>
        body{font-family:system-ui,sans-serif;margin:0;background:#f4f6f5;color:#1e1e1e}
        header{background:#06c755;color:#fff;padding:12px 16px;font-weight:700}
        main{max-width:420px;margin:16px auto;background:#fff;padding:20px;border-radius:8px}
        .amount{font-size:1.8em;font-weight:700}.merchant{color:#555}.btn{display:block;width:100%;padding:12px;margin:8px 0;font-size:1em;border:1px solid #ccc;border-radius:6px;background:#fff;text-align:center;text-decoration:none;color:inherit}
        .primary{background:#06c755;color:#fff;border-color:#06c755}.quiet{color:#a00}input{padding:8px;margin:8px 0;width:100%;box-sizing:border-box}
        label{display:block;margin:6px 0}input[type=radio]{width:auto;margin-right:8px}.notice{color:#a00;font-weight:600}fieldset{border:1px solid #ddd;border-radius:6px;margin:8px 0}
        </style></head><body data-page="\(htmlEscape(marker))"><header>LINE Pay · SANDBOX</header><main><h1>\(htmlEscape(title))</h1>
        \(body)</main></body></html>
        """
        return FastCGIResponse(status: status, headers: [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"),
                                                         ("X-Frame-Options", "DENY")], body: Array(page.utf8))
    }

    func text(_ locale: String, _ key: String) -> String {
        SandboxWorker.words[locale]?[key] ?? SandboxWorker.words["en"]![key] ?? key
    }

    static let words: [String: [String: String]] = [
        "en": ["login": "Log in to LINE", "loginBody": "Sandbox: any LINE ID logs in.", "approve": "Pay now", "cancel": "Cancel",
               "fail": "Simulate a failure", "failed": "Payment failed", "failedBody": "The payment could not be completed.",
               "back": "Return to the merchant", "approved": "Payment approved", "serverDone": "The merchant has been notified. You can close this page.",
               "serverFailed": "The merchant could not be reached.", "noneDone": "Return to the merchant's page to finish.",
               "otherBrowser": "Return to your original browser", "otherBrowserBody": "This payment was started in another browser. Go back to the browser where you started the payment to finish it.",
               "closed": "This payment request is closed", "closedBody": "It can no longer be paid here.",
               "shipTo": "Ship to", "shipTyped": "Another address", "shipAsk": "Use this address", "shipMethod": "Shipping method",
               "shipTotal": "total", "shipFee": "shipping", "shipFirst": "Choose an address and a shipping method first.",
               "ship4001": "The shop does not ship to this region (4001). Choose another address.",
               "ship4002": "The shop cannot use this address (4002). Check it and try again.",
               "shipUnreachable": "The shop could not tell the shipping fee. Try again in a moment."],
        "ja": ["login": "LINEにログイン", "approve": "支払う", "cancel": "キャンセル", "failed": "決済に失敗しました", "approved": "決済が承認されました",
               "back": "加盟店に戻る", "otherBrowser": "元のブラウザに戻ってください",
               "otherBrowserBody": "この決済は別のブラウザで開始されました。決済を開始したブラウザに戻って完了してください。",
               "closed": "この決済リクエストは終了しています"],
        "zh_TW": ["login": "登入 LINE", "approve": "立即付款", "cancel": "取消", "failed": "付款失敗", "approved": "付款已授權",
                  "back": "返回商店", "otherBrowser": "請回到原本的瀏覽器", "otherBrowserBody": "此付款是在另一個瀏覽器中開始的。請回到開始付款的瀏覽器完成付款。",
                  "closed": "此付款請求已結束", "shipTo": "收件地址", "shipTyped": "其他地址", "shipAsk": "使用此地址", "shipMethod": "配送方式",
                  "shipTotal": "合計", "shipFee": "運費", "ship4001": "商店不配送至此地區 (4001)。請選擇其他地址。",
                  "ship4002": "商店無法使用此地址 (4002)。請確認後再試。"],
        "th": ["login": "เข้าสู่ระบบ LINE", "approve": "ชำระเงิน", "cancel": "ยกเลิก", "failed": "การชำระเงินล้มเหลว", "approved": "อนุมัติการชำระเงินแล้ว",
               "back": "กลับไปที่ร้านค้า", "otherBrowser": "กลับไปยังเบราว์เซอร์เดิม", "otherBrowserBody": "การชำระเงินนี้เริ่มในเบราว์เซอร์อื่น โปรดกลับไปยังเบราว์เซอร์ที่คุณเริ่มการชำระเงินเพื่อดำเนินการให้เสร็จ",
               "closed": "คำขอชำระเงินนี้ปิดแล้ว"],
    ]
}
