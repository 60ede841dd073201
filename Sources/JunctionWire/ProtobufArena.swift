public import CJunctionWire

/// Memory for one decoded frame: protobuf-c allocates every message and
/// string of an unpack from here, and it is all released together when the
/// arena is reset or deinitialized.
///
/// Not thread-safe; an arena is used by one thread at a time (it may move
/// between threads, for example with a batch handed to a pipeline worker).
public final class ProtobufArena {
    @usableFromInline let raw: UnsafeMutablePointer<junction_arena>

    /// - Parameter capacity: bytes of the main block. Decoding a frame takes
    ///   roughly 1.5-3 times its encoded size; a larger frame spills into
    ///   extra blocks.
    public init(capacity: Int) {
        raw = .allocate(capacity: 1)
        guard junction_arena_init(raw, capacity) else {
            fatalError("out of memory allocating a \(capacity)-byte arena")
        }
    }

    deinit {
        junction_arena_destroy(raw)
        raw.deallocate()
    }

    /// Forgets every allocation (keeping the main block for reuse).
    public func reset() { junction_arena_reset(raw) }

    /// Bytes of the main block (kept by ``reset()``).
    public var capacity: Int { raw.pointee.capacity }

    /// Whether allocations since the last reset went beyond the main block.
    public var hasOverflow: Bool { raw.pointee.overflow_bytes > 0 }

    /// Bytes handed out since the last reset.
    public var bytesUsed: Int { raw.pointee.used + raw.pointee.overflow_bytes }

    /// The protobuf-c allocator backed by this arena.
    public var allocator: UnsafeMutablePointer<ProtobufCAllocator> {
        UnsafeMutableRawPointer(raw).assumingMemoryBound(to: ProtobufCAllocator.self)
    }
}

// The arena moves with a decoded batch from an event loop to a pipeline
// worker and back, one owner at a time; it is never used concurrently.
extension ProtobufArena: @unchecked Sendable {}
