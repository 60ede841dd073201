// Decoding of descriptor.proto messages, field numbers as in google/protobuf/descriptor.proto.

extension ProtoDescriptorSet {
    struct RawField {
        var name = ""
        var number: Int32 = 0
        var label: Int32 = 1
        var type: Int32 = 0
        var typeName: String?
        var jsonName: String?
        var defaultValue: String?
        var oneofIndex: Int?
        var proto3Optional = false
        var packed: Bool?
        var jsType: Int32?
    }

    struct RawEnum {
        var name = ""
        var values: [ProtoEnumDescriptor.Value] = []
        var reservedRanges: [ProtoReservedRange] = []
        var reservedNames: [String] = []
    }

    struct RawMessage {
        var name = ""
        var fields: [RawField] = []
        var nested: [RawMessage] = []
        var enums: [RawEnum] = []
        var oneofs: [String] = []
        var reservedRanges: [ProtoReservedRange] = []
        var reservedNames: [String] = []
        var extensionRanges: [ProtoReservedRange] = []
        var mapEntry = false
        var messageSetWireFormat = false
    }

    struct RawFile {
        var name = ""
        var package = ""
        var dependencies: [String] = []
        var messages: [RawMessage] = []
        var enums: [RawEnum] = []
        var syntax = ""
        var hasEdition = false
    }

    /// Iterates the fields of one encoded message, handing each to `body` with a reader positioned on its value.
    private static func forEachField(
        _ bytes: UnsafeRawBufferPointer, context: @autoclosure () -> String,
        _ body: (UInt32, ProtoWireType, inout ProtoWireReader) throws(ProtoDescriptorError) -> Bool
    ) throws(ProtoDescriptorError) {
        var reader = ProtoWireReader(bytes)
        do {
            while !reader.isAtEnd {
                let (number, wireType) = try reader.readTag()
                if try !body(number, wireType, &reader) {
                    try reader.skipValue(wireType: wireType, fieldNumber: number)
                }
            }
        } catch let e as ProtoWireError {
            throw ProtoDescriptorError("malformed descriptor set in \(context()): \(e)")
        } catch let e as ProtoDescriptorError {
            throw e
        } catch {
            throw ProtoDescriptorError("malformed descriptor set in \(context())")
        }
    }

    private static func string(_ r: inout ProtoWireReader, _ wt: ProtoWireType, _ ctx: String) throws(ProtoDescriptorError) -> String {
        let b = try bytesValue(&r, wt, ctx)
        guard let s = String(validating: b, as: UTF8.self) else {
            throw ProtoDescriptorError("malformed descriptor set in \(ctx): string is not valid UTF-8")
        }
        return s
    }

    private static func bytesValue(_ r: inout ProtoWireReader, _ wt: ProtoWireType, _ ctx: String) throws(ProtoDescriptorError) -> UnsafeRawBufferPointer {
        guard wt == .lengthDelimited else {
            throw ProtoDescriptorError("malformed descriptor set in \(ctx): expected length-delimited, found \(wt)")
        }
        do { return try r.readLengthDelimited().bytes } catch {
            throw ProtoDescriptorError("malformed descriptor set in \(ctx): \(error)")
        }
    }

    private static func int(_ r: inout ProtoWireReader, _ wt: ProtoWireType, _ ctx: String) throws(ProtoDescriptorError) -> Int32 {
        guard wt == .varint else {
            throw ProtoDescriptorError("malformed descriptor set in \(ctx): expected varint, found \(wt)")
        }
        do { return Int32(truncatingIfNeeded: try r.readVarint()) } catch {
            throw ProtoDescriptorError("malformed descriptor set in \(ctx): \(error)")
        }
    }

    static func readFiles(_ buf: UnsafeRawBufferPointer) throws(ProtoDescriptorError) -> [RawFile] {
        var files: [RawFile] = []
        try forEachField(buf, context: "FileDescriptorSet") { (n, wt, r) throws(ProtoDescriptorError) -> Bool in
            guard n == 1 else { return false }
            files.append(try readFile(try bytesValue(&r, wt, "FileDescriptorSet.file")))
            return true
        }
        return files
    }

