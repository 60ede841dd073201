import JunctionJSON
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension JSONSchemaRecognizer {
    /// A number as the tree validator sees it through `JSONNumber`: its spelling, whether it is an integer,
    /// its exact `Int64` value when it has one, and its correctly rounded `Double`.
    struct Number {
        var text: UnsafeRawBufferPointer
        var isInteger: Bool
        var int64: Int64?
        var double: Double
    }

    /// A scalar instance value; strings are their decoded UTF-8 bytes.
    enum Scalar {
        case null
        case bool(Bool)
        case number(Number)
        case string(UnsafeRawBufferPointer, ascii: Bool)
    }

    /// Checks a scalar against node `n` and everything it applies, mirroring `JSONSchema.check` keyword by
    /// keyword (verdict only).
    func scalar(_ n: Int, _ v: Scalar, depth: Int) -> Bool {
        let summary = summaries.baseAddress.unsafelyUnwrapped + n
        if summary.pointee.alwaysFalse { return false }
        guard depth < maxEvaluationDepth else { return false }
        if summary.pointee.pureRef >= 0 { return scalar(summary.pointee.pureRef, v, depth: depth + 1) }
        if summary.pointee.simpleScalar { return Self.simple(summary, v) }
        let node = schema.boxes[n]
        let fast = schema.fast[n]
        if fast.hasApplicators, let ref = node.s.ref, !scalar(ref, v, depth: depth + 1) { return false }
        if let types = node.s.types {
            let bit: UInt8
            switch v {
            case .null: bit = JSONSchemaNode.typeNull
            case .bool: bit = JSONSchemaNode.typeBoolean
            case .string: bit = JSONSchemaNode.typeString
            case .number(let num): bit = JSONSchemaNode.typeNumber | (num.isInteger ? JSONSchemaNode.typeInteger : 0)
            }
            if types & bit == 0 { return false }
        }
        if let c = fast.constLiteral, !Self.equals(v, c) { return false }
        if let e = fast.enumLiterals, !e.contains(where: { Self.equals(v, $0) }) { return false }
        switch v {
        case .number(let num): if !Self.withinBounds(summary, num) { return false }
        case .string(let s, let ascii): if !string(node, summary, s, ascii: ascii) { return false }
        default: break
        }
        guard fast.hasApplicators else { return true }
        for s in node.s.allOf where !scalar(s, v, depth: depth + 1) { return false }
        if !node.s.anyOf.isEmpty, !node.s.anyOf.contains(where: { scalar($0, v, depth: depth + 1) }) { return false }
        if !node.s.oneOf.isEmpty {
            var matches = 0
            for s in node.s.oneOf where scalar(s, v, depth: depth + 1) {
                matches += 1
                if matches > 1 { break }
            }
            if matches != 1 { return false }
        }
        if let s = node.s.not, scalar(s, v, depth: depth + 1) { return false }
        if let i = node.s.ifNode {
            if scalar(i, v, depth: depth + 1) {
                if let t = node.s.thenNode, !scalar(t, v, depth: depth + 1) { return false }
            } else if let e = node.s.elseNode, !scalar(e, v, depth: depth + 1) {
                return false
            }
        }
        return true
    }

    /// A scalar against a node whose only scalar keywords are `type`, numeric bounds and length bounds.
    static func simple(_ summary: UnsafePointer<JSONSchemaNodeSummary>, _ v: Scalar) -> Bool {
        let types = summary.pointee.types
        switch v {
        case .null:
            return types == 0 || types & JSONSchemaNode.typeNull != 0
        case .bool:
            return types == 0 || types & JSONSchemaNode.typeBoolean != 0
        case .number(let num):
            if types != 0, types & (JSONSchemaNode.typeNumber | (num.isInteger ? JSONSchemaNode.typeInteger : 0)) == 0 { return false }
            return withinBounds(summary, num)
        case .string(let s, let ascii):
            if types != 0, types & JSONSchemaNode.typeString == 0 { return false }
            return withinLength(summary, s, ascii: ascii)
        }
    }

    /// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` and `multipleOf`.
    @inline(__always)
    static func withinBounds(_ summary: UnsafePointer<JSONSchemaNodeSummary>, _ num: Number) -> Bool {
        let m = summary.pointee
        guard m.hasNumericBounds else { return true }
        if let b = m.minimum, JSONSchema.less(num.double, num.int64, b.double, b.int64) { return false }
        if let b = m.maximum, JSONSchema.less(b.double, b.int64, num.double, num.int64) { return false }
        if let b = m.exclusiveMinimum, !JSONSchema.less(b.double, b.int64, num.double, num.int64) { return false }
        if let b = m.exclusiveMaximum, !JSONSchema.less(num.double, num.int64, b.double, b.int64) { return false }
        if let b = m.multipleOf { return JSONSchema.isMultiple(num.int64, num.double, of: b.int64, b.double) }
        return true
    }

    /// `minLength` and `maxLength`, in code points.
    @inline(__always)
    static func withinLength(_ summary: UnsafePointer<JSONSchemaNodeSummary>, _ s: UnsafeRawBufferPointer, ascii: Bool) -> Bool {
        let minLength = summary.pointee.minLength, maxLength = summary.pointee.maxLength
        guard minLength >= 0 || maxLength >= 0 else { return true }
        var length = s.count
        if !ascii {
            length = 0
            for b in s where b & 0xC0 != 0x80 { length += 1 }
        }
        if minLength >= 0, length < minLength { return false }
        if maxLength >= 0, length > maxLength { return false }
        return true
    }

    /// JSON Schema equality of a scalar and a literal (as `JSONValue.schemaEquals`).
    static func equals(_ v: Scalar, _ literal: JSONSchemaFastNode.Literal) -> Bool {
        switch (v, literal) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let int64, let double)):
            if let x = a.int64, let y = int64 { return x == y }
            return a.double == double
        case (.string(let s, let ascii), .string(let bytes, let literalASCII, let text)):
            let same = bytes.withUnsafeBytes { $0.elementsEqual(s) }
            if same { return true }
            if ascii && literalASCII { return false }
            // Swift String equality is canonical equivalence, which bytes cannot decide.
            return String(decoding: s, as: UTF8.self) == text
        default: return false
        }
    }

    func string(_ box: JSONSchemaNodeBox, _ summary: UnsafePointer<JSONSchemaNodeSummary>, _ s: UnsafeRawBufferPointer, ascii: Bool) -> Bool {
        if !Self.withinLength(summary, s, ascii: ascii) { return false }
        if let p = box.s.pattern, !p.matches(utf8: s, ascii: ascii) { return false }
        if assertFormats, let f = box.s.format, !f.isValid(utf8: s) { return false }
        return true
    }

    // MARK: syntax

    /// The extent of a string's contents (between the quotes) and what the scan learned about it.
    struct StringSpan {
        var start: Int
        var end: Int
        /// Contains escape sequences (the bytes must be decoded).
        var escaped: Bool
        /// The decoded string is all ASCII.
        var ascii: Bool
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let start = text.utf8Start
        for k in 0..<count where bytes[index + k] != start[k] { return false }
        index += count
        return true
    }

    /// Scans the string at `index` (its opening quote) exactly as strictly as `JSONParser`: escapes, surrogate
    /// pairs, control characters, UTF-8. Nil when invalid.
    mutating func scanString() -> StringSpan? {
        index += 1
        let start = index
        var high: UInt8 = 0
        var escaped = false
        while index < bytes.count {
            // Eight bytes at a time while none is a quote, a backslash, a control character or non-ASCII.
            while index + 8 <= bytes.count {
                let w = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let quote = w ^ 0x2222_2222_2222_2222
                let backslash = w ^ 0x5C5C_5C5C_5C5C_5C5C
                let special = (quote &- Self.ones) & ~quote | (backslash &- Self.ones) & ~backslash
                    | (w &- Self.ones &* 0x20) & ~w | w
                let found = special & Self.highs
                if found != 0 {
                    // The lowest flagged byte is exact (borrows only flag bytes above a real match).
                    index += found.trailingZeroBitCount >> 3
                    break
                }
                index += 8
            }
            guard index < bytes.count else { break }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let span = StringSpan(start: start, end: index, escaped: escaped, ascii: high < 0x80)
                index += 1
                return span
            }
            if b == UInt8(ascii: "\\") {
                escaped = true
                guard let scalar = scanEscape() else { return nil }
                if scalar >= 0x80 { high = 0x80 }
                continue
            }
            if b < 0x20 { return nil }
            if b >= 0x80 {
                guard let length = UTF8Validation.sequenceLength(bytes.baseAddress!, at: index, count: bytes.count) else { return nil }
                high = 0x80
                index += length
                continue
            }
            index += 1
        }
        return nil
    }

    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Validates the escape at `index` and moves past it; returns the escaped scalar.
    mutating func scanEscape() -> UInt32? {
        index += 1
        guard index < bytes.count else { return nil }
        let code = bytes[index]
        index += 1
        switch code {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return UInt32(code)
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "u"):
            guard var scalar = hex4() else { return nil }
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return nil }
                index += 2
                guard let low = hex4(), low >= 0xDC00 && low <= 0xDFFF else { return nil }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                return nil
            }
            return scalar
        default:
            return nil
        }
    }

    mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// The decoded UTF-8 bytes of a string that `scanString` accepted and found escapes in.
    func decode(_ span: StringSpan) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(span.end - span.start)
        var copy = self
        copy.index = span.start
        while copy.index < span.end {
            let b = bytes[copy.index]
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                copy.index += 1
                continue
            }
            UTF8Encoding.encode(copy.scanEscape()!) { out.append($0) }
        }
        return out
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// The syntax of a number: where it starts, where its integer digits are, its sign, and whether it has
    /// neither fraction nor exponent.
    struct NumberSyntax {
        var start: Int
        var digitsStart: Int
        var negative: Bool
        var integral: Bool
    }

    /// Scans a number with the JSON grammar (no leading zeros, digits after `.` and in the exponent).
    mutating func scanNumberSyntax() -> NumberSyntax? {
        var syntax = NumberSyntax(start: index, digitsStart: index, negative: false, integral: true)
        if bytes[index] == UInt8(ascii: "-") {
            syntax.negative = true
            index += 1
        }
        guard index < bytes.count, Self.isDigit(bytes[index]) else { return nil }
        syntax.digitsStart = index
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, Self.isDigit(bytes[index]) { return nil }
        } else {
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            syntax.integral = false
            index += 1
            guard index < bytes.count, Self.isDigit(bytes[index]) else { return nil }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            syntax.integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, Self.isDigit(bytes[index]) else { return nil }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        return syntax
    }

    /// Scans a number and computes what `JSONNumber` would report for its spelling.
    mutating func scanNumber() -> Number? {
        guard let syntax = scanNumberSyntax() else { return nil }
        let text = UnsafeRawBufferPointer(rebasing: bytes[syntax.start..<index])
        if syntax.integral && index - syntax.digitsStart <= 18 {
            // Exact in Int64; the Int64 to Double conversion rounds correctly, as strtod does.
            var magnitude: Int64 = 0
            for k in syntax.digitsStart..<index { magnitude = magnitude * 10 + Int64(bytes[k] - UInt8(ascii: "0")) }
            let value = syntax.negative ? -magnitude : magnitude
            let double = magnitude == 0 && syntax.negative ? -0.0 : Double(value)
            return Number(text: text, isInteger: true, int64: value, double: double)
        }
        let double = Self.parseDouble(text)
        if syntax.integral {
            // Int64(text) succeeds exactly when the value is in range.
            return Number(text: text, isInteger: true, int64: Self.parseInt64(text, negative: syntax.negative), double: double)
        }
        let whole = double.isFinite && double == double.rounded()
        return Number(text: text, isInteger: whole, int64: whole ? Int64(exactly: double) : nil, double: double)
    }

    /// `Int64(text)` for an integer spelling, without building the string.
    static func parseInt64(_ text: UnsafeRawBufferPointer, negative: Bool) -> Int64? {
        var value: Int64 = 0
        for b in text where b != UInt8(ascii: "-") {
            let digit = Int64(b - UInt8(ascii: "0"))
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(digit) : m.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = s
        }
        return value
    }

    /// The correctly rounded value of a number spelling (strtod in stack memory), NaN beyond 4096 bytes as
    /// `JSONNumber` does.
    static func parseDouble(_ text: UnsafeRawBufferPointer) -> Double {
        if text.isEmpty || text.count > 4096 { return .nan }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer in
            for k in 0..<text.count { buffer[k] = CChar(bitPattern: text[k]) }
            buffer[text.count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    /// Moves past the value at `index`, checking its syntax and nesting (`nesting` is its parser depth).
    /// After a member or an element: a `,` (true: another follows) or the
    /// closing byte (false: the container ends), consumed; nil for anything else.
    @inline(__always)
    mutating func separator(closing: UInt8) -> Bool? {
        skipWhitespace()
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: ",") {
            index += 1
            return true
        }
        guard bytes[index] == closing else { return nil }
        index += 1
        return false
    }

    mutating func skipValue(nesting: Int) -> Bool {
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            guard nesting <= Self.maxNesting else { return false }
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return true
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), scanString() != nil else { return false }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
                index += 1
                skipWhitespace()
                guard skipValue(nesting: nesting + 1) else { return false }
                guard let more = separator(closing: UInt8(ascii: "}")) else { return false }
                if more { continue }
                return true
            }
        case UInt8(ascii: "["):
            guard nesting <= Self.maxNesting else { return false }
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return true
            }
            while true {
                skipWhitespace()
                guard skipValue(nesting: nesting + 1) else { return false }
                guard let more = separator(closing: UInt8(ascii: "]")) else { return false }
                if more { continue }
                return true
            }
        case UInt8(ascii: "\""): return scanString() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return scanNumberSyntax() != nil
        default: return false
        }
    }
}
