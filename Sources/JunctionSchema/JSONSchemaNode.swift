import JunctionJSON

/// One compiled (sub)schema. Subschemas are referenced by index into ``JSONSchema``'s node table, which is what
/// makes `$ref` cycles harmless.
struct JSONSchemaNode: Sendable {
    static let typeNull: UInt8 = 1, typeBoolean: UInt8 = 2, typeObject: UInt8 = 4, typeArray: UInt8 = 8
    static let typeNumber: UInt8 = 16, typeString: UInt8 = 32, typeInteger: UInt8 = 64

    var pointer: String
    var alwaysFalse = false
    var types: UInt8?
    var properties: [String: Int] = [:]
    var required: [String] = []
    var additionalProperties: Int?
    var patternProperties: [(regex: JSONSchemaRegex, node: Int)] = []
    var propertyNames: Int?
    var minProperties: Int?
    var maxProperties: Int?
    var dependentRequired: [(property: String, requires: [String])] = []
    var prefixItems: [Int] = []
    var items: Int?
    var contains: Int?
    var minContains: Int?
    var maxContains: Int?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false
    var enumValues: [JSONValue]?
    var const: JSONValue?
    var minimum: JSONNumber?
    var maximum: JSONNumber?
    var exclusiveMinimum: JSONNumber?
    var exclusiveMaximum: JSONNumber?
    var multipleOf: JSONNumber?
    var minLength: Int?
    var maxLength: Int?
    var pattern: JSONSchemaRegex?
    var format: JSONSchemaFormat?
    var allOf: [Int] = []
    var anyOf: [Int] = []
    var oneOf: [Int] = []
    var not: Int?
    var ifNode: Int?
    var thenNode: Int?
    var elseNode: Int?
    var ref: Int?
    var refTarget: String?

    init(pointer: String) { self.pointer = pointer }

    static func typeBit(_ name: String) -> UInt8? {
        switch name {
        case "null": return typeNull
        case "boolean": return typeBoolean
        case "object": return typeObject
        case "array": return typeArray
        case "number": return typeNumber
        case "string": return typeString
        case "integer": return typeInteger
        default: return nil
        }
    }

    static func typeNames(_ bits: UInt8) -> [String] {
        let all = ["null", "boolean", "object", "array", "number", "string", "integer"]
        return all.enumerated().filter { bits & (1 << UInt8($0.offset)) != 0 }.map(\.element)
    }
}
