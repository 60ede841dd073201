#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JunctionJSON

/// Decides whether UTF-8 JSON bytes are valid JSON that conforms to a ``JSONSchema``, in one pass over the bytes
/// for most schemas, without building a `JSONValue` tree or any `String` on the common path.
///
/// It answers only yes or no. Its verdict is exactly that of parsing with `JSONParser` (default options: RFC 8259,
/// depth 128, 16 MiB, duplicate keys kept and each checked) and then running the tree validator; when it says no,
/// ``JSONSchema/validate(json:)`` runs the tree path to describe the violation, so paths, keywords and reasons
/// are the tree validator's by construction.
///
/// Strategy per schema node and value kind:
/// * scalars (null, booleans, numbers, strings) are checked in place against every keyword, including
///   `$ref`, `allOf`, `anyOf`, `oneOf`, `not` and `if`/`then`/`else`;
/// * arrays and objects are checked while they are scanned (property names compared as bytes against the
///   node's tables, `required` as a bit mask);
/// * arrays and objects under a node with `$ref` plus other keywords, or with `allOf`/`anyOf`/`oneOf`/`not`/`if`,
///   are scanned once for the node's own keywords and then rescanned from the same offset for each subschema
///   (no allocation; cost grows with the number of subschemas, as it does in the tree validator);
/// * arrays and objects under a node with `enum`, `const` or `uniqueItems` (which compare whole values), or with
///   more than 64 `required`/`dependentRequired` names or `patternProperties`, are parsed with `JSONParser` and
///   checked by the tree validator: only that subtree allocates.
///
/// Strings with escape sequences are decoded into a temporary array (one allocation) when they are checked
/// against a node; `email`, `ipv4`, `ipv6` and `uri` formats check a copy of the string.
struct JSONSchemaRecognizer {
    let schema: JSONSchema
    /// `schema.summaries`, borrowed for the duration of one recognition.
    let summaries: UnsafeBufferPointer<JSONSchemaNodeSummary>
    let bytes: UnsafeRawBufferPointer
    var index = 0
    /// `schema.options` values, read once (the options struct holds a string).
    let maxEvaluationDepth: Int
    let assertFormats: Bool
    /// `JSONParseOptions().maxDepth`: what the tree path's parser enforces.
    static let maxNesting = JSONParseOptions().maxDepth
    /// `JSONParseOptions().maxBytes`.
    static let maxBytes = JSONParseOptions().maxBytes

    init(schema: JSONSchema, summaries: UnsafeBufferPointer<JSONSchemaNodeSummary>, bytes: UnsafeRawBufferPointer) {
        self.schema = schema
        self.summaries = summaries
        self.bytes = bytes
        self.maxEvaluationDepth = schema.options.maxEvaluationDepth
        self.assertFormats = schema.options.assertFormats
    }

    /// True when the whole input is one valid JSON text conforming to the schema's root.
    mutating func recognize() -> Bool {
        guard bytes.count <= Self.maxBytes else { return false }
        skipWhitespace()
        guard value(0, depth: 0, nesting: 1) else { return false }
        skipWhitespace()
        return index == bytes.count
    }

    // MARK: values

