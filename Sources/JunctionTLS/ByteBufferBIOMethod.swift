import NIOCore
internal import COpenSSL
internal import CJunctionOpenSSLShims

/// The process-wide `BIO_METHOD` for ``ByteBufferBIOBuffers``.
final class ByteBufferBIOMethod: @unchecked Sendable {  // created once and never modified; OpenSSL only reads a BIO_METHOD
    static let shared = ByteBufferBIOMethod()

    let method: OpaquePointer

    private init() {
        let index = BIO_get_new_index()
        guard index > 0, let method = BIO_meth_new(index | BIO_TYPE_SOURCE_SINK, "junction ByteBuffer BIO") else {
            fatalError("OpenSSL could not allocate a BIO_METHOD (out of memory)")
        }
        BIO_meth_set_read_ex(method, bioRead)
        BIO_meth_set_write_ex(method, bioWrite)
        BIO_meth_set_ctrl(method, bioControl)
        BIO_meth_set_create(method, bioCreate)
        BIO_meth_set_destroy(method, bioDestroy)
        self.method = method
    }
}

@inline(__always)
private func buffers(of bio: OpaquePointer) -> ByteBufferBIOBuffers? {
    guard let data = BIO_get_data(bio) else { return nil }
    return Unmanaged<ByteBufferBIOBuffers>.fromOpaque(data).takeUnretainedValue()
}

/// Copies up to `length` bytes of ciphertext from the inbound buffer. With nothing
/// buffered it asks OpenSSL to retry (`SSL_ERROR_WANT_READ`).
private func bioRead(_ bio: OpaquePointer?, _ out: UnsafeMutablePointer<CChar>?, _ length: Int,
                     _ readBytes: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let bio, let out, let readBytes, let buffers = buffers(of: bio) else { return 0 }
    CJunctionOpenSSL_BIO_clear_retry_flags(bio)
    let available = buffers.inbound?.readableBytes ?? 0
    if available == 0 {
        buffers.inbound = nil  // let the socket's read buffer be reused
        CJunctionOpenSSL_BIO_set_retry_read(bio)
        readBytes.pointee = 0
        return 0
    }
    let count = min(available, length)
    buffers.inbound!.readWithUnsafeReadableBytes { source in
        UnsafeMutableRawPointer(out).copyMemory(from: source.baseAddress!, byteCount: count)
        return count
    }
    if count == available { buffers.inbound = nil }
    readBytes.pointee = count
    return 1
}

/// Appends ciphertext to the outbound buffer. Never fails and never blocks.
private func bioWrite(_ bio: OpaquePointer?, _ data: UnsafePointer<CChar>?, _ length: Int,
                      _ written: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let bio, let data, let written, let buffers = buffers(of: bio) else { return 0 }
    CJunctionOpenSSL_BIO_clear_retry_flags(bio)
    let bytes = UnsafeRawBufferPointer(start: data, count: length)
    if buffers.outbound == nil {
        buffers.outbound = buffers.allocator.buffer(capacity: max(length, 4096))
    }
    buffers.outbound!.writeBytes(bytes)
    written.pointee = length
    return 1
}

private func bioControl(_ bio: OpaquePointer?, _ command: Int32, _ larg: Int, _ parg: UnsafeMutableRawPointer?) -> Int {
    switch command {
    case BIO_CTRL_FLUSH:
        return 1  // the handler decides when ciphertext goes to the socket
    case BIO_CTRL_PENDING:
        guard let bio, let buffers = buffers(of: bio) else { return 0 }
        return buffers.inbound?.readableBytes ?? 0
    case BIO_CTRL_WPENDING:
        guard let bio, let buffers = buffers(of: bio) else { return 0 }
        return buffers.outbound?.readableBytes ?? 0
    default:
        return 0
    }
}

private func bioCreate(_ bio: OpaquePointer?) -> Int32 {
    guard let bio else { return 0 }
    BIO_set_init(bio, 1)
    return 1
}

private func bioDestroy(_ bio: OpaquePointer?) -> Int32 {
    guard let bio else { return 0 }
    BIO_set_data(bio, nil)
    BIO_set_init(bio, 0)
    return 1
}
