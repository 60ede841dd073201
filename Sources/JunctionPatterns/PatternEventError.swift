/// Why an event's JSON could not be read: where (byte offset in the JSON given) and what.
public struct PatternEventError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the problem within the JSON bytes passed in.
    public var offset: Int
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "offset \(offset): \(message)" }
}
