/// The descriptor-driven walk over protobuf bytes. One `message` call per (nested) message; everything it reads
/// comes from the compiled tables and the payload. No allocation, no reference counting.
struct ProtoWalker<V: ProtoFieldVisitor> {
    typealias Failure = ProtoWalkFailure
    typealias Field = ProtoCompiledTables.Field

    let tables: ProtoCompiledTables
    /// The path stack; nil when only validating (``ProtoNoopVisitor``), which never records paths.
    let stack: UnsafeMutablePointer<ProtoFieldPath.Segment>?
    let maxDepth: Int
    let allowUnknown: Bool
    var visitor: V

    init(tables: ProtoCompiledTables, stack: UnsafeMutablePointer<ProtoFieldPath.Segment>?, maxDepth: Int,
         allowUnknown: Bool, visitor: V) {
        self.tables = tables
        self.stack = stack
        self.maxDepth = maxDepth
        self.allowUnknown = allowUnknown
        self.visitor = visitor
    }

    // MARK: primitives

    /// Failure locations (path levels, field indexes) are only tracked for visitors that want values; pure
    /// validation drops them so the optimizer can keep fewer values live, and failures are re-walked for detail.
    @inline(__always)
    func at(_ value: Int) -> Int { V.wantsValues ? value : 0 }

    @inline(__always)
    func varint(_ base: UnsafeRawPointer, _ pos: inout Int, _ end: Int, _ level: Int, _ field: Int) throws(Failure) -> UInt64 {
        if pos < end {
            let b = base.load(fromByteOffset: pos, as: UInt8.self)
            if b < 0x80 { pos &+= 1; return UInt64(b) }
        }
        // The slow path gets `pos` by value: passing it inout would force it into memory for the whole walk.
        let (value, next) = try varintSlow(base, pos, end, level, field)
        pos = next
        return value
    }

