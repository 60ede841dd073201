/// A compiled I-Regexp (RFC 9485) used by the `regexp` operator, matched against the whole value.
///
/// The syntax is RFC 9485's: branches `|`, groups `( )`, quantifiers `* + ? {n} {n,} {n,m}`, `.`
/// (any character but `\n` and `\r`), bracket expressions with ranges and negation, and the
/// category escapes `\p{..}` / `\P{..}`. The escape character is `\` as in the RFC, and `~` is accepted as
/// well (quamina's spelling, which avoids doubling backslashes inside JSON); a literal `~` is written
/// `~~` or `\~`. Matching runs a Thompson NFA over Unicode scalars: time is linear in the value length
/// times the expression size, with no backtracking.
struct IRegexp: Hashable, Sendable {
    let source: String
    private let program: [Instruction]
    private let start: Int

    static func == (lhs: IRegexp, rhs: IRegexp) -> Bool { lhs.source == rhs.source }
    func hash(into hasher: inout Hasher) { hasher.combine(source) }

    /// One NFA node.
    enum Instruction: Sendable {
        case character(CharacterSet)
        case split(Int, Int)
        case jump(Int)
        case accept
    }

    /// A set of scalars: ranges and general categories, optionally complemented.
    struct CharacterSet: Sendable {
        var ranges: [ClosedRange<UInt32>] = []
        var categories: [(Unicode.GeneralCategory, Bool)] = [] // (category, negated)
        var categoryGroups: [(String, Bool)] = [] // one-letter groups such as "L"
        var negated = false

        func contains(_ scalar: UInt32) -> Bool {
            var found = false
            for range in ranges where range.contains(scalar) { found = true; break }
            if !found, !categories.isEmpty || !categoryGroups.isEmpty, let unicode = Unicode.Scalar(scalar) {
                let category = unicode.properties.generalCategory
                for (wanted, negatedCategory) in categories where (category == wanted) != negatedCategory { found = true; break }
                if !found {
                    let code = IRegexp.code(of: category)
                    for (group, negatedGroup) in categoryGroups where code.hasPrefix(group) != negatedGroup { found = true; break }
                }
            }
            return found != negated
        }
    }

    init(_ text: String, maxNodes: Int) throws(PatternError) {
        var parser = Parser(scalars: Array(text.unicodeScalars.map(\.value)), source: text)
        let tree = try parser.parseAlternation()
        if parser.index < parser.scalars.count {
            throw parser.error("unexpected '\(parser.describe(parser.scalars[parser.index]))'")
        }
        var compiler = Compiler(maxNodes: maxNodes, source: text)
        let fragmentStart = try compiler.emit(tree)
        try compiler.append(.accept)
        self.source = text
        self.program = compiler.program
        self.start = fragmentStart
    }

