import CCurl
import Foundation

/// One libcurl easy handle inside its own multi handle, owned by one thread: connections stay open between calls.
/// The multi loop is ours so the read timeout is measured from the moment the connection is up, to the millisecond.
final class CurlTransport {
    private let multi: UnsafeMutableRawPointer
    private let easy: UnsafeMutableRawPointer
    private var sink = ResponseSink()

    /// The largest answer accepted; LINE Pay's are a few KiB.
    static let maxResponseBytes = 4 << 20

    /// Why libcurl cannot be used (it is loaded on first call: CCurl), or nil when it can; checked before `current`.
    static var unavailable: String? { ccurl_load().map { String(cString: $0) } }

    private init() {
        guard let m = ccurl_multi_init(), let e = ccurl_easy_init() else { fatalError("libcurl could not allocate a handle") }
        multi = m
        easy = e
    }

    deinit {
        ccurl_easy_cleanup(easy)
        ccurl_multi_cleanup(multi)
    }

    /// The calling thread's transport, created on first use and freed when the thread ends (`unavailable` nil first).
    static var current: CurlTransport {
        if let p = pthread_getspecific(transportKey) {
            return Unmanaged<CurlTransport>.fromOpaque(p).takeUnretainedValue()
        }
        let t = CurlTransport()
        pthread_setspecific(transportKey, Unmanaged.passRetained(t).toOpaque())
        return t
    }

    func perform(method: String, url: String, headers: [String], body: [UInt8]?, connectTimeout: Duration,
                 readTimeout: Duration, freshConnection: Bool) -> TransportResult {
        ccurl_easy_reset(easy)
        sink = ResponseSink()
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for h in headers + ["Expect:"] { list = ccurl_slist_append(list, h) }
        defer { ccurl_slist_free_all(list) }

        let connectMs = milliseconds(connectTimeout), readMs = milliseconds(readTimeout)
        _ = ccurl_setopt_string(easy, CURLOPT_URL, url)
        _ = ccurl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = ccurl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        _ = ccurl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        _ = ccurl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        _ = ccurl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, connectMs)
        _ = ccurl_setopt_long(easy, CURLOPT_TIMEOUT_MS, connectMs + readMs + 1000) // a backstop; our loop is exact
        _ = ccurl_setopt_long(easy, CURLOPT_FRESH_CONNECT, freshConnection ? 1 : 0)
        _ = ccurl_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
        _ = ccurl_setopt_write_function(easy, curlWrite)
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        _ = ccurl_setopt_pointer(easy, CURLOPT_WRITEDATA, sinkPointer)
        // The body stays in `bodyBytes` (and its reader in `reader`) until this function returns.
        let bodyBytes = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(1, body?.count ?? 0))
        defer { bodyBytes.deallocate() }
        let reader = UnsafeMutablePointer<ccurl_body>.allocate(capacity: 1)
        defer { reader.deallocate() }
        if let body {
            body.withUnsafeBytes { raw in _ = raw.copyBytes(to: UnsafeMutableRawBufferPointer(bodyBytes)) }
            reader.initialize(to: ccurl_body(bytes: UnsafePointer(bodyBytes.baseAddress), length: CLong(body.count), offset: 0,
                                             rewinds_refused: 0))
            guard ccurl_setopt_body(easy, reader) == CURLE_OK else { return .notSent("libcurl refused the body") }
            _ = ccurl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method)
        } else {
            reader.initialize(to: ccurl_body(bytes: nil, length: 0, offset: 0, rewinds_refused: 0))
            _ = ccurl_setopt_long(easy, CURLOPT_HTTPGET, 1)
        }

        ccurl_multi_add_handle(multi, easy)
        defer { ccurl_multi_remove_handle(multi, easy) }
        let start = ContinuousClock.now
        var running: Int32 = 1
        var result: CURLcode? = nil
        while result == nil {
            ccurl_multi_perform(multi, &running)
            var pending: Int32 = 0
            while let msg = ccurl_multi_info_read(multi, &pending) {
                if msg.pointee.msg == CURLMSG_DONE { result = msg.pointee.data.result }
            }
            if result != nil || running == 0 { break }
            // The read timeout runs from the moment the connection (and TLS) was ready.
            var ready: curl_off_t = 0
            _ = ccurl_getinfo_off(easy, CURLINFO_PRETRANSFER_TIME_T, &ready)
            let elapsedMs = milliseconds(ContinuousClock.now - start)
            if ready > 0 {
                if elapsedMs >= Int(ready / 1000) + readMs { return .lost(.timedOut) }
            } else if elapsedMs >= connectMs {
                return .notSent("could not connect within \(connectMs) ms")
            }
            let left = ready > 0 ? Int(ready / 1000) + readMs - elapsedMs : connectMs - elapsedMs
            ccurl_multi_poll(multi, nil, 0, Int32(max(1, min(left, 200))), nil)
        }
        if sink.overflow { return .lost(.unparseableBody("answer larger than \(CurlTransport.maxResponseBytes) bytes")) }
        let code = result ?? CURLE_OK
        if code == CURLE_OK {
            var status: CLong = 0
            _ = ccurl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            return .response(status: Int(status), body: sink.bytes)
        }
        let why = String(cString: ccurl_easy_strerror(code))
        var ready: curl_off_t = 0
        _ = ccurl_getinfo_off(easy, CURLINFO_PRETRANSFER_TIME_T, &ready)
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT, CURLE_SSL_CONNECT_ERROR,
             CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT,
             CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND:
            return .notSent(why)
        case CURLE_OPERATION_TIMEDOUT:
            return ready > 0 ? .lost(.timedOut) : .notSent(why)
        case CURLE_SEND_FAIL_REWIND where reader.pointee.rewinds_refused > 0:
            // libcurl wanted to send it again on a new connection (ccurl.c): it went out once, unanswered.
            return .lost(.connectionLost("the connection closed with no answer after the request was sent"))
        default:
            return .lost(.connectionLost(why))
        }
    }
}

/// Collects the body; a class so libcurl can hold a plain pointer to it during the transfer.
final class ResponseSink {
    var bytes: [UInt8] = []
    var overflow = false
}

private func curlWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let data, let user else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue()
    let n = size * count
    if sink.bytes.count + n > CurlTransport.maxResponseBytes { sink.overflow = true; return 0 }
    data.withMemoryRebound(to: UInt8.self, capacity: n) { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
    return n
}

private func milliseconds(_ d: Duration) -> Int {
    let (s, atto) = d.components
    return Int(s) * 1000 + Int(atto / 1_000_000_000_000_000)
}

private let transportKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { p in
        if let p { Unmanaged<CurlTransport>.fromOpaque(p).release() }
    }
    return key
}()
