import FastCGI

/// Routes as data: method, a path pattern (`/orders/:id/refund`, a trailing `*` takes the rest), a handler.
/// Built once; `match` answers the handler, or which methods the path would take (405), or nothing (404).
struct RouteTable<Handler: Sendable>: Sendable {
    struct Route: Sendable {
        let method: String
        let segments: [String]
        let handler: Handler
    }

    /// What a path matched: the handler and the `:name` parts of the pattern (`*` is "rest").
    enum Match {
        case found(Handler, [String: String])
        case wrongMethod(allowed: [String])
        case none
    }

    private(set) var routes: [Route] = []

    mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        routes.append(Route(method: method, segments: Self.split(pattern), handler: handler))
    }

    func match(method: String, path: String) -> Match {
        let parts = Self.split(path)
        var allowed: [String] = []
        for route in routes {
            guard let params = Self.bind(route.segments, parts) else { continue }
            if route.method == method { return .found(route.handler, params) }
            allowed.append(route.method)
        }
        return allowed.isEmpty ? .none : .wrongMethod(allowed: allowed)
    }

    private static func split(_ path: String) -> [String] { path.split(separator: "/", omittingEmptySubsequences: true).map(String.init) }

    private static func bind(_ pattern: [String], _ parts: [String]) -> [String: String]? {
        var params: [String: String] = [:]
        for (i, segment) in pattern.enumerated() {
            if segment == "*" { params["rest"] = parts.dropFirst(i).joined(separator: "/"); return params }
            guard i < parts.count else { return nil }
            if segment.hasPrefix(":") { params[String(segment.dropFirst())] = parts[i] } else if segment != parts[i] { return nil }
        }
        return pattern.count == parts.count ? params : nil
    }
}
