/// A visitor that ignores everything; `validate` uses it so the walker specializes to pure validation.
public struct ProtoNoopVisitor: ProtoFieldVisitor {
    /// Creates the visitor.
    public init() {}
    /// Values are never decoded for it.
    public static var wantsValues: Bool { false }
    /// Does nothing.
    @inlinable public mutating func visit(_ path: ProtoFieldPath, _ value: ProtoFieldValue) {}
}
