import Foundation
import LinePayCheckout
import LinePayConfig
import LinePayResponder
import Testing
import TestSupport

/// linepay-fcgi without --listen, handed its listening socket on fd 0 by spawn-fcgi (as mod_fcgid and systemd's
/// StandardInput=socket do), serving a checkout through nginx and stopping cleanly on SIGTERM.
@Suite(.timeLimit(.minutes(5))) struct SpawnFcgiTests {
    @Test func servesOnTheSocketSpawnFcgiHandsIt() throws {
        let h = try ResponderHarness()
        let dir = makeTemporaryDirectory("spawn")
        let socket = dir + "/spawned.sock"
        // -n: spawn-fcgi binds the socket, then execs linepay-fcgi in its own process (no daemon to chase).
        let spawned = try ManagedProcess("/usr/bin/spawn-fcgi", ["-n", "-s", socket, "-M", "0666", "--",
                                                                builtBinary("linepay-fcgi"), "--config", h.configPath, "--threads", "2"],
                                         outputPath: dir + "/spawned.log")
        #expect(waitForUnixSocket(path: socket), "\(spawned.output)")
        let nginx = try NginxServer(locations: [NginxLocation(prefix: "/linepay", fastcgiSocket: socket)])
        let page = try Browser().go("POST", nginx.baseURL + "/linepay/checkout", form: Flow.handoff(orderId: Flow.newOrderId()))
        #expect(page.status == 200 && Flow.page(page) == "checkout")
        #expect(spawned.terminate() == 0)
    }
}
