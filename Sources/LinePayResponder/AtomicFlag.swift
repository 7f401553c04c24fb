import Foundation

/// A flag one thread sets and others read (the notifier's stop signal).
public final class ManagedAtomicFlag: @unchecked Sendable {   // value guarded by `lock`
    private let lock = NSLock()
    private var value = false

    public init() {}

    public var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }

    public func set() { lock.lock(); value = true; lock.unlock() }
}
