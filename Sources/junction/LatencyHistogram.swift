/// A log-linear histogram of durations in nanoseconds: each power of two is
/// split into 64 buckets, so a reported percentile is within ~1.6% of the
/// true value. Fixed size, no allocation per record.
struct LatencyHistogram {
    private static let subBits = 6
    private static let subCount = 1 << subBits
    private var counts = [UInt64](repeating: 0, count: 64 * subCount)
    private(set) var total: UInt64 = 0
    private(set) var max: UInt64 = 0
    private(set) var min: UInt64 = .max

    private static func index(_ v: UInt64) -> Int {
        if v < UInt64(subCount) { return Int(v) }
        let exponent = 63 - v.leadingZeroBitCount          // position of the top bit
        let shift = exponent - subBits
        let mantissa = Int((v >> UInt64(shift)) & UInt64(subCount - 1))
        return (shift + 1) * subCount + mantissa
    }

    /// The largest value that falls in bucket `i` (so percentiles round up).
    private static func upperBound(_ i: Int) -> UInt64 {
        if i < subCount { return UInt64(i) }
        let shift = i / subCount - 1
        let mantissa = UInt64(i % subCount) | UInt64(subCount)
        return ((mantissa + 1) << UInt64(shift)) - 1
    }

    mutating func record(_ nanos: UInt64) {
        counts[Self.index(nanos)] += 1
        total += 1
        if nanos > max { max = nanos }
        if nanos < min { min = nanos }
    }

    mutating func merge(_ other: LatencyHistogram) {
        for i in counts.indices { counts[i] += other.counts[i] }
        total += other.total
        max = Swift.max(max, other.max)
        min = Swift.min(min, other.min)
    }

    /// The value at or below which `p` percent of the records are (0-100).
    func percentile(_ p: Double) -> UInt64 {
        guard total > 0 else { return 0 }
        let rank = UInt64((p / 100 * Double(total)).rounded(.up))
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() where c > 0 {
            seen += c
            if seen >= Swift.max(rank, 1) { return Swift.min(Self.upperBound(i), max) }
        }
        return max
    }
}
