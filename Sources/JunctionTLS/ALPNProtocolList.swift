internal import COpenSSL

/// The ALPN list in wire format (length-prefixed names), kept alive by the
/// ``TLSContext`` (and so by every ``TLSConnection``, which holds its context). The
/// bytes live in memory this object owns, so pointers handed to OpenSSL stay valid.
final class ALPNProtocolList: @unchecked Sendable {  // immutable after init; OpenSSL only reads the bytes
    let bytes: UnsafeMutableBufferPointer<UInt8>

    var isEmpty: Bool { self.bytes.isEmpty }

    init(_ protocols: [String]) {
        var wire: [UInt8] = []
        for name in protocols {
            wire.append(UInt8(name.utf8.count))
            wire.append(contentsOf: name.utf8)
        }
        self.bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: wire.count)
        _ = self.bytes.initialize(from: wire)
    }

    deinit {
        self.bytes.deallocate()
    }
}

/// Server-side ALPN selection: the first of the server's protocols that the client
/// offers. No overlap fails the handshake with a `no_application_protocol` alert.
/// Not called at all when the client offers no ALPN.
func alpnSelectCallback(
    _ ssl: OpaquePointer?,
    _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
    _ outLength: UnsafeMutablePointer<UInt8>?,
    _ clientList: UnsafePointer<UInt8>?,
    _ clientLength: UInt32,
    _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let out, let outLength, let clientList, let argument else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    let server = Unmanaged<ALPNProtocolList>.fromOpaque(argument).takeUnretainedValue().bytes
    var selected: UnsafeMutablePointer<UInt8>? = nil
    var selectedLength: UInt8 = 0
    let rc = SSL_select_next_proto(&selected, &selectedLength, server.baseAddress, UInt32(server.count),
                                   clientList, clientLength)
    // The selected name points into one of the two lists, both valid until OpenSSL
    // copies it when this callback returns.
    guard rc == OPENSSL_NPN_NEGOTIATED, let selected else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    out.pointee = UnsafePointer(selected)
    outLength.pointee = selectedLength
    return SSL_TLSEXT_ERR_OK
}
