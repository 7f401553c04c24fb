import FastCGI
import Foundation
import LinePay
import LinePayConfig
import LinePayCheckout
import LinePayPages
import LinePayStore

/// The shopper's routes: each parses and checks its input, runs one use case, and renders the outcome.
extension ResponderWorker {
    /// POST /checkout: the shop's signed handoff. Nothing is stored unless every check passes.
    func checkout(_ request: FastCGIRequest, now: Int64) throws -> FastCGIResponse {
        // Before anything is decoded or signed, and before any cookie: a stranger's page must not plant its cart.
        guard CheckoutGuard.originAllowed(request, origins: configuration.checkoutOrigins) else {
            return page(403, Pages.error(context(request, order: nil), kind: .forbidden,
                                         message: "This checkout was not sent from the shop's own pages. Return to the shop and check out there."))
        }
        if let problem = CheckoutGuard.sizeProblem(request.body) {
            return page(413, Pages.error(context(request, order: nil), kind: .badRequest, message: "This checkout link cannot be used. \(problem)"))
        }
        let handoff: Handoff
        do {
            handoff = try Handoff.parse(request.form, secret: configuration.handoffSecret, now: now)
        } catch {
            return page(400, Pages.error(context(request, order: nil), kind: .badRequest,
                                         message: "This checkout link cannot be used. \(error.message)"))
        }
        let existing = try self.session(request, now: now)
        // A new browser's session and its order commit together: one transaction, one fsync.
        let (session, cookie, created) = try store.inOneTransaction { () throws -> (Session, String?, CreateResult) in
            let (session, cookie) = try existing.map { ($0, nil) } ?? newSession(request, now: now)
            return (session, cookie, try store.createOrResume(handoff.order, sessionId: session.id, now: now))
        }
        let headers = cookie.map { [("Set-Cookie", $0)] } ?? []
        switch created {
        case .conflict(let existing):
            return page(409, Pages.error(context(request, order: existing), kind: .conflict,
                                         message: "The order \(existing.orderId) was already started with other contents. Return to the shop and check out again."),
                        headers: headers)
        case .created(let order), .resumed(let order):
            // Still another live session's: this browser did not take it over (issue 10, attack 2).
            guard constantTimeEquals(Array(order.sessionId.utf8), Array(session.id.utf8)) else {
                let c = context(request, order: order)
                switch order.state {
                case .paid, .authorized, .refunded, .partially_refunded, .voided: return page(200, Pages.otherBrowserComplete(c), headers: headers)
                default: return page(409, Pages.otherWindowPaying(c), headers: headers)
                }
            }
            switch order.state {
            case .paid, .authorized, .confirming, .refunded, .partially_refunded, .voided:
                return redirect("\(configuration.basePath)/result?orderId=\(SignedFields.rawURLEncode(order.orderId))", headers: headers)
            default:
                return page(200, Pages.checkout(context(request, order: order), order: view(order), csrfToken: session.csrfToken), headers: headers)
            }
        }
    }

    /// POST /pay: reserve at LINE Pay (once), then a 302 for phones or the popup page for desktops.
    func pay(_ request: FastCGIRequest, now: Int64) throws -> FastCGIResponse {
        let form = Dictionary(request.form, uniquingKeysWith: { a, _ in a })
        guard let session = try self.session(request, now: now) else {
            return page(403, Pages.error(context(request, order: nil), kind: .expired,
                                         message: "Your checkout session has expired. Return to the shop and check out again."))
        }
        guard let csrf = form["csrf"], constantTimeEquals(Array(csrf.utf8), Array(session.csrfToken.utf8)) else {
            return page(403, Pages.error(context(request, order: nil), kind: .forbidden, message: "This form has expired. Go back and press Pay again."))
        }
        guard let orderId = form["orderId"], let order = try store.order(orderId: orderId),
              constantTimeEquals(Array(order.sessionId.utf8), Array(session.id.utf8)) else {
            return page(404, Pages.error(context(request, order: nil), kind: .notFound, message: "There is no such order in this browser."))
        }
        guard let outcome = try core.reserve(orderId: orderId, now: now) else {
            return page(404, Pages.error(context(request, order: nil), kind: .notFound, message: "There is no such order."))
        }
        let c = context(request, order: order)
        switch outcome {
        case .reserved(let o):
            guard let url = o.paymentUrl else { return redirect(resultPath(o)) }
            if isPhone(request) { return redirect(url, status: 302) }
            let encoded = SignedFields.rawURLEncode(o.orderId)
            return page(200, Pages.payDesktop(c, order: view(o), paymentURL: url,
                                              statusURL: "\(configuration.basePath)/status?orderId=\(encoded)",
                                              resultURL: resultPath(o), csrfToken: session.csrfToken))
        case .past(let o), .busy(let o):
            return redirect(resultPath(o))
        case .refused(let o, let refusal):
            return page(502, Pages.failed(c, order: view(o), reason: refusal.explanation, csrfToken: session.csrfToken))
        case .unavailable:
            return page(503, Pages.error(c, kind: .unavailable, message: "LINE Pay could not be reached. Nothing was charged. Please try again."))
        }
    }

