extension ProtoDescriptorSet {
    /// A deterministic text rendering of everything that matters for validation and compatibility of message
    /// `root`: the messages and enums reachable from it, sorted by name, with every field attribute. Two
    /// descriptor sets with the same canonical text describe the same contract, whatever the file order,
    /// source info or unrelated types they carry.
    public func canonicalText(root: String) -> String {
        var out = "root \(root)\n"
        for name in reachableMessages(from: root).sorted() {
            let m = messages[name]!
            out += "message \(name) syntax=\(m.syntax.rawValue) file=\(m.fileName) package=\(file(named: m.fileName)?.package ?? "")"
            if m.isMapEntry { out += " map_entry" }
            if m.messageSetWireFormat { out += " message_set" }
            out += "\n"
            for f in m.fields.sorted(by: { $0.number < $1.number }) {
                out += "  field \(f.number) \(f.name) \(f.label) \(f.type)"
                if let t = f.typeName { out += " \(t)" }
                out += " json=\(f.jsonName)"
                if let o = f.oneofIndex { out += " oneof=\(m.oneofs[o])\(f.isProto3Optional ? "(synthetic)" : "")" }
                if let d = f.defaultValue { out += " default=\(d.debugDescription)" }
                if let p = f.packedOption { out += " packed=\(p)" }
                if let j = f.jsType { out += " jstype=\(j)" }
                out += "\n"
            }
            for r in m.reservedRanges.sorted(by: { $0.lowerBound < $1.lowerBound }) { out += "  reserved \(r)\n" }
            for n in m.reservedNames.sorted() { out += "  reserved \(n.debugDescription)\n" }
            for r in m.extensionRanges.sorted(by: { $0.lowerBound < $1.lowerBound }) { out += "  extensions \(r)\n" }
        }
        for name in reachableEnums(from: root) {
            let e = enums[name]!
            out += "enum \(name) \(e.isClosed ? "closed" : "open")\n"
            for v in e.values { out += "  value \(v.number) \(v.name)\n" }
            for r in e.reservedRanges.sorted(by: { $0.lowerBound < $1.lowerBound }) { out += "  reserved \(r)\n" }
            for n in e.reservedNames.sorted() { out += "  reserved \(n.debugDescription)\n" }
        }
        return out
    }
}
