import FastCGI
import Foundation
import LinePay
import LinePayConfig
import LinePayCheckout
import LinePayPages
import LinePayStore

/// /admin/regkeys: the keys PREAPPROVED payments issued, named by the order that issued them; charge, check, expire.
extension ResponderWorker {
    /// GET /admin/regkeys[?result=KEY]
    func regKeyList(_ request: FastCGIRequest, _ identity: AdminIdentity, notice: (String, String)?, status: Int = 200) throws -> FastCGIResponse {
        var notice = notice
        if notice == nil, let key = queryValue(request, "result"), let op = try store.operation(idempotencyKey: key) {
            notice = (op.state == .done ? "ok" : "error", "Charge \(op.amount.map(Money.format) ?? ""): \(op.state.rawValue). \(op.summary)")
        }
        let keys = try store.regKeys().map { k in
            AdminRegKey(orderId: k.orderId, masked: k.masked, currency: k.currency, issued: utcText(k.issuedAt), status: k.status,
                        lastCheck: k.checkedAt.map { "\(utcText($0)): \(k.checkResult ?? "")" })
        }
        return page(status, AdminPages.regKeys(adminContext(identity), keys, notice: notice))
    }

    /// GET /admin/regkeys/ORDER/(charge|expire): the confirmation step.
    func confirmRegKey(_ orderId: String, action: String, _ request: FastCGIRequest, _ identity: AdminIdentity) throws -> FastCGIResponse {
        guard let key = try store.regKey(orderId: orderId) else { return adminNotFound(identity, "Order \(orderId) issued no regKey.") }
        let facts: [(String, String)] = [("Issued by order", key.orderId), ("Key", key.masked), ("Status", key.status)]
        if action == "expire" {
            let view = AdminConfirmation(title: "Expire regKey", question: "Expire the regKey issued by order \(orderId)? It can never be charged again.",
                                         facts: facts, action: "/regkeys/\(orderId)/expire", fields: [], button: "Expire the regKey",
                                         cancel: "/regkeys", refusal: key.status == "expired" ? "This regKey is already expired." : nil)
            return page(view.refusal == nil ? 200 : 422, AdminPages.confirm(adminContext(identity), view))
        }
        let amountText = (queryValue(request, "amount") ?? "").trimmingCharacters(in: .whitespaces)
        let product = (queryValue(request, "product") ?? "").trimmingCharacters(in: .whitespaces)
        let capture = queryValue(request, "capture") == "yes"
        var refusal: String? = nil
        let amount = Money.parse(amountText)
        if key.status == "expired" { refusal = "This regKey is expired." }
        else if amount == nil || amountText.hasPrefix("-") || amount! <= 0 { refusal = "\"\(amountText)\" is not an amount above 0." }
        else if let c = Currency(rawValue: key.currency), !Money.fits(amount!, c) { refusal = "\(key.currency) does not take that many decimals." }
        else if product.isEmpty || product.count > 4000 { refusal = "Name the product (1 to 4000 characters)." }
        let money = amount.map { "\(Money.format($0)) \(key.currency)" } ?? amountText
        let view = AdminConfirmation(
            title: "Charge regKey", question: "Charge \(money) for \"\(product)\" to the shopper of order \(orderId), without asking them?",
            facts: facts + [("Amount", money), ("Product", product), ("Capture", capture ? "yes: charged now" : "no: authorized only, capture later")],
            action: "/regkeys/\(orderId)/charge",
            fields: [("key", Self.newIdempotencyKey()), ("amount", amount.map(Money.format) ?? ""), ("product", product), ("capture", capture ? "yes" : "no")],
            button: "Charge \(money)", cancel: "/regkeys", refusal: refusal)
        return page(refusal == nil ? 200 : 422, AdminPages.confirm(adminContext(identity), view))
    }

    /// POST /admin/regkeys/ORDER/(charge|check|expire). Check is a lookup and needs no confirmation.
    func regKeyAction(_ orderId: String, action: String, _ request: FastCGIRequest, _ identity: AdminIdentity, now: Int64) throws -> FastCGIResponse {
        if action != "check" && formValue(request, "confirm") != "yes" {
            return page(400, AdminPages.message(adminContext(identity), title: "Confirm first", text: "Every action is confirmed on its own page first; nothing was done."))
        }
        let use = core.acting(as: identity.actor)
        switch action {
        case "charge":
            guard let key = formValue(request, "key"), Self.isIdempotencyKey(key),
                  let amount = formValue(request, "amount").flatMap(Money.parse) else {
                return page(400, AdminPages.message(adminContext(identity), title: "Bad form", text: "The charge form is incomplete; nothing was done."))
            }
            let outcome = try use.chargeRegKey(sourceOrderId: orderId, amount: amount, productName: formValue(request, "product") ?? "",
                                         capture: formValue(request, "capture") == "yes", newOrderId: nil, key: key, now: now)
            switch outcome {
            case .notFound: return adminNotFound(identity, "Order \(orderId) issued no regKey.")
            case .keyReused:
                return page(409, AdminPages.message(adminContext(identity), title: "Form reused", text: "This form was already used for another action. Nothing was done."))
            case .finished(let op, _):
                if op.orderId == orderId { return redirect(adminURL("/regkeys?result=\(key)")) }   // refused before an order existed
                return redirect(adminURL("/orders/\(SignedFields.rawURLEncode(op.orderId))?result=\(key)"))
            }
        default:
            let outcome = action == "check" ? try use.checkRegKey(sourceOrderId: orderId, now: now) : try use.expireRegKey(sourceOrderId: orderId, now: now)
            let verb = action == "check" ? "Check" : "Expire"
            switch outcome {
            case .notFound: return adminNotFound(identity, "Order \(orderId) issued no regKey.")
            case .answered(let ok, let text):
                return try regKeyList(request, identity, notice: (ok ? "ok" : "error", "\(verb) of the regKey of \(orderId): \(text)"), status: ok ? 200 : 502)
            case .unclear(_, let text):
                return try regKeyList(request, identity, notice: ("warn", "\(verb) of the regKey of \(orderId): \(text)"), status: 503)
            }
        }
    }
}
