import NIOCore

/// The ciphertext buffers behind one connection's custom BIO.
///
/// OpenSSL reads ciphertext straight out of ``inbound`` (the `ByteBuffer` the socket
/// read produced, not a copy of it) and appends the ciphertext it produces to
/// ``outbound``, which is then handed to the socket as it is. So each ciphertext
/// byte is copied exactly once, between OpenSSL's record buffer and a `ByteBuffer`.
///
/// Confined to the connection's event loop, like the ``TLSConnection`` that owns it.
final class ByteBufferBIOBuffers {
    /// Ciphertext received and not yet consumed by OpenSSL.
    var inbound: ByteBuffer?
    /// Ciphertext produced by OpenSSL and not yet taken for the socket.
    var outbound: ByteBuffer?
    /// Used when OpenSSL writes and no ``outbound`` buffer was prepared.
    let allocator: ByteBufferAllocator

    init(allocator: ByteBufferAllocator) {
        self.allocator = allocator
    }
}
