/// Case folding for the `equals-ignore-case` family: ASCII is folded byte by byte; text with other
/// characters is lower-cased with Unicode rules (through `String`, only when non-ASCII bytes occur).
enum CaseFolding {
    @inline(__always)
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where byte >= 0x80 { return false }
        return true
    }

    /// The folded form of `bytes`.
    static func fold(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        if isASCII(bytes) {
            return bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        }
        return Array(String(decoding: bytes, as: UTF8.self).lowercased().utf8)
    }

    static func fold(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { fold($0) }
    }

    /// Folds `bytes` into `output` (cleared first), reusing its storage.
    static func fold(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        if isASCII(bytes) {
            for byte in bytes { output.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
        } else {
            output.append(contentsOf: String(decoding: bytes, as: UTF8.self).lowercased().utf8)
        }
    }
}
