/// One HTTP exchange exactly as the client will put it on the wire: the signed bytes, the reference's timeouts and
/// whether the call may ride a reused connection.
public struct TransportRequest: Sendable {
    /// Which of the ten operations this is.
    public let operation: LinePayOperation
    /// "GET" or "POST".
    public let method: String
    /// The absolute URL, query included.
    public let url: String
    /// The path alone, e.g. `/v3/payments/2016020510824221610/confirm` (what the signature covers).
    public let path: String
    /// The GET query string without `?`, or nil.
    public let query: String?
    /// Header names and values, signature included (never the secret).
    public let headers: [(String, String)]
    /// The POST body, or nil for a GET.
    public let body: [UInt8]?
    public let connectTimeout: Duration
    public let readTimeout: Duration
    /// True for calls that move money: never sent on a reused connection (libcurl may silently resend on one).
    public let freshConnection: Bool

    public init(operation: LinePayOperation, method: String, url: String, path: String, query: String?,
                headers: [(String, String)], body: [UInt8]?, connectTimeout: Duration, readTimeout: Duration,
                freshConnection: Bool) {
        self.operation = operation; self.method = method; self.url = url; self.path = path; self.query = query
        self.headers = headers; self.body = body; self.connectTimeout = connectTimeout; self.readTimeout = readTimeout
        self.freshConnection = freshConnection
    }

    /// The value of header `name` (case-insensitive), if sent.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// What became of one HTTP exchange, in the terms that matter for money.
public enum TransportResult: Sendable, Equatable {
    /// A complete HTTP response.
    case response(status: Int, body: [UInt8])
    /// Nothing was sent: the request can be retried safely.
    case notSent(String)
    /// Sent (or possibly sent) without a complete answer.
    case lost(UnknownReason)
}

/// How the client reaches LINE Pay. Production uses `CurlLinePayTransport`; tests hand in a scripted LINE Pay
/// (the `LinePayTesting` product) so money paths run in-process.
public protocol LinePayTransport: Sendable {
    /// Performs one exchange; never throws: every failure is a `TransportResult`.
    func perform(_ request: TransportRequest) -> TransportResult
}

/// libcurl, one easy handle per calling thread (connections stay open between that thread's calls).
public struct CurlLinePayTransport: LinePayTransport {
    public init() {}

    public func perform(_ request: TransportRequest) -> TransportResult {
        if let why = CurlTransport.unavailable { return .notSent(why) }
        return CurlTransport.current.perform(method: request.method, url: request.url, headers: request.headers.map { "\($0.0): \($0.1)" },
                                      body: request.body, connectTimeout: request.connectTimeout,
                                      readTimeout: request.readTimeout, freshConnection: request.freshConnection)
    }

    /// A form POST to the shop (notifications) on the same client: 5 s to connect, 10 s to answer.
    public func postForm(url: String, body: [UInt8]) -> TransportResult {
        exchange(method: "POST", url: url, contentType: "application/x-www-form-urlencoded", body: body,
                 connectTimeout: .seconds(5), readTimeout: .seconds(10))
    }

    /// One exchange with an endpoint that is not LINE Pay's (the shop's notify and shipping URLs; the sandbox's calls
    /// to confirmUrl): TLS verified, no redirects, a fresh connection, answers up to 4 MiB.
    public func exchange(method: String, url: String, contentType: String? = nil, body: [UInt8]?,
                         connectTimeout: Duration, readTimeout: Duration) -> TransportResult {
        if let why = CurlTransport.unavailable { return .notSent(why) }
        return CurlTransport.current.perform(method: method, url: url, headers: contentType.map { ["Content-Type: \($0)"] } ?? [],
                                             body: body, connectTimeout: connectTimeout, readTimeout: readTimeout, freshConnection: true)
    }
}
