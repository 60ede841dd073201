/// One reason a schema change is incompatible: the rule (named as in docs/schemas.md; protobuf rules as buf
/// names them), where it happened, and what changed.
public struct CompatibilityViolation: Sendable, Equatable, Hashable, CustomStringConvertible, Codable {
    /// Which reader/writer pairing the violation breaks.
    public enum Direction: String, Sendable, Codable {
        /// New schema reading data written with an old one.
        case backward = "BACKWARD"
        /// Old schema reading data written with the new one.
        case forward = "FORWARD"
    }

    /// Rule name, e.g. `FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED` or `PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL`.
    public var rule: String
    /// Location: `message.field` for protobuf, a JSON pointer into the schema for JSON Schema.
    public var path: String
    /// What changed.
    public var message: String
    /// Direction that breaks.
    public var direction: Direction
    /// The previous version compared against, when known (set by the registry).
    public var version: Int?

    /// Creates a violation.
    public init(rule: String, path: String, message: String, direction: Direction = .backward, version: Int? = nil) {
        self.rule = rule
        self.path = path
        self.message = message
        self.direction = direction
        self.version = version
    }

    /// `RULE path: message` plus the direction and version, e.g.
    /// `FIELD_SAME_NAME shop.v1.Order.amount: field 2 renamed from amount to total (BACKWARD, version 3)`.
    public var description: String {
        let against = version.map { ", version \($0)" } ?? ""
        return "\(rule) \(path): \(message) (\(direction.rawValue)\(against))"
    }
}
