/// A format-independent validation failure: `path` (e.g. `detail.order.amount`), `rule` (protobuf rule name such
/// as `wire-type`, or the JSON Schema keyword such as `required`), and the human `reason`.
public struct SchemaValidationFailure: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Field path.
    public var path: String
    /// Machine-readable rule.
    public var rule: String
    /// Human explanation.
    public var reason: String

    /// Creates a failure.
    public init(path: String, rule: String, reason: String) {
        self.path = path
        self.rule = rule
        self.reason = reason
    }

    /// `<path>: <reason>`.
    public var description: String { "\(path): \(reason)" }
}
