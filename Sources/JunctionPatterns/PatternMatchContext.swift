/// Reusable per-thread scratch for matching events against a ``PatternAutomaton``, and the field-view
/// interface events are fed through.
///
/// One context belongs to one thread at a time (it is not `Sendable`); keep one per pipeline worker and
/// reuse it for every event: after the first few events it allocates nothing. For each event:
///
/// 1. ``begin(_:)`` with the current automaton snapshot;
/// 2. feed fields: envelope values with ``addValue(key:type:bytes:)`` (or the `String`/`StaticString`
///    conveniences), nested objects and arrays with ``enterObject(key:)``, ``enterArray(key:)``,
///    ``addElement(type:bytes:)`` and the `leave` calls, and JSON payloads with
///    ``addJSON(key:_:)`` (for `detail`) or ``addJSONEvent(_:)`` (a whole event);
/// 3. ``finish()``, then read ``matchCount`` / ``withMatchedRuleIDs(_:)`` (no copy) or
///    ``matchedRuleIDs`` (a copy).
///
/// Values are byte slices tagged with their JSON type: no `String` is created. The bytes passed in must
/// stay valid until ``finish()`` returns. Fields no rule mentions are dropped at once (a JSON subtree no
/// rule looks into is skipped without being decoded). A field's array position is recorded so that
/// conditions on fields of an array of objects are satisfied within one element.
public final class PatternMatchContext {
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

    private(set) var automaton: PatternAutomaton = .empty
    private var epoch: UInt32 = 1

    // Collected fields.
    var fields: [FieldRecord] = []
    var trails: [TrailEntry] = []
    var trailStack: [TrailEntry] = []
    var frames: [Frame] = []
    var nextArrayID: Int32 = 0
    private var pathEpoch: [UInt32] = []
    private var pathHead: [Int32] = []

    // Bytes of unescaped strings.
    var arena: UnsafeMutableRawPointer
    var arenaCapacity: Int
    var arenaCount = 0
    var keyScratch: [UInt8] = []

    // Traversal.
    private var stateEpoch: [UInt32] = []
    private var ruleEpoch: [UInt32] = []
    private var chosen: [Int32] = []
    private var pending: [Int32] = []
    private var targets: [Int32] = []
    private var targetMark: [UInt32] = []
    private var targetToken: UInt32 = 0
    private var folded: [UInt8] = []
    private var matches: [PatternRuleID] = []

    public init() {
        arenaCapacity = 4096
        arena = UnsafeMutableRawPointer.allocate(byteCount: arenaCapacity, alignment: 8)
        fields.reserveCapacity(64)
        trails.reserveCapacity(64)
        trailStack.reserveCapacity(16)
        frames.reserveCapacity(16)
        chosen.reserveCapacity(32)
        pending.reserveCapacity(8)
        targets.reserveCapacity(64)
        matches.reserveCapacity(64)
        keyScratch.reserveCapacity(64)
        folded.reserveCapacity(64)
    }

    deinit {
        arena.deallocate()
    }

    // MARK: - Per event

    /// Starts an event against `automaton` (a snapshot; see ``PatternMatcher/snapshot``). Forgets the
    /// previous event's fields and matches.
    public func begin(_ automaton: PatternAutomaton) {
        if self.automaton !== automaton {
            self.automaton = automaton
            pathEpoch = [UInt32](repeating: 0, count: automaton.pathCount)
            pathHead = [Int32](repeating: -1, count: automaton.pathCount)
            stateEpoch = [UInt32](repeating: 0, count: automaton.stateCount)
            ruleEpoch = [UInt32](repeating: 0, count: automaton.ruleCount)
            targetMark = [UInt32](repeating: 0, count: automaton.stateCount)
            targetToken = 0
        }
        if epoch == UInt32.max {
            epoch = 1
            for index in pathEpoch.indices { pathEpoch[index] = 0 }
            for index in stateEpoch.indices { stateEpoch[index] = 0 }
            for index in ruleEpoch.indices { ruleEpoch[index] = 0 }
        } else {
            epoch &+= 1
        }
        fields.removeAll(keepingCapacity: true)
        trails.removeAll(keepingCapacity: true)
        trailStack.removeAll(keepingCapacity: true)
        frames.removeAll(keepingCapacity: true)
        frames.append(Frame(node: PathTable.root, isArray: false))
        matches.removeAll(keepingCapacity: true)
        nextArrayID = 0
        arenaCount = 0
    }

    /// Matches the fields fed since ``begin(_:)`` against every rule.
    public func finish() {
        visit(0)
    }

    /// The number of rules the event matched (after ``finish()``).
    public var matchCount: Int { matches.count }

    /// Calls `body` with the matched rule ids (each once, in no particular order), without copying.
    /// The buffer is valid only inside `body`.
    public func withMatchedRuleIDs<Result>(_ body: (UnsafeBufferPointer<PatternRuleID>) throws -> Result) rethrows -> Result {
        try matches.withUnsafeBufferPointer(body)
    }

