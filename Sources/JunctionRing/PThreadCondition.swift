#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread condition variable in stable heap memory, used with a
/// `PThreadMutex`. The owner calls `destroy()` exactly once.
struct PThreadCondition {
    let pointer: UnsafeMutablePointer<pthread_cond_t>

    init() {
        self.pointer = .allocate(capacity: 1)
        self.pointer.initialize(to: pthread_cond_t())
        let result = pthread_cond_init(self.pointer, nil)
        precondition(result == 0, "JunctionRing: pthread_cond_init failed with error \(result)")
    }

    /// Atomically releases `mutex` and sleeps until signalled (or spuriously
    /// woken); `mutex` is held again on return. The caller rechecks its predicate.
    func wait(_ mutex: PThreadMutex) {
        let result = pthread_cond_wait(self.pointer, mutex.pointer)
        precondition(result == 0, "JunctionRing: pthread_cond_wait failed with error \(result)")
    }

    func signal() {
        let result = pthread_cond_signal(self.pointer)
        precondition(result == 0, "JunctionRing: pthread_cond_signal failed with error \(result)")
    }

    func destroy() {
        let result = pthread_cond_destroy(self.pointer)
        precondition(result == 0, "JunctionRing: pthread_cond_destroy failed with error \(result)")
        self.pointer.deinitialize(count: 1)
        self.pointer.deallocate()
    }
}
