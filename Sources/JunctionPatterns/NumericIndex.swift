/// The numeric ranges of one field, indexed for stabbing queries.
///
/// Few ranges are scanned directly. Many ranges are cut into elementary segments (each endpoint, and
/// each open interval between consecutive endpoints); a value's segment is found by binary search and
/// carries the precomputed list of ranges containing it, so the cost does not grow with the number of
/// ranges. If the segment lists would get too large (many overlapping ranges), the index scans instead.
final class NumericIndex: Sendable {
    private let ranges: [NumericRange]
    private let rangeLists: [Int32]
    private let boundaries: [Double]
    private let segmentStarts: [Int32]   // count = 2 * boundaries.count + 2
    private let segmentItems: [Int32]    // list indices
    /// Every 8th boundary: a small first-level index searched before one cache line of `boundaries`.
    private let sampled: [Double]

    static let directScanLimit = 8
    static let maxSegmentItems = 1 << 22

    var isEmpty: Bool { ranges.isEmpty }

    init(_ entries: [(NumericRange, Int32)]) {
        ranges = entries.map(\.0)
        rangeLists = entries.map(\.1)
        guard entries.count > NumericIndex.directScanLimit else {
            boundaries = []
            segmentStarts = []
            segmentItems = []
            sampled = []
            return
        }
        var points = Set<Double>()
        for (range, _) in entries {
            points.insert(range.lower)
            points.insert(range.upper)
        }
        let sorted = points.sorted()
        let segmentCount = 2 * sorted.count + 1
        var perSegment = [[Int32]](repeating: [], count: segmentCount)
        var total = 0
        func position(_ value: Double) -> Int {
            var low = 0
            var high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if sorted[middle] < value { low = middle + 1 } else { high = middle }
            }
            return low
        }
        for (range, list) in entries {
            let lowIndex = position(range.lower)
            let highIndex = position(range.upper)
            // Segment 2i+1 is the point sorted[i]; segment 2i is the open interval below sorted[i].
            let first = 2 * lowIndex + (range.lowerInclusive ? 1 : 2)
            let last = 2 * highIndex + (range.upperInclusive ? 1 : 0)
            if first <= last {
                total += last - first + 1
                if total > NumericIndex.maxSegmentItems { break }
                for segment in first...last { perSegment[segment].append(list) }
            }
        }
        if total > NumericIndex.maxSegmentItems {
            boundaries = []
            segmentStarts = []
            segmentItems = []
            sampled = []
            return
        }
        var starts: [Int32] = [0]
        var items: [Int32] = []
        items.reserveCapacity(total)
        for segment in perSegment {
            items += segment
            starts.append(Int32(items.count))
        }
        boundaries = sorted
        sampled = stride(from: 0, to: sorted.count, by: 8).map { sorted[$0] }
        segmentStarts = starts
        segmentItems = items
    }

    var memoryBytes: Int {
        sampled.capacity * 8 + ranges.capacity * MemoryLayout<NumericRange>.stride + rangeLists.capacity * 4 + boundaries.capacity * 8
            + segmentStarts.capacity * 4 + segmentItems.capacity * 4
    }

    /// Calls `body` with the list index of every range containing `value`.
    @inline(__always)
    func forEachMatch(_ value: Double, _ body: (Int32) -> Void) {
        if value.isNaN || ranges.isEmpty { return }
        if boundaries.isEmpty {
            for index in 0..<ranges.count where ranges[index].contains(value) { body(rangeLists[index]) }
            return
        }
        // First level: the last sampled boundary below `value`; then at most 8 boundaries.
        var low = 0
        var high = sampled.count
        while low < high {
            let middle = (low + high) / 2
            if sampled[middle] < value { low = middle + 1 } else { high = middle }
        }
        // boundaries[(low - 1) * 8] < value <= boundaries[low * 8] (when they exist).
        low = max(0, (low - 1) * 8)
        let stop = min(low + 9, boundaries.count)
        while low < stop, boundaries[low] < value { low += 1 }
        let segment = low < boundaries.count && boundaries[low] == value ? 2 * low + 1 : 2 * low
        for index in Int(segmentStarts[segment])..<Int(segmentStarts[segment + 1]) { body(segmentItems[index]) }
    }
}
