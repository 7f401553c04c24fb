import Foundation

/// Calls LINE Pay: validates, signs exactly the bytes it sends, applies the reference's timeouts and turns every
/// answer into success or a `LinePayError`. Safe to share between threads: each thread gets its own curl handle.
public struct LinePayClient: Sendable {
    public let configuration: LinePayConfiguration
    /// Where requests go: libcurl unless a test hands in a scripted LINE Pay.
    public let transport: any LinePayTransport

    public init(configuration: LinePayConfiguration, transport: any LinePayTransport = CurlLinePayTransport()) {
        self.configuration = configuration
        self.transport = transport
    }

    /// A request exactly as it goes on the wire (for `linepay sign` and tests); `headers` hold the signature,
    /// never the secret.
    public struct PreparedRequest: Sendable {
        public let method: String
        public let url: String
        public let path: String
        /// The signed payload: the POST body, or the GET query string without `?`.
        public let payload: [UInt8]
        public let headers: [(String, String)]
        public let isPOST: Bool
        /// The GET query string without `?` (nil for a POST).
        public let query: String?
    }

    /// Validates and signs `endpoint` with a fresh nonce, without sending it.
    public func prepare<E: LinePayEndpoint>(_ endpoint: E, nonce: String = makeNonce()) throws(LinePayError) -> PreparedRequest {
        do { try endpoint.validate() } catch { throw .invalid(error) }
        let query = endpoint.queryString()
        let body: [UInt8]?
        do { body = try endpoint.body() } catch {
            throw .invalid(ValidationError(field: "body", reason: "could not be encoded as JSON"))
        }
        let payload = body ?? Array((query ?? "").utf8)
        let path = endpoint.path(for: configuration.apiVersion)   // the path sent is the path signed
        let signature = LinePaySignature.make(channelSecret: configuration.channelSecret, path: path,
                                              payload: payload, nonce: nonce)
        var headers = [("Content-Type", "application/json"), ("X-LINE-ChannelId", configuration.channelId),
                       ("X-LINE-Authorization-Nonce", nonce), ("X-LINE-Authorization", signature)]
        if let device = configuration.merchantDeviceProfileId { headers.append(("X-LINE-MerchantDeviceProfileId", device)) }
        var url = configuration.environment.baseURL + path
        if let query, !query.isEmpty { url += "?" + query }
        return PreparedRequest(method: body == nil ? "GET" : "POST", url: url, path: path, payload: payload,
                               headers: headers, isPOST: body != nil, query: body == nil ? query : nil)
    }

    /// Sends `endpoint` and returns LINE Pay's successful answer, or throws the typed reason it is not one.
    public func send<E: LinePayEndpoint>(_ endpoint: E) throws(LinePayError) -> LinePayResponse<E.Info> {
        try checkEnvironment()
        var backoff = configuration.retry.initialBackoff
        var attempt = 1
        while true {
            let prepared = try prepare(endpoint)   // a new nonce every attempt: a nonce is never reused
            let result = transport.perform(TransportRequest(
                operation: E.operation, method: prepared.method, url: prepared.url, path: prepared.path, query: prepared.query,
                headers: prepared.headers, body: prepared.isPOST ? prepared.payload : nil,
                connectTimeout: configuration.timeouts.connect, readTimeout: configuration.timeouts.read(E.operation),
                freshConnection: E.operation.movesMoney))
            do {
                return try interpret(result, for: E.self)
            } catch let LinePayError.retryable(refusal) where attempt < configuration.retry.maxAttempts {
                _ = refusal
                Thread.sleep(forTimeInterval: seconds(backoff))
                backoff = backoff * 2
                attempt += 1
            }
        }
    }

    /// Turns what came back into an answer; public so the behaviour can be tested on recorded bodies.
    public static func interpret<E: LinePayEndpoint>(status: Int, body: [UInt8], for endpoint: E.Type) throws(LinePayError) -> LinePayResponse<E.Info> {
        try LinePayClient(configuration: .init(channelId: "", channelSecret: "")).interpret(.response(status: status, body: body), for: endpoint)
    }

    private func interpret<E: LinePayEndpoint>(_ result: TransportResult, for endpoint: E.Type) throws(LinePayError) -> LinePayResponse<E.Info> {
        let op = E.operation
        switch result {
        case .notSent(let why):
            throw .notSent(why)
        case .lost(let reason):
            throw .outcomeUnknown(op, reason)
        case .response(let status, let body):
            guard let head = try? JSONDecoder().decode(Head.self, from: Data(body)) else {
                throw .outcomeUnknown(op, status == 200 ? .unparseableBody("not a LINE Pay JSON answer") : .httpStatus(status))
            }
            let code = ReturnCode(head.returnCode)
            let message = head.returnMessage ?? ""
            if E.successCodes.contains(head.returnCode) {
                guard status == 200 else { throw .outcomeUnknown(op, .httpStatus(status)) }
                do {
                    let decoded = try JSONDecoder().decode(Envelope<E.Info>.self, from: Data(body))
                    guard let info = decoded.info ?? E.infoWhenAbsent else {
                        throw LinePayError.outcomeUnknown(op, .unparseableBody("info is missing"))
                    }
                    return LinePayResponse(returnCode: code, returnMessage: message, info: info)
                } catch let e as LinePayError {
                    throw e
                } catch {
                    throw .outcomeUnknown(op, .unparseableBody(describe(error)))
                }
            }
            let refusal = Refusal(operation: op, code: code, message: message)
            if E.retryableCodes.contains(head.returnCode) { throw .retryable(refusal) }
            if op.movesMoney && ReturnCode.meansCheck.contains(head.returnCode) { throw .outcomeUnknown(op, .ambiguousCode(code, message)) }
            if status >= 500 { throw .outcomeUnknown(op, .httpStatus(status)) }
            throw .refused(refusal)
        }
    }

    private func checkEnvironment() throws(LinePayError) {
        let base = configuration.environment.baseURL
        guard let c = URLComponents(string: base), let scheme = c.scheme?.lowercased(), let host = c.host else {
            throw .invalid(ValidationError(field: "environment", reason: "is not an absolute URL"))
        }
        if scheme == "http" && !Check.isLoopback(host) {
            throw .invalid(ValidationError(field: "environment", reason: "must use https outside loopback"))
        }
        if scheme != "http" && scheme != "https" {
            throw .invalid(ValidationError(field: "environment", reason: "must be an http(s) URL"))
        }
        if configuration.channelId.isEmpty { throw .invalid(ValidationError(field: "channelId", reason: "is required")) }
        if configuration.channelSecret.isEmpty { throw .invalid(ValidationError(field: "channelSecret", reason: "is required")) }
    }
}

private struct Head: Decodable {
    let returnCode: String
    let returnMessage: String?
}

private struct Envelope<Info: Decodable>: Decodable {
    let info: Info?
}

/// The path of a decoding error, so "unparseable" says which field.
private func describe(_ error: Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, let ctx):
        return "missing \((ctx.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))"
    case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx), DecodingError.dataCorrupted(let ctx):
        return "bad value at \(ctx.codingPath.map(\.stringValue).joined(separator: ".")): \(ctx.debugDescription)"
    default:
        return "could not decode"
    }
}

private func seconds(_ d: Duration) -> Double {
    let (s, atto) = d.components
    return Double(s) + Double(atto) / 1e18
}
