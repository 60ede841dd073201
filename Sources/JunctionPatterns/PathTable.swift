/// The field paths the rules mention, as a graph the event reader walks key by key.
///
/// A node stands for a dotted path prefix that ends at a key boundary (`detail`, `detail.amount`).
/// Edges are keyed by (parent node, event key bytes). A key may itself contain dots: the path
/// `a.b.c` is reachable as `{"a":{"b":{"c":…}}}`, `{"a.b":{"c":…}}` or `{"a":{"b.c":…}}` (EventBridge
/// treats dotted pattern keys as paths). Every path the event reader does not find here is skipped
/// without being decoded.
final class PathTable: Sendable {
    /// For each node, the path id of the field ending here, or -1.
    let pathIDs: [Int32]
    /// For each node, whether longer paths continue below it.
    let hasChildren: [Bool]
    /// (parent node as tag, key) → child node.
    let edges: ByteKeyTable
    /// For each node, a bit per key length (63 for 63 and longer) its children's keys have: most
    /// event keys no rule mentions are rejected by this test without hashing.
    let childKeyLengths: [UInt64]
    /// The dotted path of each path id.
    let paths: [String]

    static let root: Int32 = 0

    /// Builds the table for `paths` (index = path id).
    init(paths: [String]) {
        var nodeOf: [String: Int32] = ["": 0]
        var pathIDs: [Int32] = [-1]
        var hasChildren: [Bool] = [false]
        var edgeEntries: [(tag: UInt32, key: [UInt8], value: Int32)] = []
        var lengths: [Int32: UInt64] = [:]
        var seenEdges: Set<[UInt8]> = []
        func node(_ prefix: String) -> Int32 {
            if let existing = nodeOf[prefix] { return existing }
            let id = Int32(pathIDs.count)
            nodeOf[prefix] = id
            pathIDs.append(-1)
            hasChildren.append(false)
            return id
        }
        for (pathID, path) in paths.enumerated() {
            let bytes = Array(path.utf8)
            // Boundaries: end offsets of every dotted prefix (the full path included).
            var ends: [Int] = []
            for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: ".") { ends.append(offset) }
            ends.append(bytes.count)
            let nodes = ends.map { node(String(decoding: bytes[0..<$0], as: UTF8.self)) }
            pathIDs[Int(nodes[nodes.count - 1])] = Int32(pathID)
            for index in 0..<(nodes.count - 1) { hasChildren[Int(nodes[index])] = true }
            if nodes.count > 1 { hasChildren[0] = true }
            hasChildren[0] = true
            // Edges from the root and from every prefix node to every longer prefix node.
            for to in 0..<nodes.count {
                for from in -1..<to {
                    let parent: Int32 = from < 0 ? 0 : nodes[from]
                    let keyStart = from < 0 ? 0 : ends[from] + 1
                    let key = Array(bytes[keyStart..<ends[to]])
                    var identity = withUnsafeBytes(of: parent) { Array($0) }
                    identity += key
                    if seenEdges.insert(identity).inserted {
                        edgeEntries.append((UInt32(bitPattern: parent), key, nodes[to]))
                        lengths[parent, default: 0] |= 1 << UInt64(min(key.count, 63))
                    }
                }
            }
        }
        self.pathIDs = pathIDs
        self.hasChildren = hasChildren
        self.edges = ByteKeyTable(edgeEntries)
        self.childKeyLengths = (0..<Int32(pathIDs.count)).map { lengths[$0] ?? 0 }
        self.paths = paths
    }

    /// Bytes held by the table's storage (path strings included).
    var memoryBytes: Int {
        pathIDs.capacity * 4 + hasChildren.capacity + childKeyLengths.capacity * 8 + edges.memoryBytes + paths.reduce(paths.capacity * 16) { $0 + $1.utf8.count }
    }

    /// The child of `node` for an event key, or -1 when no rule looks there.
    @inline(__always)
    func child(of node: Int32, key: UnsafeRawBufferPointer) -> Int32 {
        if childKeyLengths[Int(node)] & (1 << UInt64(min(key.count, 63))) == 0 { return -1 }
        return edges.lookup(tag: UInt32(bitPattern: node), key: key)
    }
}
