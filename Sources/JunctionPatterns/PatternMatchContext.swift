/// Reusable per-thread scratch for matching events against a ``PatternAutomaton``, and the field-view
/// interface events are fed through.
///
/// One context belongs to one thread at a time (it is not `Sendable`); keep one per pipeline worker and
/// reuse it for every event: after the first few events it allocates nothing. For each event:
///
/// 1. ``begin(_:)`` with the current automaton snapshot;
/// 2. feed fields: envelope values with ``addValue(key:type:bytes:)`` (or the `StaticString`
///    conveniences), nested objects and arrays with ``enterObject(key:)``, ``enterArray(key:)``,
///    ``addElement(type:bytes:)`` and the `leave` calls, and JSON payloads with
///    ``addJSON(key:_:)`` (for `detail`) or ``addJSONEvent(_:)`` (a whole event);
/// 3. ``finish()``, then read ``matchCount`` / ``withMatchedRuleIDs(_:)`` (no copy) or
///    ``matchedRuleIDs`` (a sorted copy).
///
/// Values are byte slices tagged with their JSON type: no `String` is created. The bytes passed in must
/// stay valid until ``finish()`` returns. Fields no rule mentions are dropped at once (a JSON subtree no
/// rule looks into is skipped without being decoded). A field's array position is recorded so that
/// conditions on fields of an array of objects are satisfied within one element.
public final class PatternMatchContext {
    /// Not checked for exclusive access at run time (those checks were ~10% of
    /// a pipeline worker's time): a context is confined to one thread, and
    /// every access below is a single call into `MatchStorage` that never
    /// calls out to code that could reach this context again (the one method
    /// that takes a closure, ``withMatchedRuleIDs(_:)``, calls it outside the
    /// access). Keep it that way when adding methods.
    @exclusivity(unchecked) var storage = MatchStorage()

    public init() {}

    deinit {
        storage.deallocate()
    }

    /// The automaton of the current event.
    var automaton: PatternAutomaton { storage.automaton }

    // MARK: - Per event

    /// Starts an event against `automaton` (a snapshot; see ``PatternMatcher/snapshot``). Forgets the
    /// previous event's fields and matches.
    public func begin(_ automaton: PatternAutomaton) {
        storage.begin(automaton)
    }

    /// Matches the fields fed since ``begin(_:)`` against every rule.
    public func finish() {
        if storage.matchesLent { storage.detachMatches() }
        storage.visit(0)
    }

    /// The number of rules the event matched (after ``finish()``).
    public var matchCount: Int { storage.matches.count }

    /// Calls `body` with the matched rule ids (each once, in no particular order), without copying.
    /// The buffer is valid only inside `body`.
    public func withMatchedRuleIDs<Result>(_ body: (UnsafeBufferPointer<PatternRuleID>) throws -> Result) rethrows -> Result {
        // Outside any access to `storage` (see there): `body` may use this context. The buffer is
        // lent, not copied: while it is lent, `begin` and `finish` move the matches to a new buffer
        // before changing them, and the outermost lender of a buffer frees it once it is replaced.
        let lent = storage.matches.elements
        let wasLent = storage.matchesLent
        storage.matchesLent = true
        defer {
            if storage.matches.base == UnsafeMutablePointer(mutating: lent.baseAddress) {
                storage.matchesLent = wasLent
            } else if !wasLent {
                lent.deallocate()
            }
        }
        return try body(lent)
    }

    /// A copy of the matched rule ids, sorted.
    public var matchedRuleIDs: [PatternRuleID] { Array(storage.matches.elements).sorted() }

    // MARK: - Field view

    /// Adds a scalar member `key` of the current object. `bytes` are the UTF-8 content for a string
    /// (unescaped) or the JSON spelling for a number; they are ignored for `true`, `false`, `null`.
    public func addValue(key: UnsafeRawBufferPointer, type: PatternValueType, bytes: UnsafeRawBufferPointer) {
        let node = storage.childNode(key)
        if node >= 0 { storage.addLeaf(node: node, type: type, bytes: bytes, copy: false) }
    }

