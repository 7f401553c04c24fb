// linepay-fcgi: the shop's LINE Pay checkout responder, as FastCGI (socket, spawn-fcgi, systemd) or plain CGI.
// Parses arguments and calls in; everything else lives in LinePayResponder.
import FastCGI
import Foundation
import LinePayConfig
import LinePayResponder

let usage = """
usage: linepay-fcgi --config FILE [--listen unix:/path.sock | --listen 127.0.0.1:9000] [--threads N] [--check-config]
                    [--socket-mode 0660] [--socket-group www-data]
The config file may also be named by LINEPAY_CONFIG. Without --listen it serves FastCGI on the socket it was
given (spawn-fcgi, mod_fcgid: fd 0; systemd socket activation: fd 3), or runs once as CGI.
--socket-mode and --socket-group set a unix: socket's mode (octal, default 0660) and group (a name or number;
default ours), like php-fpm's listen.mode and listen.group: the web server's user must be allowed to connect.
"""

func fail(_ message: String, status: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("linepay-fcgi: \(message)\n".utf8))
    exit(status)
}

var args = Array(CommandLine.arguments.dropFirst())
var configPath = ProcessInfo.processInfo.environment["LINEPAY_CONFIG"]
var listen: ListenAddress? = nil
var threads = 8
var checkOnly = false
var socketMode: mode_t = 0o660
var socketGroup: gid_t? = nil

@MainActor func value(_ flag: String) -> String {
    guard !args.isEmpty else { fail("\(flag) needs a value\n\(usage)") }
    return args.removeFirst()
}

while !args.isEmpty {
    let flag = args.removeFirst()
    switch flag {
    case "--config": configPath = value(flag)
    case "--listen":
        let v = value(flag)
        guard let l = ListenAddress(argument: v) else { fail("--listen: '\(v)' is not unix:/path.sock or host:port") }
        listen = l
    case "--socket-mode":
        let v = value(flag)
        // Owner read-write is needed to accept; others never (anyone who connects can set REMOTE_USER and HTTPS).
        guard let m = mode_t(v, radix: 8), v.hasPrefix("0"), m & 0o600 == 0o600, m & 0o007 == 0, m <= 0o777 else {
            fail("--socket-mode: '\(v)' must be octal like 0660 or 0600 (owner rw, nothing for others)")
        }
        socketMode = m
    case "--socket-group":
        let v = value(flag)
        if let g = getgrnam(v) { socketGroup = g.pointee.gr_gid }
        else if let n = gid_t(v) { socketGroup = n }
        else { fail("--socket-group: no group '\(v)'") }
    case "--threads":
        let v = value(flag)
        guard let n = Int(v), (1...256).contains(n) else { fail("--threads: '\(v)' is not a number from 1 to 256") }
        threads = n
    case "--check-config": checkOnly = true
    case "--help", "-h": print(usage); exit(0)
    default: fail("unknown argument '\(flag)'\n\(usage)")
    }
}

guard let configPath else { fail("no configuration: pass --config FILE or set LINEPAY_CONFIG\n\(usage)") }
let configuration: ResponderConfiguration
do { configuration = try ResponderConfiguration.load(path: configPath) } catch { fail("\(error)") }

let cgi = !checkOnly && listen == nil && FastCGIServer.isCGI
let responder: Responder
do { responder = try Responder(configuration: configuration, checkStore: !cgi) } catch { fail("\(error)") }
if checkOnly {
    print("\(configPath): ok")
    exit(0)
}

if cgi {
    do { try responder.serveCGI() } catch { fail("\(error)", status: 1) }
    exit(0)
}

if configuration.linePayCallSlots >= threads {
    FileHandle.standardError.write(Data("linepay-fcgi: warning: linepay_call_slots (\(configuration.linePayCallSlots)) is not below --threads (\(threads)): a slow LINE Pay can hold every thread\n".utf8))
}
if case .unixSocket(let path, _) = listen { listen = .unixSocket(path: path, mode: socketMode) }
else if socketGroup != nil || socketMode != 0o660 { fail("--socket-mode and --socket-group apply to --listen unix:PATH only") }
let server = FastCGIServer(listen: listen ?? .inherited, threads: threads, socketGroup: socketGroup)
let stopping = ManagedAtomicFlag()
let notifier = Thread { responder.runNotifier(stop: { stopping.isSet }) }
notifier.start()
let reconcilerWakeup = DispatchSemaphore(value: 0)
let reconciler = Thread { responder.runReconciler(stop: { stopping.isSet }, wakeup: reconcilerWakeup) }
reconciler.start()
do {
    try server.run { try responder.makeHandler() }
} catch {
    fail("\(error)", status: 1)
}
stopping.set()
reconcilerWakeup.signal()
