/// A parsed `google.protobuf.FileDescriptorSet` (as written by `protoc --descriptor_set_out --include_imports`),
/// with every type reference resolved to a fully qualified name inside the set.
public struct ProtoDescriptorSet: Sendable, Equatable {
    /// Files in the order they appear in the set.
    public internal(set) var files: [ProtoFileDescriptor]
    /// Every message of every file, by fully qualified name (no leading dot).
    public internal(set) var messages: [String: ProtoMessageDescriptor]
    /// Every enum of every file, by fully qualified name (no leading dot).
    public internal(set) var enums: [String: ProtoEnumDescriptor]

    /// Parses a serialized `FileDescriptorSet`. Fails when the bytes are malformed, when a file imports a file
    /// that is not in the set, when a type name does not resolve, or when a file uses editions.
    public static func parse(_ bytes: [UInt8]) throws(ProtoDescriptorError) -> ProtoDescriptorSet {
        let raw = bytes.withUnsafeBytes { buf in
            Result { () throws(ProtoDescriptorError) -> [RawFile] in try ProtoDescriptorSet.readFiles(buf) }
        }
        return try ProtoDescriptorSet(rawFiles: raw.get())
    }

    /// Creates a set from already-built descriptors (used by tests and tooling). Type names must be fully qualified.
    public init(files: [ProtoFileDescriptor], messages: [ProtoMessageDescriptor], enums: [ProtoEnumDescriptor]) {
        self.files = files
        self.messages = Dictionary(messages.map { ($0.fullName, $0) }, uniquingKeysWith: { a, _ in a })
        self.enums = Dictionary(enums.map { ($0.fullName, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The message called `name` (a leading dot is accepted).
    public func message(named name: String) -> ProtoMessageDescriptor? {
        messages[name.hasPrefix(".") ? String(name.dropFirst()) : name]
    }

    /// The enum called `name` (a leading dot is accepted).
    public func enumType(named name: String) -> ProtoEnumDescriptor? {
        enums[name.hasPrefix(".") ? String(name.dropFirst()) : name]
    }

    /// The file called `name`.
    public func file(named name: String) -> ProtoFileDescriptor? { files.first { $0.name == name } }

    /// Fully qualified names of all messages reachable from `root` through message, group and map fields
    /// (the root included), in a stable breadth-first order.
    public func reachableMessages(from root: String) -> [String] {
        var seen: Set<String> = []
        var order: [String] = []
        var queue = [root]
        while let name = queue.first {
            queue.removeFirst()
            guard !seen.contains(name), let m = messages[name] else { continue }
            seen.insert(name)
            order.append(name)
            for f in m.fields where f.type == .message || f.type == .group {
                if let t = f.typeName, !seen.contains(t) { queue.append(t) }
            }
        }
        return order
    }

    /// Fully qualified names of all enums used by the messages reachable from `root`, sorted.
    public func reachableEnums(from root: String) -> [String] {
        var out: Set<String> = []
        for name in reachableMessages(from: root) {
            for f in messages[name]?.fields ?? [] where f.type == .enum {
                if let t = f.typeName { out.insert(t) }
            }
        }
        return out.sorted()
    }
}
