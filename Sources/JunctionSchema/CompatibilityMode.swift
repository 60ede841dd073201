/// A subject's compatibility policy, checked when a new version is registered.
public enum CompatibilityMode: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// Consumers on the new schema can read data written with the latest previous version (default).
    case backward = "BACKWARD"
    /// As ``backward``, against every previous version.
    case backwardTransitive = "BACKWARD_TRANSITIVE"
    /// Consumers on the latest previous version can read data written with the new schema.
    case forward = "FORWARD"
    /// As ``forward``, against every previous version.
    case forwardTransitive = "FORWARD_TRANSITIVE"
    /// Both ``backward`` and ``forward`` against the latest previous version.
    case full = "FULL"
    /// Both directions against every previous version.
    case fullTransitive = "FULL_TRANSITIVE"
    /// No check.
    case none = "NONE"

    /// The default mode of a new subject.
    public static let `default` = CompatibilityMode.backward

    /// Parses a mode name, case-insensitively, with `-` or `_` separators.
    public init?(name: String) {
        let normalized = String(name.uppercased().map { $0 == "-" ? "_" : $0 })
        self.init(rawValue: normalized)
    }

    /// True when new readers must read old data.
    public var checksBackward: Bool { [.backward, .backwardTransitive, .full, .fullTransitive].contains(self) }
    /// True when old readers must read new data.
    public var checksForward: Bool { [.forward, .forwardTransitive, .full, .fullTransitive].contains(self) }
    /// True when every previous version is checked, not only the latest.
    public var isTransitive: Bool { [.backwardTransitive, .forwardTransitive, .fullTransitive].contains(self) }

    public var description: String { rawValue }
}
