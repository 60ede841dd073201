import CJunctionWire
import JunctionWire
import NIOCore

/// One decoded publish frame on its way through the pipeline: made on the
/// connection's event loop, processed by a worker, answered back on the
/// loop. One owner at a time: the loop until it submits the job, the worker
/// until it hands the job back with `loop.execute`.
final class PublishJob {
    /// The frame body; events are slices of it.
    let body: ByteBuffer
    /// Holds the protobuf-c structures of `batch`.
    let arena: ProtobufArena
    let batch: UnsafeMutablePointer<Junction__V1__PublishBatch>
    /// Byte range of each encoded event inside `body`.
    let ranges: [Range<Int>]
    let account: Account
    let connection: NIOLoopBound<GatewayConnectionHandler>
    /// The connection's identity, for the worker (which may not touch `connection.value`).
    let connectionID: ObjectIdentifier
    let allocator: ByteBufferAllocator
    /// Set by the worker: the PublishAck frame to send, or the frames of
    /// this job and of the jobs of the same connection completed right after
    /// it in the same group (which then have none). When the log fails the
    /// group, every job gets its own frame again.
    var ack: ByteBuffer?

    init(body: ByteBuffer, arena: ProtobufArena, batch: UnsafeMutablePointer<Junction__V1__PublishBatch>,
         ranges: [Range<Int>], account: Account, connection: NIOLoopBound<GatewayConnectionHandler>,
         allocator: ByteBufferAllocator) {
        self.body = body
        self.arena = arena
        self.batch = batch
        self.ranges = ranges
        self.account = account
        self.connection = connection
        self.connectionID = ObjectIdentifier(connection.value)  // made on the connection's loop
        self.allocator = allocator
    }

    var batchID: UInt64 { batch.pointee.batch_id }
    var eventCount: Int { batch.pointee.n_events }
    func event(_ i: Int) -> EventView { EventView(raw: batch.pointee.events[i]!) }
    var defaultBus: UnsafeRawBufferPointer { EventView.bytes(batch.pointee.bus) }
}

// Ownership moves between threads with the job (submit to a ring, then
// EventLoop.execute), which order every access; it is never shared.
extension PublishJob: @unchecked Sendable {}

/// An authenticated identity.
final class Account: Sendable {
    let name: String
    let nameBytes: StableBytes

    init(_ name: String) {
        self.name = name
        self.nameBytes = StableBytes(name)
    }
}
