/// One immutable, compiled automaton for a whole rule set (all rules of a bus).
///
/// Built by ``PatternRuleSet/compile()``. It is a trie over each rule's conditions in path order:
/// a state has, per field path, one ``FieldMatcher`` that indexes the value tests of every rule
/// passing through that state, plus "field absent" edges for `{"exists": false}`. Rules with common
/// leading conditions share states, so matching an event visits only the states its values lead to.
///
/// Instances are immutable and `Sendable`: any number of threads can match against one instance, each
/// with its own ``PatternMatchContext``. Changing the rules builds a new instance (see
/// ``PatternMatcher`` for the atomic swap).
public final class PatternAutomaton: @unchecked Sendable { // immutable after init; `states` points to memory it owns and frees in deinit
    /// A state. The first edge and the first terminal rule are stored inline, so that the common
    /// states (one edge, or one rule) are read with one memory access.
    struct State: Sendable {
        var edgeStart: Int32
        var edgeCount: Int32
        var absentStart: Int32
        var absentCount: Int32
        var ruleStart: Int32
        var ruleCount: Int32
        var firstEdge: Edge
        var firstRule: Terminal
        /// Some rule ending here has several branches (`$or`), so it may be reached twice.
        var needsDedupe: Bool
    }

    struct Edge: Sendable {
        var pathID: Int32
        var matcher: Int32
    }

    struct Terminal: Sendable {
        /// Dense rule index (for de-duplication).
        var dense: Int32
        /// The caller's id.
        var id: PatternRuleID
    }

    struct AbsentEdge: Sendable {
        var pathID: Int32
        var target: Int32
    }

    let pathTable: PathTable
    // The tables the traversal reads are plain memory this instance owns (freed in deinit), so that
    // reading them involves no reference counting.
    /// The states, in memory placed on huge pages when large (random access across megabytes).
    let states: UnsafeMutableBufferPointer<State>
    let edges: UnsafeMutableBufferPointer<Edge>
    let absentEdges: UnsafeMutableBufferPointer<AbsentEdge>
    /// Owns the matchers; the traversal uses `matcherRefs`.
    let matchers: [FieldMatcher]
    /// `matchers`, unretained.
    let matcherRefs: UnsafeMutableBufferPointer<Unmanaged<FieldMatcher>>
    /// The rules that end in each state (see `State.ruleStart`).
    let terminalRules: UnsafeMutableBufferPointer<Terminal>
    /// Owns the matchers' table memory.
    let slab: Slab
    /// Caller ids by dense rule index.
    let ruleIDs: [PatternRuleID]

    init(pathTable: PathTable, states: [State], edges: [Edge], absentEdges: [AbsentEdge], matchers: [FieldMatcher], terminalRules: [Terminal], ruleIDs: [PatternRuleID], slab: Slab) {
        self.slab = slab
        self.pathTable = pathTable
        self.states = HugePages.allocate(State.self, count: states.count)
        _ = self.states.initialize(from: states)
        self.edges = .allocate(capacity: edges.count)
        _ = self.edges.initialize(from: edges)
        self.absentEdges = .allocate(capacity: absentEdges.count)
        _ = self.absentEdges.initialize(from: absentEdges)
        self.matchers = matchers
        self.matcherRefs = .allocate(capacity: matchers.count)
        _ = self.matcherRefs.initialize(from: matchers.map { Unmanaged.passUnretained($0) })
        self.terminalRules = .allocate(capacity: terminalRules.count)
        _ = self.terminalRules.initialize(from: terminalRules)
        self.ruleIDs = ruleIDs
    }

    deinit {
        HugePages.deallocate(states)
        edges.deallocate()
        absentEdges.deallocate()
        matcherRefs.deallocate()
        terminalRules.deallocate()
    }

    /// The number of rules compiled in.
    public var ruleCount: Int { ruleIDs.count }
    /// The number of automaton states (for sizing and diagnostics).
    public var stateCount: Int { states.count }
    /// The number of distinct field paths the rules mention.
    public var pathCount: Int { pathTable.paths.count }
    /// The dotted field paths the rules mention.
    public var fieldPaths: [String] { pathTable.paths }

    /// An estimate of the bytes this automaton holds (its arrays, tables and matchers; not the
    /// patterns kept by the ``PatternRuleSet``).
    public var estimatedMemoryBytes: Int {
        var total = pathTable.memoryBytes
        total += states.count * MemoryLayout<State>.stride + edges.count * MemoryLayout<Edge>.stride
        total += absentEdges.count * MemoryLayout<AbsentEdge>.stride + terminalRules.count * MemoryLayout<Terminal>.stride + ruleIDs.capacity * 4
        total += matchers.capacity * 8 + matcherRefs.count * 8
        for matcher in matchers { total += matcher.memoryBytes }
        // Tables live in the slab; count what it reserved rather than what they use.
        return total + slab.reservedBytes
    }

    /// An automaton with no rules (matches nothing).
    public static let empty: PatternAutomaton = PatternRuleSet().compile()

    /// Convenience for tools and tests: the ids of the rules matching one JSON event. Allocates a
    /// context per call; on a hot path reuse a ``PatternMatchContext``.
    public func matchingRules(json: [UInt8]) throws(PatternEventError) -> [PatternRuleID] {
        let context = PatternMatchContext()
        context.begin(self)
        let result: Result<Void, PatternEventError> = json.withUnsafeBytes { bytes in
            do throws(PatternEventError) {
                try context.addJSONEvent(bytes)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        context.finish()
        return context.matchedRuleIDs
    }
}
