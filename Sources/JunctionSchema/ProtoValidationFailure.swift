/// Why a protobuf payload is invalid: the field path (JSON names, from ``ProtoValidationOptions/rootPath``),
/// the rule, a human explanation and the byte offset.
public struct ProtoValidationFailure: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The rule that was broken.
    public var rule: ProtoValidationRule
    /// Field path, e.g. `detail.order.amount` (map entries as `detail.labels[key]`).
    public var path: String
    /// What is wrong, e.g. `expected varint (int64), found length-delimited`.
    public var reason: String
    /// Byte offset in the payload where the problem was found.
    public var offset: Int

    /// Creates a failure.
    public init(rule: ProtoValidationRule, path: String, reason: String, offset: Int) {
        self.rule = rule
        self.path = path
        self.reason = reason
        self.offset = offset
    }

    /// `<path>: <reason>`, e.g. `detail.order.amount: expected varint (int64), found length-delimited`.
    public var description: String { "\(path): \(reason)" }
}