    /// Checks the value at `index` (whitespace already skipped) against node `n` and moves past it. `depth` is
    /// the tree validator's evaluation depth, `nesting` the parser's depth of this value (top level 1).
    /// On false, `index` is unspecified.
    mutating func value(_ n: Int, depth: Int, nesting: Int) -> Bool {
        guard index < bytes.count else { return false }
        let summary = summaries.baseAddress.unsafelyUnwrapped + n
        if summary.pointee.alwaysFalse { return false }
        guard depth < maxEvaluationDepth else { return false }
        if summary.pointee.pureRef >= 0 { return value(summary.pointee.pureRef, depth: depth + 1, nesting: nesting) }
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let node = schema.boxes[n]
            let fast = schema.fast[n]
            if fast.containersUseTree { return viaTree(n, depth: depth, nesting: nesting) }
            if fast.hasApplicators { return withApplicators(node, fast, depth: depth, nesting: nesting) }
            return own(node, fast, depth: depth, nesting: nesting)
        case UInt8(ascii: "\""):
            guard let span = scanString() else { return false }
            if !span.escaped {
                return scalar(n, .string(UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.end]), ascii: span.ascii), depth: depth)
            }
            let decoded = decode(span)
            return decoded.withUnsafeBytes { scalar(n, .string($0, ascii: span.ascii), depth: depth) }
        case UInt8(ascii: "t"):
            guard literal("true") else { return false }
            return scalar(n, .bool(true), depth: depth)
        case UInt8(ascii: "f"):
            guard literal("false") else { return false }
            return scalar(n, .bool(false), depth: depth)
        case UInt8(ascii: "n"):
            guard literal("null") else { return false }
            return scalar(n, .null, depth: depth)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard let number = scanNumber() else { return false }
            return scalar(n, .number(number), depth: depth)
        default:
            return false
        }
    }

    /// The node's own array or object keywords (type, properties, items, bounds...), checked during the scan.
    mutating func own(_ node: JSONSchemaNodeBox, _ fast: JSONSchemaFastNode, depth: Int, nesting: Int) -> Bool {
        guard nesting <= Self.maxNesting else { return false }
        if bytes[index] == UInt8(ascii: "{") {
            if let types = node.s.types, types & JSONSchemaNode.typeObject == 0 { return false }
            return object(node, fast, depth: depth, nesting: nesting)
        }
        if let types = node.s.types, types & JSONSchemaNode.typeArray == 0 { return false }
        return array(node, depth: depth, nesting: nesting)
    }

    /// An array or object under a node with subschema applicators: own keywords first (which also proves the
    /// value's syntax and finds its end), then each applicator on a rescan of the same bytes.
    mutating func withApplicators(_ box: JSONSchemaNodeBox, _ fast: JSONSchemaFastNode, depth: Int, nesting: Int) -> Bool {
        let start = index
        guard own(box, fast, depth: depth, nesting: nesting) else { return false }
        let end = index
        defer { index = end }
        if let target = box.s.ref, !rescan(target, from: start, depth: depth, nesting: nesting) { return false }
        for s in box.s.allOf where !rescan(s, from: start, depth: depth, nesting: nesting) { return false }
        if !box.s.anyOf.isEmpty {
            var matched = false
            for s in box.s.anyOf where rescan(s, from: start, depth: depth, nesting: nesting) {
                matched = true
                break
            }
            if !matched { return false }
        }
        if !box.s.oneOf.isEmpty {
            var matches = 0
            for s in box.s.oneOf where rescan(s, from: start, depth: depth, nesting: nesting) {
                matches += 1
                if matches > 1 { break }
            }
            if matches != 1 { return false }
        }
        if let s = box.s.not, rescan(s, from: start, depth: depth, nesting: nesting) { return false }
        if let i = box.s.ifNode {
            if rescan(i, from: start, depth: depth, nesting: nesting) {
                if let t = box.s.thenNode, !rescan(t, from: start, depth: depth, nesting: nesting) { return false }
            } else if let e = box.s.elseNode, !rescan(e, from: start, depth: depth, nesting: nesting) {
                return false
            }
        }
        return true
    }

    /// Checks subschema `s` (one evaluation level below) against the value at `start`, already known to be
    /// syntactically valid.
    mutating func rescan(_ s: Int, from start: Int, depth: Int, nesting: Int) -> Bool {
        index = start
        return value(s, depth: depth + 1, nesting: nesting)
    }

    /// Hands the array or object at `index` to the tree validator (for keywords that compare whole values).
    mutating func viaTree(_ n: Int, depth: Int, nesting: Int) -> Bool {
        let start = index
        guard skipValue(nesting: nesting) else { return false }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        guard let parsed = try? JSONParser.parse(slice) else { return false }
        var path: [JSONSchema.PathComponent] = []
        return schema.check(n, parsed, &path, depth: depth) == nil
    }

    /// Applies subschema `s` to the value at `start`: the first application finds the value's end
    /// (`end < 0` until then), later ones rescan from `start` and return to `end`.
    mutating func apply(_ s: Int, start: Int, end: inout Int, depth: Int, nesting: Int) -> Bool {
        if end < 0 {
            guard value(s, depth: depth, nesting: nesting) else { return false }
            end = index
            return true
        }
        index = start
        let ok = value(s, depth: depth, nesting: nesting)
        index = end
        return ok
    }

    // MARK: objects

    mutating func object(_ node: JSONSchemaNodeBox, _ fast: JSONSchemaFastNode, depth: Int, nesting: Int) -> Bool {
        index += 1
        var count = 0
        var seen: UInt64 = 0
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let span = scanString() else { return false }
                // Resolve everything the key decides before the key's bytes go out of scope.
                var property: Int?
                var patterns: UInt64 = 0
                let keyOK: Bool
                if span.escaped {
                    let decoded = decode(span)
                    keyOK = decoded.withUnsafeBytes {
                        inspectKey($0, ascii: span.ascii, node, fast, depth: depth, seen: &seen, property: &property, patterns: &patterns)
                    }
                } else {
                    keyOK = inspectKey(UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.end]), ascii: span.ascii,
                                       node, fast, depth: depth, seen: &seen, property: &property, patterns: &patterns)
                }
                guard keyOK else { return false }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
                index += 1
                skipWhitespace()
                let start = index
                var end = -1
                if let p = property, !apply(p, start: start, end: &end, depth: depth + 1, nesting: nesting + 1) { return false }
                var remaining = patterns
                while remaining != 0 {
                    let k = remaining.trailingZeroBitCount
                    remaining &= remaining - 1
                    let s = node.s.patternProperties[k].node
                    if !apply(s, start: start, end: &end, depth: depth + 1, nesting: nesting + 1) { return false }
                }
                if property == nil, patterns == 0, let ap = node.s.additionalProperties {
                    if !apply(ap, start: start, end: &end, depth: depth + 1, nesting: nesting + 1) { return false }
                }
                if end < 0 {
                    guard skipValue(nesting: nesting + 1) else { return false }
                }
                count += 1
                guard let more = separator(closing: UInt8(ascii: "}")) else { return false }
                if more { continue }
                break
            }
        }
        if seen & fast.requiredMask != fast.requiredMask { return false }
        if let m = node.s.minProperties, count < m { return false }
        if let m = node.s.maxProperties, count > m { return false }
        for d in fast.dependencies where seen & d.trigger != 0 && seen & d.needs != d.needs { return false }
        return true
    }

    /// Looks `key` up in the node's tables: records its presence bit, its `properties` subschema and the
    /// `patternProperties` that match, and checks `propertyNames`.
    func inspectKey(_ key: UnsafeRawBufferPointer, ascii: Bool, _ node: JSONSchemaNodeBox, _ fast: JSONSchemaFastNode, depth: Int,
                    seen: inout UInt64, property: inout Int?, patterns: inout UInt64) -> Bool {
        if let entry = Self.lookup(key, ascii: ascii, fast) {
            seen |= fast.bits[entry]
            let p = fast.properties[entry]
            if p >= 0 { property = p }
        }
        if fast.hasPatternProperties {
            for (k, p) in node.s.patternProperties.enumerated() where p.regex.matches(utf8: key, ascii: ascii) {
                patterns |= 1 << UInt64(k)
            }
        }
        if let pn = node.s.propertyNames {
            return scalar(pn, .string(key, ascii: ascii), depth: depth + 1)
        }
        return true
    }

    /// The table entry whose name equals `key` under Swift `String` equality (canonical equivalence): bytes
    /// when both sides are ASCII, `String` comparison otherwise.
    static func lookup(_ key: UnsafeRawBufferPointer, ascii: Bool, _ fast: JSONSchemaFastNode) -> Int? {
        if ascii {
            let hit: Int? = fast.asciiEntries.withUnsafeBufferPointer { entries in
                fast.asciiNames.withUnsafeBytes { names in
                    for e in entries where e.count == key.count {
                        if e.count == 0 || memcmp(names.baseAddress! + e.offset, key.baseAddress!, e.count) == 0 { return e.entry }
                    }
                    return nil
                }
            }
            if let hit { return hit }
            if fast.keysAllASCII { return nil }
        }
        let text = String(decoding: key, as: UTF8.self)
        for (i, k) in fast.keys.enumerated() where !(ascii && k.ascii) && k.text == text { return i }
        return nil
    }

    // MARK: arrays

    mutating func array(_ node: JSONSchemaNodeBox, depth: Int, nesting: Int) -> Bool {
        index += 1
        var count = 0
        var containing = 0
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                let s: Int? = count < node.s.prefixItems.count ? node.s.prefixItems[count] : node.s.items
                let start = index
                var end = -1
                if let s, !apply(s, start: start, end: &end, depth: depth + 1, nesting: nesting + 1) { return false }
                if let c = node.s.contains {
                    if end < 0 {
                        guard skipValue(nesting: nesting + 1) else { return false }
                        end = index
                    }
                    if apply(c, start: start, end: &end, depth: depth + 1, nesting: nesting + 1) { containing += 1 }
                } else if end < 0 {
                    guard skipValue(nesting: nesting + 1) else { return false }
                }
                count += 1
                guard let more = separator(closing: UInt8(ascii: "]")) else { return false }
                if more { continue }
                break
            }
        }
        if let m = node.s.minItems, count < m { return false }
        if let m = node.s.maxItems, count > m { return false }
        if node.s.contains != nil {
            if containing < (node.s.minContains ?? 1) { return false }
            if let m = node.s.maxContains, containing > m { return false }
        }
        return true
    }
}