    /// Whether the whole of `value` (UTF-8) matches.
    func matches(_ value: UnsafeRawBufferPointer) -> Bool {
        let count = program.count
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: count * 3) { buffer -> Bool in
            let marks = buffer.baseAddress!
            let current = marks + count
            let next = marks + 2 * count
            for index in 0..<count { marks[index] = -1 }
            var currentCount = 0
            var nextCount = 0
            var generation: Int32 = 0
            addState(start, list: current, count: &currentCount, marks: marks, generation: generation)
            var offset = 0
            while offset < value.count {
                if currentCount == 0 { return false }
                let (scalar, length) = IRegexp.decode(value, offset)
                offset += length
                generation += 1
                nextCount = 0
                for position in 0..<currentCount {
                    let pc = Int(current[position])
                    if case .character(let set) = program[pc], set.contains(scalar) {
                        addState(pc + 1, list: next, count: &nextCount, marks: marks, generation: generation)
                    }
                }
                for position in 0..<nextCount { current[position] = next[position] }
                currentCount = nextCount
            }
            for position in 0..<currentCount {
                if case .accept = program[Int(current[position])] { return true }
            }
            return false
        }
    }

    private func addState(_ pc: Int, list: UnsafeMutablePointer<Int32>, count: inout Int, marks: UnsafeMutablePointer<Int32>, generation: Int32) {
        if marks[pc] == generation { return }
        marks[pc] = generation
        switch program[pc] {
        case .jump(let target):
            addState(target, list: list, count: &count, marks: marks, generation: generation)
        case .split(let first, let second):
            addState(first, list: list, count: &count, marks: marks, generation: generation)
            addState(second, list: list, count: &count, marks: marks, generation: generation)
        case .character, .accept:
            list[count] = Int32(pc)
            count += 1
        }
    }

    /// Decodes one UTF-8 scalar leniently (invalid bytes decode as U+FFFD, one byte long).
    @inline(__always)
    static func decode(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> (UInt32, Int) {
        let lead = bytes[offset]
        if lead < 0x80 { return (UInt32(lead), 1) }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        if length == 1 || offset + length > bytes.count { return (0xFFFD, 1) }
        var scalar = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for index in 1..<length {
            let byte = bytes[offset + index]
            if byte & 0xC0 != 0x80 { return (0xFFFD, 1) }
            scalar = scalar << 6 | UInt32(byte & 0x3F)
        }
        return (scalar, length)
    }

    static func code(of category: Unicode.GeneralCategory) -> String {
        switch category {
        case .uppercaseLetter: return "Lu"
        case .lowercaseLetter: return "Ll"
        case .titlecaseLetter: return "Lt"
        case .modifierLetter: return "Lm"
        case .otherLetter: return "Lo"
        case .nonspacingMark: return "Mn"
        case .spacingMark: return "Mc"
        case .enclosingMark: return "Me"
        case .decimalNumber: return "Nd"
        case .letterNumber: return "Nl"
        case .otherNumber: return "No"
        case .connectorPunctuation: return "Pc"
        case .dashPunctuation: return "Pd"
        case .openPunctuation: return "Ps"
        case .closePunctuation: return "Pe"
        case .initialPunctuation: return "Pi"
        case .finalPunctuation: return "Pf"
        case .otherPunctuation: return "Po"
        case .mathSymbol: return "Sm"
        case .currencySymbol: return "Sc"
        case .modifierSymbol: return "Sk"
        case .otherSymbol: return "So"
        case .spaceSeparator: return "Zs"
        case .lineSeparator: return "Zl"
        case .paragraphSeparator: return "Zp"
        case .control: return "Cc"
        case .format: return "Cf"
        case .surrogate: return "Cs"
        case .privateUse: return "Co"
        case .unassigned: return "Cn"
        @unknown default: return "Cn"
        }
    }

    // MARK: - Syntax tree

    indirect enum Node {
        case set(CharacterSet)
        case sequence([Node])
        case alternation([Node])
        case repeatNode(Node, min: Int, max: Int?)
    }

    struct Parser {
        let scalars: [UInt32]
        let source: String
        var index = 0

        func error(_ message: String) -> PatternError {
            PatternError(path: "", message: "regexp \"\(source)\": \(message) at character \(index)")
        }

        func describe(_ scalar: UInt32) -> String {
            Unicode.Scalar(scalar).map { String(Character($0)) } ?? "?"
        }

        static func isEscape(_ scalar: UInt32) -> Bool { scalar == 0x5C || scalar == 0x7E } // '\' or '~'

        mutating func parseAlternation() throws(PatternError) -> Node {
            var branches = [try parseBranch()]
            while index < scalars.count, scalars[index] == 0x7C { // '|'
                index += 1
                branches.append(try parseBranch())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func parseBranch() throws(PatternError) -> Node {
            var pieces: [Node] = []
            while index < scalars.count, scalars[index] != 0x7C, scalars[index] != 0x29 { // '|' ')'
                var atom = try parseAtom()
                if let (low, high) = try parseQuantifier() { atom = .repeatNode(atom, min: low, max: high) }
                pieces.append(atom)
            }
            return .sequence(pieces)
        }

        mutating func parseQuantifier() throws(PatternError) -> (Int, Int?)? {
            guard index < scalars.count else { return nil }
            switch scalars[index] {
            case 0x2A: index += 1; return (0, nil) // *
            case 0x2B: index += 1; return (1, nil) // +
            case 0x3F: index += 1; return (0, 1)   // ?
            case 0x7B: // {
                index += 1
                let low = try parseInteger()
                var high: Int? = low
                if index < scalars.count, scalars[index] == 0x2C { // ,
                    index += 1
                    high = index < scalars.count && scalars[index] != 0x7D ? try parseInteger() : nil
                }
                guard index < scalars.count, scalars[index] == 0x7D else { throw error("expected '}' to close a quantifier") }
                index += 1
                if let high, high < low { throw error("quantifier {\(low),\(high)} has its maximum below its minimum") }
                return (low, high)
            default:
                return nil
            }
        }

        mutating func parseInteger() throws(PatternError) -> Int {
            var value = 0
            var digits = 0
            while index < scalars.count, scalars[index] >= 0x30, scalars[index] <= 0x39 {
                value = value * 10 + Int(scalars[index] - 0x30)
                digits += 1
                index += 1
                if value > 100_000 { throw error("quantifier bound too large") }
            }
            guard digits > 0 else { throw error("expected a number in a quantifier") }
            return value
        }

        mutating func parseAtom() throws(PatternError) -> Node {
            let scalar = scalars[index]
            switch scalar {
            case 0x28: // (
                index += 1
                let inner = try parseAlternation()
                guard index < scalars.count, scalars[index] == 0x29 else { throw error("missing ')'") }
                index += 1
                return inner
            case 0x2E: // .
                index += 1
                var set = CharacterSet()
                set.ranges = [0x0A...0x0A, 0x0D...0x0D]
                set.negated = true
                return .set(set)
            case 0x5B: // [
                return .set(try parseBracket())
            case _ where Parser.isEscape(scalar):
                return .set(try parseEscape(inBracket: false))
            case 0x2A, 0x2B, 0x3F, 0x7B:
                throw error("quantifier '\(describe(scalar))' has nothing to repeat")
            case 0x29, 0x5D, 0x7D:
                throw error("unbalanced '\(describe(scalar))'")
            default:
                index += 1
                return .set(CharacterSet(ranges: [scalar...scalar]))
            }
        }

        /// Parses an escape at `index` (the escape character itself), returning the set it denotes.
        mutating func parseEscape(inBracket: Bool) throws(PatternError) -> CharacterSet {
            index += 1
            guard index < scalars.count else { throw error("escape at the end of the expression") }
            let code = scalars[index]
            index += 1
            switch code {
            case 0x6E: return CharacterSet(ranges: [0x0A...0x0A]) // n
            case 0x72: return CharacterSet(ranges: [0x0D...0x0D]) // r
            case 0x74: return CharacterSet(ranges: [0x09...0x09]) // t
            case 0x70, 0x50: // p, P
                guard index < scalars.count, scalars[index] == 0x7B else { throw error("expected '{' after \\p") }
                index += 1
                var name = ""
                while index < scalars.count, scalars[index] != 0x7D {
                    name.unicodeScalars.append(Unicode.Scalar(scalars[index]) ?? "?")
                    index += 1
                }
                guard index < scalars.count else { throw error("missing '}' after a category name") }
                index += 1
                var set = CharacterSet()
                let negated = code == 0x50
                if name.count == 1, "LMNPZSC".contains(name) {
                    set.categoryGroups = [(name, negated)]
                } else if let category = IRegexp.category(named: name) {
                    set.categories = [(category, negated)]
                } else {
                    throw error("unknown character category \"\(name)\"")
                }
                return set
            case 0x28...0x2B, 0x2D, 0x2E, 0x3F, 0x5B...0x5E, 0x7B...0x7E:
                return CharacterSet(ranges: [code...code])
            default:
                throw error("invalid escape '\(describe(code))'")
            }
        }

        mutating func parseBracket() throws(PatternError) -> CharacterSet {
            index += 1 // [
            var set = CharacterSet()
            if index < scalars.count, scalars[index] == 0x5E { set.negated = true; index += 1 }
            var first = true
            while true {
                guard index < scalars.count else { throw error("missing ']'") }
                let scalar = scalars[index]
                if scalar == 0x5D, !first { index += 1; break }
                first = false
                var low: UInt32
                if Parser.isEscape(scalar) {
                    let escaped = try parseEscape(inBracket: true)
                    if escaped.ranges.count == 1, escaped.categories.isEmpty, escaped.categoryGroups.isEmpty, escaped.ranges[0].count == 1 {
                        low = escaped.ranges[0].lowerBound
                    } else {
                        set.categories += escaped.categories
                        set.categoryGroups += escaped.categoryGroups
                        continue
                    }
                } else {
                    if scalar == 0x5B { throw error("'[' must be escaped inside a bracket expression") }
                    low = scalar
                    index += 1
                }
                if index + 1 < scalars.count, scalars[index] == 0x2D, scalars[index + 1] != 0x5D { // a range
                    index += 1
                    var high: UInt32
                    if Parser.isEscape(scalars[index]) {
                        let escaped = try parseEscape(inBracket: true)
                        guard escaped.ranges.count == 1, escaped.ranges[0].count == 1 else { throw error("a range cannot end in a category") }
                        high = escaped.ranges[0].lowerBound
                    } else {
                        high = scalars[index]
                        index += 1
                    }
                    guard low <= high else { throw error("range out of order") }
                    set.ranges.append(low...high)
                } else {
                    set.ranges.append(low...low)
                }
            }
            return set
        }
    }

    static func category(named name: String) -> Unicode.GeneralCategory? {
        let all: [Unicode.GeneralCategory] = [
            .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
            .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,
            .spaceSeparator, .lineSeparator, .paragraphSeparator, .control, .format, .privateUse, .unassigned,
        ]
        return all.first { code(of: $0) == name }
    }

    // MARK: - Compilation to NFA

    struct Compiler {
        var program: [Instruction] = []
        let maxNodes: Int
        let source: String

        mutating func append(_ instruction: Instruction) throws(PatternError) {
            if program.count >= maxNodes {
                throw PatternError(path: "", message: "regexp \"\(source)\" compiles to more than \(maxNodes) nodes")
            }
            program.append(instruction)
        }

        /// Emits `node` so that it falls through to the next instruction; returns its entry point.
        mutating func emit(_ node: Node) throws(PatternError) -> Int {
            let entry = program.count
            switch node {
            case .set(let set):
                try append(.character(set))
            case .sequence(let nodes):
                for child in nodes { _ = try emit(child) }
            case .alternation(let branches):
                // split L1, next; L1: branch; jump end; ... last branch
                var jumps: [Int] = []
                for (position, branch) in branches.enumerated() {
                    if position < branches.count - 1 {
                        let split = program.count
                        try append(.split(split + 1, -1))
                        _ = try emit(branch)
                        jumps.append(program.count)
                        try append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        _ = try emit(branch)
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .repeatNode(let child, let minimum, let maximum):
                for _ in 0..<minimum { _ = try emit(child) }
                if let maximum {
                    // Optional copies: split body, end.
                    var splits: [Int] = []
                    for _ in minimum..<maximum {
                        splits.append(program.count)
                        try append(.split(program.count + 1, -1))
                        _ = try emit(child)
                    }
                    for split in splits { program[split] = .split(split + 1, program.count) }
                } else {
                    // loop: split body, end; body; jump loop
                    let loop = program.count
                    try append(.split(loop + 1, -1))
                    _ = try emit(child)
                    try append(.jump(loop))
                    program[loop] = .split(loop + 1, program.count)
                }
            }
            return entry
        }
    }
}
