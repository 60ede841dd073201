/// Why a JSON text was refused, and where.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    /// The byte offset of the problem in the input.
    public var offset: Int
    /// What is wrong, for example `expected ',' or '}' after object member`.
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// `offset 17: expected ',' or '}' after object member`.
    public var description: String { "offset \(offset): \(message)" }
}
