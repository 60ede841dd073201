/// Breaking-change rules for protobuf schemas: buf's WIRE_JSON category (names as buf uses them), applied to the
/// messages and enums reachable from the subject's message, plus `ENUM_SAME_TYPE` and Junction's
/// `ENUM_VALUE_NO_ADD_TO_CLOSED` (forward direction), because validators reject unknown values of closed enums.
public enum ProtoCompatibilityChecker {
    /// Rule names with a one-line description each (also in docs/schemas.md).
    public static let rules: [(name: String, description: String)] = [
        ("MESSAGE_NO_DELETE", "A message reachable from the subject's message must not be deleted (or renamed)."),
        ("FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED", "A deleted field's number must be reserved."),
        ("FIELD_NO_DELETE_UNLESS_NAME_RESERVED", "A deleted field's name must be reserved (JSON uses names)."),
        ("FIELD_SAME_NAME", "A field number keeps its name (JSON uses names)."),
        ("FIELD_SAME_JSON_NAME", "A field keeps its json_name."),
        ("FIELD_WIRE_JSON_COMPATIBLE_TYPE", "A field's type may only change between wire- and JSON-compatible types."),
        ("FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY", "Singular, repeated and map may not change into each other."),
        ("FIELD_SAME_ONEOF", "A field may not move into, out of, or between oneofs."),
        ("FIELD_SAME_DEFAULT", "A field's proto2 default value may not change."),
        ("MESSAGE_SAME_REQUIRED_FIELDS", "No required field may be added or deleted."),
        ("MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT", "message_set_wire_format may not change."),
        ("RESERVED_MESSAGE_NO_DELETE", "Reserved field ranges and names may not be removed."),
        ("ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED", "A deleted enum value's number must be reserved."),
        ("ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED", "A deleted enum value's name must be reserved (JSON uses names)."),
        ("ENUM_VALUE_SAME_NAME", "An enum number keeps its name(s)."),
        ("RESERVED_ENUM_NO_DELETE", "Reserved enum ranges and names may not be removed."),
        ("FILE_SAME_PACKAGE", "A file keeps its package."),
        ("ENUM_SAME_TYPE", "An enum may not switch between open (proto3) and closed (proto2)."),
        ("ENUM_VALUE_NO_ADD_TO_CLOSED", "Forward only: values added to a closed enum are rejected by old readers."),
    ]

    /// Checks the evolution from `previous` to `current` of message `messageName`. Rules describing schema
    /// evolution (deletions, reservations, renames, type changes) are reported with `direction`; the closed-enum
    /// addition rule only when `direction` is `.forward`.
    public static func check(
        previous: ProtoDescriptorSet, current: ProtoDescriptorSet, messageName: String,
        direction: CompatibilityViolation.Direction = .backward
    ) -> [CompatibilityViolation] {
        var out: [CompatibilityViolation] = []
        func add(_ rule: String, _ path: String, _ message: String) {
            out.append(CompatibilityViolation(rule: rule, path: path, message: message, direction: direction))
        }
        let root = messageName.hasPrefix(".") ? String(messageName.dropFirst()) : messageName
        for name in previous.reachableMessages(from: root) {
            let p = previous.messages[name]!
            guard let c = current.messages[name] else {
                add("MESSAGE_NO_DELETE", name, "message \(name) was deleted")
                continue
            }
            checkMessage(p, c, previous, current, add)
        }
        for name in previous.reachableEnums(from: root) {
            let p = previous.enums[name]!
            // A deleted enum surfaces as a field type change; only compare enums present in both.
            guard let c = current.enums[name] else { continue }
            checkEnum(p, c, direction, add)
        }
        var files = Set<String>()
        for name in previous.reachableMessages(from: root) { if let f = previous.messages[name]?.fileName { files.insert(f) } }
        for f in files.sorted() {
            guard let pf = previous.file(named: f), let cf = current.file(named: f) else { continue }
            if pf.package != cf.package {
                add("FILE_SAME_PACKAGE", f, "package changed from \"\(pf.package)\" to \"\(cf.package)\"")
            }
        }
        return out
    }

