import JunctionJSON

/// The facts about one schema node that ``JSONSchemaRecognizer`` reads for every value, as plain data (no
/// references, so reading them costs no reference counting): flags that pick the path, the type bits, the
/// `$ref` to follow, and the scalar bounds. Nodes whose scalar checks are only these (`simpleScalar`) are
/// checked on scalars without touching the node's other tables.
struct JSONSchemaNodeSummary: Sendable {
    /// A numeric bound with its value read once: `JSONNumber.int64` parses the spelling on every call.
    struct Bound: Sendable {
        var double: Double
        var int64: Int64?
        init(_ n: JSONNumber) {
            double = n.double
            int64 = n.int64
        }
    }

    var alwaysFalse: Bool
    /// The `type` bits, 0 when the node has no `type`.
    var types: UInt8
    /// The target of a node that is only a `$ref`, else -1.
    var pureRef: Int
    /// Scalars need only `types`, the numeric bounds and the length bounds below.
    var simpleScalar: Bool
    /// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`, each read once.
    var minimum: Bound?, maximum: Bound?, exclusiveMinimum: Bound?, exclusiveMaximum: Bound?, multipleOf: Bound?
    /// Any of the numeric bounds is present.
    var hasNumericBounds: Bool
    /// `minLength`, `maxLength`, -1 when absent.
    var minLength: Int, maxLength: Int

    init(_ node: JSONSchemaNode, _ fast: JSONSchemaFastNode) {
        alwaysFalse = node.alwaysFalse
        types = node.types ?? 0
        pureRef = fast.pureRef ?? -1
        simpleScalar = !fast.hasApplicators && node.const == nil && node.enumValues == nil && node.pattern == nil
            && node.format == nil && (node.types ?? 1) != 0
        minimum = node.minimum.map(Bound.init)
        maximum = node.maximum.map(Bound.init)
        exclusiveMinimum = node.exclusiveMinimum.map(Bound.init)
        exclusiveMaximum = node.exclusiveMaximum.map(Bound.init)
        multipleOf = node.multipleOf.map(Bound.init)
        hasNumericBounds = minimum != nil || maximum != nil || exclusiveMinimum != nil || exclusiveMaximum != nil || multipleOf != nil
        minLength = node.minLength ?? -1
        maxLength = node.maxLength ?? -1
    }
}
