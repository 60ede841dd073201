#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads JSON number spellings into `Double` without allocating: an exact fast path for up to 15
/// significant digits with a small decimal exponent (the common case), `strtod` otherwise (correctly
/// rounded over the whole `Double` range, ±infinity beyond it).
enum NumberParsing {
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The value of the number spelled by `bytes`, or nil when they are not a number.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        let count = bytes.count
        if count == 0 { return nil }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") { negative = true; index = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var sawDigit = false
        while index < count, bytes[index] &- 0x30 < 10 {
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 0x30)
                if mantissa != 0 { digits += 1 }
            } else {
                return slow(bytes)
            }
            sawDigit = true
            index += 1
        }
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < count, bytes[index] &- 0x30 < 10 {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 0x30)
                    if mantissa != 0 { digits += 1 }
                    fractionDigits += 1
                } else {
                    return slow(bytes)
                }
                sawDigit = true
                index += 1
            }
        }
        if !sawDigit { return nil }
        if index < count {
            // Exponent or junk: let the C library decide.
            return slow(bytes)
        }
        if fractionDigits > 22 { return slow(bytes) }
        if mantissa > (1 << 53) {
            // 16 to 19 significant digits: a candidate from one division, verified exactly.
            guard let value = verifiedQuotient(mantissa, fractionDigits) else { return slow(bytes) }
            return negative ? -value : value
        }
        var value = Double(mantissa)
        if fractionDigits > 0 { value /= powersOfTen[fractionDigits] }
        return negative ? -value : value
    }

    /// `mantissa / 10^digits` correctly rounded, or nil when the quick candidate cannot be proven to be.
    ///
    /// The candidate `r = Double(mantissa) / 10^digits` (two roundings) is accepted only when the
    /// exact residual `r·10^digits − mantissa` is below half an ulp of `r` times `10^digits` by a
    /// margin larger than the error of computing it; `mantissa` is split into a 53-bit high part and an
    /// 11-bit low part so that each piece is exact, and `fma` gives the product without rounding it
    /// first. Powers of two (where the ulp below is smaller) and ties fall back to `strtod`.
    @inline(__always)
    static func verifiedQuotient(_ mantissa: UInt64, _ digits: Int) -> Double? {
        let power = powersOfTen[digits]
        let candidate = Double(mantissa) / power
        if candidate.significandBitPattern == 0 || !candidate.isFinite { return nil }
        let high = Double(mantissa & ~UInt64(0x7FF))
        let low = Double(mantissa & 0x7FF)
        let residual = candidate.multiplied(by: power, subtracting: high) - low
        let half = 0.5 * power * candidate.ulp
        let margin = 4 * max(abs(residual), high.ulp, low).ulp
        return abs(residual) < half - margin ? candidate : nil
    }

    static func slow(_ bytes: UnsafeRawBufferPointer) -> Double? {
        if bytes.count > 1024 { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
            for index in 0..<bytes.count { buffer[index] = CChar(bitPattern: bytes[index]) }
            buffer[bytes.count] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end - buffer.baseAddress! == bytes.count else { return nil }
            return value
        }
    }
}

extension Double {
    /// `self × factor − subtrahend` with a single rounding (fused multiply-add).
    @inline(__always)
    func multiplied(by factor: Double, subtracting subtrahend: Double) -> Double {
        (-subtrahend).addingProduct(self, factor)
    }
}
