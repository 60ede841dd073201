/// A `FileDescriptorSet` that cannot be used: malformed bytes, unresolved imports or types, or a
/// message name that is not in the set.
public struct ProtoDescriptorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A human-readable explanation naming the file, message or field concerned.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// Same as ``message``.
    public var description: String { message }
}
