import LinePay
import TestSupport

extension SandboxHarness {
    /// The library's client on the sandbox's demo channel (every suite here talks to it the same way).
    func client(timeouts: Timeouts = Timeouts()) -> LinePayClient {
        LinePayClient(configuration: .init(channelId: Self.channelId, channelSecret: Self.channelSecret,
                                           environment: .custom(baseURL), timeouts: timeouts))
    }
}
