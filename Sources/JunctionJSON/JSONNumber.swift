#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON number as written.
///
/// `text` is the exact source spelling; `double` is its value, rounded to the nearest `Double`
/// (±infinity when the magnitude is beyond the `Double` range). Two numbers are equal when they are
/// spelled the same; compare `double` to compare values.
public struct JSONNumber: Sendable, Equatable, Hashable {
    /// The exact spelling, for example `"3.5e1"`.
    public let text: String
    /// The value, for example `35.0`.
    public let double: Double

    /// Creates a number from its spelling. The spelling is expected to follow the JSON number grammar
    /// (the parser guarantees it); other text yields `double == .nan`.
    public init(text: String) {
        self.text = text
        self.double = JSONNumber.parseDouble(text) ?? .nan
    }

    /// Creates a number from a value; the spelling is the shortest text that reads back as `value`.
    /// Non-finite values are spelled `1e999`, `-1e999` and `null` (JSON has no spelling for them).
    public init(_ value: Double) {
        self.double = value
        if value.isNaN {
            self.text = "null"
        } else if value.isInfinite {
            self.text = value < 0 ? "-1e999" : "1e999"
        } else if value == value.rounded(), abs(value) < 1e15 {
            self.text = String(Int64(value))
        } else {
            self.text = "\(value)"
        }
    }

    /// True when the spelling has no fraction or exponent, or the value is a finite integer.
    public var isInteger: Bool {
        if !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            return true
        }
        return double.isFinite && double == double.rounded()
    }

    /// The exact `Int64` value when the number is integral and representable, else `nil`.
    ///
    /// Integers spelled without fraction or exponent are read exactly from the text (so
    /// `9223372036854775807` is exact); others go through `double`.
    public var int64: Int64? {
        if let exact = Int64(text) { return exact }
        guard double.isFinite, double == double.rounded() else { return nil }
        if !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            // An integer spelling that Int64 could not read is out of range.
            return nil
        }
        return Int64(exactly: double)
    }

    /// Parses a JSON number spelling with the C library (correctly rounded), `nil` when not a number.
    static func parseDouble(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { bytes in
            JSONNumber.parseDouble(UnsafeRawBufferPointer(bytes))
        }
    }

    /// Parses the bytes of a JSON number (correctly rounded, ±infinity when out of range),
    /// `nil` when they are not a complete number.
    static func parseDouble(_ bytes: UnsafeRawBufferPointer) -> Double? {
        if bytes.isEmpty || bytes.count > 4096 { return nil }
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

extension JSONNumber: CustomStringConvertible {
    public var description: String { text }
}
