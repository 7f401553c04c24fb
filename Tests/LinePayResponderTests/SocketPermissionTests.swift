import Foundation
import Testing
import TestSupport

/// Issue 10, attack 13: `linepay-fcgi --listen unix:PATH --socket-mode --socket-group`, as php-fpm's listen.mode and
/// listen.group, so a responder started by hand gives nginx's user (www-data) a socket it may connect to.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SocketPermissionTests {
    @Test func theSocketGetsTheGroupAndModeAsked() throws {
        let h = try ResponderHarness()
        let socket = h.directory + "/by-hand.sock"
        let p = try ManagedProcess(builtBinary("linepay-fcgi"),
                                   ["--config", h.configPath, "--listen", "unix:" + socket, "--socket-mode", "0640", "--socket-group", "www-data"],
                                   outputPath: h.directory + "/by-hand.log")
        defer { _ = p.terminate() }
        #expect(waitForUnixSocket(path: socket), "\(p.output)")
        var st = stat()
        #expect(stat(socket, &st) == 0)
        let wwwData = try #require(getgrnam("www-data")).pointee.gr_gid
        #expect(st.st_gid == wwwData, "group \(st.st_gid)")
        #expect(st.st_mode & 0o777 == 0o640, "mode \(String(st.st_mode & 0o777, radix: 8))")

        // Refused: a mode open to others, an unknown group, the options without a unix: socket.
        for args in [["--listen", "unix:" + h.directory + "/x.sock", "--socket-mode", "0666"],
                     ["--listen", "unix:" + h.directory + "/x.sock", "--socket-group", "no-such-group-xyz"],
                     ["--listen", "127.0.0.1:9", "--socket-mode", "0660", "--socket-group", "www-data"]] {
            let r = try runProcess(builtBinary("linepay-fcgi"), ["--config", h.configPath] + args, timeout: 10)
            #expect(r.status == 2 && r.stderr.contains("--socket-"), "\(args): \(r.status) \(r.stderr)")
        }
    }
}
