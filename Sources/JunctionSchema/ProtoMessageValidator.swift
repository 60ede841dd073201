/// Validates protobuf payloads of one message type against its descriptor, with no generated code.
///
/// The descriptor is compiled once into flat tables (field look-up by number, enum value sets, required-field
/// masks); ``validate(_:)-(UnsafeRawBufferPointer)`` then walks the bytes without allocating. The same walk can
/// hand every scalar to a ``ProtoFieldVisitor`` (``walk(_:visitor:)``) so the pattern matcher sees `detail.*`.
public final class ProtoMessageValidator: @unchecked Sendable { // immutable after init; the tables are only read
    /// Fully qualified name of the validated message type.
    public let messageName: String
    /// The options the validator was compiled with.
    public let options: ProtoValidationOptions

    let tables: ProtoCompiledTables
    private let allocations: [UnsafeMutableRawPointer]

    /// Compiles a validator for `messageName` (fully qualified, leading dot optional) from `descriptorSet`.
    /// Fails when the message is not in the set, or a message has more than 64 required fields.
    public init(
        descriptorSet: ProtoDescriptorSet, messageName: String, options: ProtoValidationOptions = .init()
    ) throws(ProtoDescriptorError) {
        let root = messageName.hasPrefix(".") ? String(messageName.dropFirst()) : messageName
        guard descriptorSet.messages[root] != nil else {
            throw ProtoDescriptorError("message \(messageName) is not defined in the descriptor set")
        }
        guard options.maxDepth >= 1, options.maxDepth <= 1000 else {
            throw ProtoDescriptorError("maxDepth must be between 1 and 1000, got \(options.maxDepth)")
        }
        guard options.maxBytes >= 0, options.maxBytes <= Int(Int32.max) else {
            throw ProtoDescriptorError("maxBytes must be between 0 and \(Int32.max), got \(options.maxBytes)")
        }
        self.messageName = root
        self.options = options

        var names: [ProtoCompiledTables.Name] = []
        var pool: [UInt8] = []
        var nameIndex: [String: Int32] = [:]
        func intern(_ s: String) -> Int32 {
            if let i = nameIndex[s] { return i }
            let i = Int32(names.count)
            names.append(.init(start: Int32(pool.count), count: Int32(s.utf8.count)))
            pool.append(contentsOf: s.utf8)
            nameIndex[s] = i
            return i
        }

        let messageOrder = descriptorSet.reachableMessages(from: root)
        var messageIndex: [String: Int32] = [:]
        for (i, n) in messageOrder.enumerated() { messageIndex[n] = Int32(i) }
        let enumOrder = descriptorSet.reachableEnums(from: root)
        var enumIndex: [String: Int32] = [:]
        for (i, n) in enumOrder.enumerated() { enumIndex[n] = Int32(i) }

        var enums: [ProtoCompiledTables.Enum] = []
        var enumValues: [Int32] = []
        var enumValueNames: [Int32] = []
        for name in enumOrder {
            let e = descriptorSet.enums[name]!
            var byNumber: [Int32: String] = [:]
            for v in e.values where byNumber[v.number] == nil { byNumber[v.number] = v.name }
            let sorted = byNumber.keys.sorted()
            enums.append(.init(valueStart: Int32(enumValues.count), valueCount: Int32(sorted.count),
                               isClosed: e.isClosed, fullName: intern(name)))
            for n in sorted {
                enumValues.append(n)
                enumValueNames.append(intern(byNumber[n]!))
            }
        }

        var fields: [ProtoCompiledTables.Field] = []
        var messages: [ProtoCompiledTables.Message] = []
        var lookup: [ProtoCompiledTables.Field] = []
        for name in messageOrder {
            let m = descriptorSet.messages[name]!
            let sortedFields = m.fields.sorted { $0.number < $1.number }
            let start = Int32(fields.count)
            var requiredMask: UInt64 = 0
            var requiredCount = 0
            for f in sortedFields {
                var flags: UInt8 = 0
                var bit: UInt8 = 0
                if f.label == .repeated { flags |= ProtoCompiledTables.Field.repeated }
                if f.label == .required {
                    guard requiredCount < 64 else {
                        throw ProtoDescriptorError("message \(name) has more than 64 required fields, which is not supported")
                    }
                    flags |= ProtoCompiledTables.Field.required
                    bit = UInt8(requiredCount)
                    requiredMask |= 1 << UInt64(requiredCount)
                    requiredCount += 1
                }
                var target: Int32 = -1
                if let t = f.typeName {
                    if f.type == .enum {
                        target = enumIndex[t]!
                        if descriptorSet.enums[t]!.isClosed { flags |= ProtoCompiledTables.Field.closedEnum }
                    } else {
                        target = messageIndex[t]!
                        if descriptorSet.messages[t]!.isMapEntry, f.label == .repeated {
                            flags |= ProtoCompiledTables.Field.mapField
                        }
                    }
                }
                let kind = ProtoCompiledTables.Field.Kind.of(f.type, closedEnum: flags & ProtoCompiledTables.Field.closedEnum != 0)
                fields.append(.init(number: UInt32(f.number), type: UInt8(f.type.rawValue), flags: flags,
                                    requiredBit: bit, kind: kind, target: target, jsonName: intern(f.jsonName),
                                    protoName: intern(f.name), index: Int32(fields.count)))
            }
            let maxNumber = UInt32(sortedFields.last?.number ?? 0)
            var denseStart: Int32 = -1
            if maxNumber <= 64 || Int(maxNumber) <= 4 * sortedFields.count + 16 {
                denseStart = Int32(lookup.count)
                var table = [ProtoCompiledTables.Field](repeating: .missing, count: Int(maxNumber) + 1)
                for i in 0..<sortedFields.count { table[Int(sortedFields[i].number)] = fields[Int(start) + i] }
                lookup.append(contentsOf: table)
            }
            messages.append(.init(fieldStart: start, fieldCount: Int32(sortedFields.count), denseStart: denseStart,
                                  denseMax: maxNumber, requiredMask: requiredMask, isMapEntry: m.isMapEntry,
                                  fullName: intern(name)))
        }

        var allocations: [UnsafeMutableRawPointer] = []
        func copy<T>(_ array: [T]) -> UnsafePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(array.count, 1))
            p.initialize(from: array, count: array.count)
            allocations.append(UnsafeMutableRawPointer(p))
            return UnsafePointer(p)
        }
        self.tables = ProtoCompiledTables(
            fields: copy(fields), messages: copy(messages), lookup: copy(lookup), enums: copy(enums),
            enumValues: copy(enumValues), enumValueNames: copy(enumValueNames), names: copy(names),
            namePool: copy(pool))
        self.allocations = allocations
    }

    deinit {
        for p in allocations { p.deallocate() }
    }

    /// Validates one encoded message. Allocates nothing unless the payload is invalid.
    public func validate(_ bytes: UnsafeRawBufferPointer) -> ProtoValidationResult {
        guard bytes.count <= options.maxBytes else {
            var recorder = KeyRecorder()
            return walk(bytes, visitor: &recorder)
        }
        // Fast path: no path stack, only the frame stack. A failure is described by walking again with a
        // recording visitor, which reproduces it with the full path.
        let ok = withUnsafeTemporaryAllocation(of: ProtoWalker<ProtoNoopVisitor>.Frame.self,
                                               capacity: options.maxDepth + 1) { frames -> Bool in
            var walker = ProtoWalker(tables: tables, stack: nil, maxDepth: options.maxDepth,
                                     allowUnknown: options.allowUnknownFields, visitor: ProtoNoopVisitor())
            do throws(ProtoWalkFailure) {
                try walker.walk(bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, bytes.count,
                                frames: frames.baseAddress!)
                return true
            } catch {
                return false
            }
        }
        if ok { return .valid }
        var recorder = KeyRecorder()
        return walk(bytes, visitor: &recorder)
    }

    /// Validates one encoded message held in an array.
    public func validate(_ bytes: [UInt8]) -> ProtoValidationResult {
        bytes.withUnsafeBytes { validate($0) }
    }

    /// Validates one encoded message and hands every scalar value on the way to `visitor`, in wire order.
    /// Values already visited stay visited when a later part of the payload turns out invalid.
    public func walk<V: ProtoFieldVisitor>(_ bytes: UnsafeRawBufferPointer, visitor: inout V) -> ProtoValidationResult {
        if bytes.count > options.maxBytes {
            return .invalid(ProtoValidationFailure(
                rule: .size, path: options.rootPath,
                reason: "payload is \(bytes.count) bytes, larger than the limit of \(options.maxBytes)", offset: 0))
        }
        let capacity = options.maxDepth + 2
        return withUnsafeTemporaryAllocation(of: ProtoFieldPath.Segment.self, capacity: capacity) { stack in
            withUnsafeTemporaryAllocation(of: ProtoWalker<V>.Frame.self, capacity: capacity) { frames in
                var walker = ProtoWalker(tables: tables, stack: stack.baseAddress!, maxDepth: options.maxDepth,
                                         allowUnknown: options.allowUnknownFields, visitor: visitor)
                let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                let result: ProtoValidationResult
                do throws(ProtoWalkFailure) {
                    try walker.walk(base, bytes.count, frames: frames.baseAddress!)
                    result = .valid
                } catch {
                    var failure = error
                    if !V.wantsValues {
                        // Slow path, failures only: walkers for such visitors record neither paths nor locations,
                        // so walk again with a recording visitor, which reproduces the failure in full.
                        var keyed = ProtoWalker(tables: tables, stack: stack.baseAddress!, maxDepth: options.maxDepth,
                                                allowUnknown: options.allowUnknownFields, visitor: KeyRecorder())
                        frames.withMemoryRebound(to: ProtoWalker<KeyRecorder>.Frame.self) { keyedFrames in
                            do throws(ProtoWalkFailure) {
                                try keyed.walk(base, bytes.count, frames: keyedFrames.baseAddress!)
                            } catch {
                                failure = error
                            }
                        }
                    }
                    result = .invalid(describe(failure, stack: stack.baseAddress!))
                }
                visitor = walker.visitor
                return result
            }
        }
    }

    /// A visitor that wants values (so the walker records map keys) but ignores them.
    private struct KeyRecorder: ProtoFieldVisitor {
        mutating func visit(_ path: ProtoFieldPath, _ value: ProtoFieldValue) {}
    }

    /// Turns the walker's compact failure into the path and reason text.
    private func describe(_ f: ProtoWalkFailure, stack: UnsafePointer<ProtoFieldPath.Segment>) -> ProtoValidationFailure {
        let path = ProtoFieldPath(segments: stack, count: Int(f.level), tables: tables)
        var text = options.rootPath
        let dotted = path.dotted
        if !dotted.isEmpty { text += "." + dotted }
        let field = f.field >= 0 ? tables.fields[Int(f.field)] : nil
        let type = field.flatMap { ProtoFieldType(rawValue: Int32($0.type)) }
        let typeName = type.map { "\($0)" } ?? "?"
        let found = ProtoWireType(rawValue: UInt8(truncatingIfNeeded: f.a)).map { "\($0)" } ?? "wire type \(f.a)"
        let reason: String
        switch f.code {
        case .truncated:
            reason = "truncated: \(f.a == 0 ? "input ends inside a value" : "length \(f.b) runs past the end of its container")"
        case .varintOverflow:
            reason = "malformed varint: longer than 10 bytes or overflowing 64 bits"
        case .invalidWireType:
            reason = "invalid wire type \(f.a) for field number \(f.b)"
        case .invalidFieldNumber:
            reason = "invalid field number \(f.b)"
        case .wireType:
            let expected = type.map { $0 == .group ? "start-group" : "\($0.wireType)" } ?? "?"
            let packed = (field.map { $0.flags & ProtoCompiledTables.Field.repeated != 0 } ?? false)
                && (type?.isPackable ?? false)
            reason = "expected \(expected)\(packed ? " or length-delimited (packed)" : "") (\(typeName)), found \(found)"
        case .varintRange:
            if type == .bool {
                reason = "bool value \(f.b) is not 0 or 1"
            } else if type == .int32 || type == .enum {
                reason = "varint \(Int64(bitPattern: f.b)) out of range for \(typeName)"
            } else {
                reason = "varint \(f.b) out of range for \(typeName)"
            }
        case .utf8:
            reason = "string is not valid UTF-8 (byte \(f.b) of the value)"
        case .enumValue:
            let enumName = field.map { tables.nameString(tables.enums[Int($0.target)].fullName) } ?? "?"
            reason = "value \(Int32(truncatingIfNeeded: Int64(bitPattern: f.b))) is not a member of closed enum \(enumName)"
        case .required:
            let name = field.map { tables.nameString($0.protoName) } ?? "?"
            text += "." + (field.map { tables.nameString($0.jsonName) } ?? "?")
            reason = "missing required field \(name)"
        case .unknownField:
            reason = "unknown field number \(f.b) (\(found)) is not allowed"
        case .depth:
            reason = "nesting deeper than \(options.maxDepth) levels"
        case .packedLength:
            reason = "packed \(typeName) payload of \(f.b) bytes is not a multiple of \(f.a)"
        case .groupMismatch:
            reason = f.a == 0 ? "group for field \(f.b) is not closed by an end-group tag"
                : "end-group tag for field \(f.b) does not match the open group"
        }
        return ProtoValidationFailure(rule: f.code.rule, path: text, reason: reason, offset: f.offset)
    }
}
