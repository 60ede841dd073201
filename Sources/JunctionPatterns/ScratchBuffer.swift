/// A growable buffer of plain values for the per-event scratch of ``MatchStorage``: a count over
/// memory it allocates itself, so that emptying it is one store and appending checks nothing but the
/// capacity (a Swift array checks that its buffer is uniquely referenced on every write and empties
/// through the generic `replaceSubrange`, which showed in profiles of small rule sets).
///
/// Not reference counted: copies share the memory, and the owner frees it once with
/// ``deallocate()`` (``PatternMatchContext`` does, for its storage). Indexes are checked as an
/// array's are.
struct ScratchBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    func deallocate() {
        base.deallocate()
    }

    var isEmpty: Bool {
        @inline(__always) get { count == 0 }
    }

    subscript(index: Int) -> Element {
        @inline(__always) get {
            precondition(UInt(bitPattern: index) < UInt(bitPattern: count), "index out of range")
            return base[index]
        }
        @inline(__always) nonmutating set {
            precondition(UInt(bitPattern: index) < UInt(bitPattern: count), "index out of range")
            base[index] = newValue
        }
    }

    /// The elements, valid until the buffer next grows or is freed.
    var elements: UnsafeBufferPointer<Element> {
        @inline(__always) get { UnsafeBufferPointer(start: base, count: count) }
    }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow(to: count + 1) }
        (base + count).initialize(to: element)
        count += 1
    }

    mutating func append(contentsOf other: ScratchBuffer<Element>) {
        if count + other.count > capacity { grow(to: count + other.count) }
        (base + count).initialize(from: other.base, count: other.count)
        count += other.count
    }

    @inline(__always)
    @discardableResult
    mutating func removeLast() -> Element {
        precondition(count > 0, "can't remove last element from an empty collection")
        count -= 1
        return base[count]
    }

    @inline(__always)
    mutating func removeLast(_ k: Int) {
        precondition(k >= 0 && k <= count, "can't remove more items from a collection than it contains")
        count -= k
    }

    @inline(__always)
    mutating func removeAll() {
        count = 0
    }

    /// Makes the buffer `count` copies of `value`.
    mutating func reset(count newCount: Int, repeating value: Element) {
        count = 0
        if newCount > capacity { grow(to: newCount) }
        base.initialize(repeating: value, count: newCount)
        count = newCount
    }

    /// Sets every element to `value`.
    func fill(_ value: Element) {
        base.initialize(repeating: value, count: count)
    }

    /// A separate buffer with the same elements.
    func copy() -> ScratchBuffer<Element> {
        var other = ScratchBuffer(capacity: capacity)
        other.append(contentsOf: self)
        return other
    }

    @inline(never)
    private mutating func grow(to minimum: Int) {
        var newCapacity = capacity * 2
        while newCapacity < minimum { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        grown.initialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }
}

extension ScratchBuffer where Element == UInt8 {
    /// Appends a copy of `bytes`.
    mutating func append(bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        if count + bytes.count > capacity { grow(to: count + bytes.count) }
        UnsafeMutableRawPointer(base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }
}
