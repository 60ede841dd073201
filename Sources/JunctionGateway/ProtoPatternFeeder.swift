import Glibc
import JunctionPatterns
import JunctionSchema

/// Feeds a protobuf `detail` to the pattern matcher as if it were its JSON
/// form, so that `{"detail": {"amount": [{"numeric": [">", 10]}]}}` matches
/// protobuf events whose schema the gateway knows.
///
/// The registered schema's walker (``ProtoMessageValidator/walk(_:visitor:)``)
/// hands over every scalar with its path by JSON names; nested messages
/// become objects, maps objects keyed by the map key, repeated fields several
/// values of one field (a rule matches when any element does, as with a JSON
/// array). Values take their proto3 JSON form, except that 64-bit integers
/// are fed as numbers (so numeric rules apply to them): strings, numbers,
/// `true`/`false`, enum names (the number when the value is not declared) and
/// bytes as base64 strings.
///
/// Known difference from a JSON detail: fields of the elements of a repeated
/// message are not kept apart per element, so a rule combining two of them
/// may match values from different elements.
///
/// One per worker thread (not thread-safe); it allocates only when created:
/// numbers and base64 are formatted into a fixed arena that lives until the
/// matcher's `finish()` (values that do not fit are not fed).
final class ProtoPatternFeeder {
    private struct Level {
        var field: Int32
        /// 0: a message field; 1...4: a map entry with a key of that kind
        /// (see ``ProtoFieldPath``); 255: a map field holding scalar values.
        var keyKind: UInt8
        var keyPointer: UnsafeRawPointer?
        var keyBits: UInt64
        /// enterObject calls made for this level (1 or 2).
        var objects: Int
    }

    private var levels: [Level] = []
    private let arena: UnsafeMutableRawPointer
    private let arenaCapacity: Int
    private var arenaUsed = 0

    init(arenaBytes: Int = 32 << 10) {
        arenaCapacity = arenaBytes
        arena = UnsafeMutableRawPointer.allocate(byteCount: arenaBytes, alignment: 8)
        levels.reserveCapacity(64)
    }

    deinit { arena.deallocate() }

    /// Feeds `detail` as member `detail` of the current object of `context`.
    /// Returns false when the bytes do not conform to `schema` (what was fed
    /// must then be discarded: begin the event again without the detail).
    func feed(detail: UnsafeRawBufferPointer, schema: ProtoMessageValidator, context: PatternMatchContext) -> Bool {
        arenaUsed = 0
        levels.removeAll(keepingCapacity: true)
        guard context.enterObject(key: "detail") else {
            context.leaveObject()
            return true
        }
        var visitor = Visitor(feeder: self, context: context)
        let result = schema.walk(detail, visitor: &visitor)
        close(to: 0, context: context)
        context.leaveObject()
        return result.isValid
    }

    private struct Visitor: ProtoFieldVisitor {
        let feeder: ProtoPatternFeeder
        let context: PatternMatchContext

        mutating func visit(_ path: ProtoFieldPath, _ value: ProtoFieldValue) {
            feeder.visit(path, value, context: context)
        }
    }

    private func visit(_ path: ProtoFieldPath, _ value: ProtoFieldValue, context: PatternMatchContext) {
        let n = path.count
        guard n > 0 else { return }
        let last = n - 1
        let lastKey = path.mapKey(at: last)
        // The containers of the value: its enclosing message fields, plus the
        // map field itself when the value is a map's scalar value.
        var common = 0
        let containerCount = lastKey == nil ? last : n
        while common < levels.count, common < containerCount, same(levels[common], path, common, last: last) { common += 1 }
        close(to: common, context: context)
        while levels.count < containerCount {
            let d = levels.count
            let segment = Self.segment(path, d)
            if d == last {
                // The map field holding scalar values: one object; its keys come with the values.
                context.enterObject(key: path.jsonName(at: d))
                levels.append(Level(field: path.fieldNumber(at: d), keyKind: 255, keyPointer: nil, keyBits: 0, objects: 1))
            } else {
                context.enterObject(key: path.jsonName(at: d))
                var objects = 1
                if segment.keyKind != 0 {
                    // A map whose values are messages: the key is one more object level.
                    if let key = keyBytes(path.mapKey(at: d)!) {
                        context.enterObject(key: key)
                    } else {
                        context.enterObject(key: UnsafeRawBufferPointer(start: nil, count: 0))
                    }
                    objects = 2
                }
                levels.append(Level(field: segment.field, keyKind: segment.keyKind, keyPointer: segment.keyPointer,
                                    keyBits: segment.keyBits, objects: objects))
            }
        }
        let key: UnsafeRawBufferPointer
        if let lastKey {
            guard let k = keyBytes(lastKey) else { return }
            key = k
        } else {
            key = path.jsonName(at: last)
        }
        add(value, key: key, context: context)
    }

    private static func segment(_ path: ProtoFieldPath, _ i: Int) -> (field: Int32, keyKind: UInt8, keyPointer: UnsafeRawPointer?, keyBits: UInt64) {
        switch path.mapKey(at: i) {
        case .string(let b)?: return (path.fieldNumber(at: i), 1, b.baseAddress, UInt64(b.count))
        case .int(let v)?: return (path.fieldNumber(at: i), 2, nil, UInt64(bitPattern: v))
        case .uint(let v)?: return (path.fieldNumber(at: i), 3, nil, v)
        case .bool(let v)?: return (path.fieldNumber(at: i), 4, nil, v ? 1 : 0)
        default: return (path.fieldNumber(at: i), 0, nil, 0)
        }
    }

