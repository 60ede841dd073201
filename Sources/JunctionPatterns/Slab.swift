/// A bump allocator for the immutable tables of one automaton: small tables are packed into chunks
/// that grow from 16 KiB to 2 MiB (the large ones on transparent huge pages), so that a traversal
/// hopping between the tables of many states touches few pages (and few TLB entries), while a small
/// rule set reserves little. Everything is freed together when the automaton goes.
final class Slab: @unchecked Sendable { // written only while the automaton is built, read-only afterwards
    private var chunks: [UnsafeMutableBufferPointer<UInt8>] = []
    private var large: [UnsafeMutableBufferPointer<UInt8>] = []
    private var offset = 0
    private var chunkSize = 16 << 10

    static let maxChunkSize = HugePages.pageSize

    /// Uninitialized memory for `count` values of `T`, aligned for `T`.
    func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(count * MemoryLayout<T>.stride, 1)
        if bytes > Slab.maxChunkSize / 4 {
            let buffer = HugePages.allocate(UInt8.self, count: bytes)
            large.append(buffer)
            return UnsafeMutableRawPointer(buffer.baseAddress!).bindMemory(to: T.self, capacity: count)
        }
        let alignment = max(MemoryLayout<T>.alignment, 8)
        offset = (offset + alignment - 1) / alignment * alignment
        if chunks.isEmpty || offset + bytes > chunks[chunks.count - 1].count {
            if !chunks.isEmpty { chunkSize = min(chunkSize * 2, Slab.maxChunkSize) }
            while chunkSize < bytes { chunkSize *= 2 }
            chunks.append(HugePages.allocate(UInt8.self, count: chunkSize))
            offset = 0
        }
        let pointer = UnsafeMutableRawPointer(chunks[chunks.count - 1].baseAddress! + offset)
        offset += bytes
        return pointer.bindMemory(to: T.self, capacity: count)
    }

    /// Bytes reserved from the system.
    var reservedBytes: Int {
        chunks.reduce(0) { $0 + $1.count } + large.reduce(0) { $0 + $1.count }
    }

    deinit {
        for chunk in chunks { HugePages.deallocate(chunk) }
        for buffer in large { HugePages.deallocate(buffer) }
    }
}
