/// A node behind an immutable reference, so that evaluation reads single fields in place instead of copying
/// (and retaining) the whole node.
final class JSONSchemaNodeBox: Sendable {
    let s: JSONSchemaNode
    init(_ s: JSONSchemaNode) { self.s = s }
}
