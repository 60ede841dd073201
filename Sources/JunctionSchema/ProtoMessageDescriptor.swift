/// One message type of a descriptor set, with its fields in declaration order.
public struct ProtoMessageDescriptor: Sendable, Equatable, Hashable {
    /// Fully qualified name without the leading dot, e.g. `shop.v1.Order.Line`.
    public var fullName: String
    /// The file that declares the message.
    public var fileName: String
    /// The syntax of that file.
    public var syntax: ProtoSyntax
    /// Fields in declaration order.
    public var fields: [ProtoFieldDescriptor]
    /// Names of the oneofs, indexed by ``ProtoFieldDescriptor/oneofIndex``.
    public var oneofs: [String]
    /// Reserved field number ranges (inclusive).
    public var reservedRanges: [ProtoReservedRange]
    /// Reserved field names.
    public var reservedNames: [String]
    /// True for the synthetic entry message of a `map<K, V>` field.
    public var isMapEntry: Bool
    /// The `message_set_wire_format` option.
    public var messageSetWireFormat: Bool
    /// Extension ranges (inclusive); numbers inside are extensions, not unknown fields.
    public var extensionRanges: [ProtoReservedRange]

    /// Creates a message descriptor.
    public init(
        fullName: String, fileName: String, syntax: ProtoSyntax, fields: [ProtoFieldDescriptor],
        oneofs: [String] = [], reservedRanges: [ProtoReservedRange] = [], reservedNames: [String] = [],
        isMapEntry: Bool = false, messageSetWireFormat: Bool = false, extensionRanges: [ProtoReservedRange] = []
    ) {
        self.fullName = fullName
        self.fileName = fileName
        self.syntax = syntax
        self.fields = fields
        self.oneofs = oneofs
        self.reservedRanges = reservedRanges
        self.reservedNames = reservedNames
        self.isMapEntry = isMapEntry
        self.messageSetWireFormat = messageSetWireFormat
        self.extensionRanges = extensionRanges
    }

    /// The short name (last component of ``fullName``).
    public var name: Substring { fullName.split(separator: ".").last ?? Substring(fullName) }

    /// The field with `number`, if declared.
    public func field(number: Int32) -> ProtoFieldDescriptor? { fields.first { $0.number == number } }

    /// The field with `name`, if declared.
    public func field(named name: String) -> ProtoFieldDescriptor? { fields.first { $0.name == name } }

    /// True when `number` is reserved.
    public func isReserved(number: Int32) -> Bool { reservedRanges.contains { $0.contains(number) } }

    /// Whether writers encode `field` packed: repeated scalar numeric fields, packed by default in proto3 and
    /// only with `[packed = true]` in proto2. (Validators accept both encodings either way.)
    public func isPacked(_ field: ProtoFieldDescriptor) -> Bool {
        field.label == .repeated && field.type.isPackable && (field.packedOption ?? (syntax == .proto3))
    }
}
