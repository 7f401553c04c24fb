import FastCGI
import Foundation
import LinePayPages

/// /admin: off until admin_auth is configured (issue 5 fills this in).
extension ResponderWorker {
    func admin(_ request: FastCGIRequest, now: Int64) throws -> FastCGIResponse {
        page(404, Pages.error(context(request, order: nil), kind: .notFound, message: "There is no such page."))
    }
}
