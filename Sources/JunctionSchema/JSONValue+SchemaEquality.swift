import JunctionJSON

extension JSONValue {
    /// JSON Schema equality: numbers by value (`1 == 1.0`), objects regardless of member order (last duplicate
    /// wins), arrays element-wise.
    func schemaEquals(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)):
            if let x = a.int64, let y = b.int64 { return x == y }
            return a.double == b.double
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where !x.schemaEquals(y) { return false }
            return true
        case (.object(let a), .object(let b)):
            let ka = Set(a.keys)
            guard ka == Set(b.keys) else { return false }
            for k in ka where !(a[k]!.schemaEquals(b[k]!)) { return false }
            return true
        default: return false
        }
    }

    /// The JSON Schema type name of the value ("integer" for integral numbers).
    var schemaTypeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let n): return n.isInteger ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
