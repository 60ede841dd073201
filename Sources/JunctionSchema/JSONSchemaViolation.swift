/// Why a JSON instance does not conform: the instance path and the reason.
public struct JSONSchemaViolation: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Instance path from ``JSONSchemaOptions/rootPath``, e.g. `detail.lines[2].sku`.
    public var path: String
    /// The keyword that failed, e.g. `required`, `type`, `maximum`.
    public var keyword: String
    /// What is wrong, e.g. `expected integer, found string`.
    public var reason: String

    /// Creates a violation.
    public init(path: String, keyword: String, reason: String) {
        self.path = path
        self.keyword = keyword
        self.reason = reason
    }

    /// `<path>: <reason>`.
    public var description: String { "\(path): \(reason)" }
}
