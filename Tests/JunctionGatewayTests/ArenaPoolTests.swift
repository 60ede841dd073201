import JunctionWire
import Testing
@testable import JunctionGateway

/// The per-loop pool of publish-frame arenas: an arena is reused only once
/// nothing else holds it, only when it is large enough, and the pool stays
/// bounded.
@Suite struct ArenaPoolTests {
    @Test func reusesAnArenaOnlyOnceNothingElseHoldsIt() {
        let pool = ArenaPool()
        var job: ProtobufArena? = pool.take(capacity: 4096)
        let first = ObjectIdentifier(job!)
        _ = junction_arena_alloc_for_tests(job!, 100)
        #expect(job!.bytesUsed >= 100)
        pool.give(job!)
        // The job still holds it: a new arena.
        let second = pool.take(capacity: 4096)
        #expect(ObjectIdentifier(second) != first)
        job = nil
        // Released: the spare one comes back, reset.
        let third = pool.take(capacity: 4096)
        #expect(ObjectIdentifier(third) == first)
        #expect(third.bytesUsed == 0)
    }

    @Test func aTooSmallSpareIsLeftForLaterAndALargeOneIsNotKept() {
        let pool = ArenaPool()
        pool.give(ProtobufArena(capacity: 1024))
        let big = pool.take(capacity: 64 << 10)
        #expect(big.capacity >= 64 << 10, "the 1 KiB spare does not fit")
        let small = pool.take(capacity: 512)
        #expect(small.capacity == 1024, "it is still there for a small frame")
        pool.give(ProtobufArena(capacity: ArenaPool.maxArenaBytes + 1))
        #expect(pool.spareCount == 0, "arenas above the size limit are not kept")
        let grown = ProtobufArena(capacity: 1024)
        _ = junction_arena_alloc_for_tests(grown, 4096)
        #expect(grown.hasOverflow)
        pool.give(grown)
        #expect(pool.spareCount == 0, "nor ones that grew overflow blocks")
    }

    @Test func thePoolIsBounded() {
        let pool = ArenaPool()
        for _ in 0..<(ArenaPool.maxSpare + 10) { pool.give(ProtobufArena(capacity: 1024)) }
        #expect(pool.spareCount == ArenaPool.maxSpare)
    }
}

/// Takes `size` bytes from `arena` through its protobuf-c allocator.
private func junction_arena_alloc_for_tests(_ arena: ProtobufArena, _ size: Int) -> UnsafeMutableRawPointer? {
    let allocator = arena.allocator
    return allocator.pointee.alloc(allocator.pointee.allocator_data, size)
}
