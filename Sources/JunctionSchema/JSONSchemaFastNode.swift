import JunctionJSON

/// The byte-level tables of one compiled (sub)schema, built once next to its ``JSONSchemaNode`` so that
/// ``JSONSchemaRecognizer`` can check an instance on its UTF-8 bytes without building strings or trees:
/// property names as bytes (with a bit per name that `required`/`dependentRequired` track), `enum`/`const`
/// literals in comparable form, and flags that pick the evaluation strategy for arrays and objects.
final class JSONSchemaFastNode: Sendable {
    /// A JSON Schema literal (`enum` member or `const`) in the form the recognizer compares scalars against.
    enum Literal: Sendable {
        case null
        case bool(Bool)
        case number(int64: Int64?, double: Double)
        /// UTF-8 bytes, whether they are all ASCII, and the string (for canonical-equivalence comparison).
        case string(bytes: [UInt8], ascii: Bool, text: String)
        /// An array or object: never equal to a scalar.
        case container

        init(_ value: JSONValue) {
            switch value {
            case .null: self = .null
            case .bool(let b): self = .bool(b)
            case .number(let n): self = .number(int64: n.int64, double: n.double)
            case .string(let s): self = .string(bytes: Array(s.utf8), ascii: s.utf8.allSatisfy { $0 < 0x80 }, text: s)
            case .array, .object: self = .container
            }
        }
    }

    /// A property name the object check must recognise: a `properties` entry, a `required` name or a
    /// `dependentRequired` name (one entry per distinct name under Swift `String` equality, which is what the
    /// tree validator's look-ups use).
    struct Key: Sendable {
        var bytes: [UInt8]
        var text: String
        var ascii: Bool
        /// The `properties` subschema, if the name has one.
        var property: Int?
        /// The presence bit (0 when neither `required` nor `dependentRequired` names it).
        var bit: UInt64
    }

    /// The node follows a `$ref` and has no other assertion: evaluate the target directly.
    let pureRef: Int?
    /// Arrays and objects under this node are handed to the tree validator: `enum`/`const` (which compare whole
    /// values), `uniqueItems`, or more tracked names / pattern properties than the 64-bit masks hold.
    let containersUseTree: Bool
    /// The node has `$ref` (besides other assertions), `allOf`, `anyOf`, `oneOf`, `not` or `if`: arrays and
    /// objects are scanned once for the node's own keywords, then rescanned once per subschema.
    let hasApplicators: Bool
    /// Recognised property names.
    let keys: [Key]
    /// The ASCII names of `keys`, concatenated, and where each one is (`entry` indexes `keys`): plain data, so
    /// that a look-up touches no reference-counted value.
    let asciiNames: [UInt8]
    let asciiEntries: [(offset: Int, count: Int, entry: Int)]
    /// `keys[i].bit` and `keys[i].property ?? -1`, as plain data.
    let bits: [UInt64]
    let properties: [Int]
    /// The node has `patternProperties`.
    let hasPatternProperties: Bool
    /// Whether every recognised name is ASCII (then ASCII keys are compared as bytes only).
    let keysAllASCII: Bool
    /// Bits of the `required` names.
    let requiredMask: UInt64
    /// `dependentRequired`: when the `trigger` bit is present, all `needs` bits must be.
    let dependencies: [(trigger: UInt64, needs: UInt64)]
    /// `const`, as a literal.
    let constLiteral: Literal?
    /// `enum`, as literals.
    let enumLiterals: [Literal]?

    init(_ node: JSONSchemaNode) {
        var keys: [Key] = []
        var position: [String: Int] = [:]
        func entry(_ name: String) -> Int {
            if let i = position[name] { return i }
            keys.append(Key(bytes: Array(name.utf8), text: name, ascii: name.utf8.allSatisfy { $0 < 0x80 }, property: nil, bit: 0))
            position[name] = keys.count - 1
            return keys.count - 1
        }
        var nextBit = 0
        var overflow = false
        func bit(_ name: String) -> UInt64 {
            let i = entry(name)
            if keys[i].bit != 0 { return keys[i].bit }
            guard nextBit < 64 else { overflow = true; return 0 }
            keys[i].bit = 1 << UInt64(nextBit)
            nextBit += 1
            return keys[i].bit
        }
        // Sorted so that the table does not depend on dictionary order.
        for (name, target) in node.properties.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            keys[entry(name)].property = target
        }
        var required: UInt64 = 0
        for r in node.required { required |= bit(r) }
        var dependencies: [(UInt64, UInt64)] = []
        for (p, needs) in node.dependentRequired {
            var mask: UInt64 = 0
            for r in needs { mask |= bit(r) }
            dependencies.append((bit(p), mask))
        }
        self.keys = keys
        var names: [UInt8] = []
        var entries: [(offset: Int, count: Int, entry: Int)] = []
        for (i, k) in keys.enumerated() where k.ascii {
            entries.append((names.count, k.bytes.count, i))
            names.append(contentsOf: k.bytes)
        }
        self.asciiNames = names
        self.asciiEntries = entries
        self.bits = keys.map(\.bit)
        self.properties = keys.map { $0.property ?? -1 }
        self.hasPatternProperties = !node.patternProperties.isEmpty
        self.keysAllASCII = keys.allSatisfy(\.ascii)
        self.requiredMask = required
        self.dependencies = dependencies
        self.constLiteral = node.const.map(Literal.init)
        self.enumLiterals = node.enumValues.map { $0.map(Literal.init) }
        self.containersUseTree = node.const != nil || node.enumValues != nil || node.uniqueItems || overflow
            || node.patternProperties.count > 64
        self.hasApplicators = node.ref != nil || !node.allOf.isEmpty || !node.anyOf.isEmpty || !node.oneOf.isEmpty
            || node.not != nil || node.ifNode != nil
        self.pureRef = Self.isPureRef(node) ? node.ref : nil
    }

    /// True when `node` has a `$ref` and no keyword the tree validator would evaluate besides it.
    static func isPureRef(_ n: JSONSchemaNode) -> Bool {
        n.ref != nil && !n.alwaysFalse && n.types == nil && n.properties.isEmpty && n.required.isEmpty
            && n.additionalProperties == nil && n.patternProperties.isEmpty && n.propertyNames == nil
            && n.minProperties == nil && n.maxProperties == nil && n.dependentRequired.isEmpty && n.prefixItems.isEmpty
            && n.items == nil && n.contains == nil && n.minItems == nil && n.maxItems == nil && !n.uniqueItems
            && n.enumValues == nil && n.const == nil && n.minimum == nil && n.maximum == nil && n.exclusiveMinimum == nil
            && n.exclusiveMaximum == nil && n.multipleOf == nil && n.minLength == nil && n.maxLength == nil
            && n.pattern == nil && n.format == nil && n.allOf.isEmpty && n.anyOf.isEmpty && n.oneOf.isEmpty
            && n.not == nil && n.ifNode == nil
    }
}