    @inline(never)
    func varintSlow(_ base: UnsafeRawPointer, _ pos: Int, _ end: Int, _ level: Int, _ field: Int) throws(Failure) -> (UInt64, Int) {
        var i = pos
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard i < end else { throw Failure(.truncated, level: level, field: field, offset: pos) }
            let b = base.load(fromByteOffset: i, as: UInt8.self)
            i += 1
            if shift == 63 {
                guard b <= 1 else { throw Failure(.varintOverflow, level: level, field: field, offset: pos) }
                result |= UInt64(b) << 63
                break
            }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
        }
        return (result, i)
    }

    @inline(__always)
    func length(_ base: UnsafeRawPointer, _ pos: inout Int, _ end: Int, _ level: Int, _ field: Int) throws(Failure) -> Int {
        let start = pos
        let n = try varint(base, &pos, end, level, field)
        guard n <= UInt64(end - pos) else {
            throw Failure(.truncated, level: level, field: field, offset: start, a: 1, b: n)
        }
        return Int(n)
    }

    @inline(__always)
    mutating func emit(_ count: Int, _ value: ProtoFieldValue) {
        visitor.visit(ProtoFieldPath(segments: UnsafePointer(stack.unsafelyUnwrapped), count: count, tables: tables), value)
    }

    // MARK: messages

    /// Saved state of an enclosing message while a nested message or group is walked.
    struct Frame {
        var message: Int32
        var level: Int32
        var group: UInt32
        var end: Int32
        var seen: UInt64
    }

    /// Walks the root message (index 0) in `base[0..<count]`. Nested messages and groups are walked in the same
    /// loop with an explicit frame stack (`frames`, capacity `maxDepth + 1`) instead of recursion.
    mutating func walk(_ base: UnsafeRawPointer, _ count: Int, frames: UnsafeMutablePointer<Frame>) throws(Failure) {
        // Local copies: `self` is inout, so after every store through a raw pointer the optimizer would have to
        // reload its properties; locals whose address is never taken stay in registers.
        let tables = self.tables
        let stack = self.stack
        let maxDepth = self.maxDepth
        let allowUnknown = self.allowUnknown
        var mi = 0
        // Per-message look-up state kept in few registers: the dense table and its bound (0 when the message
        // uses binary search), whether the message is a map entry.
        var dense = tables.lookup
        var denseMax: UInt32 = 0
        var isMapEntry = false
        @inline(__always) func enter(_ index: Int) {
            let msg = tables.messages[index]
            denseMax = msg.denseStart < 0 ? 0 : msg.denseMax
            dense = tables.lookup + Int(max(msg.denseStart, 0))
            isMapEntry = msg.isMapEntry
        }
        enter(0)
        var pos = 0
        var end = count
        var seen: UInt64 = 0
        var level = 0
        var group: UInt32 = 0
        var depth = 0
        frameLoop: while true {
            // Inside a map entry the value is reported under the map field's own segment (`labels[key]`).
            let valueLevel = isMapEntry ? level : level &+ 1
            var closedGroup = false
            while pos < end {
                let tagStart = pos
                let tag = try varint(base, &pos, end, at(level), -1)
                let number = tag >> 3
                let wt = UInt8(truncatingIfNeeded: tag & 7)
                guard number != 0, number <= 0x1FFF_FFFF else {
                    throw Failure(.invalidFieldNumber, level: at(level), offset: tagStart, b: number)
                }
                if wt == 4 {
                    guard group != 0, number == UInt64(group) else {
                        throw Failure(.groupMismatch, level: at(level), offset: tagStart, a: 1, b: number)
                    }
                    closedGroup = true
                    break
                }
                guard wt <= 5 else {
                    throw Failure(.invalidWireType, level: at(level), offset: tagStart, a: UInt64(wt), b: number)
                }
                let n32 = UInt32(truncatingIfNeeded: number)
                // Numbers above the dense table are unknown, unless the message is binary-searched (denseMax 0).
                let f = n32 <= denseMax ? dense[Int(n32)] : tables.field(tables.messages[mi], n32)
                let fi = Int(f.index)
                if fi < 0 {
                    guard allowUnknown else {
                        throw Failure(.unknownField, level: at(level), offset: tagStart, a: UInt64(wt), b: number)
                    }
                    pos = try skip(base, pos, end, wt, UInt32(truncatingIfNeeded: number), at(level), depth)
                    continue
                }
                if V.wantsValues, let stack {
                    stack[level] = ProtoFieldPath.Segment(field: f.index, keyKind: 0, keyPointer: nil, keyBits: 0)
                }
                // Pure validation keeps no path: on failure ProtoMessageValidator walks again with a recording
                // visitor, which reproduces the same failure with the full path (map keys included).
                seen |= UInt64(truncatingIfNeeded: (f.flags & Field.required) >> 1) &<< UInt64(f.requiredBit)
                let visitCount = isMapEntry ? (number == 1 ? -1 : valueLevel) : valueLevel
                let fieldLevel = level &+ 1
                switch f.kind {
                case 0, 1, 2, 3, 4:  // varint types
                    if wt == 0 {
                        let vStart = pos
                        let v = try varint(base, &pos, end, at(fieldLevel), at(fi))
                        try scalarVarint(f, at(fi), v, at(fieldLevel), vStart, visitCount)
                    } else if wt == 2, f.flags & Field.repeated != 0 {
                        let n = try length(base, &pos, end, at(fieldLevel), at(fi))
                        let pEnd = pos &+ n
                        while pos < pEnd {
                            let vStart = pos
                            let v = try varint(base, &pos, pEnd, at(fieldLevel), at(fi))
                            try scalarVarint(f, at(fi), v, at(fieldLevel), vStart, visitCount)
                        }
                    } else {
                        throw Failure(.wireType, level: at(fieldLevel), field: at(fi), offset: tagStart, a: UInt64(wt))
                    }
                case 5:  // 64-bit fixed
                    if wt == 1 {
                        guard end &- pos >= 8 else { throw Failure(.truncated, level: at(fieldLevel), field: at(fi), offset: pos) }
                        if V.wantsValues, visitCount >= 0 { emit(visitCount, fixed64Value(f.type, base, pos)) }
                        pos &+= 8
                    } else if wt == 2, f.flags & Field.repeated != 0 {
                        let n = try length(base, &pos, end, at(fieldLevel), at(fi))
                        guard n & 7 == 0 else {
                            throw Failure(.packedLength, level: at(fieldLevel), field: at(fi), offset: pos, a: 8, b: UInt64(n))
                        }
                        if V.wantsValues, visitCount >= 0 {
                            var p = pos
                            while p < pos &+ n { emit(visitCount, fixed64Value(f.type, base, p)); p &+= 8 }
                        }
                        pos &+= n
                    } else {
                        throw Failure(.wireType, level: at(fieldLevel), field: at(fi), offset: tagStart, a: UInt64(wt))
                    }
                case 6:  // 32-bit fixed
                    if wt == 5 {
                        guard end &- pos >= 4 else { throw Failure(.truncated, level: at(fieldLevel), field: at(fi), offset: pos) }
                        if V.wantsValues, visitCount >= 0 { emit(visitCount, fixed32Value(f.type, base, pos)) }
                        pos &+= 4
                    } else if wt == 2, f.flags & Field.repeated != 0 {
                        let n = try length(base, &pos, end, at(fieldLevel), at(fi))
                        guard n & 3 == 0 else {
                            throw Failure(.packedLength, level: at(fieldLevel), field: at(fi), offset: pos, a: 4, b: UInt64(n))
                        }
                        if V.wantsValues, visitCount >= 0 {
                            var p = pos
                            while p < pos &+ n { emit(visitCount, fixed32Value(f.type, base, p)); p &+= 4 }
                        }
                        pos &+= n
                    } else {
                        throw Failure(.wireType, level: at(fieldLevel), field: at(fi), offset: tagStart, a: UInt64(wt))
                    }
                case 7, 8:  // string, bytes
                    guard wt == 2 else {
                        throw Failure(.wireType, level: at(fieldLevel), field: at(fi), offset: tagStart, a: UInt64(wt))
                    }
                    let n = try length(base, &pos, end, at(fieldLevel), at(fi))
                    if f.kind == 7, let bad = UTF8Validation.firstInvalid(base + pos, n) {
                        throw Failure(.utf8, level: at(fieldLevel), field: at(fi), offset: pos &+ bad, b: UInt64(bad))
                    }
                    if V.wantsValues, visitCount >= 0 {
                        let b = UnsafeRawBufferPointer(start: base + pos, count: n)
                        emit(visitCount, f.type == 9 ? .string(b) : .bytes(b))
                    }
                    pos &+= n
                case 9:  // message: push the current frame and continue inside the child
                    guard wt == 2 else {
                        throw Failure(.wireType, level: at(fieldLevel), field: at(fi), offset: tagStart, a: UInt64(wt))
                    }
                    let n = try length(base, &pos, end, at(fieldLevel), at(fi))
                    guard depth < maxDepth else { throw Failure(.depth, level: at(fieldLevel), field: at(fi), offset: pos) }
                    if V.wantsValues, f.flags & Field.mapField != 0 {
                        recordMapKey(Int(f.target), base, pos, pos &+ n, level)
                    }
                    frames[depth] = Frame(message: Int32(truncatingIfNeeded: mi), level: Int32(truncatingIfNeeded: at(level)),
                                          group: group, end: Int32(truncatingIfNeeded: end), seen: seen)
                    depth &+= 1
                    level = isMapEntry ? level : fieldLevel
                    mi = Int(f.target)
                    enter(mi)
                    end = pos &+ n
                    seen = 0
                    group = 0
                    continue frameLoop
                case 10:  // group: the child ends at its end-group tag
                    guard wt == 3 else {
                        throw Failure(.wireType, level: at(fieldLevel), field: at(fi), offset: tagStart, a: UInt64(wt))
                    }
                    guard depth < maxDepth else { throw Failure(.depth, level: at(fieldLevel), field: at(fi), offset: pos) }
                    frames[depth] = Frame(message: Int32(truncatingIfNeeded: mi), level: Int32(truncatingIfNeeded: at(level)),
                                          group: group, end: Int32(truncatingIfNeeded: end), seen: seen)
                    depth &+= 1
                    level = fieldLevel
                    mi = Int(f.target)
                    enter(mi)
                    seen = 0
                    group = UInt32(truncatingIfNeeded: number)
                    continue frameLoop
                default:
                    throw Failure(.wireType, level: at(fieldLevel), field: at(fi), offset: tagStart, a: UInt64(wt))
                }
            }
            // The current message ended: at its length (messages) or at its end-group tag (groups, pos < end).
            if group != 0, !closedGroup {
                throw Failure(.groupMismatch, level: at(level), offset: end, a: 0, b: UInt64(group))
            }
            try checkRequired(tables.messages[mi], seen, at(level), pos)
            if depth == 0 { return }
            depth &-= 1
            let parent = frames[depth]
            mi = Int(parent.message)
            enter(mi)
            level = Int(parent.level)
            group = parent.group
            end = Int(parent.end)
            seen = parent.seen
        }
    }

    @inline(__always)
    func checkRequired(_ m: ProtoCompiledTables.Message, _ seen: UInt64, _ level: Int, _ offset: Int) throws(Failure) {
        let missing = m.requiredMask & ~seen
        guard missing != 0 else { return }
        let bit = UInt8(missing.trailingZeroBitCount)
        var fi = Int(m.fieldStart)
        while fi < Int(m.fieldStart + m.fieldCount) {
            let f = tables.fields[fi]
            if f.flags & Field.required != 0, f.requiredBit == bit { break }
            fi += 1
        }
        throw Failure(.required, level: level, field: fi, offset: offset)
    }

    @inline(__always)
    mutating func scalarVarint(_ f: Field, _ fi: Int, _ v: UInt64, _ level: Int, _ offset: Int, _ visitCount: Int) throws(Failure) {
        switch f.kind {
        case 1, 4:  // int32 and enums: sign-extended to 64 bits on the wire
            let s = Int64(bitPattern: v)
            guard s >= Int64(Int32.min), s <= Int64(Int32.max) else {
                throw Failure(.varintRange, level: level, field: fi, offset: offset, b: v)
            }
            if f.kind == 4, tables.enumPosition(tables.enums[Int(f.target)], Int32(truncatingIfNeeded: s)) < 0 {
                throw Failure(.enumValue, level: level, field: fi, offset: offset, b: v)
            }
        case 2:  // uint32, sint32
            guard v <= UInt64(UInt32.max) else { throw Failure(.varintRange, level: level, field: fi, offset: offset, b: v) }
        case 3:  // bool
            guard v <= 1 else { throw Failure(.varintRange, level: level, field: fi, offset: offset, b: v) }
        default:
            break
        }
        guard V.wantsValues, visitCount >= 0 else { return }
        switch f.type {
        case 5:  // int32
            emit(visitCount, .int(Int64(bitPattern: v)))
        case 14:  // enum
            let n = Int32(truncatingIfNeeded: Int64(bitPattern: v))
            let p = tables.enumPosition(tables.enums[Int(f.target)], n)
            emit(visitCount, .enumValue(n, name: p < 0 ? nil : tables.name(tables.enumValueNames[p])))
        case 13:  // uint32
            emit(visitCount, .uint(v))
        case 17:  // sint32
            emit(visitCount, .int(Int64(Int32(bitPattern: UInt32(v >> 1)) ^ -Int32(v & 1))))
        case 8:  // bool
            emit(visitCount, .bool(v == 1))
        case 18:  // sint64
            emit(visitCount, .int(Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)))
        case 4:  // uint64
            emit(visitCount, .uint(v))
        default:  // int64
            emit(visitCount, .int(Int64(bitPattern: v)))
        }
    }

    @inline(__always)
    func fixed64Value(_ type: UInt8, _ base: UnsafeRawPointer, _ pos: Int) -> ProtoFieldValue {
        let raw = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
        switch type {
        case 1: return .double(Double(bitPattern: raw))
        case 16: return .int(Int64(bitPattern: raw))
        default: return .uint(raw)
        }
    }

    @inline(__always)
    func fixed32Value(_ type: UInt8, _ base: UnsafeRawPointer, _ pos: Int) -> ProtoFieldValue {
        let raw = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: pos, as: UInt32.self))
        switch type {
        case 2: return .float(Float(bitPattern: raw))
        case 15: return .int(Int64(Int32(bitPattern: raw)))
        default: return .uint(UInt64(raw))
        }
    }

    /// Looks ahead in a map entry for its key (field 1) and stores it in the map field's segment at `level`.
    /// Malformed entries are left to the real walk to report.
    func recordMapKey(_ entry: Int, _ base: UnsafeRawPointer, _ start: Int, _ end: Int, _ level: Int) {
        let m = tables.messages[entry]
        let keyIndex = tables.fieldIndex(m, 1)
        guard keyIndex >= 0 else { return }
        let keyType = tables.fields[keyIndex].type
        var pos = start
        var kind: UInt8 = 0
        var pointer: UnsafeRawPointer?
        var bits: UInt64 = 0
        // Defaults when the key is absent: "" / 0 / false.
        switch keyType {
        case 9: kind = 1; pointer = base + start
        case 8: kind = 4
        case 4, 6, 13, 7: kind = 3
        default: kind = 2
        }
        do {
            while pos < end {
                let tag = try varint(base, &pos, end, level, -1)
                let wt = UInt8(truncatingIfNeeded: tag & 7)
                if tag >> 3 == 1 {
                    switch wt {
                    case 0:
                        let v = try varint(base, &pos, end, level, -1)
                        if keyType == 17 { bits = UInt64(bitPattern: Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: v >> 1)) ^ -Int32(truncatingIfNeeded: v & 1))) }
                        else if keyType == 18 { bits = UInt64(bitPattern: Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)) }
                        else { bits = v }
                    case 1:
                        guard end - pos >= 8 else { return }
                        bits = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
                        pos += 8
                    case 5:
                        guard end - pos >= 4 else { return }
                        let raw = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: pos, as: UInt32.self))
                        bits = keyType == 15 ? UInt64(bitPattern: Int64(Int32(bitPattern: raw))) : UInt64(raw)
                        pos += 4
                    case 2:
                        let n = try length(base, &pos, end, level, -1)
                        pointer = base + pos
                        bits = UInt64(n)
                        pos += n
                    default: return
                    }
                } else {
                    pos = try skip(base, pos, end, wt, UInt32(truncatingIfNeeded: tag >> 3), level, 0)
                }
            }
        } catch {
            return
        }
        guard let stack else { return }
        stack[level].keyKind = kind
        stack[level].keyPointer = pointer
        stack[level].keyBits = bits
    }

    /// Skips one unknown field value; groups are skipped through their end-group tag.
    func skip(_ base: UnsafeRawPointer, _ start: Int, _ end: Int, _ wt: UInt8, _ number: UInt32,
              _ level: Int, _ depth: Int) throws(Failure) -> Int {
        var pos = start
        switch wt {
        case 0: _ = try varint(base, &pos, end, level, -1)
        case 1:
            guard end - pos >= 8 else { throw Failure(.truncated, level: level, offset: pos) }
            pos += 8
        case 5:
            guard end - pos >= 4 else { throw Failure(.truncated, level: level, offset: pos) }
            pos += 4
        case 2:
            let n = try length(base, &pos, end, level, -1)
            pos += n
        case 3:
            guard depth < maxDepth else { throw Failure(.depth, level: level, offset: pos) }
            while true {
                guard pos < end else { throw Failure(.groupMismatch, level: level, offset: pos, a: 0, b: UInt64(number)) }
                let tagStart = pos
                let tag = try varint(base, &pos, end, level, -1)
                let n = tag >> 3
                let w = UInt8(truncatingIfNeeded: tag & 7)
                guard n != 0, n <= 0x1FFF_FFFF else { throw Failure(.invalidFieldNumber, level: level, offset: tagStart, b: n) }
                if w == 4 {
                    guard n == UInt64(number) else { throw Failure(.groupMismatch, level: level, offset: tagStart, a: 1, b: n) }
                    return pos
                }
                guard w <= 5 else { throw Failure(.invalidWireType, level: level, offset: tagStart, a: UInt64(w), b: n) }
                pos = try skip(base, pos, end, w, UInt32(truncatingIfNeeded: n), level, depth + 1)
            }
        default:
            throw Failure(.invalidWireType, level: level, offset: pos, a: UInt64(wt), b: UInt64(number))
        }
        return pos
    }
}