    /// Adds a scalar member with a static key, such as `"source"`.
    public func addValue(key: StaticString, type: PatternValueType, bytes: UnsafeRawBufferPointer) {
        addValue(key: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount), type: type, bytes: bytes)
    }

    /// Adds a string member from `String`s; the value is copied into the context. Convenient for
    /// tools and tests; prefer the byte forms on a hot path.
    public func addString(key: String, _ value: String) {
        var key = key
        var value = value
        key.withUTF8 { keyBytes in
            value.withUTF8 { valueBytes in
                let node = storage.childNode(UnsafeRawBufferPointer(keyBytes))
                if node >= 0 { storage.addLeaf(node: node, type: .string, bytes: UnsafeRawBufferPointer(valueBytes), copy: true) }
            }
        }
    }

    /// Opens member `key` of the current object as an object. Returns false when no rule looks
    /// inside it: the caller may skip its contents (calls made inside are ignored anyway). Pair
    /// with ``leaveObject()``.
    @discardableResult
    public func enterObject(key: UnsafeRawBufferPointer) -> Bool {
        let node = storage.childNode(key)
        storage.frames.append(.init(node: node, isArray: false))
        return node >= 0
    }

    /// Opens member `key` (a static key) as an object; see ``enterObject(key:)-(UnsafeRawBufferPointer)``.
    @discardableResult
    public func enterObject(key: StaticString) -> Bool {
        enterObject(key: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    }

    /// Closes the object opened by ``enterObject(key:)`` or ``enterElementObject()``.
    public func leaveObject() {
        storage.frames.removeLast()
    }

    /// Opens member `key` of the current object as an array. Returns false when no rule looks at it.
    /// Feed its elements with ``addElement(type:bytes:)``, ``enterElementObject()`` and
    /// ``enterElementArray()``; pair with ``leaveArray()``.
    @discardableResult
    public func enterArray(key: UnsafeRawBufferPointer) -> Bool {
        let node = storage.childNode(key)
        storage.pushArray(node: node)
        return node >= 0
    }

    /// Opens member `key` (a static key) as an array, for example `"resources"`.
    @discardableResult
    public func enterArray(key: StaticString) -> Bool {
        enterArray(key: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    }

    /// Closes the array opened by ``enterArray(key:)`` or ``enterElementArray()``.
    public func leaveArray() {
        storage.frames.removeLast()
        storage.trailStack.removeLast()
    }

    /// Adds the next element of the current array as a scalar.
    public func addElement(type: PatternValueType, bytes: UnsafeRawBufferPointer) {
        let node = storage.nextElementNode()
        storage.addLeaf(node: node, type: type, bytes: bytes, copy: false)
    }

    /// Opens the next element of the current array as an object; pair with ``leaveObject()``.
    @discardableResult
    public func enterElementObject() -> Bool {
        let node = storage.nextElementNode()
        storage.frames.append(.init(node: node, isArray: false))
        return node >= 0
    }

    /// Opens the next element of the current array as an array; pair with ``leaveArray()``.
    @discardableResult
    public func enterElementArray() -> Bool {
        let node = storage.nextElementNode()
        storage.pushArray(node: node)
        return node >= 0
    }

    // MARK: - JSON

    /// Feeds a whole JSON event: the members of its top-level object become top-level fields.
    /// Subtrees no rule mentions are skipped without decoding (and without full validation).
    public func addJSONEvent(_ json: UnsafeRawBufferPointer) throws(PatternEventError) {
        var reader = JSONReader(json)
        let node = storage.frames[storage.frames.count - 1].node
        try storage.readTop(&reader, node: node)
    }

    /// Feeds a JSON value as member `key` of the current object, for example the `detail` payload of an
    /// event whose envelope fields are fed one by one: a rule on `detail.amount` then sees the
    /// payload's `amount` member.
    public func addJSON(key: UnsafeRawBufferPointer, _ json: UnsafeRawBufferPointer) throws(PatternEventError) {
        let node = storage.childNode(key)
        if node < 0 { return }
        var reader = JSONReader(json)
        try storage.readTop(&reader, node: node)
    }

    /// Feeds a JSON value as member `key` (a static key such as `"detail"`).
    public func addJSON(key: StaticString, _ json: UnsafeRawBufferPointer) throws(PatternEventError) {
        try addJSON(key: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount), json)
    }
}
