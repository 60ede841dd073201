/// The mutable state of one event being matched: collected fields, array trails, the string arena and
/// the traversal scratch. A value type so that the hot loops work on a local (statically checked)
/// variable; ``PatternMatchContext`` owns one and moves it out for each operation.
///
/// The buffers are ``ScratchBuffer``s: copies of a storage share them, and ``deallocate()`` frees
/// them (``PatternMatchContext`` calls it once, in its `deinit`).
struct MatchStorage {
    struct FieldRecord {
        var pathID: Int32
        var type: PatternValueType
        /// Bytes outside the context, or nil when the bytes are in the arena at `offset`.
        var external: UnsafeRawPointer?
        var offset: Int
        var length: Int
        var number: Double
        var trailStart: Int32
        var trailCount: Int32
        var nextSamePath: Int32
    }

    struct TrailEntry {
        var array: Int32
        var index: Int32
    }

    struct Frame {
        /// The path node, or -1 when nothing below is wanted.
        var node: Int32
        var isArray: Bool
    }

    var automaton: PatternAutomaton = .empty
    var epoch: UInt32 = 1

    var fields = ScratchBuffer<FieldRecord>(capacity: 64)
    var trails = ScratchBuffer<TrailEntry>(capacity: 64)
    var trailStack = ScratchBuffer<TrailEntry>(capacity: 16)
    var frames = ScratchBuffer<Frame>(capacity: 16)
    var nextArrayID: Int32 = 0
    // Per path of the current automaton (sized when the automaton changes, like the per-state
    // and per-rule epochs below).
    var pathEpoch = ScratchBuffer<UInt32>(capacity: 16)
    var pathHead = ScratchBuffer<Int32>(capacity: 16)

    /// Bytes of unescaped strings. Records hold offsets into it, since growing it moves it.
    var arena = ScratchBuffer<UInt8>(capacity: 4096)
    var keyScratch: [UInt8] = []

    var stateEpoch = ScratchBuffer<UInt32>(capacity: 16)
    var ruleEpoch = ScratchBuffer<UInt32>(capacity: 16)
    var chosen = ScratchBuffer<Int32>(capacity: 32)
    var pending = ScratchBuffer<Int32>(capacity: 8)
    var targets = ScratchBuffer<Int32>(capacity: 64)
    var targetMark = ScratchBuffer<UInt32>(capacity: 16)
    var targetToken: UInt32 = 0
    var folded: [UInt8] = []
    var matches = ScratchBuffer<PatternRuleID>(capacity: 64)
    /// Whether ``PatternMatchContext/withMatchedRuleIDs(_:)`` has handed out `matches`: the next
    /// change to the matches then starts a new buffer (see ``detachMatches()``).
    var matchesLent = false
    /// Whether some path received two values in this event (an array, or a repeated key); only then
    /// can one state be reached twice, so only then is the per-state memo needed.
    var multiValued = false

    init() {
        keyScratch.reserveCapacity(64)
        folded.reserveCapacity(64)
    }

    /// Frees the buffers (once, when the owning context goes).
    func deallocate() {
        arena.deallocate()
        fields.deallocate()
        trails.deallocate()
        trailStack.deallocate()
        frames.deallocate()
        pathEpoch.deallocate()
        pathHead.deallocate()
        stateEpoch.deallocate()
        ruleEpoch.deallocate()
        chosen.deallocate()
        pending.deallocate()
        targets.deallocate()
        targetMark.deallocate()
        matches.deallocate()
    }

    mutating func begin(_ automaton: PatternAutomaton) {
        if self.automaton !== automaton {
            self.automaton = automaton
            pathEpoch.reset(count: automaton.pathCount, repeating: 0)
            pathHead.reset(count: automaton.pathCount, repeating: -1)
            stateEpoch.reset(count: automaton.stateCount, repeating: 0)
            ruleEpoch.reset(count: automaton.ruleCount, repeating: 0)
            targetMark.reset(count: automaton.stateCount, repeating: 0)
            targetToken = 0
        }
        if epoch == UInt32.max {
            epoch = 1
            pathEpoch.fill(0)
            stateEpoch.fill(0)
            ruleEpoch.fill(0)
        } else {
            epoch &+= 1
        }
        fields.removeAll()
        trails.removeAll()
        trailStack.removeAll()
        frames.removeAll()
        frames.append(Frame(node: PathTable.root, isArray: false))
        if matchesLent { replaceLentMatches() } else { matches.removeAll() }
        nextArrayID = 0
        arena.removeAll()
        multiValued = false
    }

    /// Moves the matches to a buffer of their own, leaving the one handed out by
    /// ``PatternMatchContext/withMatchedRuleIDs(_:)`` unchanged (it frees that one).
    @inline(never)
    mutating func detachMatches() {
        matches = matches.copy()
        matchesLent = false
    }

