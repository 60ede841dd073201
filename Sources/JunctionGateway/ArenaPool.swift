import JunctionWire
import NIOPosix

/// Arenas of publish frames whose batches were answered, kept per event loop
/// thread for the next publish frames of any connection on that loop.
///
/// A publish frame's decoded events travel with its job to a pipeline worker
/// and back, so each frame needs an arena of its own: about twice the frame's
/// size. Allocating one per frame and freeing it on whichever thread dropped
/// the job last cost a malloc and a cross-thread free per batch, which showed
/// in profiles with batches of 16 and fewer events. Both ends run on the
/// loop: ``take(capacity:)`` when a frame is decoded, ``give(_:)`` when its
/// ack is sent.
final class ArenaPool {
    /// At most this many spare arenas per loop, each at most
    /// `maxArenaBytes`: at most 16 MiB per loop, whatever the connections.
    static let maxSpare = 64
    static let maxArenaBytes = 256 << 10

    // Each thread only ever sees its own pool, so a pool is never shared.
    nonisolated(unsafe) private static let perThread = ThreadSpecificVariable<ArenaPool>()

    /// The calling event loop thread's pool.
    static var current: ArenaPool {
        if let pool = perThread.currentValue { return pool }
        let pool = ArenaPool()
        perThread.currentValue = pool
        return pool
    }

    /// Oldest first: the newest ones are the likeliest to be still held by
    /// the task that answered them.
    private var spare: [ProtobufArena] = []

    /// Spare arenas held (tests).
    var spareCount: Int { spare.count }

    /// An empty arena of at least `capacity` bytes: a spare one that nothing
    /// else references any more, or a new one.
    func take(capacity: Int) -> ProtobufArena {
        var i = 0
        while i < spare.count {
            // A finished job may still be referenced for a moment (by the
            // task that answered it, or the worker's last group): skip those.
            if spare[i].capacity >= capacity && isKnownUniquelyReferenced(&spare[i]) {
                let arena = spare.remove(at: i)
                arena.reset()
                return arena
            }
            i += 1
        }
        return ProtobufArena(capacity: capacity)
    }

    /// Keeps `arena` for reuse once its frame's batch is answered (it may
    /// still be referenced; ``take(capacity:)`` waits until it is not).
    func give(_ arena: ProtobufArena) {
        // Not one that grew overflow blocks (a frame that decoded larger than
        // expected): the spare would keep them until reused.
        guard arena.capacity <= Self.maxArenaBytes, !arena.hasOverflow else { return }
        if spare.count == Self.maxSpare {
            // Full: drop the oldest, which is either free (and then as good
            // as this one) or still held and not worth waiting for.
            spare.removeFirst()
        }
        spare.append(arena)
    }
}
