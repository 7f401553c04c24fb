import Foundation

/// What the run thread, the workers and `stop()` share about one server's life.
final class ServerState: @unchecked Sendable {   // @unchecked: every stored property is read and written under `lock`
    private let lock = NSLock()
    private var started = false
    private var stopping = false
    private var runThread: pthread_t?
    private var workerThreads: [pthread_t?] = []
    private var idle: [Bool] = []
    private var exited: [Bool] = []
    private var firstFailure: FastCGIServerError?

    func begin(workers: Int) throws {
        try locked {
            guard !started else { throw FastCGIServerError.alreadyRun }
            started = true
            workerThreads = Array(repeating: nil, count: workers)
            idle = Array(repeating: false, count: workers)
            exited = Array(repeating: false, count: workers)
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

    func workerStarted(_ index: Int, thread: pthread_t) { locked { workerThreads[index] = thread } }
    func workerExited(_ index: Int) { locked { exited[index] = true; idle[index] = false } }

    /// Marks the worker idle before it calls FCGX_Accept_r; false when the server is stopping instead.
    func enterAccept(_ index: Int) -> Bool {
        locked {
            guard !stopping else { return false }
            idle[index] = true
            return true
        }
    }

    func leaveAccept(_ index: Int) { locked { idle[index] = false } }

    /// Sends SIGUSR1 to every worker waiting in accept; true when every worker has exited.
    /// Exited threads are joinable, not gone, so their pthread_t stays valid until `run` joins them.
    func interruptIdleWorkers() -> Bool {
        locked {
            for (index, thread) in workerThreads.enumerated() where idle[index] && !exited[index] {
                if let thread { pthread_kill(thread, SIGUSR1) }
            }
            return !exited.contains(false)
        }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
