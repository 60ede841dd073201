#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A joinable, named pthread running one closure (no Foundation dependency).
struct WorkerThread {
    #if canImport(Darwin)
    private typealias Handle = pthread_t?
    #else
    private typealias Handle = pthread_t
    #endif

    private final class Entry {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    private let handle: Handle
    let name: String

    /// Starts a thread named `name` that runs `body`.
    init(name: String, body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Entry(name: name, body: body)).toOpaque()
        var handle = Handle()
        let result = pthread_create(&handle, nil, { context in
            let entry = Unmanaged<Entry>.fromOpaque(context!).takeRetainedValue()
            WorkerThread.setCurrentThreadName(entry.name)
            entry.body()
            return nil
        }, context)
        precondition(result == 0, "WorkerThread \(name): pthread_create failed with error \(result)")
        self.handle = handle
        self.name = name
    }

    /// Whether the calling thread is this thread.
    var isCurrent: Bool {
        #if canImport(Darwin)
        return pthread_equal(self.handle!, pthread_self()) != 0
        #else
        return pthread_equal(self.handle, pthread_self()) != 0
        #endif
    }

    /// Waits for the thread to finish. Call exactly once, not from the thread itself.
    func join() {
        precondition(!self.isCurrent, "WorkerThread \(self.name): a thread cannot join itself")
        #if canImport(Darwin)
        let result = pthread_join(self.handle!, nil)
        #else
        let result = pthread_join(self.handle, nil)
        #endif
        precondition(result == 0, "WorkerThread \(self.name): pthread_join failed with error \(result)")
    }

    /// Names the calling thread (best effort; Linux shows the first 15 bytes).
    private static func setCurrentThreadName(_ name: String) {
        let shortName = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        #if canImport(Darwin)
        _ = pthread_setname_np(shortName)
        #else
        // Glibc's module map does not export the _GNU_SOURCE function
        // pthread_setname_np, so it is looked up at run time (RTLD_DEFAULT is nil).
        typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
        if let symbol = dlsym(nil, "pthread_setname_np") {
            _ = unsafeBitCast(symbol, to: SetName.self)(pthread_self(), shortName)
        }
        #endif
    }
}
