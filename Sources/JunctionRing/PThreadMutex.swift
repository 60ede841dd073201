#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex in stable heap memory (a `pthread_mutex_t` must never move).
///
/// Used only off the hot paths: registering for "space available", and the
/// parking slow path of `WorkerSignal`. The owner calls `destroy()` exactly once.
@usableFromInline
struct PThreadMutex {
    @usableFromInline
    let pointer: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        self.pointer = .allocate(capacity: 1)
        self.pointer.initialize(to: pthread_mutex_t())
        let result = pthread_mutex_init(self.pointer, nil)
        precondition(result == 0, "JunctionRing: pthread_mutex_init failed with error \(result)")
    }

    @usableFromInline
    func lock() {
        let result = pthread_mutex_lock(self.pointer)
        precondition(result == 0, "JunctionRing: pthread_mutex_lock failed with error \(result)")
    }

    @usableFromInline
    func unlock() {
        let result = pthread_mutex_unlock(self.pointer)
        precondition(result == 0, "JunctionRing: pthread_mutex_unlock failed with error \(result)")
    }

    @inlinable
    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        self.lock()
        defer { self.unlock() }
        return try body()
    }

    func destroy() {
        let result = pthread_mutex_destroy(self.pointer)
        precondition(result == 0, "JunctionRing: pthread_mutex_destroy failed with error \(result) (still locked?)")
        self.pointer.deinitialize(count: 1)
        self.pointer.deallocate()
    }
}
