import Foundation

/// Where the API lives: LINE Pay's sandbox, production, or any base URL (our local simulator).
public enum LinePayEnvironment: Sendable, Equatable {
    case sandbox, production
    case custom(String)

    /// The base URL without a trailing slash.
    public var baseURL: String {
        switch self {
        case .sandbox: return "https://sandbox-api-pay.line.me"
        case .production: return "https://api-pay.line.me"
        case .custom(let url): return url.hasSuffix("/") ? String(url.dropLast()) : url
        }
    }
}

/// Which Online API the channel speaks: the same endpoints under `/v3/` (the legacy API) or `/v4/` (LINE Pay's
/// change log, November 2025: for Taiwan's electronic payment institutions; answers add `info.paymentProvider`).
public enum LinePayAPIVersion: String, Sendable, Equatable, CaseIterable {
    case v3, v4

    /// The first segment of every path: `/v3` or `/v4`.
    public var pathPrefix: String { "/" + rawValue }
}

/// Timeouts per operation: the reference's by default, each overridable.
public struct Timeouts: Sendable, Equatable {
    /// Connection timeout for every call.
    public var connect: Duration = LinePayOperation.defaultConnectTimeout
    /// Read timeouts that replace the reference's for some operations.
    public var readOverrides: [LinePayOperation: Duration] = [:]

    public init(connect: Duration = LinePayOperation.defaultConnectTimeout, readOverrides: [LinePayOperation: Duration] = [:]) {
        self.connect = connect
        self.readOverrides = readOverrides
    }

    /// The read timeout in force for `operation`.
    public func read(_ operation: LinePayOperation) -> Duration { readOverrides[operation] ?? operation.defaultReadTimeout }
}

/// Bounded retries for the codes the reference says to retry (void: 1900, 1902, 1999).
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// Wait before the second attempt; doubled each time after.
    public var initialBackoff: Duration

    public init(maxAttempts: Int = 3, initialBackoff: Duration = .milliseconds(500)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
    }
}

/// A merchant channel and how to reach LINE Pay. The secret is never printed: `description` masks it.
public struct LinePayConfiguration: Sendable, CustomStringConvertible {
    /// X-LINE-ChannelId.
    public var channelId: String
    /// The channel secret key: the HMAC key, never sent.
    public var channelSecret: String
    public var environment: LinePayEnvironment
    /// `/v3/` or `/v4/` for every endpoint; the signature covers the path actually sent.
    public var apiVersion: LinePayAPIVersion
    /// X-LINE-MerchantDeviceProfileId, for offline devices; omitted when nil.
    public var merchantDeviceProfileId: String?
    public var timeouts: Timeouts
    public var retry: RetryPolicy

    public init(channelId: String, channelSecret: String, environment: LinePayEnvironment = .sandbox,
                apiVersion: LinePayAPIVersion = .v3, merchantDeviceProfileId: String? = nil, timeouts: Timeouts = Timeouts(), retry: RetryPolicy = RetryPolicy()) {
        self.channelId = channelId
        self.channelSecret = channelSecret
        self.environment = environment
        self.apiVersion = apiVersion
        self.merchantDeviceProfileId = merchantDeviceProfileId
        self.timeouts = timeouts
        self.retry = retry
    }

    public var description: String {
        "LinePayConfiguration(channelId: \(channelId), channelSecret: ****, environment: \(environment.baseURL), apiVersion: \(apiVersion.rawValue))"
    }
}
