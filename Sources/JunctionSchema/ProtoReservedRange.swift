/// A reserved range of field or enum numbers, inclusive at both ends.
public struct ProtoReservedRange: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// First reserved number.
    public var lowerBound: Int32
    /// Last reserved number (inclusive).
    public var upperBound: Int32

    /// Creates an inclusive range.
    public init(_ lowerBound: Int32, _ upperBound: Int32) {
        self.lowerBound = lowerBound
        self.upperBound = upperBound
    }

    /// True when `number` is inside the range.
    public func contains(_ number: Int32) -> Bool { number >= lowerBound && number <= upperBound }

    /// True when every number of `other` is inside this range.
    public func covers(_ other: ProtoReservedRange) -> Bool {
        other.lowerBound >= lowerBound && other.upperBound <= upperBound
    }

    /// "5", or "5 to 9".
    public var description: String {
        lowerBound == upperBound ? "\(lowerBound)" : "\(lowerBound) to \(upperBound)"
    }
}
