/// The facts about one schema node that ``JSONSchemaRecognizer`` reads for every value, as plain data (no
/// references, so reading them costs no reference counting): flags that pick the path, the type bits, the
/// `$ref` to follow, and the scalar bounds. Nodes whose scalar checks are only these (`simpleScalar`) are
/// checked on scalars without touching the node's other tables.
struct JSONSchemaNodeSummary: Sendable {
    /// A numeric bound, absent when `present` is false.
    struct Bound: Sendable {
        var present = false
        var double = 0.0
        var int64: Int64? = nil

        init(_ b: JSONSchemaFastNode.Bound?) {
            guard let b else { return }
            present = true
            double = b.double
            int64 = b.int64
        }
    }

    var alwaysFalse: Bool
    /// The `type` bits, 0 when the node has no `type`.
    var types: UInt8
    /// The target of a node that is only a `$ref`, else -1.
    var pureRef: Int
    /// Scalars need only `types`, the numeric bounds and the length bounds below.
    var simpleScalar: Bool
    var minimum: Bound, maximum: Bound, exclusiveMinimum: Bound, exclusiveMaximum: Bound, multipleOf: Bound
    /// `minLength`, `maxLength`, -1 when absent.
    var minLength: Int, maxLength: Int

    init(_ node: JSONSchemaNode, _ fast: JSONSchemaFastNode) {
        alwaysFalse = node.alwaysFalse
        types = node.types ?? 0
        pureRef = fast.pureRef ?? -1
        simpleScalar = !fast.hasApplicators && node.const == nil && node.enumValues == nil && node.pattern == nil
            && node.format == nil && (node.types ?? 1) != 0
        minimum = Bound(fast.minimum)
        maximum = Bound(fast.maximum)
        exclusiveMinimum = Bound(fast.exclusiveMinimum)
        exclusiveMaximum = Bound(fast.exclusiveMaximum)
        multipleOf = Bound(fast.multipleOf)
        minLength = node.minLength ?? -1
        maxLength = node.maxLength ?? -1
    }
}
