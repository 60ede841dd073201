/// A malformed protobuf encoding found by ``ProtoWireReader``.
public struct ProtoWireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the bytes.
    public enum Kind: Sendable, Equatable {
        /// The input ends inside a tag, a value or a length-delimited payload.
        case truncated
        /// A varint longer than 10 bytes, or whose 10th byte carries bits beyond 64.
        case varintOverflow
        /// A tag with wire type 6 or 7.
        case invalidWireType(UInt8)
        /// A tag with field number 0 or above 2^29-1.
        case invalidFieldNumber(UInt64)
        /// A length prefix that runs past the end of the input.
        case lengthOutOfBounds(UInt64)
    }

    /// The kind of problem.
    public var kind: Kind
    /// Byte offset in the input where the problem starts.
    public var offset: Int

    /// Creates an error of `kind` at `offset`.
    public init(_ kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// A one-line explanation, e.g. "offset 12: truncated input".
    public var description: String {
        switch kind {
        case .truncated: return "offset \(offset): truncated input"
        case .varintOverflow: return "offset \(offset): varint longer than 10 bytes or overflowing 64 bits"
        case .invalidWireType(let t): return "offset \(offset): invalid wire type \(t)"
        case .invalidFieldNumber(let n): return "offset \(offset): invalid field number \(n)"
        case .lengthOutOfBounds(let n): return "offset \(offset): length \(n) runs past the end of the input"
        }
    }
}
