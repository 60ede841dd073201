/// The `format` values the validator asserts (draft 2020-12 format-assertion vocabulary). Unknown formats are
/// annotations only and always pass.
public enum JSONSchemaFormat: String, Sendable, CaseIterable {
    /// RFC 3339 `date-time`, e.g. `2024-02-29T12:30:00.5+01:00` (T/Z case-insensitive, leap second 60 allowed).
    case dateTime = "date-time"
    /// RFC 4122 textual UUID `8-4-4-4-12` hex digits, any case.
    case uuid
    /// `local@domain`: dot-atom local part (RFC 5322 atext), domain of hostname labels or `[IPv4]`/`[IPv6:...]`.
    case email
    /// Dotted quad, each part 0-255 without leading zeros.
    case ipv4
    /// RFC 4291 text form, with `::` compression and an optional trailing dotted quad; no zone index.
    case ipv6
    /// RFC 3986 absolute URI: a scheme, `:`, then only unreserved, reserved and valid `%XX` characters.
    case uri

    /// True when `s` is valid for this format.
    public func isValid(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { isValid(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// True when the string whose UTF-8 bytes are `utf8` is valid for this format (as ``isValid(_:)``).
    public func isValid(utf8 bytes: UnsafeRawBufferPointer) -> Bool {
        // The common formats are checked in place; the others on a copy.
        switch self {
        case .dateTime: return Self.dateTime(bytes)
        case .uuid: return Self.uuid(bytes)
        case .email: return Self.email(Array(bytes))
        case .ipv4: return Self.ipv4(Array(bytes)[...])
        case .ipv6: return Self.ipv6(Array(bytes))
        case .uri: return Self.uri(Array(bytes))
        }
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) }
    static func isAlpha(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }

    static func number<C: RandomAccessCollection>(_ b: C, _ at: Int, _ count: Int) -> Int? where C.Element == UInt8, C.Index == Int {
        guard at + count <= b.count else { return nil }
        var v = 0
        for k in at..<(at + count) {
            guard isDigit(b[k]) else { return nil }
            v = v * 10 + Int(b[k] - 0x30)
        }
        return v
    }

    static func dateTime<C: RandomAccessCollection>(_ b: C) -> Bool where C.Element == UInt8, C.Index == Int {
        // YYYY-MM-DDTHH:MM:SS
        guard b.count >= 20, let year = number(b, 0, 4), b[4] == 0x2D, let month = number(b, 5, 2), b[7] == 0x2D,
              let day = number(b, 8, 2), b[10] == 0x54 || b[10] == 0x74, let hour = number(b, 11, 2), b[13] == 0x3A,
              let minute = number(b, 14, 2), b[16] == 0x3A, let second = number(b, 17, 2) else { return false }
        guard (1...12).contains(month), day >= 1, hour <= 23, minute <= 59, second <= 60 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days: Int
        switch month {
        case 2: days = leap ? 29 : 28
        case 4, 6, 9, 11: days = 30
        default: days = 31
        }
        guard day <= days else { return false }
        var i = 19
        if i < b.count, b[i] == 0x2E {
            i += 1
            let start = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            guard i > start else { return false }
        }
        guard i < b.count else { return false }
        if b[i] == 0x5A || b[i] == 0x7A { return i + 1 == b.count }
        guard b[i] == 0x2B || b[i] == 0x2D, i + 6 == b.count, let oh = number(b, i + 1, 2), b[i + 3] == 0x3A,
              let om = number(b, i + 4, 2) else { return false }
        return oh <= 23 && om <= 59
    }

    static func uuid<C: RandomAccessCollection>(_ b: C) -> Bool where C.Element == UInt8, C.Index == Int {
        guard b.count == 36 else { return false }
        for (k, c) in b.enumerated() {
            if k == 8 || k == 13 || k == 18 || k == 23 {
                guard c == 0x2D else { return false }
            } else if !isHex(c) {
                return false
            }
        }
        return true
    }

    static func ipv4(_ b: ArraySlice<UInt8>) -> Bool {
        let parts = b.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for p in parts {
            guard (1...3).contains(p.count), p.allSatisfy(isDigit) else { return false }
            if p.count > 1, p.first == 0x30 { return false }
            var v = 0
            for c in p { v = v * 10 + Int(c - 0x30) }
            guard v <= 255 else { return false }
        }
        return true
    }

    static func ipv6(_ b: [UInt8]) -> Bool {
        guard b.count >= 2, b.count <= 45 else { return false }
        var text = b[...]
        var groupsAllowed = 8
        // Trailing dotted quad counts as two groups.
        if let lastColon = text.lastIndex(of: 0x3A), text[(lastColon + 1)...].contains(0x2E) {
            guard ipv4(text[(lastColon + 1)...]) else { return false }
            groupsAllowed = 6
            text = text[...lastColon]
            // Keep a trailing "::" intact; drop a single trailing ':' separator.
            if text.count >= 2, text[text.endIndex - 2] == 0x3A {
            } else {
                text = text.dropLast()
            }
        }
        let s = Array(text)
        var halves: [[UInt8]]
        var compressed = false
        if let r = find(s, [0x3A, 0x3A]) {
            compressed = true
            let left = Array(s[..<r])
            let right = Array(s[(r + 2)...])
            if find(right, [0x3A, 0x3A]) != nil { return false }
            halves = [left, right]
        } else {
            halves = [s]
        }
        var groups = 0
        for h in halves where !h.isEmpty {
            let parts = h.split(separator: 0x3A, omittingEmptySubsequences: false)
            for p in parts {
                guard (1...4).contains(p.count), p.allSatisfy(isHex) else { return false }
                groups += 1
            }
        }
        return compressed ? groups < groupsAllowed : groups == groupsAllowed
    }

    static func find(_ s: [UInt8], _ needle: [UInt8]) -> Int? {
        guard s.count >= needle.count else { return nil }
        for k in 0...(s.count - needle.count) where Array(s[k..<(k + needle.count)]) == needle { return k }
        return nil
    }

    static func hostname(_ b: ArraySlice<UInt8>) -> Bool {
        guard !b.isEmpty, b.count <= 253 else { return false }
        for label in b.split(separator: 0x2E, omittingEmptySubsequences: false) {
            guard (1...63).contains(label.count), label.first != 0x2D, label.last != 0x2D else { return false }
            guard label.allSatisfy({ isAlpha($0) || isDigit($0) || $0 == 0x2D }) else { return false }
        }
        return true
    }

    static func email(_ b: [UInt8]) -> Bool {
        guard let at = b.lastIndex(of: 0x40), at > 0, at < b.count - 1 else { return false }
        let local = b[..<at]
        let domain = b[(at + 1)...]
        let atext = Array("!#$%&'*+-/=?^_`{|}~".utf8)
        guard local.count <= 64, local.first != 0x2E, local.last != 0x2E else { return false }
        var previousDot = false
        for c in local {
            if c == 0x2E {
                if previousDot { return false }
                previousDot = true
                continue
            }
            previousDot = false
            guard isAlpha(c) || isDigit(c) || atext.contains(c) || c >= 0x80 else { return false }
        }
        if domain.first == 0x5B {
            guard domain.last == 0x5D else { return false }
            let inner = domain.dropFirst().dropLast()
            if inner.starts(with: Array("IPv6:".utf8)) { return ipv6(Array(inner.dropFirst(5))) }
            return ipv4(inner)
        }
        return hostname(domain)
    }

    static func uri(_ b: [UInt8]) -> Bool {
        guard let colon = b.firstIndex(of: 0x3A), colon > 0, isAlpha(b[0]) else { return false }
        for c in b[1..<colon] where !(isAlpha(c) || isDigit(c) || c == 0x2B || c == 0x2D || c == 0x2E) { return false }
        let allowed = Array("-._~:/?#[]@!$&'()*+,;=".utf8)
        var k = colon + 1
        while k < b.count {
            let c = b[k]
            if c == 0x25 {
                guard k + 2 < b.count, isHex(b[k + 1]), isHex(b[k + 2]) else { return false }
                k += 3
                continue
            }
            guard isAlpha(c) || isDigit(c) || allowed.contains(c) else { return false }
            k += 1
        }
        return true
    }
}
