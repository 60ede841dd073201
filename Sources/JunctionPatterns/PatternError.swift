/// Why a pattern was refused: where (`path`, in pattern terms such as `detail.amount[0]`) and what.
public struct PatternError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The location in the pattern, for example `detail.amount[0]`; empty for the whole pattern.
    public var path: String
    /// What is wrong, for example `"numeric" needs pairs of an operator and a number`.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `detail.amount[0]: "numeric" needs pairs of an operator and a number`.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
