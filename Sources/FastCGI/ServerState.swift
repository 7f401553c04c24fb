import Foundation

/// What the run thread, the workers and `stop()` share about one server's life.
final class ServerState: @unchecked Sendable {   // @unchecked: every stored property is read and written under `lock`
    private let lock = NSLock()
    private var started = false
    private var stopping = false
    private var runThread: pthread_t?
    private var accepted = 0
    private var firstFailure: FastCGIServerError?

    func begin() throws {
        try locked {
            guard !started else { throw FastCGIServerError.alreadyRun }
            started = true
        }
    }

    var isStopping: Bool { locked { stopping } }
    var failure: FastCGIServerError? { locked { firstFailure } }

    /// The thread in sigwait; nil once it no longer waits, so nobody signals a thread that may be gone.
    func setRunThread(_ thread: pthread_t?) { locked { runThread = thread } }

    /// Sets the stop flag and wakes the run thread. The signal is sent under the lock so the thread cannot
    /// leave `run` (and perhaps exit) between the check and the pthread_kill.
    func requestStop() {
        locked {
            stopping = true
            if let runThread { pthread_kill(runThread, SIGUSR1) }
        }
    }

    /// Records the first failure and stops the server.
    func fail(_ error: FastCGIServerError) {
        locked { if firstFailure == nil { firstFailure = error } }
        requestStop()
    }

    /// Connections accepted so far (FastCGIServer.connectionsAccepted).
    var connectionsAccepted: Int { locked { accepted } }

    func countAcceptedConnection() { locked { accepted += 1 } }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
