/// One `.proto` file of a descriptor set.
public struct ProtoFileDescriptor: Sendable, Equatable, Hashable {
    /// The file path as given to protoc, e.g. `shop/v1/order.proto`.
    public var name: String
    /// The `package` statement, or "".
    public var package: String
    /// Imported file paths.
    public var dependencies: [String]
    /// proto2 or proto3.
    public var syntax: ProtoSyntax
    /// Fully qualified names of all messages declared in the file (nested ones included).
    public var messageNames: [String]
    /// Fully qualified names of all enums declared in the file (nested ones included).
    public var enumNames: [String]

    /// Creates a file descriptor.
    public init(name: String, package: String, dependencies: [String], syntax: ProtoSyntax,
                messageNames: [String], enumNames: [String]) {
        self.name = name
        self.package = package
        self.dependencies = dependencies
        self.syntax = syntax
        self.messageNames = messageNames
        self.enumNames = enumNames
    }
}
