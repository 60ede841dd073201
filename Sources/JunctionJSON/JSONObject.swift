/// A JSON object: its members in source order.
///
/// Duplicate keys are preserved (``JSONParseOptions/rejectDuplicateKeys`` makes the parser refuse them);
/// the key subscript returns the last member with that key, as most JSON readers do.
public struct JSONObject: Sendable, Equatable, Hashable {
    /// One `"key": value` member.
    public struct Member: Sendable, Equatable, Hashable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members in source order.
    public var members: [Member]

    public init(members: [Member] = []) {
        self.members = members
    }

    /// Builds an object from key/value pairs, in the given order.
    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        self.members = pairs.map { Member(key: $0.key, value: $0.value) }
    }

    /// The value of the last member with this key.
    public subscript(key: String) -> JSONValue? {
        for member in members.reversed() where member.key == key {
            return member.value
        }
        return nil
    }

    /// The keys in source order (duplicates included).
    public var keys: [String] {
        members.map(\.key)
    }

    /// The number of members.
    public var count: Int { members.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }
}
