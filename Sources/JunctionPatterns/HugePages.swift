#if canImport(Glibc)
import Glibc
#endif

/// Large tables are placed on 2 MiB pages where the system allows it (transparent huge pages in
/// `madvise` mode): lookups into a table of several megabytes then cost no TLB misses.
enum HugePages {
    static let pageSize = 2 << 20

    static func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutableBufferPointer<T> {
        let bytes = count * MemoryLayout<T>.stride
        #if canImport(Glibc)
        if bytes >= pageSize / 2 {
            let rounded = (bytes + pageSize - 1) / pageSize * pageSize
            var raw: UnsafeMutableRawPointer? = nil
            if posix_memalign(&raw, pageSize, rounded) == 0, let raw {
                _ = madvise(raw, rounded, MADV_HUGEPAGE)
                return UnsafeMutableBufferPointer(start: raw.bindMemory(to: T.self, capacity: count), count: count)
            }
            // Large buffers always come from the C heap, so that `deallocate` can `free` them.
            guard let raw = malloc(rounded) else { fatalError("out of memory allocating a \(rounded)-byte table") }
            return UnsafeMutableBufferPointer(start: raw.bindMemory(to: T.self, capacity: count), count: count)
        }
        #endif
        return .allocate(capacity: count)
    }

    static func deallocate<T>(_ buffer: UnsafeMutableBufferPointer<T>) {
        #if canImport(Glibc)
        if buffer.count * MemoryLayout<T>.stride >= pageSize / 2 {
            free(buffer.baseAddress)
            return
        }
        #endif
        buffer.deallocate()
    }
}
