import Atomics

/// A fixed number of atomic `Int`s, each alone in its own 128-byte block, each
/// block also holding one plain `Int` for a thread-private cache.
///
/// Positions that different threads write (a ring's enqueue position, its
/// dequeue position, a parking flag) must not share a cache line, or every write
/// by one thread invalidates the line another thread is reading (false sharing).
/// 128 bytes covers the adjacent-line prefetcher of current x86 CPUs and the
/// 128-byte lines of Apple silicon.
///
/// The storage is manually managed: the owner calls `deallocate()` exactly once.
@usableFromInline
struct PaddedAtomicCounters {
    @usableFromInline
    static var stride: Int { 128 }

    @usableFromInline
    static var privateOffset: Int { 64 }

    @usableFromInline
    let base: UnsafeMutableRawPointer

    @usableFromInline
    let count: Int

    init(count: Int) {
        precondition(count > 0, "PaddedAtomicCounters needs at least one counter, got \(count)")
        self.count = count
        self.base = UnsafeMutableRawPointer.allocate(byteCount: count * Self.stride, alignment: Self.stride)
        for index in 0..<count {
            let block = self.base + index * Self.stride
            block.bindMemory(to: Int.AtomicRepresentation.self, capacity: 1)
                .initialize(to: Int.AtomicRepresentation(0))
            (block + Self.privateOffset).bindMemory(to: Int.self, capacity: 1).initialize(to: 0)
        }
    }

    /// The atomic counter at `index`.
    @inlinable
    @inline(__always)
    subscript(index: Int) -> UnsafeAtomic<Int> {
        UnsafeAtomic(at: (self.base + index * Self.stride).assumingMemoryBound(to: Int.AtomicRepresentation.self))
    }

    /// The plain `Int` in counter `index`'s block: only ever touched by the one
    /// thread that owns it (for example a producer's cached copy of the consumer
    /// position, kept next to the position that producer writes).
    @inlinable
    @inline(__always)
    func privateSlot(_ index: Int) -> UnsafeMutablePointer<Int> {
        (self.base + index * Self.stride + Self.privateOffset).assumingMemoryBound(to: Int.self)
    }

    func deallocate() {
        for index in 0..<self.count {
            let pointer = (self.base + index * Self.stride).assumingMemoryBound(to: Int.AtomicRepresentation.self)
            _ = pointer.pointee.dispose()
            pointer.deinitialize(count: 1)
            self.privateSlot(index).deinitialize(count: 1)
        }
        self.base.deallocate()
    }
}