    /// A copy of the matched rule ids, sorted.
    public var matchedRuleIDs: [PatternRuleID] { matches.sorted() }

    // MARK: - Field view

    /// The path node below the current frame for `key`, or -1 when no rule looks there.
    @inline(__always)
    func childNode(_ key: UnsafeRawBufferPointer) -> Int32 {
        let node = frames[frames.count - 1].node
        if node < 0 || !automaton.pathTable.hasChildren[Int(node)] { return -1 }
        return automaton.pathTable.child(of: node, key: key)
    }

    /// Adds a scalar member `key` of the current object. `bytes` are the UTF-8 content for a string
    /// (unescaped) or the JSON spelling for a number; they are ignored for `true`, `false`, `null`.
    public func addValue(key: UnsafeRawBufferPointer, type: PatternValueType, bytes: UnsafeRawBufferPointer) {
        let node = childNode(key)
        if node >= 0 { addLeaf(node: node, type: type, bytes: bytes) }
    }

    /// Adds a string member (convenience over ``addValue(key:type:bytes:)``).
    public func addString(key: StaticString, _ value: UnsafeRawBufferPointer) {
        key.withUTF8Buffer { addValue(key: UnsafeRawBufferPointer($0), type: .string, bytes: value) }
    }

    /// Adds a string member from a `String` (its UTF-8 storage is used directly when contiguous).
    /// The string must stay alive until ``finish()``; prefer the byte forms on a hot path.
    public func addString(key: String, _ value: String) {
        var key = key
        var value = value
        key.withUTF8 { keyBytes in
            value.withUTF8 { valueBytes in
                let node = childNode(UnsafeRawBufferPointer(keyBytes))
                if node >= 0 { addLeaf(node: node, type: .string, bytes: UnsafeRawBufferPointer(valueBytes), copy: true) }
            }
        }
    }

    /// Opens member `key` of the current object as an object. Returns false when no rule looks
    /// inside it: the caller may skip its contents (calls made inside are ignored anyway). Pair
    /// with ``leaveObject()``.
    @discardableResult
    public func enterObject(key: UnsafeRawBufferPointer) -> Bool {
        let node = childNode(key)
        frames.append(Frame(node: node, isArray: false))
        return node >= 0
    }

    /// Closes the object opened by ``enterObject(key:)`` or ``enterElementObject()``.
    public func leaveObject() {
        frames.removeLast()
    }

    /// Opens member `key` of the current object as an array. Returns false when no rule looks at it.
    /// Feed its elements with ``addElement(type:bytes:)``, ``enterElementObject()`` and
    /// ``enterElementArray()``; pair with ``leaveArray()``.
    @discardableResult
    public func enterArray(key: UnsafeRawBufferPointer) -> Bool {
        let node = childNode(key)
        pushArray(node: node)
        return node >= 0
    }

    /// Closes the array opened by ``enterArray(key:)`` or ``enterElementArray()``.
    public func leaveArray() {
        frames.removeLast()
        trailStack.removeLast()
    }

    /// Adds the next element of the current array as a scalar.
    public func addElement(type: PatternValueType, bytes: UnsafeRawBufferPointer) {
        let node = nextElementNode()
        if node >= 0, automaton.pathTable.pathIDs[Int(node)] >= 0 {
            addLeaf(node: node, type: type, bytes: bytes)
        }
    }

    /// Opens the next element of the current array as an object; pair with ``leaveObject()``.
    @discardableResult
    public func enterElementObject() -> Bool {
        let node = nextElementNode()
        frames.append(Frame(node: node, isArray: false))
        return node >= 0
    }

    /// Opens the next element of the current array as an array; pair with ``leaveArray()``.
    @discardableResult
    public func enterElementArray() -> Bool {
        let node = nextElementNode()
        pushArray(node: node)
        return node >= 0
    }

    @inline(__always)
    func pushArray(node: Int32) {
        frames.append(Frame(node: node, isArray: true))
        trailStack.append(TrailEntry(array: nextArrayID, index: -1))
        nextArrayID += 1
    }

    /// Advances the current array to its next element; returns the array's node.
    @inline(__always)
    func nextElementNode() -> Int32 {
        let top = frames[frames.count - 1]
        precondition(top.isArray, "an array element was added outside an array")
        trailStack[trailStack.count - 1].index += 1
        return top.node
    }

    /// Records a leaf value at `node` if a rule tests that path.
    @inline(__always)
    func addLeaf(node: Int32, type: PatternValueType, bytes: UnsafeRawBufferPointer, copy: Bool = false) {
        if automaton.pathTable.pathIDs[Int(node)] < 0 { return }
        if copy {
            let offset = appendToArena(bytes)
            addLeaf(node: node, type: type, external: nil, offset: offset, length: bytes.count)
        } else {
            addLeaf(node: node, type: type, external: bytes.baseAddress.map { UnsafeRawPointer($0) }, offset: 0, length: bytes.count)
        }
    }

