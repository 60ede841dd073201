/// Receives every scalar value the walker validates, with its path by JSON names. Repeated fields produce one
/// visit per element with the same path; map values are visited under the map field's segment carrying the key
/// (`labels[env]`); nested messages extend the path. Visiting allocates nothing: paths and byte values are views
/// into the walker's stack and the payload, valid only during the call.
public protocol ProtoFieldVisitor {
    /// False lets the walker skip value decoding it would only do for the visitor (map key look-ahead,
    /// enum name look-up). The default is true.
    static var wantsValues: Bool { get }
    /// Called once per scalar value.
    mutating func visit(_ path: ProtoFieldPath, _ value: ProtoFieldValue)
}

extension ProtoFieldVisitor {
    /// Visitors want values unless they say otherwise.
    public static var wantsValues: Bool { true }
}
