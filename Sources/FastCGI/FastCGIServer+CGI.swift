import Foundation

extension FastCGIServer {
    /// True when the web server exec'd us as a plain CGI program rather than handing us a listening socket.
    ///
    /// FastCGI gives fd 0 as a *listening* socket (or fd 3 via systemd's LISTEN_FDS). Anything else on fd 0 is
    /// CGI: a pipe from mod_cgi (getpeername fails with ENOTSOCK), but also a *connected* socket from mod_cgid,
    /// which a bare "is fd 0 a socket" test would take for FastCGI. `FCGX_IsCGI` is not used: it calls a
    /// terminal CGI, so a daemon started from a shell with a listen address must not ask it, and neither should you.
    public static var isCGI: Bool {
        if ListenAddress.systemdHandedUsASocket { return false }
        var listening: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0 {
            return listening == 0
        }
        return true   // ENOTSOCK (pipe, file, terminal) or EBADF
    }

    /// Plain CGI: reads the environment and CONTENT_LENGTH bytes of stdin, writes one response to stdout.
    public static func runCGI(maxBodyBytes: Int = 1 << 20, handler: (FastCGIRequest) -> FastCGIResponse) {
        runCGI(environment: ProcessInfo.processInfo.environment, input: 0, output: 1,
               maxBodyBytes: maxBodyBytes, handler: handler)
    }

    /// The CGI exchange on explicit descriptors, so tests can drive it with pipes.
    static func runCGI(environment: [String: String], input: Int32, output: Int32, maxBodyBytes: Int,
                       handler: (FastCGIRequest) -> FastCGIResponse) {
        signal(SIGPIPE, SIG_IGN)   // a web server that hangs up must give us EPIPE, not kill us
        let response = respond(params: environment, maxBodyBytes: maxBodyBytes, handler: handler) { count in
            var body = [UInt8](repeating: 0, count: count)
            var got = 0
            while got < count {
                let n = body.withUnsafeMutableBytes { read(input, $0.baseAddress! + got, count - got) }
                if n < 0, errno == EINTR { continue }
                if n <= 0 { return nil }
                got += n
            }
            return body
        }
        let bytes = response.serialized()
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { write(output, $0.baseAddress! + sent, bytes.count - sent) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return }
            sent += n
        }
    }

    /// The part shared by CGI and FastCGI: check CONTENT_LENGTH, read the body, call the handler.
    ///
    /// A body over `maxBodyBytes` gets 413 without being read; a body shorter than announced gets 400
    /// rather than reaching the handler truncated.
    static func respond(params: [String: String], maxBodyBytes: Int,
                        handler: (FastCGIRequest) -> FastCGIResponse,
                        readBody: (Int) -> [UInt8]?) -> FastCGIResponse {
        let lengthText = params["CONTENT_LENGTH"] ?? ""
        guard let length = lengthText.isEmpty ? 0 : Int(lengthText), length >= 0 else {
            return .text("Bad Request: invalid Content-Length\n", status: 400)
        }
        if length > maxBodyBytes {
            return .text("Content Too Large: at most \(maxBodyBytes) bytes\n", status: 413)
        }
        guard let body = length == 0 ? [] : readBody(length) else {
            return .text("Bad Request: body shorter than Content-Length\n", status: 400)
        }
        return handler(FastCGIRequest(params: params, body: body))
    }
}
