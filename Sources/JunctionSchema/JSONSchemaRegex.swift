/// The `pattern` / `patternProperties` regular expressions: an ECMA-262 subset compiled to a Thompson NFA and
/// run as a Pike VM (a set of states advanced one code point at a time), so matching is linear in the input
/// and cannot backtrack catastrophically.
///
/// Supported: literals; `.`; `^` and `$` (whole input, no multiline); `\d \D \w \W \s \S \b \B`; escapes
/// `\t \n \r \f \v \0 \xHH \uHHHH \u{H...}` and escaped punctuation; classes `[...]`/`[^...]` with ranges and
/// class escapes; groups `(...)`, `(?:...)`, `(?<name>...)`; alternation `|`; quantifiers `* + ? {n} {n,} {n,m}`
/// and their lazy forms (laziness does not change whether a match exists). Not supported (compile error):
/// back-references, lookahead and lookbehind, Unicode property escapes `\p{...}`, flags.
/// Matching is a search (unanchored) as JSON Schema requires.
public struct JSONSchemaRegex: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let source: String
    private let program: [Instruction]
    private let classes: [CharClass]
    /// The single-pass matcher, when the pattern has its shape.
    private let sequence: JSONSchemaRegexSequence?

    /// Upper bound on compiled program size, which bounds the cost of counted repetition like `a{1000}`.
    public static let maxProgramSize = 20_000

    enum Instruction: Sendable, Equatable, Hashable {
        case scalar(UInt32)
        case any                    // any code point but line terminators
        case charClass(Int)
        case split(Int, Int)
        case jump(Int)
        case assertStart
        case assertEnd
        case wordBoundary(Bool)     // true: \b, false: \B
        case match
    }

    struct CharClass: Sendable, Equatable, Hashable {
        var ranges: [ClosedRange<UInt32>] = []
        var negated = false

        func contains(_ c: UInt32) -> Bool {
            var hit = false
            for r in ranges where r.contains(c) { hit = true; break }
            return hit != negated
        }
    }

    /// An error in the pattern, with the code-point offset where it was found.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong.
        public var message: String
        /// Offset (in Unicode scalars) into the pattern.
        public var offset: Int
        /// "offset N: message".
        public var description: String { "offset \(offset): \(message)" }
    }

    /// Compiles `pattern`.
    public init(_ pattern: String) throws(SyntaxError) {
        var parser = Parser(Array(pattern.unicodeScalars.map(\.value)))
        let ast = try parser.parseAll()
        var compiler = Compiler()
        try compiler.emit(ast)
        compiler.program.append(.match)
        guard compiler.program.count <= Self.maxProgramSize else {
            throw SyntaxError(message: "pattern too complex (expands to more than \(Self.maxProgramSize) states)", offset: 0)
        }
        self.source = pattern
        self.program = compiler.program
        self.classes = parser.classes
        self.sequence = JSONSchemaRegexSequence(ast, classes: parser.classes)
    }

    public var description: String { source }

    public static func == (a: Self, b: Self) -> Bool { a.source == b.source }
    public func hash(into h: inout Hasher) { h.combine(source) }

    /// True when the pattern matches somewhere in `text`.
    public func matches(_ text: String) -> Bool {
        var text = text
        // ASCII strings are searched on their UTF-8 bytes in place (code units equal code points).
        let ascii: Bool? = text.withUTF8 { bytes in
            var acc: UInt8 = 0
            for b in bytes { acc |= b }
            guard acc < 0x80 else { return nil }
            return run(bytes.count) { UInt32(bytes[$0]) }
        }
        if let ascii { return ascii }
        let scalars = Array(text.unicodeScalars.map(\.value))
        return scalars.withUnsafeBufferPointer { buf in run(buf.count) { buf[$0] } }
    }

    /// True when the pattern matches somewhere in the string whose (valid) UTF-8 bytes are `utf8`; the same
    /// answer as ``matches(_:)`` on that string. ASCII is searched in place; other text is decoded to code points
    /// in temporary (stack) memory.
    public func matches(utf8 bytes: UnsafeRawBufferPointer) -> Bool {
        var acc: UInt8 = 0
        for b in bytes { acc |= b }
        return matches(utf8: bytes, ascii: acc < 0x80)
    }

    /// ``matches(utf8:)`` for a caller that already knows whether every byte is ASCII (the recognizer learns it
    /// while scanning the string), so the bytes are not read once more to find out.
    func matches(utf8 bytes: UnsafeRawBufferPointer, ascii: Bool) -> Bool {
        if ascii {
            if let sequence { return sequence.matches(ascii: bytes) }
            return run(bytes.count) { UInt32(bytes[$0]) }
        }
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: bytes.count) { scalars in
            var count = 0
            var k = 0
            while k < bytes.count {
                let lead = bytes[k]
                var scalar: UInt32
                var length: Int
                switch lead {
                case 0..<0x80: scalar = UInt32(lead); length = 1
                case 0xC0..<0xE0: scalar = UInt32(lead & 0x1F); length = 2
                case 0xE0..<0xF0: scalar = UInt32(lead & 0x0F); length = 3
                default: scalar = UInt32(lead & 0x07); length = 4
                }
                for j in 1..<length where k + j < bytes.count { scalar = scalar << 6 | UInt32(bytes[k + j] & 0x3F) }
                scalars[count] = scalar
                count += 1
                k += length
            }
            return run(count) { scalars[$0] }
        }
    }

    // MARK: Pike VM

    /// Runs the VM over `count` code points read through `at`, with the thread lists in stack memory.
    private func run(_ count: Int, _ at: (Int) -> UInt32) -> Bool {
        let n = program.count
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 5 * n + 1) { mem in
            let base = mem.baseAddress!
            var current = SparseSet(dense: base, sparse: base + n, count: 0)
            var next = SparseSet(dense: base + 2 * n, sparse: base + 3 * n, count: 0)
            let stack = base + 4 * n
            let anchored = program.first == .assertStart
            for pos in 0...count {
                // Unanchored: a new thread may start at every position (only at 0 when the pattern starts with ^).
                if pos == 0 || !anchored {
                    if addThread(0, pos, count, at, &current, stack) { return true }
                }
                if pos == count || current.count == 0 && anchored { break }
                let c = at(pos)
                next.count = 0
                for i in 0..<current.count {
                    let pc = current.dense[i]
                    let ok: Bool
                    switch program[pc] {
                    case .scalar(let s): ok = s == c
                    case .any: ok = !(c == 0x0A || c == 0x0D || c == 0x2028 || c == 0x2029)
                    case .charClass(let k): ok = classes[k].contains(c)
                    default: ok = false
                    }
                    if ok, addThread(pc + 1, pos + 1, count, at, &next, stack) { return true }
                }
                swap(&current, &next)
            }
            return false
        }
    }

    /// Adds `start` and its epsilon closure at `pos`; returns true when `match` is reached.
    private func addThread(_ start: Int, _ pos: Int, _ count: Int, _ at: (Int) -> UInt32,
                           _ set: inout SparseSet, _ stack: UnsafeMutablePointer<Int>) -> Bool {
        var top = 0
        stack[0] = start
        top = 1
        while top > 0 {
            top -= 1
            let pc = stack[top]
            if set.contains(pc) { continue }
            set.insert(pc)
            switch program[pc] {
            case .match: return true
            case .jump(let t): stack[top] = t; top += 1
            case .split(let a, let b):
                stack[top] = b
                stack[top + 1] = a
                top += 2
            case .assertStart: if pos == 0 { stack[top] = pc + 1; top += 1 }
            case .assertEnd: if pos == count { stack[top] = pc + 1; top += 1 }
            case .wordBoundary(let want):
                let before = pos > 0 && Self.isWord(at(pos - 1))
                let after = pos < count && Self.isWord(at(pos))
                if (before != after) == want { stack[top] = pc + 1; top += 1 }
            default: break
            }
        }
        return false
    }

    static func isWord(_ c: UInt32) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
    }

    /// A set of program counters with O(1) insert, membership and clear (Briggs–Torczon), over borrowed memory.
    struct SparseSet {
        var dense: UnsafeMutablePointer<Int>
        var sparse: UnsafeMutablePointer<Int>
        var count: Int
        func contains(_ v: Int) -> Bool { let i = sparse[v]; return i >= 0 && i < count && dense[i] == v }
        mutating func insert(_ v: Int) { sparse[v] = count; dense[count] = v; count += 1 }
    }

    // MARK: parsing

    indirect enum Node {
        case empty
        case scalar(UInt32)
        case any
        case charClass(Int)
        case start, end
        case wordBoundary(Bool)
        case concat([Node])
        case alternate([Node])
        case `repeat`(Node, min: Int, max: Int?)   // max nil = unbounded
    }

    struct Parser {
        let s: [UInt32]
        var i = 0
        var classes: [CharClass] = []

        init(_ s: [UInt32]) { self.s = s }

        func error(_ m: String) -> SyntaxError { SyntaxError(message: m, offset: i) }
        var atEnd: Bool { i >= s.count }
        func peek(_ k: Int = 0) -> UInt32? { i + k < s.count ? s[i + k] : nil }
        func isChar(_ c: Character, _ k: Int = 0) -> Bool { peek(k) == c.unicodeScalars.first!.value }

        mutating func parseAll() throws(SyntaxError) -> Node {
            let n = try parseAlternation()
            if !atEnd { throw error(isChar(")") ? "unbalanced ')'" : "unexpected character") }
            return n
        }

        mutating func parseAlternation() throws(SyntaxError) -> Node {
            var branches = [try parseConcat()]
            while isChar("|") {
                i += 1
                branches.append(try parseConcat())
            }
            return branches.count == 1 ? branches[0] : .alternate(branches)
        }

        mutating func parseConcat() throws(SyntaxError) -> Node {
            var items: [Node] = []
            while !atEnd, !isChar("|"), !isChar(")") {
                var atom = try parseAtom()
                atom = try parseQuantifier(atom)
                items.append(atom)
            }
            return items.count == 1 ? items[0] : (items.isEmpty ? .empty : .concat(items))
        }

        mutating func parseQuantifier(_ atom: Node) throws(SyntaxError) -> Node {
            guard let c = peek() else { return atom }
            var min = 0
            var max: Int? = nil
            switch c {
            case 0x2A: i += 1                       // *
            case 0x2B: i += 1; min = 1              // +
            case 0x3F: i += 1; max = 1              // ?
            case 0x7B:                              // {
                guard let (lo, hi, length) = countedQuantifier() else { return atom }
                i += length
                min = lo
                max = hi
                if let hi, hi < lo { throw error("quantifier range out of order") }
            default: return atom
            }
            if isChar("?") { i += 1 }  // lazy: same language
            switch atom {
            case .start, .end, .wordBoundary: throw error("nothing to repeat")
            default: break
            }
            if isChar("*") || isChar("+") || (isChar("?") ) { throw error("nothing to repeat") }
            return .repeat(atom, min: min, max: max)
        }

        /// Parses `{n}`, `{n,}` or `{n,m}` at the cursor without consuming; nil when it is a literal brace.
        func countedQuantifier() -> (Int, Int?, Int)? {
            var k = 1
            func number() -> Int? {
                var v = 0
                var digits = 0
                while let c = peek(k), c >= 0x30, c <= 0x39 {
                    v = min(v * 10 + Int(c - 0x30), 100_000)
                    digits += 1
                    k += 1
                }
                return digits > 0 ? v : nil
            }
            guard let lo = number() else { return nil }
            if peek(k) == 0x7D { return (lo, lo, k + 1) }
            guard peek(k) == 0x2C else { return nil }
            k += 1
            if peek(k) == 0x7D { return (lo, nil, k + 1) }
            guard let hi = number(), peek(k) == 0x7D else { return nil }
            return (lo, hi, k + 1)
        }

        mutating func parseAtom() throws(SyntaxError) -> Node {
            let c = s[i]
            switch c {
            case 0x28:  // (
                i += 1
                if isChar("?") {
                    if isChar(":", 1) {
                        i += 2
                    } else if isChar("<", 1), !isChar("=", 2), !isChar("!", 2) {
                        i += 2
                        while let ch = peek(), ch != 0x3E { i += 1 }
                        guard isChar(">") else { throw error("unterminated group name") }
                        i += 1
                    } else {
                        throw error("lookaround assertions are not supported")
                    }
                }
                let inner = try parseAlternation()
                guard isChar(")") else { throw error("missing ')'") }
                i += 1
                return inner
            case 0x5B: return try parseClass()
            case 0x2E: i += 1; return .any
            case 0x5E: i += 1; return .start
            case 0x24: i += 1; return .end
            case 0x5C: return try parseEscape()
            case 0x2A, 0x2B, 0x3F: throw error("nothing to repeat")
            case 0x7B:
                if countedQuantifier() != nil { throw error("nothing to repeat") }
                i += 1
                return .scalar(c)
            default:
                i += 1
                return .scalar(c)
            }
        }

        static let digit: [ClosedRange<UInt32>] = [0x30...0x39]
        static let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
        static let space: [ClosedRange<UInt32>] = [
            0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A, 0x2028...0x2029,
            0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
        ]

        static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
            var out: [ClosedRange<UInt32>] = []
            var next: UInt32 = 0
            for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
                next = max(next, r.upperBound + 1)
            }
            if next <= 0x10FFFF { out.append(next...0x10FFFF) }
            return out
        }

        mutating func addClass(_ ranges: [ClosedRange<UInt32>], negated: Bool) -> Node {
            classes.append(CharClass(ranges: ranges, negated: negated))
            return .charClass(classes.count - 1)
        }

        /// Escape outside a class.
        mutating func parseEscape() throws(SyntaxError) -> Node {
            i += 1
            guard let c = peek() else { throw error("trailing backslash") }
            switch c {
            case 0x64: i += 1; return addClass(Self.digit, negated: false)          // d
            case 0x44: i += 1; return addClass(Self.digit, negated: true)           // D
            case 0x77: i += 1; return addClass(Self.word, negated: false)           // w
            case 0x57: i += 1; return addClass(Self.word, negated: true)            // W
            case 0x73: i += 1; return addClass(Self.space, negated: false)          // s
            case 0x53: i += 1; return addClass(Self.space, negated: true)           // S
            case 0x62: i += 1; return .wordBoundary(true)                           // b
            case 0x42: i += 1; return .wordBoundary(false)                          // B
            case 0x31...0x39: throw error("back-references are not supported")
            case 0x70, 0x50: throw error("Unicode property escapes are not supported")
            case 0x6B: throw error("named back-references are not supported")
            default: return .scalar(try scalarEscape())
            }
        }

        /// Escapes that denote one code point (cursor on the character after the backslash).
        mutating func scalarEscape() throws(SyntaxError) -> UInt32 {
            let c = s[i]
            i += 1
            switch c {
            case 0x74: return 0x09   // t
            case 0x6E: return 0x0A   // n
            case 0x72: return 0x0D   // r
            case 0x66: return 0x0C   // f
            case 0x76: return 0x0B   // v
            case 0x30: return 0x00   // 0
            case 0x78: return try hex(count: 2)
            case 0x75:
                if isChar("{") {
                    i += 1
                    var v: UInt32 = 0
                    var digits = 0
                    while let d = peek(), let h = Self.hexValue(d) {
                        v = v * 16 + h
                        digits += 1
                        i += 1
                        if v > 0x10FFFF { throw error("code point out of range") }
                    }
                    guard digits > 0, isChar("}") else { throw error("malformed \\u{...} escape") }
                    i += 1
                    return v
                }
                return try hex(count: 4)
            case 0x63:  // \cX
                guard let l = peek(), (0x41...0x5A).contains(l) || (0x61...0x7A).contains(l) else {
                    throw error("malformed \\c escape")
                }
                i += 1
                return l % 32
            default:
                if Self.isWord(c) { throw error("unknown escape \\\(Character(Unicode.Scalar(c)!))") }
                return c
            }
        }

        static func isWord(_ c: UInt32) -> Bool { JSONSchemaRegex.isWord(c) }

        static func hexValue(_ c: UInt32) -> UInt32? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }

        mutating func hex(count: Int) throws(SyntaxError) -> UInt32 {
            var v: UInt32 = 0
            for _ in 0..<count {
                guard let c = peek(), let h = Self.hexValue(c) else { throw error("malformed hexadecimal escape") }
                v = v * 16 + h
                i += 1
            }
            return v
        }

        mutating func parseClass() throws(SyntaxError) -> Node {
            i += 1
            var negated = false
            if isChar("^") { negated = true; i += 1 }
            var ranges: [ClosedRange<UInt32>] = []
            while true {
                guard let c = peek() else { throw error("missing ']'") }
                if c == 0x5D { i += 1; break }
                // One class atom: either a set escape or a single code point.
                var lo: UInt32
                if c == 0x5C {
                    i += 1
                    guard let e = peek() else { throw error("trailing backslash") }
                    switch e {
                    case 0x64: i += 1; ranges += Self.digit; continue
                    case 0x44: i += 1; ranges += Self.complement(Self.digit); continue
                    case 0x77: i += 1; ranges += Self.word; continue
                    case 0x57: i += 1; ranges += Self.complement(Self.word); continue
                    case 0x73: i += 1; ranges += Self.space; continue
                    case 0x53: i += 1; ranges += Self.complement(Self.space); continue
                    case 0x62: i += 1; lo = 0x08
                    case 0x2D: i += 1; lo = 0x2D
                    case 0x70, 0x50: throw error("Unicode property escapes are not supported")
                    default: lo = try scalarEscape()
                    }
                } else {
                    lo = c
                    i += 1
                }
                // Range?
                if isChar("-"), let after = peek(1), after != 0x5D {
                    i += 1
                    var hi: UInt32
                    if after == 0x5C {
                        i += 1
                        guard let e = peek() else { throw error("trailing backslash") }
                        if [0x64, 0x44, 0x77, 0x57, 0x73, 0x53].contains(e) { throw error("class escape cannot end a range") }
                        if e == 0x62 { i += 1; hi = 0x08 } else if e == 0x2D { i += 1; hi = 0x2D } else { hi = try scalarEscape() }
                    } else {
                        hi = after
                        i += 1
                    }
                    guard lo <= hi else { throw error("character class range out of order") }
                    ranges.append(lo...hi)
                } else {
                    ranges.append(lo...lo)
                }
            }
            return addClass(ranges, negated: negated)
        }
    }

    struct Compiler {
        var program: [Instruction] = []

        mutating func check() throws(SyntaxError) {
            if program.count > JSONSchemaRegex.maxProgramSize {
                throw SyntaxError(message: "pattern too complex (expands to more than \(JSONSchemaRegex.maxProgramSize) states)", offset: 0)
            }
        }

        mutating func emit(_ node: Node) throws(SyntaxError) {
            try check()
            switch node {
            case .empty: break
            case .scalar(let c): program.append(.scalar(c))
            case .any: program.append(.any)
            case .charClass(let k): program.append(.charClass(k))
            case .start: program.append(.assertStart)
            case .end: program.append(.assertEnd)
            case .wordBoundary(let b): program.append(.wordBoundary(b))
            case .concat(let items): for n in items { try emit(n) }
            case .alternate(let branches):
                var jumps: [Int] = []
                for (k, b) in branches.enumerated() {
                    if k < branches.count - 1 {
                        let split = program.count
                        program.append(.split(0, 0))
                        try emit(b)
                        jumps.append(program.count)
                        program.append(.jump(0))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(b)
                    }
                }
                for j in jumps { program[j] = .jump(program.count) }
            case .repeat(let n, let min, let max):
                for _ in 0..<min { try emit(n) }
                if let max {
                    // (n(n(...)?)?)?
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(program.count)
                        program.append(.split(0, 0))
                        try emit(n)
                    }
                    for sp in splits { program[sp] = .split(sp + 1, program.count) }
                } else {
                    let loop = program.count
                    program.append(.split(0, 0))
                    try emit(n)
                    program.append(.jump(loop))
                    program[loop] = .split(loop + 1, program.count)
                }
            }
        }
    }
}