    static func cardinality(_ f: ProtoFieldDescriptor, _ set: ProtoDescriptorSet) -> String {
        guard f.label == .repeated else { return "singular" }
        if f.type == .message, let t = f.typeName, set.messages[t]?.isMapEntry == true { return "map" }
        return "repeated"
    }

    static func checkMessage(
        _ p: ProtoMessageDescriptor, _ c: ProtoMessageDescriptor, _ ps: ProtoDescriptorSet, _ cs: ProtoDescriptorSet,
        _ add: (String, String, String) -> Void
    ) {
        let name = p.fullName
        for pf in p.fields {
            let path = "\(name).\(pf.name)"
            guard let cf = c.field(number: pf.number) else {
                if !c.isReserved(number: pf.number) {
                    add("FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED", path, "field \(pf.number) (\(pf.name)) was deleted without reserving its number")
                }
                if !c.reservedNames.contains(pf.name) {
                    add("FIELD_NO_DELETE_UNLESS_NAME_RESERVED", path, "field \(pf.number) (\(pf.name)) was deleted without reserving its name")
                }
                continue
            }
            if pf.name != cf.name {
                add("FIELD_SAME_NAME", path, "field \(pf.number) was renamed from \(pf.name) to \(cf.name)")
            }
            if pf.jsonName != cf.jsonName {
                add("FIELD_SAME_JSON_NAME", path, "field \(pf.number) changed json_name from \(pf.jsonName) to \(cf.jsonName)")
            }
            if let problem = typeChange(pf, cf, ps, cs) {
                add("FIELD_WIRE_JSON_COMPATIBLE_TYPE", path, problem)
            }
            let pc = cardinality(pf, ps)
            let cc = cardinality(cf, cs)
            if pc != cc {
                add("FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY", path, "field \(pf.number) changed from \(pc) to \(cc)")
            }
            let po = pf.realOneofIndex.map { p.oneofs[$0] }
            let co = cf.realOneofIndex.map { c.oneofs[$0] }
            if po != co {
                let from = po.map { "oneof \($0)" } ?? "no oneof"
                let to = co.map { "oneof \($0)" } ?? "no oneof"
                add("FIELD_SAME_ONEOF", path, "field \(pf.number) moved from \(from) to \(to)")
            }
            if pf.defaultValue != cf.defaultValue, pf.defaultValue != nil || cf.defaultValue != nil {
                add("FIELD_SAME_DEFAULT", path, "field \(pf.number) default changed from \(pf.defaultValue ?? "(none)") to \(cf.defaultValue ?? "(none)")")
            }
        }
        let pRequired = Set(p.fields.filter { $0.label == .required }.map(\.number))
        let cRequired = Set(c.fields.filter { $0.label == .required }.map(\.number))
        for n in cRequired.subtracting(pRequired).sorted() {
            let f = c.field(number: n)!
            add("MESSAGE_SAME_REQUIRED_FIELDS", "\(name).\(f.name)", "required field \(n) (\(f.name)) was added")
        }
        for n in pRequired.subtracting(cRequired).sorted() {
            let f = p.field(number: n)!
            add("MESSAGE_SAME_REQUIRED_FIELDS", "\(name).\(f.name)", "required field \(n) (\(f.name)) is no longer required")
        }
        if p.messageSetWireFormat != c.messageSetWireFormat {
            add("MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT", name, "message_set_wire_format changed to \(c.messageSetWireFormat)")
        }
        for r in p.reservedRanges where !c.reservedRanges.contains(where: { $0.covers(r) }) {
            add("RESERVED_MESSAGE_NO_DELETE", name, "reserved range \(r) was removed")
        }
        for n in p.reservedNames where !c.reservedNames.contains(n) {
            add("RESERVED_MESSAGE_NO_DELETE", name, "reserved name \(n) was removed")
        }
    }

