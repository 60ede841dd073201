/// Flat lookup tables a ``ProtoMessageValidator`` compiles its descriptor into. Plain values and raw pointers
/// only, so the walker touches no reference counts and allocates nothing.
struct ProtoCompiledTables {
    struct Field {
        var number: UInt32
        var type: UInt8          // ProtoFieldType raw value
        var flags: UInt8
        var requiredBit: UInt8
        var kind: UInt8          // dispatch class, see `Kind`
        var target: Int32        // message index (message/group) or enum index (enum), else -1
        var jsonName: Int32      // name index
        var protoName: Int32     // name index
        var index: Int32         // own index in `fields`; -1 in the sentinel of an unused number

        static let missing = Field(number: 0, type: 0, flags: 0, requiredBit: 0, kind: 0, target: -1, jsonName: -1,
                                   protoName: -1, index: -1)

        /// Dispatch classes: what the walker must check, decided once at compile time.
        enum Kind {
            static let varint: UInt8 = 0        // int64, uint64, sint64: any 64-bit varint
            static let varint32: UInt8 = 1      // int32, open enum: sign-extended int32
            static let varintU32: UInt8 = 2     // uint32, sint32: below 2^32
            static let bool: UInt8 = 3          // 0 or 1
            static let closedEnum: UInt8 = 4    // declared value of a closed enum
            static let fixed64: UInt8 = 5
            static let fixed32: UInt8 = 6
            static let string: UInt8 = 7
            static let bytes: UInt8 = 8
            static let message: UInt8 = 9
            static let group: UInt8 = 10

            static func of(_ type: ProtoFieldType, closedEnum: Bool) -> UInt8 {
                switch type {
                case .int64, .uint64, .sint64: return varint
                case .int32: return varint32
                case .enum: return closedEnum ? Kind.closedEnum : varint32
                case .uint32, .sint32: return varintU32
                case .bool: return bool
                case .fixed64, .sfixed64, .double: return fixed64
                case .fixed32, .sfixed32, .float: return fixed32
                case .string: return string
                case .bytes: return bytes
                case .message: return message
                case .group: return group
                }
            }
        }

        static let repeated: UInt8 = 1
        static let required: UInt8 = 2
        static let closedEnum: UInt8 = 4
        static let mapField: UInt8 = 8
    }

    struct Message {
        var fieldStart: Int32
        var fieldCount: Int32
        var denseStart: Int32     // index into `lookup` of number 0, or -1 when fields are binary-searched
        var denseMax: UInt32
        var requiredMask: UInt64
        var isMapEntry: Bool
        var fullName: Int32       // name index
    }

    struct Enum {
        var valueStart: Int32     // into enumValues / enumValueNames (sorted by number, distinct)
        var valueCount: Int32
        var isClosed: Bool
        var fullName: Int32
    }

    struct Name {
        var start: Int32
        var count: Int32
    }

    let fields: UnsafePointer<Field>
    let messages: UnsafePointer<Message>
    /// Dense per-message tables from field number to a copy of the field (``Field/missing`` for gaps), so the
    /// hot loop resolves a tag with one load.
    let lookup: UnsafePointer<Field>
    let enums: UnsafePointer<Enum>
    let enumValues: UnsafePointer<Int32>
    let enumValueNames: UnsafePointer<Int32>
    let names: UnsafePointer<Name>
    let namePool: UnsafePointer<UInt8>

    /// The UTF-8 bytes of name `index`.
    @inline(__always)
    func name(_ index: Int32) -> UnsafeRawBufferPointer {
        let n = names[Int(index)]
        return UnsafeRawBufferPointer(start: namePool + Int(n.start), count: Int(n.count))
    }

    func nameString(_ index: Int32) -> String { String(decoding: name(index), as: UTF8.self) }

    /// The field with `number` in message `m`, or ``Field/missing``.
    @inline(__always)
    func field(_ m: Message, _ number: UInt32) -> Field {
        if m.denseStart >= 0 {
            guard number <= m.denseMax else { return .missing }
            return lookup[Int(m.denseStart) &+ Int(number)]
        }
        var lo = Int(m.fieldStart)
        var hi = lo + Int(m.fieldCount) - 1
        while lo <= hi {
            let mid = (lo + hi) >> 1
            let n = fields[mid].number
            if n == number { return fields[mid] }
            if n < number { lo = mid + 1 } else { hi = mid - 1 }
        }
        return .missing
    }

    /// Index of the field with `number` in message `m`, or -1.
    @inline(__always)
    func fieldIndex(_ m: Message, _ number: UInt32) -> Int { Int(field(m, number).index) }

    /// Position of `value` among enum `e`'s values, or -1.
    @inline(__always)
    func enumPosition(_ e: Enum, _ value: Int32) -> Int {
        var lo = Int(e.valueStart)
        var hi = lo + Int(e.valueCount) - 1
        while lo <= hi {
            let mid = (lo + hi) >> 1
            let v = enumValues[mid]
            if v == value { return mid }
            if v < value { lo = mid + 1 } else { hi = mid - 1 }
        }
        return -1
    }
}
