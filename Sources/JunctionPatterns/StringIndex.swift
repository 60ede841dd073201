/// The string tests of a ``FieldMatcher`` beyond exact values: case-folded values, prefixes and
/// suffixes (plain and case-folded), and cidr networks. Each is a hash table probed once per distinct
/// key length (or prefix length) present, so the cost does not grow with the number of rules.
final class StringIndex: Sendable {
    private let ignoreCase: ByteKeyTable
    private let prefixes: ByteKeyTable
    private let prefixLengths: [Int]
    private let suffixes: ByteKeyTable
    private let suffixLengths: [Int]
    private let prefixesIgnoreCase: ByteKeyTable
    private let prefixIgnoreCaseLengths: [Int]
    private let suffixesIgnoreCase: ByteKeyTable
    private let suffixIgnoreCaseLengths: [Int]
    /// Networks keyed by (family and prefix length as tag, masked address bytes).
    private let networks: ByteKeyTable
    /// The distinct (isIPv6, prefix length) pairs present, probed in turn.
    private let networkShapes: [(Bool, Int)]
    private let needsFolding: Bool

    typealias Entries = [(tag: UInt32, key: [UInt8], value: Int32)]

    /// Builds the index, or returns nil when there is nothing to index.
    init?(ignoreCase: Entries, prefixes: Entries, suffixes: Entries, prefixesIgnoreCase: Entries,
          suffixesIgnoreCase: Entries, networks: Entries, slab: Slab? = nil) {
        if ignoreCase.isEmpty, prefixes.isEmpty, suffixes.isEmpty, prefixesIgnoreCase.isEmpty,
           suffixesIgnoreCase.isEmpty, networks.isEmpty {
            return nil
        }
        self.ignoreCase = ByteKeyTable(ignoreCase, slab: slab)
        self.prefixes = ByteKeyTable(prefixes, slab: slab)
        prefixLengths = Set(prefixes.map(\.key.count)).sorted()
        self.suffixes = ByteKeyTable(suffixes, slab: slab)
        suffixLengths = Set(suffixes.map(\.key.count)).sorted()
        self.prefixesIgnoreCase = ByteKeyTable(prefixesIgnoreCase, slab: slab)
        prefixIgnoreCaseLengths = Set(prefixesIgnoreCase.map(\.key.count)).sorted()
        self.suffixesIgnoreCase = ByteKeyTable(suffixesIgnoreCase, slab: slab)
        suffixIgnoreCaseLengths = Set(suffixesIgnoreCase.map(\.key.count)).sorted()
        self.networks = ByteKeyTable(networks, slab: slab)
        networkShapes = Set(networks.map(\.tag)).sorted().map { ($0 >= 256, Int($0 & 0xFF)) }
        needsFolding = !ignoreCase.isEmpty || !prefixesIgnoreCase.isEmpty || !suffixesIgnoreCase.isEmpty
    }

    var memoryBytes: Int {
        var total = 256
        for table in [ignoreCase, prefixes, suffixes, prefixesIgnoreCase, suffixesIgnoreCase, networks] {
            total += table.memoryBytes
        }
        total += (prefixLengths.capacity + suffixLengths.capacity + prefixIgnoreCaseLengths.capacity + suffixIgnoreCaseLengths.capacity) * 8
        return total + networkShapes.capacity * 16
    }

    /// Calls `body` with the code of every test the string `bytes` passes. `folded` is scratch for the
    /// case-folded value.
    @inline(__always)
    func collect(_ bytes: UnsafeRawBufferPointer, folded: inout [UInt8], _ body: (Int32) -> Void) {
        if !networks.isEmpty, let address = IPNetwork.parseAddress(bytes) {
            for (isIPv6, length) in networkShapes where isIPv6 == address.isIPv6 {
                var key = IPNetwork.maskedKey(high: address.high, low: address.low, length: length, isIPv6: isIPv6)
                let list = withUnsafeBytes(of: &key) { networks.lookup(tag: FieldMatcher.networkTag(isIPv6, length), key: $0) }
                if list != -1 { body(list) }
            }
        }
        Self.probePrefixes(prefixes, prefixLengths, bytes, body)
        Self.probeSuffixes(suffixes, suffixLengths, bytes, body)
        if needsFolding {
            CaseFolding.fold(bytes, into: &folded)
            folded.withUnsafeBytes { foldedBytes in
                if !ignoreCase.isEmpty {
                    let list = ignoreCase.lookup(tag: 1, key: foldedBytes)
                    if list != -1 { body(list) }
                }
                Self.probePrefixes(prefixesIgnoreCase, prefixIgnoreCaseLengths, foldedBytes, body)
                Self.probeSuffixes(suffixesIgnoreCase, suffixIgnoreCaseLengths, foldedBytes, body)
            }
        }
    }

    @inline(__always)
    private static func probePrefixes(_ table: ByteKeyTable, _ lengths: [Int], _ bytes: UnsafeRawBufferPointer, _ body: (Int32) -> Void) {
        for length in lengths {
            if length > bytes.count { break }
            let list = table.lookup(tag: 1, key: UnsafeRawBufferPointer(rebasing: bytes[0..<length]))
            if list != -1 { body(list) }
        }
    }

    @inline(__always)
    private static func probeSuffixes(_ table: ByteKeyTable, _ lengths: [Int], _ bytes: UnsafeRawBufferPointer, _ body: (Int32) -> Void) {
        for length in lengths {
            if length > bytes.count { break }
            let list = table.lookup(tag: 1, key: UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - length)...]))
            if list != -1 { body(list) }
        }
    }
}
