// linepay-sandbox: the local LINE Pay v3 simulator as a FastCGI responder (or CGI). Parses arguments, calls in.
import FastCGI
import Foundation
import LinePaySandbox

let usage = """
usage: linepay-sandbox (--config FILE | --database PATH) [--listen unix:/path.sock | --listen 127.0.0.1:9001]
                       [--threads N] [--channel ID:SECRET[:Merchant]] [--public-url URL] [--fault-by-amount]
Without --listen it serves FastCGI on the inherited socket (spawn-fcgi, systemd) or runs as CGI.
--fault-by-amount: a confirm whose amount ends in 7 stalls, in 8 is dropped after processing, in 9 is refused
with 1281 (off by default: a VeriTrans idea, not LINE Pay's). --no-fault-by-amount keeps it off (the default).
"""

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("linepay-sandbox: \(message)\n".utf8))
    exit(2)
}

var args = Array(CommandLine.arguments.dropFirst())
var configuration: SandboxConfiguration? = nil
var database: String? = nil
var listen: ListenAddress? = nil
var threads = 4
var channels: [SandboxChannel] = []
var publicURL: String? = nil
var faultByAmount: Bool? = nil

@MainActor func value(_ flag: String) -> String {
    guard !args.isEmpty else { fail("\(flag) needs a value\n\(usage)") }
    return args.removeFirst()
}

while !args.isEmpty {
    let flag = args.removeFirst()
    switch flag {
    case "--config":
        do { configuration = try SandboxConfiguration.load(path: value(flag)) } catch { fail("\(error)") }
    case "--database": database = value(flag)
    case "--listen":
        let v = value(flag)
        guard let l = ListenAddress(argument: v, socketMode: 0o666) else { fail("--listen: '\(v)' is not unix:/path or host:port") }
        listen = l
    case "--threads":
        let v = value(flag)
        guard let n = Int(v), (1...256).contains(n) else { fail("--threads: '\(v)' is not 1 to 256") }
        threads = n
    case "--channel":
        let parts = value(flag).split(separator: ":", maxSplits: 2).map(String.init)
        guard parts.count >= 2 else { fail("--channel must be ID:SECRET[:Merchant name]") }
        channels.append(SandboxChannel(id: parts[0], secret: parts[1], merchantName: parts.count > 2 ? parts[2] : "Sandbox Merchant"))
    case "--public-url": publicURL = value(flag)
    case "--fault-by-amount": faultByAmount = true
    case "--no-fault-by-amount": faultByAmount = false
    case "--help", "-h": print(usage); exit(0)
    default: fail("unknown argument '\(flag)'\n\(usage)")
    }
}

var config = configuration ?? SandboxConfiguration(database: database ?? "")
if let database { config.database = database }
if !channels.isEmpty { config.channels = channels }
if let publicURL { config.publicURL = publicURL }
if let faultByAmount { config.faultByAmount = faultByAmount }
if config.database.isEmpty { fail("--database or a config file with 'database' is required\n\(usage)") }

let sandbox: Sandbox
do { sandbox = try Sandbox(configuration: config) } catch { fail("cannot open \(config.database): \(error)") }

if listen == nil && FastCGIServer.isCGI {
    do { FastCGIServer.runCGI(handler: try sandbox.makeHandler()) } catch { fail("\(error)") }
    exit(0)
}
do {
    try FastCGIServer(listen: listen ?? .inherited, threads: threads).run { try sandbox.makeHandler() }
} catch {
    fail("\(error)")
}
