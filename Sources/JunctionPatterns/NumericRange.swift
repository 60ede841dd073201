/// A `numeric` condition: an interval over the whole `Double` range, each end open or closed
/// (`["=", x]` is the closed interval `[x, x]`).
struct NumericRange: Hashable, Sendable {
    var lower: Double = -.infinity
    var lowerInclusive = true
    var upper: Double = .infinity
    var upperInclusive = true

    @inline(__always)
    func contains(_ value: Double) -> Bool {
        if value.isNaN { return false }
        if lowerInclusive ? value < lower : value <= lower { return false }
        if upperInclusive ? value > upper : value >= upper { return false }
        return true
    }

    var description: String {
        "\(lowerInclusive ? "[" : "(")\(lower),\(upper)\(upperInclusive ? "]" : ")")"
    }
}