    /// Returns why the type change from `p` to `c` breaks wire or JSON compatibility, or nil.
    static func typeChange(_ p: ProtoFieldDescriptor, _ c: ProtoFieldDescriptor, _ ps: ProtoDescriptorSet,
                           _ cs: ProtoDescriptorSet) -> String? {
        if p.type == c.type {
            switch p.type {
            case .message, .group:
                if p.typeName != c.typeName {
                    return "field \(p.number) changed type from \(p.typeName ?? "?") to \(c.typeName ?? "?")"
                }
            case .enum:
                if p.typeName != c.typeName {
                    // Allowed when the enum was moved: same short name and the old values are a subset.
                    let pShort = p.typeName?.split(separator: ".").last
                    let cShort = c.typeName?.split(separator: ".").last
                    let pe = p.typeName.flatMap { ps.enums[$0] }
                    let ce = c.typeName.flatMap { cs.enums[$0] }
                    let subset = pe.map { pe in
                        pe.values.allSatisfy { v in ce?.values.contains(v) ?? false }
                    } ?? false
                    if pShort != cShort || !subset {
                        return "field \(p.number) changed type from enum \(p.typeName ?? "?") to enum \(c.typeName ?? "?")"
                    }
                }
            default: break
            }
            return nil
        }
        let allowed: Set<[ProtoFieldType]> = [
            [.int32, .uint32], [.uint32, .int32], [.int64, .uint64], [.uint64, .int64],
            [.fixed32, .sfixed32], [.sfixed32, .fixed32], [.fixed64, .sfixed64], [.sfixed64, .fixed64],
        ]
        if allowed.contains([p.type, c.type]) { return nil }
        let describe: (ProtoFieldDescriptor) -> String = { f in
            switch f.type {
            case .message, .enum, .group: return "\(f.type) \(f.typeName ?? "?")"
            default: return "\(f.type)"
            }
        }
        return "field \(p.number) changed type from \(describe(p)) to \(describe(c))"
    }

    static func checkEnum(_ p: ProtoEnumDescriptor, _ c: ProtoEnumDescriptor, _ direction: CompatibilityViolation.Direction,
                          _ add: (String, String, String) -> Void) {
        let name = p.fullName
        if p.isClosed != c.isClosed {
            add("ENUM_SAME_TYPE", name, "enum changed from \(p.isClosed ? "closed" : "open") to \(c.isClosed ? "closed" : "open")")
        }
        var pNames: [Int32: Set<String>] = [:]
        for v in p.values { pNames[v.number, default: []].insert(v.name) }
        var cNames: [Int32: Set<String>] = [:]
        for v in c.values { cNames[v.number, default: []].insert(v.name) }
        for number in pNames.keys.sorted() {
            let names = pNames[number]!
            guard let now = cNames[number] else {
                let label = names.sorted().joined(separator: "/")
                if !c.isReserved(number: number) {
                    add("ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED", "\(name).\(label)", "enum value \(number) (\(label)) was deleted without reserving its number")
                }
                for n in names.sorted() where !c.reservedNames.contains(n) {
                    add("ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED", "\(name).\(n)", "enum value \(number) (\(n)) was deleted without reserving its name")
                }
                continue
            }
            for n in names.sorted() where !now.contains(n) {
                add("ENUM_VALUE_SAME_NAME", "\(name).\(n)", "enum value \(number) was renamed from \(n) to \(now.sorted().joined(separator: "/"))")
            }
        }
        for r in p.reservedRanges where !c.reservedRanges.contains(where: { $0.covers(r) }) {
            add("RESERVED_ENUM_NO_DELETE", name, "reserved range \(r) was removed")
        }
        for n in p.reservedNames where !c.reservedNames.contains(n) {
            add("RESERVED_ENUM_NO_DELETE", name, "reserved name \(n) was removed")
        }
        if direction == .forward, c.isClosed {
            for number in cNames.keys.sorted() where pNames[number] == nil {
                let label = cNames[number]!.sorted().joined(separator: "/")
                add("ENUM_VALUE_NO_ADD_TO_CLOSED", "\(name).\(label)", "value \(number) (\(label)) added to closed enum \(name); readers of the old version reject it")
            }
        }
    }
}
