/// Every value test that leaves one automaton state on one field path, indexed together.
///
/// The tests of all rules that share the state are merged: exact values (strings, numbers by value,
/// booleans, null) and case-folded values are hash lookups; prefixes and suffixes are hash lookups of
/// the value's prefixes/suffixes at each length some rule uses; numeric ranges are a segment index. So
/// the cost of one value does not grow with the number of rules. Wildcard, regexp, cidr and the
/// anything-but family are evaluated one by one (their cost grows with their count).
final class FieldMatcher: Sendable {
    // The fields read for every value come first, so that a matcher holding only exact values
    // is read from one or two cache lines; the rarer indexes hang off optional objects.
    private let existsList: Int32
    private let exact: ByteKeyTable
    /// Target states of tests with several; `listStarts[i]..<listStarts[i+1]` indexes `listItems`.
    /// A test's code is a list index (>= 0) or, for a single target state s, -(s + 2); -1 is "none".
    private let listStarts: [Int32]
    private let listItems: [Int32]
    private let strings: StringIndex?
    private let numeric: NumericIndex?
    private let linear: [ValueMatcher]
    private let linearLists: [Int32]

    /// Builds the index for (test, target state) pairs.
    init(_ pairs: [(ValueMatcher, Int32)], slab: Slab? = nil) {
        var order: [ValueMatcher] = []
        var targetsOf: [ValueMatcher: [Int32]] = [:]
        for (matcher, target) in pairs {
            if targetsOf[matcher] == nil { order.append(matcher) }
            targetsOf[matcher, default: []].append(target)
        }
        var starts: [Int32] = [0]
        var items: [Int32] = []
        var exactEntries: [(tag: UInt32, key: [UInt8], value: Int32)] = []
        var foldEntries: [(tag: UInt32, key: [UInt8], value: Int32)] = []
        var prefixEntries: [(tag: UInt32, key: [UInt8], value: Int32)] = []
        var suffixEntries: [(tag: UInt32, key: [UInt8], value: Int32)] = []
        var prefixFoldEntries: [(tag: UInt32, key: [UInt8], value: Int32)] = []
        var suffixFoldEntries: [(tag: UInt32, key: [UInt8], value: Int32)] = []
        var numericEntries: [(NumericRange, Int32)] = []
        var networkEntries: [(tag: UInt32, key: [UInt8], value: Int32)] = []
        var existsList: Int32 = -1
        var linear: [ValueMatcher] = []
        var linearLists: [Int32] = []
        for matcher in order {
            var targets = targetsOf[matcher]!
            targets.sort()
            var unique: [Int32] = []
            for target in targets where unique.last != target { unique.append(target) }
            // A test with one target state stores it inline (as -(state + 2)); others index a list.
            let list: Int32
            if unique.count == 1 {
                list = -(unique[0] + 2)
            } else {
                list = Int32(starts.count - 1)
                items += unique
                starts.append(Int32(items.count))
            }
            switch matcher {
            case .exact(let key):
                exactEntries.append((UInt32(key[0]), Array(key.dropFirst()), list))
            case .equalsIgnoreCase(let folded):
                foldEntries.append((1, folded, list))
            case .prefix(let bytes):
                prefixEntries.append((1, bytes, list))
            case .suffix(let bytes):
                suffixEntries.append((1, bytes, list))
            case .prefixIgnoreCase(let bytes):
                prefixFoldEntries.append((1, bytes, list))
            case .suffixIgnoreCase(let bytes):
                suffixFoldEntries.append((1, bytes, list))
            case .numeric(let range):
                numericEntries.append((range, list))
            case .exists:
                existsList = list
            case .cidr(let network):
                networkEntries.append((FieldMatcher.networkTag(network.isIPv6, network.prefixLength), network.keyBytes, list))
            case .wildcard, .anythingBut, .regexp:
                linear.append(matcher)
                linearLists.append(list)
            }
        }
        listStarts = starts
        listItems = items
        exact = ByteKeyTable(exactEntries, slab: slab)
        strings = StringIndex(ignoreCase: foldEntries, prefixes: prefixEntries, suffixes: suffixEntries,
                              prefixesIgnoreCase: prefixFoldEntries, suffixesIgnoreCase: suffixFoldEntries,
                              networks: networkEntries, slab: slab)
        numeric = numericEntries.isEmpty ? nil : NumericIndex(numericEntries)
        self.existsList = existsList
        self.linear = linear
        self.linearLists = linearLists
    }

    static func networkTag(_ isIPv6: Bool, _ length: Int) -> UInt32 {
        (isIPv6 ? 256 : 0) | UInt32(length)
    }

    /// Bytes held by this matcher (an estimate for the linear matchers' own storage).
    var memoryBytes: Int {
        var total = 96 + listStarts.capacity * 4 + listItems.capacity * 4 + exact.memoryBytes
        total += strings?.memoryBytes ?? 0
        total += numeric?.memoryBytes ?? 0
        total += linear.capacity * MemoryLayout<ValueMatcher>.stride + linearLists.capacity * 4
        return total
    }

    @inline(__always)
    private func emit(_ list: Int32, into output: inout ScratchBuffer<Int32>) {
        if list < -1 {
            output.append(-(list + 2))
            return
        }
        let start = Int(listStarts[Int(list)])
        let end = Int(listStarts[Int(list) + 1])
        for index in start..<end { output.append(listItems[index]) }
    }

    /// Appends the target states of every test `value` passes (possibly with repeats) to `output`.
    /// `folded` is scratch storage for the case-folded value.
    @inline(__always)
    func collect(_ value: FieldValue, into output: inout ScratchBuffer<Int32>, folded: inout [UInt8]) {
        if existsList != -1 { emit(existsList, into: &output) }
        switch value.type {
        case .string:
            if !exact.isEmpty {
                let list = exact.lookup(tag: 1, key: value.bytes)
                if list != -1 { emit(list, into: &output) }
            }
            if let strings { strings.collect(value.bytes, folded: &folded) { emit($0, into: &output) } }
        case .number:
            if !exact.isEmpty {
                var bits = ExactKey.normalizedBits(value.number).littleEndian
                let list = withUnsafeBytes(of: &bits) { exact.lookup(tag: 2, key: UnsafeRawBufferPointer($0)) }
                if list != -1 { emit(list, into: &output) }
            }
            if let numeric {
                numeric.forEachMatch(value.number) { emit($0, into: &output) }
            }
        case .true, .false, .null:
            if !exact.isEmpty {
                let list = exact.lookup(tag: UInt32(value.type.rawValue), key: UnsafeRawBufferPointer(start: nil, count: 0))
                if list != -1 { emit(list, into: &output) }
            }
        }
        if !linear.isEmpty {
            for index in 0..<linear.count where linear[index].matches(value) {
                emit(linearLists[index], into: &output)
            }
        }
    }
}