    private static func readFile(_ buf: UnsafeRawBufferPointer) throws(ProtoDescriptorError) -> RawFile {
        var f = RawFile()
        try forEachField(buf, context: "file \(f.name)") { (n, wt, r) throws(ProtoDescriptorError) -> Bool in
            let ctx = "file \(f.name)"
            switch n {
            case 1: f.name = try string(&r, wt, ctx)
            case 2: f.package = try string(&r, wt, ctx)
            case 3: f.dependencies.append(try string(&r, wt, ctx))
            case 4: f.messages.append(try readMessage(try bytesValue(&r, wt, ctx), ctx))
            case 5: f.enums.append(try readEnum(try bytesValue(&r, wt, ctx), ctx))
            case 12: f.syntax = try string(&r, wt, ctx)
            case 14: _ = try int(&r, wt, ctx); f.hasEdition = true
            default: return false
            }
            return true
        }
        return f
    }

    private static func readRange(_ buf: UnsafeRawBufferPointer, endExclusive: Bool, _ ctx: String) throws(ProtoDescriptorError) -> ProtoReservedRange {
        var start: Int32 = 0
        var end: Int32 = 0
        try forEachField(buf, context: ctx) { (n, wt, r) throws(ProtoDescriptorError) -> Bool in
            switch n {
            case 1: start = try int(&r, wt, ctx)
            case 2: end = try int(&r, wt, ctx)
            default: return false
            }
            return true
        }
        return ProtoReservedRange(start, endExclusive ? end &- 1 : end)
    }

    private static func readMessage(_ buf: UnsafeRawBufferPointer, _ outer: String) throws(ProtoDescriptorError) -> RawMessage {
        var m = RawMessage()
        try forEachField(buf, context: "\(outer) message \(m.name)") { (n, wt, r) throws(ProtoDescriptorError) -> Bool in
            let ctx = "\(outer) message \(m.name)"
            switch n {
            case 1: m.name = try string(&r, wt, ctx)
            case 2: m.fields.append(try readField(try bytesValue(&r, wt, ctx), ctx))
            case 3: m.nested.append(try readMessage(try bytesValue(&r, wt, ctx), ctx))
            case 4: m.enums.append(try readEnum(try bytesValue(&r, wt, ctx), ctx))
            case 5: m.extensionRanges.append(try readRange(try bytesValue(&r, wt, ctx), endExclusive: true, ctx))
            case 7:
                try forEachField(try bytesValue(&r, wt, ctx), context: ctx) { (on, owt, or) throws(ProtoDescriptorError) -> Bool in
                    switch on {
                    case 1: m.messageSetWireFormat = try int(&or, owt, ctx) != 0
                    case 7: m.mapEntry = try int(&or, owt, ctx) != 0
                    default: return false
                    }
                    return true
                }
            case 8:
                var name = ""
                try forEachField(try bytesValue(&r, wt, ctx), context: ctx) { (on, owt, or) throws(ProtoDescriptorError) -> Bool in
                    guard on == 1 else { return false }
                    name = try string(&or, owt, ctx)
                    return true
                }
                m.oneofs.append(name)
            case 9: m.reservedRanges.append(try readRange(try bytesValue(&r, wt, ctx), endExclusive: true, ctx))
            case 10: m.reservedNames.append(try string(&r, wt, ctx))
            default: return false
            }
            return true
        }
        return m
    }

    private static func readField(_ buf: UnsafeRawBufferPointer, _ outer: String) throws(ProtoDescriptorError) -> RawField {
        var f = RawField()
        try forEachField(buf, context: "\(outer) field \(f.name)") { (n, wt, r) throws(ProtoDescriptorError) -> Bool in
            let ctx = "\(outer) field \(f.name)"
            switch n {
            case 1: f.name = try string(&r, wt, ctx)
            case 3: f.number = try int(&r, wt, ctx)
            case 4: f.label = try int(&r, wt, ctx)
            case 5: f.type = try int(&r, wt, ctx)
            case 6: f.typeName = try string(&r, wt, ctx)
            case 7: f.defaultValue = try string(&r, wt, ctx)
            case 8:
                try forEachField(try bytesValue(&r, wt, ctx), context: ctx) { (on, owt, or) throws(ProtoDescriptorError) -> Bool in
                    switch on {
                    case 2: f.packed = try int(&or, owt, ctx) != 0
                    case 6: f.jsType = try int(&or, owt, ctx)
                    default: return false
                    }
                    return true
                }
            case 9: f.oneofIndex = Int(try int(&r, wt, ctx))
            case 10: f.jsonName = try string(&r, wt, ctx)
            case 17: f.proto3Optional = try int(&r, wt, ctx) != 0
            default: return false
            }
            return true
        }
        return f
    }