    /// Records a leaf value whose bytes are at `external` (or, when nil, at `offset` in the arena).
    @inline(__always)
    func addLeaf(node: Int32, type: PatternValueType, external: UnsafeRawPointer?, offset: Int, length: Int) {
        let pathID = automaton.pathTable.pathIDs[Int(node)]
        if pathID < 0 { return }
        var record = FieldRecord(pathID: pathID, type: type, external: external, offset: offset, length: length,
                                 number: 0, trailStart: 0, trailCount: 0, nextSamePath: -1)
        if type == .number {
            let base = external ?? UnsafeRawPointer(arena + offset)
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
        }
        record.nextSamePath = pathHead[path]
        pathHead[path] = Int32(fields.count)
        fields.append(record)
    }

    /// Copies bytes into the arena; returns their offset.
    func appendToArena(_ bytes: UnsafeRawBufferPointer) -> Int {
        reserveArena(bytes.count)
        let offset = arenaCount
        if let base = bytes.baseAddress, bytes.count > 0 {
            (arena + offset).copyMemory(from: base, byteCount: bytes.count)
        }
        arenaCount += bytes.count
        return offset
    }

    /// Makes room for `count` more arena bytes (moving the arena; records hold offsets).
    func reserveArena(_ count: Int) {
        if arenaCount + count <= arenaCapacity { return }
        var capacity = arenaCapacity * 2
        while capacity < arenaCount + count { capacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        grown.copyMemory(from: arena, byteCount: arenaCount)
        arena.deallocate()
        arena = grown
        arenaCapacity = capacity
    }

    // MARK: - Matching

    @inline(__always)
    private func value(of index: Int) -> FieldValue {
        let record = fields[index]
        let base = record.external ?? UnsafeRawPointer(arena + record.offset)
        return FieldValue(type: record.type, bytes: UnsafeRawBufferPointer(start: base, count: record.length), number: record.number)
    }

    @inline(__always)
    private func head(_ pathID: Int32) -> Int32 {
        let path = Int(pathID)
        return pathEpoch[path] == epoch ? pathHead[path] : -1
    }

    /// Whether two fields can come from the same elements of every array they share.
    @inline(__always)
    private func compatible(_ first: Int, _ second: Int) -> Bool {
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
    private func compatibleWithChosen(_ field: Int) -> Bool {
        if fields[field].trailCount == 0 { return true }
        for other in chosen where fields[Int(other)].trailCount > 0 {
            if !compatible(field, Int(other)) { return false }
        }
        return true
    }

    private var contextIsClean: Bool {
        if !pending.isEmpty { return false }
        for other in chosen where fields[Int(other)].trailCount > 0 { return false }
        return true
    }

    /// `{"exists": false}` conditions on the way here: no value at the path may be compatible with
    /// the fields chosen for the other conditions.
    private func pendingAbsencesHold() -> Bool {
        for pathID in pending {
            var field = head(pathID)
            while field >= 0 {
                if compatibleWithChosen(Int(field)) { return false }
                field = fields[Int(field)].nextSamePath
            }
        }
        return true
    }

    private func visit(_ stateIndex: Int32) {
        let state = automaton.states[Int(stateIndex)]
        if contextIsClean {
            if stateEpoch[Int(stateIndex)] == epoch { return }
            stateEpoch[Int(stateIndex)] = epoch
        }
        if state.ruleCount > 0, pendingAbsencesHold() {
            for position in Int(state.ruleStart)..<Int(state.ruleStart + state.ruleCount) {
                let rule = Int(automaton.terminalRules[position])
                if ruleEpoch[rule] != epoch {
                    ruleEpoch[rule] = epoch
                    matches.append(automaton.ruleIDs[rule])
                }
            }
        }
        if state.edgeCount > 0 {
            for position in Int(state.edgeStart)..<Int(state.edgeStart + state.edgeCount) {
                let edge = automaton.edges[position]
                var field = head(edge.pathID)
                if field < 0 { continue }
                let matcher = automaton.matchers[Int(edge.matcher)]
                while field >= 0 {
                    let fieldIndex = Int(field)
                    field = fields[fieldIndex].nextSamePath
                    if !compatibleWithChosen(fieldIndex) { continue }
                    let mark = targets.count
                    matcher.collect(value(of: fieldIndex), into: &targets, folded: &folded)
                    let end = targets.count
                    if end == mark { continue }
                    chosen.append(Int32(fieldIndex))
                    if targetToken == UInt32.max {
                        targetToken = 0
                        for state in targetMark.indices { targetMark[state] = 0 }
                    }
                    targetToken += 1
                    let token = targetToken
                    var index = mark
                    while index < end {
                        let target = Int(targets[index])
                        // Skip repeats (a value passing two tests of the same edge).
                        if targetMark[target] != token {
                            targetMark[target] = token
                            visit(Int32(target))
                        }
                        index += 1
                    }
                    chosen.removeLast()
                    targets.removeSubrange(mark...)
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
