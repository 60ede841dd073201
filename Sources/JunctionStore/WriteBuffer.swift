/// A growable byte buffer with stable raw storage, reused across group commits.
final class WriteBuffer: @unchecked Sendable { // only touched under the EventLog lock or by the writer thread after a hand-off under that lock
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 4096)
        base = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    var isEmpty: Bool { count == 0 }

    /// Ensures room for `extra` more bytes and returns the write position.
    @inline(__always)
    func reserve(_ extra: Int) -> UnsafeMutableRawPointer {
        if count + extra > capacity {
            var newCapacity = capacity * 2
            while newCapacity < count + extra { newCapacity *= 2 }
            let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            newBase.copyMemory(from: base, byteCount: count)
            base.deallocate()
            base = newBase
            capacity = newCapacity
        }
        return base + count
    }

    /// Drops the contents; shrinks storage that grew past `keepCapacity`.
    func reset(keepCapacity: Int) {
        count = 0
        if capacity > keepCapacity * 2 {
            base.deallocate()
            capacity = keepCapacity
            base = .allocate(byteCount: capacity, alignment: 16)
        }
    }
}