    private static func readEnum(_ buf: UnsafeRawBufferPointer, _ outer: String) throws(ProtoDescriptorError) -> RawEnum {
        var e = RawEnum()
        try forEachField(buf, context: "\(outer) enum \(e.name)") { (n, wt, r) throws(ProtoDescriptorError) -> Bool in
            let ctx = "\(outer) enum \(e.name)"
            switch n {
            case 1: e.name = try string(&r, wt, ctx)
            case 2:
                var name = ""
                var number: Int32 = 0
                try forEachField(try bytesValue(&r, wt, ctx), context: ctx) { (vn, vwt, vr) throws(ProtoDescriptorError) -> Bool in
                    switch vn {
                    case 1: name = try string(&vr, vwt, ctx)
                    case 2: number = try int(&vr, vwt, ctx)
                    default: return false
                    }
                    return true
                }
                e.values.append(.init(name: name, number: number))
            case 4: e.reservedRanges.append(try readRange(try bytesValue(&r, wt, ctx), endExclusive: false, ctx))
            case 5: e.reservedNames.append(try string(&r, wt, ctx))
            default: return false
            }
            return true
        }
        return e
    }

    // MARK: resolution

    init(rawFiles: [RawFile]) throws(ProtoDescriptorError) {
        var files: [ProtoFileDescriptor] = []
        var messages: [String: ProtoMessageDescriptor] = [:]
        var enums: [String: ProtoEnumDescriptor] = [:]
        var fileNames: Set<String> = []
        // Pass 1: declare every type so that references can be resolved in any order.
        var pending: [(file: RawFile, scope: String, message: RawMessage)] = []
        for file in rawFiles {
            guard !file.hasEdition, file.syntax != "editions" else {
                throw ProtoDescriptorError("file \(file.name): protobuf editions are not supported (use proto2 or proto3)")
            }
            let syntax: ProtoSyntax
            switch file.syntax {
            case "", "proto2": syntax = .proto2
            case "proto3": syntax = .proto3
            default: throw ProtoDescriptorError("file \(file.name): unknown syntax \"\(file.syntax)\"")
            }
            guard fileNames.insert(file.name).inserted else {
                throw ProtoDescriptorError("file \(file.name) appears twice in the descriptor set")
            }
            var messageNames: [String] = []
            var enumNames: [String] = []
            func declareEnum(_ e: RawEnum, scope: String) throws(ProtoDescriptorError) {
                let full = scope.isEmpty ? e.name : scope + "." + e.name
                guard enums[full] == nil, messages[full] == nil else {
                    throw ProtoDescriptorError("file \(file.name): type \(full) is defined twice")
                }
                enums[full] = ProtoEnumDescriptor(
                    fullName: full, fileName: file.name, values: e.values, isClosed: syntax == .proto2,
                    reservedRanges: e.reservedRanges, reservedNames: e.reservedNames)
                enumNames.append(full)
            }
            func declareMessage(_ m: RawMessage, scope: String) throws(ProtoDescriptorError) {
                let full = scope.isEmpty ? m.name : scope + "." + m.name
                guard enums[full] == nil, messages[full] == nil else {
                    throw ProtoDescriptorError("file \(file.name): type \(full) is defined twice")
                }
                // Placeholder; fields are resolved in pass 2.
                messages[full] = ProtoMessageDescriptor(fullName: full, fileName: file.name, syntax: syntax, fields: [])
                messageNames.append(full)
                pending.append((file, scope, m))
                for e in m.enums { try declareEnum(e, scope: full) }
                for n in m.nested { try declareMessage(n, scope: full) }
            }
            for e in file.enums { try declareEnum(e, scope: file.package) }
            for m in file.messages { try declareMessage(m, scope: file.package) }
            files.append(ProtoFileDescriptor(
                name: file.name, package: file.package, dependencies: file.dependencies, syntax: syntax,
                messageNames: messageNames, enumNames: enumNames))
        }
        for file in files {
            for dep in file.dependencies where !fileNames.contains(dep) {
                throw ProtoDescriptorError(
                    "file \(file.name) imports \(dep), which is not in the descriptor set (build it with protoc --include_imports)")
            }
        }
        // Pass 2: fields, with type names resolved.
        for (file, scope, raw) in pending {
            let full = scope.isEmpty ? raw.name : scope + "." + raw.name
            let syntax: ProtoSyntax = file.syntax == "proto3" ? .proto3 : .proto2
            var fields: [ProtoFieldDescriptor] = []
            var numbers: Set<Int32> = []
            for rf in raw.fields {
                let where_ = "file \(file.name): message \(full) field \(rf.name)"
                guard let type = ProtoFieldType(rawValue: rf.type) else {
                    throw ProtoDescriptorError("\(where_): unknown field type \(rf.type)")
                }
                guard let label = ProtoFieldLabel(rawValue: rf.label) else {
                    throw ProtoDescriptorError("\(where_): unknown label \(rf.label)")
                }
                guard rf.number >= 1, rf.number <= 0x1FFF_FFFF, !(19000...19999).contains(rf.number) else {
                    throw ProtoDescriptorError("\(where_): invalid field number \(rf.number)")
                }
                guard numbers.insert(rf.number).inserted else {
                    throw ProtoDescriptorError("\(where_): field number \(rf.number) is used twice")
                }
                var typeName: String?
                if type == .message || type == .group || type == .enum {
                    guard let written = rf.typeName else {
                        throw ProtoDescriptorError("\(where_): \(type) field without a type name")
                    }
                    guard let resolved = Self.resolve(written, from: full, messages: messages, enums: enums) else {
                        throw ProtoDescriptorError("\(where_): type \(written) is not defined in the descriptor set (missing import?)")
                    }
                    let isEnum = enums[resolved] != nil
                    guard isEnum == (type == .enum) else {
                        throw ProtoDescriptorError("\(where_): type \(written) is \(isEnum ? "an enum" : "a message"), declared as \(type)")
                    }
                    typeName = resolved
                }
                if let oi = rf.oneofIndex, oi < 0 || oi >= raw.oneofs.count {
                    throw ProtoDescriptorError("\(where_): oneof index \(oi) out of range")
                }
                fields.append(ProtoFieldDescriptor(
                    name: rf.name, number: rf.number, label: label, type: type, typeName: typeName,
                    jsonName: rf.jsonName, defaultValue: rf.defaultValue, oneofIndex: rf.oneofIndex,
                    isProto3Optional: rf.proto3Optional, packedOption: rf.packed, jsType: rf.jsType))
            }
            messages[full] = ProtoMessageDescriptor(
                fullName: full, fileName: file.name, syntax: syntax, fields: fields, oneofs: raw.oneofs,
                reservedRanges: raw.reservedRanges, reservedNames: raw.reservedNames, isMapEntry: raw.mapEntry,
                messageSetWireFormat: raw.messageSetWireFormat, extensionRanges: raw.extensionRanges)
        }
        self.files = files
        self.messages = messages
        self.enums = enums
    }

    /// Resolves a type reference the way protoc does: a leading dot means fully qualified; otherwise the name
    /// is looked up in the scope of `from`, then each enclosing scope outward.
    static func resolve(_ name: String, from scope: String, messages: [String: ProtoMessageDescriptor],
                        enums: [String: ProtoEnumDescriptor]) -> String? {
        func exists(_ n: String) -> Bool { messages[n] != nil || enums[n] != nil }
        if name.hasPrefix(".") {
            let n = String(name.dropFirst())
            return exists(n) ? n : nil
        }
        var parts = scope.split(separator: ".").map(String.init)
        while true {
            let candidate = parts.isEmpty ? name : parts.joined(separator: ".") + "." + name
            if exists(candidate) { return candidate }
            if parts.isEmpty { return nil }
            parts.removeLast()
        }
    }
}
