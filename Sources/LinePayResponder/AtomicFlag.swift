import Foundation

/// A flag one thread sets and others read (the notifier's stop signal).
public final class ManagedAtomicFlag: @unchecked Sendable {   // value guarded by `lock`
    private let lock = NSLock()
    private var value = false

    public init() {}

    public var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }

    public func set() { lock.lock(); value = true; lock.unlock() }
}

/// At most `limit` holders at once; `tryAcquire` never waits (the admin login's password hashes: the rest get
/// 429 at once instead of queueing behind 0.35 s of CPU each, ahead of shoppers).
final class Slots: @unchecked Sendable {   // `used` guarded by `lock`
    private let lock = NSLock()
    private var used = 0
    let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    func tryAcquire() -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard used < limit else { return false }
        used += 1
        return true
    }

    func release() { lock.lock(); used -= 1; lock.unlock() }
}