    /// Gives the new event an empty buffer, leaving the one handed out by
    /// ``PatternMatchContext/withMatchedRuleIDs(_:)`` unchanged (it frees that one): its ids are the
    /// previous event's, so unlike ``detachMatches()`` there is nothing to carry over.
    @inline(never)
    mutating func replaceLentMatches() {
        matches = ScratchBuffer(capacity: matches.capacity)
        matchesLent = false
    }

    // MARK: - Collecting fields

    /// The path node below the current frame for `key`, or -1 when no rule looks there.
    @inline(__always)
    func childNode(_ key: UnsafeRawBufferPointer) -> Int32 {
        let frame = frames[frames.count - 1]
        precondition(!frame.isArray, "a keyed member was added inside an array; use the element calls")
        let node = frame.node
        if node < 0 || !automaton.pathTable.hasChildren[Int(node)] { return -1 }
        return automaton.pathTable.child(of: node, key: key)
    }

    @inline(__always)
    mutating func pushArray(node: Int32) {
        frames.append(Frame(node: node, isArray: true))
        trailStack.append(TrailEntry(array: nextArrayID, index: -1))
        nextArrayID += 1
    }

    /// Advances the current array to its next element; returns the array's node.
    @inline(__always)
    mutating func nextElementNode() -> Int32 {
        let top = frames[frames.count - 1]
        precondition(top.isArray, "an array element was added outside an array")
        trailStack[trailStack.count - 1].index += 1
        return top.node
    }

    /// Records a leaf value at `node` if a rule tests that path; `copy` puts the bytes in the arena.
    @inline(__always)
    mutating func addLeaf(node: Int32, type: PatternValueType, bytes: UnsafeRawBufferPointer, copy: Bool) {
        if node < 0 || automaton.pathTable.pathIDs[Int(node)] < 0 { return }
        if copy {
            let offset = arena.count
            arena.append(bytes: bytes)
            addLeaf(node: node, type: type, external: nil, offset: offset, length: bytes.count)
        } else {
            addLeaf(node: node, type: type, external: bytes.baseAddress.map { UnsafeRawPointer($0) }, offset: 0, length: bytes.count)
        }
    }

    /// Records a leaf value whose bytes are at `external` (or, when nil, at `offset` in the arena).
    @inline(__always)
    mutating func addLeaf(node: Int32, type: PatternValueType, external: UnsafeRawPointer?, offset: Int, length: Int) {
        let pathID = automaton.pathTable.pathIDs[Int(node)]
        if pathID < 0 { return }
        var record = FieldRecord(pathID: pathID, type: type, external: external, offset: offset, length: length,
                                 number: 0, trailStart: 0, trailCount: 0, nextSamePath: -1)
        if type == .number {
            let base = external ?? UnsafeRawPointer(arena.base + offset)
            record.number = NumberParsing.parse(UnsafeRawBufferPointer(start: base, count: length)) ?? .nan
        }
        if !trailStack.isEmpty {
            record.trailStart = Int32(trails.count)
            record.trailCount = Int32(trailStack.count)
            trails.append(contentsOf: trailStack)
        }
        let path = Int(pathID)
        if pathEpoch[path] != epoch {
            pathEpoch[path] = epoch
            pathHead[path] = -1
        } else {
            multiValued = true
        }
        record.nextSamePath = pathHead[path]
        pathHead[path] = Int32(fields.count)
        fields.append(record)
    }

    // MARK: - Matching

    @inline(__always)
    func value(of index: Int) -> FieldValue {
        let record = fields[index]
        let base = record.external ?? UnsafeRawPointer(arena.base + record.offset)
        return FieldValue(type: record.type, bytes: UnsafeRawBufferPointer(start: base, count: record.length), number: record.number)
    }

    @inline(__always)
    func head(_ pathID: Int32) -> Int32 {
        let path = Int(pathID)
        return pathEpoch[path] == epoch ? pathHead[path] : -1
    }

    /// Whether two fields can come from the same elements of every array they share.
    @inline(__always)
    func compatible(_ first: Int, _ second: Int) -> Bool {
        let a = fields[first]
        let b = fields[second]
        let shared = min(Int(a.trailCount), Int(b.trailCount))
        for level in 0..<shared {
            let x = trails[Int(a.trailStart) + level]
            let y = trails[Int(b.trailStart) + level]
            if x.array != y.array { return true }
            if x.index != y.index { return false }
        }
        return true
    }

    @inline(__always)
    func compatibleWithChosen(_ field: Int) -> Bool {
        if fields[field].trailCount == 0 { return true }
        for other in chosen.elements where fields[Int(other)].trailCount > 0 {
            if !compatible(field, Int(other)) { return false }
        }
        return true
    }

