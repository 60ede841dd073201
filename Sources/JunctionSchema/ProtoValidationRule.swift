/// The rule a protobuf payload broke. The raw value is the stable, machine-readable name used in reject reasons.
public enum ProtoValidationRule: String, Sendable, Equatable, Hashable, CaseIterable {
    /// Bytes end inside a tag, value or length-delimited payload, or a length prefix overruns its container.
    case truncated = "truncated"
    /// Malformed framing: invalid wire type 6/7, field number 0, varint over 10 bytes, unmatched group tags.
    case malformed = "malformed"
    /// The wire type does not match the declared field type.
    case wireType = "wire-type"
    /// A varint outside the declared type's range (int32/uint32/sint32/enum), or a bool other than 0/1.
    case varintRange = "varint-range"
    /// A string field that is not valid UTF-8.
    case utf8 = "utf8"
    /// A number that is not a value of a closed (proto2) enum.
    case enumValue = "enum-value"
    /// A proto2 required field is missing.
    case required = "required"
    /// An undeclared field number while unknown fields are rejected.
    case unknownField = "unknown-field"
    /// Nesting deeper than ``ProtoValidationOptions/maxDepth``.
    case depth = "depth"
    /// Payload larger than ``ProtoValidationOptions/maxBytes``.
    case size = "size"
    /// A packed payload whose length is not a multiple of the element size.
    case packedLength = "packed-length"
}
