/// A `cidr` condition: an IPv4 or IPv6 network. Event values match when they are IP address strings of
/// the same family inside the network.
struct IPNetwork: Hashable, Sendable {
    /// The address as 128 bits (IPv4 in the low 32 bits), host bits cleared.
    let high: UInt64
    let low: UInt64
    let prefixLength: Int
    let isIPv6: Bool

    /// Parses `address/prefix`.
    init?(cidr text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let length = Int(parts[1]), !parts[1].hasPrefix("+"), !parts[1].hasPrefix("-") else { return nil }
        let address = Array(parts[0].utf8)
        guard let parsed = address.withUnsafeBytes({ IPNetwork.parseAddress($0) }) else { return nil }
        guard length >= 0, length <= (parsed.isIPv6 ? 128 : 32) else { return nil }
        let (maskHigh, maskLow) = IPNetwork.mask(length: length, isIPv6: parsed.isIPv6)
        self.high = parsed.high & maskHigh
        self.low = parsed.low & maskLow
        self.prefixLength = length
        self.isIPv6 = parsed.isIPv6
    }

    /// The masked address as a lookup key (16 bytes).
    var keyBytes: [UInt8] {
        var key = IPNetwork.maskedKey(high: high, low: low, length: prefixLength, isIPv6: isIPv6)
        return withUnsafeBytes(of: &key) { Array($0) }
    }

    /// An address with its host bits cleared, as a pair of words (for table keys).
    static func maskedKey(high: UInt64, low: UInt64, length: Int, isIPv6: Bool) -> (UInt64, UInt64) {
        let (maskHigh, maskLow) = mask(length: length, isIPv6: isIPv6)
        return (high & maskHigh, low & maskLow)
    }

    /// Whether `address` (IP address text) is in this network.
    func contains(_ address: UnsafeRawBufferPointer) -> Bool {
        guard let parsed = IPNetwork.parseAddress(address), parsed.isIPv6 == isIPv6 else { return false }
        let (maskHigh, maskLow) = IPNetwork.mask(length: prefixLength, isIPv6: isIPv6)
        return parsed.high & maskHigh == high && parsed.low & maskLow == low
    }

    static func mask(length: Int, isIPv6: Bool) -> (UInt64, UInt64) {
        if !isIPv6 {
            let low: UInt64 = length == 0 ? 0 : (UInt64(0xFFFF_FFFF) << UInt64(32 - length)) & 0xFFFF_FFFF
            return (0, low)
        }
        if length <= 64 {
            return (length == 0 ? 0 : ~UInt64(0) << UInt64(64 - length), 0)
        }
        return (~UInt64(0), length == 128 ? ~UInt64(0) : ~UInt64(0) << UInt64(128 - length))
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an embedded IPv4 tail).
    static func parseAddress(_ bytes: UnsafeRawBufferPointer) -> (high: UInt64, low: UInt64, isIPv6: Bool)? {
        if bytes.isEmpty || bytes.count > 45 { return nil }
        if !bytes.contains(UInt8(ascii: ":")) {
            guard let v4 = parseIPv4(bytes, 0, bytes.count) else { return nil }
            return (0, UInt64(v4), false)
        }
        return parseIPv6(bytes).map { ($0.0, $0.1, true) }
    }

    static func parseIPv4(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> UInt32? {
        var result: UInt32 = 0
        var octets = 0
        var index = start
        while index < end {
            var value = 0
            var digits = 0
            while index < end, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                if digits > 0 && value == 0 { return nil } // leading zero
                value = value * 10 + Int(bytes[index] - 0x30)
                digits += 1
                index += 1
                if digits > 3 { return nil }
            }
            guard digits > 0, value <= 255 else { return nil }
            result = result << 8 | UInt32(value)
            octets += 1
            if index < end {
                guard bytes[index] == UInt8(ascii: "."), octets < 4 else { return nil }
                index += 1
                if index == end { return nil }
            }
        }
        return octets == 4 ? result : nil
    }

    static func parseIPv6(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64)? {
        var groups: [UInt16] = []
        var gapIndex: Int? = nil
        var index = 0
        let end = bytes.count
        if end >= 2, bytes[0] == UInt8(ascii: ":"), bytes[1] == UInt8(ascii: ":") {
            gapIndex = 0
            index = 2
        } else if bytes[0] == UInt8(ascii: ":") {
            return nil
        }
        while index < end {
            // An embedded IPv4 tail.
            var lookahead = index
            var sawDot = false
            while lookahead < end, bytes[lookahead] != UInt8(ascii: ":") {
                if bytes[lookahead] == UInt8(ascii: ".") { sawDot = true }
                lookahead += 1
            }
            if sawDot {
                guard lookahead == end, let v4 = parseIPv4(bytes, index, end) else { return nil }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(v4 & 0xFFFF))
                index = end
                break
            }
            var value: UInt32 = 0
            var digits = 0
            while index < end, let digit = hexDigit(bytes[index]) {
                value = value << 4 | digit
                digits += 1
                index += 1
                if digits > 4 { return nil }
            }
            guard digits > 0 else { return nil }
            groups.append(UInt16(value))
            if index < end {
                guard bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                if index < end, bytes[index] == UInt8(ascii: ":") {
                    guard gapIndex == nil else { return nil }
                    gapIndex = groups.count
                    index += 1
                } else if index == end {
                    return nil
                }
            }
        }
        if let gapIndex {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: gapIndex)
        }
        guard groups.count == 8 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for group in groups[0..<4] { high = high << 16 | UInt64(group) }
        for group in groups[4..<8] { low = low << 16 | UInt64(group) }
        return (high, low)
    }

    @inline(__always)
    static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x61...0x66: return UInt32(byte - 0x61 + 10)
        case 0x41...0x46: return UInt32(byte - 0x41 + 10)
        default: return nil
        }
    }

    var description: String { "\(isIPv6 ? "v6" : "v4"):\(String(high, radix: 16)):\(String(low, radix: 16))/\(prefixLength)" }
}