    // The helpers `visit` calls that are not inlined are `mutating` only so that `visit` passes
    // them `self` by address: a non-mutating call from a mutating method copies the whole struct
    // first. (The `@inline(__always)` ones need not be.)
    mutating func contextIsClean() -> Bool {
        if !pending.isEmpty { return false }
        for other in chosen.elements where fields[Int(other)].trailCount > 0 { return false }
        return true
    }

    /// `{"exists": false}` conditions on the way here: no value at the path may be compatible with
    /// the fields chosen for the other conditions.
    mutating func pendingAbsencesHold() -> Bool {
        for pathID in pending.elements {
            var field = head(pathID)
            while field >= 0 {
                if compatibleWithChosen(Int(field)) { return false }
                field = fields[Int(field)].nextSamePath
            }
        }
        return true
    }

    /// Records a matched rule. Without arrays or repeated keys in the event and without `$or`, every
    /// state is reached at most once, so the de-duplication (a random access into a table as large as
    /// the rule set) is skipped.
    @inline(__always)
    mutating func emit(_ rule: PatternAutomaton.Terminal, dedupe: Bool) {
        if dedupe {
            if ruleEpoch[Int(rule.dense)] == epoch { return }
            ruleEpoch[Int(rule.dense)] = epoch
        }
        matches.append(rule.id)
    }

    /// Records the rules that end in `state`, reached with the fields in `chosen`.
    @inline(__always)
    mutating func emitRules(of state: PatternAutomaton.State) {
        guard state.ruleCount > 0, pending.isEmpty || pendingAbsencesHold() else { return }
        let dedupe = multiValued || state.needsDedupe
        emit(state.firstRule, dedupe: dedupe)
        if state.ruleCount > 1 {
            unowned(unsafe) let automaton = self.automaton
            for position in Int(state.ruleStart + 1)..<Int(state.ruleStart + state.ruleCount) {
                emit(automaton.terminalRules[position], dedupe: dedupe)
            }
        }
    }

    /// `visit(target)`, with the common final states (rules, no edges) handled without the call:
    /// when no path has two values, `visit` keeps no memo, so all it would do is emit the rules.
    @inline(__always)
    mutating func enter(_ target: Int32) {
        unowned(unsafe) let automaton = self.automaton
        let state = automaton.states[Int(target)]
        if !multiValued, state.edgeCount == 0, state.absentCount == 0 {
            emitRules(of: state)
        } else {
            visit(target)
        }
    }

    /// Walks the automaton from `stateIndex` over the collected fields, recording matched rules.
    mutating func visit(_ stateIndex: Int32) {
        // `self.automaton` keeps the automaton (and its matchers) alive for the whole traversal, so
        // the traversal holds them without reference counting.
        unowned(unsafe) let automaton = self.automaton
        let state = automaton.states[Int(stateIndex)]
        if multiValued, contextIsClean() {
            if stateEpoch[Int(stateIndex)] == epoch { return }
            stateEpoch[Int(stateIndex)] = epoch
        }
        emitRules(of: state)
        if state.edgeCount > 0 {
            for position in Int(state.edgeStart)..<Int(state.edgeStart + state.edgeCount) {
                let edge = position == Int(state.edgeStart) ? state.firstEdge : automaton.edges[position]
                var field = head(edge.pathID)
                if field < 0 { continue }
                let matcher = automaton.matcherRefs[Int(edge.matcher)]
                while field >= 0 {
                    let fieldIndex = Int(field)
                    field = fields[fieldIndex].nextSamePath
                    if !compatibleWithChosen(fieldIndex) { continue }
                    let mark = targets.count
                    let value = value(of: fieldIndex)
                    matcher._withUnsafeGuaranteedRef { $0.collect(value, into: &targets, folded: &folded) }
                    let end = targets.count
                    if end == mark { continue }
                    chosen.append(Int32(fieldIndex))
                    if end - mark <= 4 {
                        // Few targets: skip repeats by looking back.
                        var index = mark
                        while index < end {
                            let target = targets[index]
                            var earlier = mark
                            while earlier < index, targets[earlier] != target { earlier += 1 }
                            if earlier == index { enter(target) }
                            index += 1
                        }
                        chosen.removeLast()
                        targets.removeLast(end - mark)
                        continue
                    }
                    if targetToken == UInt32.max {
                        targetToken = 0
                        targetMark.fill(0)
                    }
                    targetToken += 1
                    let token = targetToken
                    var index = mark
                    while index < end {
                        let target = Int(targets[index])
                        // Skip repeats (a value passing two tests of the same edge).
                        if targetMark[target] != token {
                            targetMark[target] = token
                            enter(Int32(target))
                        }
                        index += 1
                    }
                    chosen.removeLast()
                    targets.removeLast(end - mark)
                }
            }
        }
        if state.absentCount > 0 {
            for position in Int(state.absentStart)..<Int(state.absentStart + state.absentCount) {
                let edge = automaton.absentEdges[position]
                pending.append(edge.pathID)
                visit(edge.target)
                pending.removeLast()
            }
        }
    }
}
