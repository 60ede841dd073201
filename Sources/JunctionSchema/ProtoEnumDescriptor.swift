/// One enum type of a descriptor set.
public struct ProtoEnumDescriptor: Sendable, Equatable, Hashable {
    /// One named value.
    public struct Value: Sendable, Equatable, Hashable {
        /// The value name, e.g. `STATUS_OK`.
        public var name: String
        /// Its number.
        public var number: Int32
        /// Creates a value.
        public init(name: String, number: Int32) {
            self.name = name
            self.number = number
        }
    }

    /// Fully qualified name without the leading dot.
    public var fullName: String
    /// The file that declares the enum.
    public var fileName: String
    /// Values in declaration order (aliases included).
    public var values: [Value]
    /// Closed enums (proto2) reject unknown numbers; open enums (proto3) accept any int32.
    public var isClosed: Bool
    /// Reserved number ranges (inclusive).
    public var reservedRanges: [ProtoReservedRange]
    /// Reserved names.
    public var reservedNames: [String]

    /// Creates an enum descriptor.
    public init(
        fullName: String, fileName: String, values: [Value], isClosed: Bool,
        reservedRanges: [ProtoReservedRange] = [], reservedNames: [String] = []
    ) {
        self.fullName = fullName
        self.fileName = fileName
        self.values = values
        self.isClosed = isClosed
        self.reservedRanges = reservedRanges
        self.reservedNames = reservedNames
    }

    /// The first value with `number`.
    public func value(number: Int32) -> Value? { values.first { $0.number == number } }

    /// The value called `name`.
    public func value(named name: String) -> Value? { values.first { $0.name == name } }

    /// True when `number` is reserved.
    public func isReserved(number: Int32) -> Bool { reservedRanges.contains { $0.contains(number) } }
}