    func resultPath(_ order: Order) -> String {
        "\(configuration.basePath)/result?orderId=\(SignedFields.rawURLEncode(order.orderId))"
    }

    /// GET /confirm: LINE Pay's confirmUrl. Confirms once; the browser holding the order's session gets the
    /// receipt, any other browser a neutral page. LINE Pay's own call (SERVER) is answered after our Confirm:
    /// 200 only when paid or authorized, so LINE Pay never reads success for a payment we could not confirm.
    func confirm(_ request: FastCGIRequest, now: Int64) throws -> FastCGIResponse {
        guard let tx = transactionId(request), let lpOrderId = queryValue(request, "orderId"), !lpOrderId.isEmpty else {
            return page(400, Pages.error(context(request, order: nil), kind: .badRequest, message: "transactionId and orderId are required."))
        }
        let outcome = try core.confirmReturned(linePayOrderId: lpOrderId, transactionId: tx,
                                               shippingMethodId: queryValue(request, "shippingMethodId"),
                                               shippingFeeAmount: queryValue(request, "shippingFeeAmount"), now: now)
        if case .shippingRefused(let order) = outcome {
            // Not confirmed: the choice is not one we quoted (the event is on the order's log).
            if configuration.confirmURLType == .SERVER { return .text("shipping does not match our quote\n", status: 409) }
            return page(409, Pages.error(context(request, order: order), kind: .conflict,
                                         message: "The shipping method or fee does not match what this shop offered. Nothing was charged. Return to the shop and check out again."))
        }
        if configuration.confirmURLType == .SERVER {
            guard case .done(let order) = outcome else { return .text("no such payment\n", status: 404) }
            switch order.state {
            case .paid, .authorized: return FastCGIResponse(status: 200, headers: [], body: [])
            case .confirming: return .text("checking with LINE Pay\n", status: 503)   // the reconciler settles it
            default: return .text("not confirmed: \(order.state.rawValue)\n", status: 409)
            }
        }
        switch outcome {
        case .notFound, .mismatch:
            return page(404, Pages.error(context(request, order: nil), kind: .notFound, message: "This payment link does not match an order."))
        case .done(let order), .shippingRefused(let order):
            return try finalPage(order, request, now: now)
        }
    }

    /// What a browser sees after confirm or cancel: the owner is sent to the receipt; others learn only the outcome.
    func finalPage(_ order: Order, _ request: FastCGIRequest, now: Int64) throws -> FastCGIResponse {
        let c = context(request, order: order)
        guard try isOwner(order, request, now: now) else {
            switch order.state {
            case .paid, .authorized, .refunded, .partially_refunded, .voided: return page(200, Pages.otherBrowserComplete(c))
            case .confirming, .reserving: return page(200, Pages.otherBrowserChecking(c))   // unknown yet: the original window settles it
            default: return page(200, Pages.otherBrowserNotCompleted(c))
            }
        }
        return redirect(resultPath(order))
    }

