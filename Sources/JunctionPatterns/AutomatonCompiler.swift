/// Builds the state trie from rule branches, then freezes it into a ``PatternAutomaton``.
struct AutomatonCompiler {
    private struct EdgeKey: Hashable {
        var pathID: Int32
        var test: String
    }

    private struct BuilderState {
        var edges: [EdgeKey: Int32] = [:]
        var edgeOrder: [(EdgeKey, PatternCondition.Test)] = []
        var rules: [Int32] = []
    }

    private var states: [BuilderState] = [BuilderState()]
    private var pathIDs: [String: Int32] = [:]
    private var paths: [String] = []

    private mutating func pathID(_ path: String) -> Int32 {
        if let id = pathIDs[path] { return id }
        let id = Int32(paths.count)
        pathIDs[path] = id
        paths.append(path)
        return id
    }

    /// Adds one branch (a conjunction of conditions) of rule `rule`.
    mutating func insert(_ branch: [PatternCondition], rule: Int32) {
        var keyed = branch.map { condition in
            (AutomatonCompiler.selectivity(condition.test), EdgeKey(pathID: pathID(condition.path), test: condition.canonicalTest), condition.test)
        }
        // A canonical order, so that rules sharing conditions share states, and the most selective
        // conditions first, so that a state's outgoing edges are reached by few events: exact values
        // lead, then ranges and affixes, then the broad tests (anything-but, wildcard, exists), then
        // absences.
        keyed.sort { ($0.0, $0.1.pathID, $0.1.test) < ($1.0, $1.1.pathID, $1.1.test) }
        var state: Int32 = 0
        for (_, key, test) in keyed {
            if let next = states[Int(state)].edges[key] {
                state = next
            } else {
                let next = Int32(states.count)
                states.append(BuilderState())
                states[Int(state)].edges[key] = next
                states[Int(state)].edgeOrder.append((key, test))
                state = next
            }
        }
        if states[Int(state)].rules.last != rule { states[Int(state)].rules.append(rule) }
    }

    /// Orders conditions by how few values they typically accept (lower first).
    static func selectivity(_ test: PatternCondition.Test) -> Int {
        guard case .anyOf(let matchers) = test else { return 5 }
        var worst = 0
        for matcher in matchers {
            let rank: Int
            switch matcher {
            case .exact: rank = 0
            case .equalsIgnoreCase: rank = 1
            case .prefix, .suffix, .prefixIgnoreCase, .suffixIgnoreCase, .numeric, .cidr: rank = 2
            case .wildcard, .regexp, .anythingBut: rank = 3
            case .exists: rank = 4
            }
            worst = max(worst, rank)
        }
        return worst
    }

    /// Produces the immutable automaton; `multiBranch[dense]` says whether a rule has several branches.
    func freeze(ruleIDs: [PatternRuleID], multiBranch: [Bool]) -> PatternAutomaton {
        var frozenStates: [PatternAutomaton.State] = []
        frozenStates.reserveCapacity(states.count)
        var edges: [PatternAutomaton.Edge] = []
        var absentEdges: [PatternAutomaton.AbsentEdge] = []
        var matchers: [FieldMatcher] = []
        var terminalRules: [PatternAutomaton.Terminal] = []
        let slab = Slab()
        for state in states {
            var byPath: [Int32: [(ValueMatcher, Int32)]] = [:]
            var pathOrder: [Int32] = []
            let edgeStart = Int32(edges.count)
            let absentStart = Int32(absentEdges.count)
            for (key, test) in state.edgeOrder {
                let target = state.edges[key]!
                switch test {
                case .absent:
                    absentEdges.append(.init(pathID: key.pathID, target: target))
                case .anyOf(let values):
                    if byPath[key.pathID] == nil { pathOrder.append(key.pathID) }
                    for value in values { byPath[key.pathID, default: []].append((value, target)) }
                }
            }
            for path in pathOrder {
                edges.append(.init(pathID: path, matcher: Int32(matchers.count)))
                matchers.append(FieldMatcher(byPath[path]!, slab: slab))
            }
            let ruleStart = Int32(terminalRules.count)
            terminalRules += state.rules.map { PatternAutomaton.Terminal(dense: $0, id: ruleIDs[Int($0)]) }
            let edgeCount = Int32(edges.count) - edgeStart
            frozenStates.append(.init(
                edgeStart: edgeStart, edgeCount: edgeCount,
                absentStart: absentStart, absentCount: Int32(absentEdges.count) - absentStart,
                ruleStart: ruleStart, ruleCount: Int32(state.rules.count),
                firstEdge: edgeCount > 0 ? edges[Int(edgeStart)] : .init(pathID: -1, matcher: -1),
                firstRule: state.rules.isEmpty ? .init(dense: -1, id: 0) : terminalRules[Int(ruleStart)],
                needsDedupe: state.rules.contains { multiBranch[Int($0)] }))
        }
        return PatternAutomaton(
            pathTable: PathTable(paths: paths), states: frozenStates, edges: edges,
            absentEdges: absentEdges, matchers: matchers, terminalRules: terminalRules, ruleIDs: ruleIDs, slab: slab)
    }
}
