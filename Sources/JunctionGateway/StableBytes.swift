/// Immutable bytes at a fixed address for as long as the object lives, so
/// the hot path can hold plain pointers to names (accounts, buses) without
/// `withUnsafeBytes` closures.
final class StableBytes: Sendable {
    let count: Int
    private nonisolated(unsafe) let storage: UnsafeMutableRawBufferPointer  // written once in init, then only read

    init(_ string: String) {
        let utf8 = Array(string.utf8)
        count = utf8.count
        storage = .allocate(byteCount: max(1, utf8.count), alignment: 1)
        utf8.withUnsafeBytes { storage.copyMemory(from: $0) }
    }

    deinit { storage.deallocate() }

    /// The bytes; valid while this object is alive.
    @inline(__always)
    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage.baseAddress, count: count) }
}
