/// The path of a visited value: one segment per field from the root message, named by JSON names. A view into
/// the walker's stack, valid only during ``ProtoFieldVisitor/visit(_:_:)``.
public struct ProtoFieldPath {
    struct Segment {
        var field: Int32
        var keyKind: UInt8      // 0 none, 1 string, 2 int, 3 uint, 4 bool
        var keyPointer: UnsafeRawPointer?
        var keyBits: UInt64     // string: byte count; numbers: value bits
    }

    let segments: UnsafePointer<Segment>
    let tables: ProtoCompiledTables
    /// Number of segments.
    public let count: Int

    init(segments: UnsafePointer<Segment>, count: Int, tables: ProtoCompiledTables) {
        self.segments = segments
        self.count = count
        self.tables = tables
    }

    /// The UTF-8 JSON name of segment `i` (no allocation).
    public func jsonName(at i: Int) -> UnsafeRawBufferPointer {
        tables.name(tables.fields[Int(segments[i].field)].jsonName)
    }

    /// The field number of segment `i`.
    public func fieldNumber(at i: Int) -> Int32 { Int32(bitPattern: tables.fields[Int(segments[i].field)].number) }

    /// The map key of segment `i` when that segment is a map field, else nil.
    public func mapKey(at i: Int) -> ProtoFieldValue? {
        let s = segments[i]
        switch s.keyKind {
        case 1: return .string(UnsafeRawBufferPointer(start: s.keyPointer, count: Int(s.keyBits)))
        case 2: return .int(Int64(bitPattern: s.keyBits))
        case 3: return .uint(s.keyBits)
        case 4: return .bool(s.keyBits != 0)
        default: return nil
        }
    }

    /// The path as text, e.g. `order.labels[env].amount` (allocates; for logs and tests).
    public var dotted: String {
        var out = ""
        for i in 0..<count {
            if i > 0 { out += "." }
            out += String(decoding: jsonName(at: i), as: UTF8.self)
            if let key = mapKey(at: i) {
                switch key {
                case .string(let b): out += "[\(String(decoding: b, as: UTF8.self))]"
                case .int(let v): out += "[\(v)]"
                case .uint(let v): out += "[\(v)]"
                case .bool(let v): out += "[\(v)]"
                default: break
                }
            }
        }
        return out
    }
}
