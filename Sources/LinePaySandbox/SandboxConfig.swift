import Foundation

/// A merchant channel the sandbox knows: id, secret and the name shown on the payment page.
public struct SandboxChannel: Sendable, Equatable {
    public var id: String
    public var secret: String
    public var merchantName: String

    public init(id: String, secret: String, merchantName: String) {
        self.id = id; self.secret = secret; self.merchantName = merchantName
    }

    /// The demo channel every sandbox has unless its config names others.
    public static let demo = SandboxChannel(id: "1234567890", secret: "demo-channel-secret-0123456789ab", merchantName: "Demo Shop")
}

/// How a sandbox runs: its channels, its SQLite file, its public URL and its clock.
public struct SandboxConfiguration: Sendable {
    public var channels: [SandboxChannel]
    /// The SQLite file that keeps transactions across restarts.
    public var database: String
    /// The sandbox's own absolute URL (for paymentUrl); nil: from the request's SERVER_ADDR and SERVER_PORT.
    public var publicURL: String?
    /// Faults chosen by the last digit of a confirm's amount (7: stall, 8: drop after processing, 9: 1281).
    /// A VeriTrans idea (004_...txt's pseudo environment), not LINE Pay's: off unless asked for.
    public var faultByAmount: Bool
    /// How long the sandbox stalls for a "delay" fault without a value, and for the amount-7 fault.
    public var stallMilliseconds: Int
    /// The clock; tests move it (20-minute expiry) through `SandboxClock`.
    public var clock: SandboxClock

    public init(channels: [SandboxChannel] = [.demo], database: String, publicURL: String? = nil,
                faultByAmount: Bool = false, stallMilliseconds: Int = 45_000, clock: SandboxClock = SandboxClock()) {
        self.channels = channels; self.database = database; self.publicURL = publicURL
        self.faultByAmount = faultByAmount; self.stallMilliseconds = stallMilliseconds; self.clock = clock
    }

    /// Reads `key = value` lines: `channel = ID:SECRET[:Merchant name]` (repeatable), `database`, `public_url`,
    /// `fault_by_amount` (true|false, default false), `stall_ms`. An unknown key or bad value names the line.
    public static func load(path: String) throws -> SandboxConfiguration {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SandboxConfigError("\(path): cannot be read")
        }
        var config = SandboxConfiguration(channels: [], database: "")
        for (number, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let at = "\(path):\(number + 1)"
            guard let eq = line.firstIndex(of: "=") else { throw SandboxConfigError("\(at): expected key = value") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "channel":
                let parts = value.split(separator: ":", maxSplits: 2).map(String.init)
                guard parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw SandboxConfigError("\(at): channel must be ID:SECRET[:Merchant name]")
                }
                config.channels.append(SandboxChannel(id: parts[0], secret: parts[1], merchantName: parts.count > 2 ? parts[2] : "Sandbox Merchant"))
            case "database": config.database = value
            case "public_url": config.publicURL = value
            case "fault_by_amount":
                guard let b = Bool(value) else { throw SandboxConfigError("\(at): fault_by_amount must be true or false") }
                config.faultByAmount = b
            case "stall_ms":
                guard let n = Int(value), n >= 0 else { throw SandboxConfigError("\(at): stall_ms must be a whole number of milliseconds") }
                config.stallMilliseconds = n
            default:
                throw SandboxConfigError("\(at): unknown key '\(key)'")
            }
        }
        if config.channels.isEmpty { config.channels = [.demo] }
        if config.database.isEmpty { throw SandboxConfigError("\(path): database is required") }
        return config
    }
}

/// A configuration error that names the file, line and key.
public struct SandboxConfigError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The sandbox's clock: real time plus an offset that tests (or the control API) move forward.
public final class SandboxClock: @unchecked Sendable {   // offset guarded by `lock`
    private let lock = NSLock()
    private var offset: Int64 = 0

    public init() {}

    /// Unix seconds, as the sandbox sees them.
    public var now: Int64 {
        lock.lock(); defer { lock.unlock() }
        return Int64(Date().timeIntervalSince1970) + offset
    }

    /// Moves the clock forward (or back) by `seconds`.
    public func advance(seconds: Int64) {
        lock.lock(); offset += seconds; lock.unlock()
    }
}