    /// GET /cancel: LINE Pay's cancelUrl.
    func cancel(_ request: FastCGIRequest, now: Int64) throws -> FastCGIResponse {
        guard let tx = transactionId(request), let lpOrderId = queryValue(request, "orderId"), !lpOrderId.isEmpty else {
            return page(400, Pages.error(context(request, order: nil), kind: .badRequest, message: "transactionId and orderId are required."))
        }
        switch try core.cancelReturned(linePayOrderId: lpOrderId, transactionId: tx, now: now) {
        case .notFound, .mismatch:
            return page(404, Pages.error(context(request, order: nil), kind: .notFound, message: "This payment link does not match an order."))
        case .done(let order), .shippingRefused(let order):
            guard try isOwner(order, request, now: now) else {
                return page(200, order.state == .paid || order.state == .authorized ? Pages.otherBrowserComplete(context(request, order: order))
                                                                                    : Pages.otherBrowserNotCompleted(context(request, order: order)))
            }
            if order.state == .cancelled {
                let csrf = try session(request, now: now)?.csrfToken
                return page(200, Pages.cancelled(context(request, order: order), order: view(order), csrfToken: csrf))
            }
            return redirect(resultPath(order))
        }
    }

    /// GET /status: JSON for the order's own browser only (others: 404, the same as no order).
    func status(_ request: FastCGIRequest, now: Int64) throws -> FastCGIResponse {
        // One statement for the order's narrow status (no items) and whether the caller's session is live; the whole
        // order is loaded only when the poll must act on it. Someone else's order answers as an unknown one.
        guard let asked = queryValue(request, "orderId"), let session = callerSessionId(request),
              let (found, sessionIsLive) = try store.orderStatus(orderId: asked, session: session, now: now),
              sessionIsLive, constantTimeEquals(Array(session.utf8), Array(found.sessionId.utf8))
        else { return json(404, #"{"error":"not found"}"#) }
        var (orderId, state, transactionId) = (found.orderId, found.state, found.transactionId)
        if core.refreshIsDue(state: found.state, reservedAt: found.reservedAt, createdAt: found.createdAt, now: now),
           let order = try store.order(orderId: found.orderId) {
            let after = try core.refresh(order, now: now)
            (orderId, state, transactionId) = (after.orderId, after.state, after.transactionId)
        }
        var body = #"{"orderId":"\#(jsonEscaped(orderId))","status":"\#(state.publicStatus)""#
        if let tx = transactionId { body += #","transactionId":"\#(tx)""# }
        return json(200, body + "}")
    }

    /// GET /result: the receipt and the signed link back to the shop, for the order's own browser (others: 404).
    func result(_ request: FastCGIRequest, now: Int64) throws -> FastCGIResponse {
        // Someone else's order answers exactly as an unknown one: /result must not tell whether an order exists or
        // is paid (issue 10, attack 5). Only /confirm shows another browser the neutral outcome page.
        // One read transaction (one snapshot, SQLite's locks once) and one session lookup for owner and csrf.
        let found: (Order, Session)? = try store.connection.readTransaction {
            guard let orderId = queryValue(request, "orderId"), let order = try store.order(orderId: orderId),
                  let s = try session(request, now: now), constantTimeEquals(Array(s.id.utf8), Array(order.sessionId.utf8))
            else { return nil }
            return (order, s)
        }
        guard let (order, owner) = found else {
            return page(404, Pages.error(context(request, order: nil), kind: .notFound, message: "There is no such order."))
        }
        var c = context(request, order: order)
        c.returnURL = signedReturnURL(order, now: now)
        let csrf = owner.csrfToken
        let encoded = SignedFields.rawURLEncode(order.orderId)
        switch order.state {
        case .paid, .authorized, .refunded, .partially_refunded, .voided:
            return page(200, Pages.receipt(c, order: view(order)))
        case .confirming, .reserving:
            return page(200, Pages.checking(c, order: view(order), statusURL: "\(configuration.basePath)/status?orderId=\(encoded)",
                                            resultURL: resultPath(order)))
        case .cancelled:
            return page(200, Pages.cancelled(c, order: view(order), csrfToken: csrf))
        case .failed, .expired:
            return page(200, Pages.failed(c, order: view(order), reason: order.lastError ?? "", csrfToken: csrf))
        case .new, .reserved:
            return page(200, Pages.checkout(c, order: view(order), csrfToken: csrf))
        }
    }
}

