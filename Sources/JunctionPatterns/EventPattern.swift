import JunctionJSON

/// A parsed EventBridge event pattern.
///
/// Parsing checks the whole language and the configured ``PatternLimits``; errors name the path in the
/// pattern and the problem. The pattern is kept as a disjunction of branches (one per combination of
/// `$or` alternatives), each a conjunction of field conditions; a rule set compiles many patterns into
/// one automaton (``PatternRuleSet``).
public struct EventPattern: Sendable {
    /// The alternatives: the pattern matches when any branch matches.
    let branches: [[PatternCondition]]

    /// Parses pattern text. Duplicate keys are allowed and the last one wins (as in EventBridge).
    public init(parsing text: String, limits: PatternLimits = .init()) throws(PatternError) {
        var copy = text
        let result: Result<EventPattern, PatternError> = copy.withUTF8 { bytes in
            do throws(PatternError) {
                return .success(try EventPattern(parsing: UnsafeRawBufferPointer(bytes), limits: limits))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    /// Parses pattern text from UTF-8 bytes.
    public init(parsing bytes: UnsafeRawBufferPointer, limits: PatternLimits = .init()) throws(PatternError) {
        if bytes.count > limits.maxPatternBytes {
            throw PatternError(path: "", message: "pattern is \(bytes.count) bytes, more than the limit of \(limits.maxPatternBytes)")
        }
        var options = JSONParseOptions()
        options.maxBytes = limits.maxPatternBytes
        options.maxDepth = limits.maxDepth * 3 + 4
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, options: options)
        } catch {
            throw PatternError(path: "", message: "pattern is not valid JSON: \(error)")
        }
        try self.init(json: value, limits: limits)
    }

    /// Builds a pattern from a parsed JSON value (an object).
    public init(json: JSONValue, limits: PatternLimits = .init()) throws(PatternError) {
        guard case .object(let object) = json else {
            throw PatternError(path: "", message: "a pattern must be a JSON object, found \(json.typeName)")
        }
        var parser = PatternParser(limits: limits)
        var branches = try parser.parseObject(object, prefix: "", display: "", depth: 1)
        for index in branches.indices {
            branches[index].sort { ($0.path, $0.canonicalTest) < ($1.path, $1.canonicalTest) }
        }
        var seen: Set<[PatternCondition]> = []
        self.branches = branches.filter { seen.insert($0).inserted }
    }

    /// The dotted paths of all fields the pattern mentions, sorted.
    public var fieldPaths: [String] {
        Set(branches.flatMap { $0.map(\.path) }).sorted()
    }

    /// The number of alternative conjunctions the pattern expands into.
    public var branchCount: Int { branches.count }
}