    private func same(_ level: Level, _ path: ProtoFieldPath, _ i: Int, last: Int) -> Bool {
        if i == last { return level.keyKind == 255 && level.field == path.fieldNumber(at: i) }
        let s = Self.segment(path, i)
        guard level.field == s.field, level.keyKind == s.keyKind, level.keyBits == s.keyBits else { return false }
        if s.keyKind == 1, s.keyBits > 0 {
            return memcmp(level.keyPointer!, s.keyPointer!, Int(s.keyBits)) == 0
        }
        return true
    }

    private func close(to depth: Int, context: PatternMatchContext) {
        while levels.count > depth {
            for _ in 0..<levels.removeLast().objects { context.leaveObject() }
        }
    }

    private func add(_ value: ProtoFieldValue, key: UnsafeRawBufferPointer, context: PatternMatchContext) {
        switch value {
        case .int(let v):
            if let b = writeInteger(magnitude: v.magnitude, negative: v < 0) { context.addValue(key: key, type: .number, bytes: b) }
        case .uint(let v):
            if let b = writeInteger(magnitude: v, negative: false) { context.addValue(key: key, type: .number, bytes: b) }
        case .double(let v):
            addFloatingPoint(v.isFinite ? v.description : nil, isNaN: v.isNaN, negative: v < 0, key: key, context: context)
        case .float(let v):
            addFloatingPoint(v.isFinite ? v.description : nil, isNaN: v.isNaN, negative: v < 0, key: key, context: context)
        case .bool(let v):
            context.addValue(key: key, type: v ? .true : .false, bytes: UnsafeRawBufferPointer(start: nil, count: 0))
        case .string(let b):
            context.addValue(key: key, type: .string, bytes: b)
        case .bytes(let b):
            if let encoded = writeBase64(b) { context.addValue(key: key, type: .string, bytes: encoded) }
        case .enumValue(let number, let name):
            if let name {
                context.addValue(key: key, type: .string, bytes: name)
            } else if let b = writeInteger(magnitude: UInt64(number.magnitude), negative: number < 0) {
                context.addValue(key: key, type: .number, bytes: b)
            }
        }
    }

    /// A map key as the JSON object key (string keys as they are, numbers and
    /// bools as text in the arena).
    private func keyBytes(_ key: ProtoFieldValue) -> UnsafeRawBufferPointer? {
        switch key {
        case .string(let b): return b
        case .int(let v): return writeInteger(magnitude: v.magnitude, negative: v < 0)
        case .uint(let v): return writeInteger(magnitude: v, negative: false)
        case .bool(let v): return writeASCII(v ? "true" : "false")
        default: return nil
        }
    }

    // MARK: arena

    private func reserve(_ n: Int) -> UnsafeMutableRawPointer? {
        guard arenaUsed + n <= arenaCapacity else { return nil }
        defer { arenaUsed += n }
        return arena + arenaUsed
    }

    private func writeInteger(magnitude: UInt64, negative: Bool) -> UnsafeRawBufferPointer? {
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 { digits += 1; rest /= 10 }
        let n = digits + (negative ? 1 : 0)
        guard let out = reserve(n) else { return nil }
        if negative { out.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self) }
        var v = magnitude
        for i in stride(from: n - 1, through: n - digits, by: -1) {
            out.storeBytes(of: UInt8(48 + v % 10), toByteOffset: i, as: UInt8.self)
            v /= 10
        }
        return UnsafeRawBufferPointer(start: out, count: n)
    }

    /// A finite number in its shortest round-trip form (Swift's
    /// `description`: at most 15 characters stay inline, without a heap
    /// allocation; the longest need one), or NaN / ±Infinity as strings (as
    /// protobuf's JSON mapping writes them).
    private func addFloatingPoint(_ text: String?, isNaN: Bool, negative: Bool, key: UnsafeRawBufferPointer, context: PatternMatchContext) {
        guard var text else {
            if let b = writeASCII(isNaN ? "NaN" : (negative ? "-Infinity" : "Infinity")) { context.addValue(key: key, type: .string, bytes: b) }
            return
        }
        text.withUTF8 { utf8 in
            guard let out = reserve(utf8.count) else { return }
            out.copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
            context.addValue(key: key, type: .number, bytes: UnsafeRawBufferPointer(start: out, count: utf8.count))
        }
    }

    private func writeASCII(_ text: StaticString) -> UnsafeRawBufferPointer? {
        UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }

    private static let base64Alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    private func writeBase64(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let length = (bytes.count + 2) / 3 * 4
        guard let out = reserve(length) else { return nil }
        let alphabet = Self.base64Alphabet.utf8Start
        var o = 0
        var i = 0
        func put(_ byte: UInt8) { out.storeBytes(of: byte, toByteOffset: o, as: UInt8.self); o += 1 }
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            put(alphabet[Int(triple >> 18 & 63)])
            put(alphabet[Int(triple >> 12 & 63)])
            put(i + 1 < bytes.count ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            put(i + 2 < bytes.count ? alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return UnsafeRawBufferPointer(start: out, count: length)
    }
}
