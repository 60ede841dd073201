import JunctionJSON

/// A compiled JSON Schema (draft 2020-12 subset, see docs/schemas.md). Compile once, validate many instances;
/// instances are `JunctionJSON.JSONValue`s. Thread-safe: immutable after init.
public final class JSONSchema: Sendable {
    /// The schema document as given.
    public let document: JSONValue
    /// Options fixed at compile time.
    public let options: JSONSchemaOptions
    let nodes: [JSONSchemaNode]
    let boxes: [JSONSchemaNodeBox]
    /// Byte-level tables per node, for ``conforms(json:)``.
    let fast: [JSONSchemaFastNode]
    /// Per-node plain-data summaries, for ``conforms(json:)``.
    let summaries: [JSONSchemaNodeSummary]

    /// Compiles `document`. Fails on malformed keywords, unsupported keywords or regex syntax, and `$ref`s that
    /// do not resolve within the document.
    public init(_ document: JSONValue, options: JSONSchemaOptions = .init()) throws(JSONSchemaError) {
        var compiler = Compiler(root: document)
        try compiler.compileDocument()
        self.document = document
        self.options = options
        self.nodes = compiler.nodes
        self.boxes = compiler.nodes.map(JSONSchemaNodeBox.init)
        let fast = compiler.nodes.map(JSONSchemaFastNode.init)
        self.fast = fast
        self.summaries = zip(compiler.nodes, fast).map(JSONSchemaNodeSummary.init)
    }

    /// Parses and compiles schema text.
    public convenience init(text: String, options: JSONSchemaOptions = .init()) throws(JSONSchemaError) {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch {
            throw JSONSchemaError(path: "", message: "schema is not valid JSON: \(error)")
        }
        try self.init(value, options: options)
    }

    /// Validates `instance`, reporting the first violation found.
    public func validate(_ instance: JSONValue) -> JSONSchemaValidationResult {
        var path: [PathComponent] = []
        path.reserveCapacity(16)
        if let v = check(0, instance, &path, depth: 0) { return .invalid(v) }
        return .valid
    }

    /// Validates UTF-8 JSON `bytes`; unparsable input is reported as a violation at the root.
    ///
    /// Conforming input is recognised on its bytes by ``conforms(json:)`` (no tree, no per-event allocation for
    /// most schemas); anything else is parsed and run through the tree validator, which describes the first
    /// violation. The result is always exactly that of ``validateParsed(json:)``.
    public func validate(json bytes: UnsafeRawBufferPointer) -> JSONSchemaValidationResult {
        if conforms(json: bytes) { return .valid }
        return validateParsed(json: bytes)
    }

    /// True when `bytes` are one valid JSON text (as `JSONParser` with default options accepts) that conforms
    /// to the schema: the verdict of ``validateParsed(json:)``, decided on the bytes (see ``JSONSchemaRecognizer``).
    public func conforms(json bytes: UnsafeRawBufferPointer) -> Bool {
        summaries.withUnsafeBufferPointer { summaries in
            var recognizer = JSONSchemaRecognizer(schema: self, summaries: summaries, bytes: bytes)
            return recognizer.recognize()
        }
    }

    /// Parses `bytes` with `JSONParser` and validates the tree: the reference path, which also describes
    /// violations.
    public func validateParsed(json bytes: UnsafeRawBufferPointer) -> JSONSchemaValidationResult {
        do {
            return validate(try JSONParser.parse(bytes))
        } catch {
            return .invalid(JSONSchemaViolation(path: options.rootPath, keyword: "json", reason: "not valid JSON: \(error)"))
        }
    }

    enum PathComponent {
        case key(String)
        case index(Int)
    }

    func render(_ path: [PathComponent]) -> String {
        var out = options.rootPath
        for c in path {
            switch c {
            case .key(let k):
                if !k.isEmpty, k.utf8.allSatisfy({ JSONSchemaRegex.isWord(UInt32($0)) || $0 == 0x2D }) {
                    out += out.isEmpty ? k : "." + k
                } else {
                    out += "[\(JSONValue.string(k).serialized())]"
                }
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }

    private func fail(_ path: [PathComponent], _ keyword: String, _ reason: String) -> JSONSchemaViolation {
        JSONSchemaViolation(path: render(path), keyword: keyword, reason: reason)
    }

    private static func show(_ v: JSONValue) -> String {
        let s = v.serialized()
        return s.count > 60 ? String(s.prefix(57)) + "..." : s
    }

    /// `multipleOf`: exactly for two integers, else within a relative 1e-9 of a whole quotient. The
    /// recognizer (`JSONSchemaRecognizer.withinBounds`) decides with this too.
    @inline(__always)
    static func isMultiple(_ xInt: Int64?, _ xDouble: Double, of yInt: Int64?, _ yDouble: Double) -> Bool {
        if let x = xInt, let y = yInt { return x % y == 0 }
        let q = xDouble / yDouble
        return q.isFinite && (q - q.rounded()).magnitude <= 1e-9 * max(1, q.magnitude)
    }

    /// `a < b` for the bounds keywords, from each number's `Double` and exact `Int64` value (asked for only when
    /// needed: `JSONNumber` computes it from its text). The recognizer (`JSONSchemaRecognizer.withinBounds`)
    /// decides with this too.
    @inline(__always)
    static func less(_ aDouble: Double, _ aInt: @autoclosure () -> Int64?,
                     _ bDouble: Double, _ bInt: @autoclosure () -> Int64?) -> Bool {
        // Doubles are exact below 2^53; beyond, compare integers exactly when both are integral.
        if aDouble.magnitude < 9_007_199_254_740_992, bDouble.magnitude < 9_007_199_254_740_992 { return aDouble < bDouble }
        if let x = aInt(), let y = bInt() { return x < y }
        return aDouble < bDouble
    }

    private static func less(_ a: JSONNumber, _ b: JSONNumber) -> Bool { less(a.double, a.int64, b.double, b.int64) }

    /// Returns the first violation of node `n` by `value`, or nil.
    func check(_ n: Int, _ value: JSONValue, _ path: inout [PathComponent], depth: Int) -> JSONSchemaViolation? {
        let node = boxes[n]
        if node.s.alwaysFalse { return fail(path, "false", "no value is allowed here (schema is false)") }
        guard depth < options.maxEvaluationDepth else {
            return fail(path, "$ref", "schema evaluation deeper than \(options.maxEvaluationDepth) levels (recursive $ref?)")
        }
        if let ref = node.s.ref, let v = check(ref, value, &path, depth: depth + 1) { return v }
        if let types = node.s.types {
            let bit: UInt8
            switch value {
            case .null: bit = JSONSchemaNode.typeNull
            case .bool: bit = JSONSchemaNode.typeBoolean
            case .object: bit = JSONSchemaNode.typeObject
            case .array: bit = JSONSchemaNode.typeArray
            case .string: bit = JSONSchemaNode.typeString
            case .number(let num):
                bit = JSONSchemaNode.typeNumber | (num.isInteger ? JSONSchemaNode.typeInteger : 0)
            }
            if types & bit == 0 {
                let names = JSONSchemaNode.typeNames(types)
                let expected = names.count == 1 ? names[0] : "one of " + names.joined(separator: ", ")
                return fail(path, "type", "expected \(expected), found \(value.schemaTypeName)")
            }
        }
        if let c = node.s.const, !value.schemaEquals(c) {
            return fail(path, "const", "must equal \(Self.show(c))")
        }
        if let e = node.s.enumValues, !e.contains(where: { value.schemaEquals($0) }) {
            return fail(path, "enum", "value \(Self.show(value)) is not one of \(Self.show(.array(e)))")
        }
        switch value {
        case .number(let num):
            if let v = checkNumber(node, num, path) { return v }
        case .string(let s):
            if let v = checkString(node, s, path) { return v }
        case .array(let a):
            if let v = checkArray(node, a, &path, depth: depth) { return v }
        case .object(let o):
            if let v = checkObject(node, o, &path, depth: depth) { return v }
        default: break
        }
        for s in node.s.allOf {
            if let v = check(s, value, &path, depth: depth + 1) { return v }
        }
        if !node.s.anyOf.isEmpty {
            var first: JSONSchemaViolation?
            var matched = false
            for s in node.s.anyOf {
                if let v = check(s, value, &path, depth: depth + 1) { first = first ?? v } else { matched = true; break }
            }
            if !matched {
                return fail(path, "anyOf", "must match at least one schema in anyOf (first mismatch: \(first!.description))")
            }
        }
        if !node.s.oneOf.isEmpty {
            var matches: [Int] = []
            for (i, s) in node.s.oneOf.enumerated() where check(s, value, &path, depth: depth + 1) == nil {
                matches.append(i)
                if matches.count > 1 { break }
            }
            if matches.count != 1 {
                return fail(path, "oneOf", matches.isEmpty ? "must match exactly one schema in oneOf, matched none"
                    : "must match exactly one schema in oneOf, matched \(matches.count) (indexes \(matches.map(String.init).joined(separator: ", ")))")
            }
        }
        if let s = node.s.not, check(s, value, &path, depth: depth + 1) == nil {
            return fail(path, "not", "must not match the schema in not")
        }
        if let i = node.s.ifNode {
            if check(i, value, &path, depth: depth + 1) == nil {
                if let t = node.s.thenNode, let v = check(t, value, &path, depth: depth + 1) { return v }
            } else if let e = node.s.elseNode, let v = check(e, value, &path, depth: depth + 1) {
                return v
            }
        }
        return nil
    }

    private func checkNumber(_ node: JSONSchemaNodeBox, _ num: JSONNumber, _ path: [PathComponent]) -> JSONSchemaViolation? {
        if let m = node.s.minimum, Self.less(num, m) { return fail(path, "minimum", "\(num.text) is less than minimum \(m.text)") }
        if let m = node.s.maximum, Self.less(m, num) { return fail(path, "maximum", "\(num.text) is greater than maximum \(m.text)") }
        if let m = node.s.exclusiveMinimum, !Self.less(m, num) {
            return fail(path, "exclusiveMinimum", "\(num.text) is not greater than exclusiveMinimum \(m.text)")
        }
        if let m = node.s.exclusiveMaximum, !Self.less(num, m) {
            return fail(path, "exclusiveMaximum", "\(num.text) is not less than exclusiveMaximum \(m.text)")
        }
        if let m = node.s.multipleOf, !Self.isMultiple(num.int64, num.double, of: m.int64, m.double) {
            return fail(path, "multipleOf", "\(num.text) is not a multiple of \(m.text)")
        }
        return nil
    }

    private func checkString(_ node: JSONSchemaNodeBox, _ s: String, _ path: [PathComponent]) -> JSONSchemaViolation? {
        if node.s.minLength != nil || node.s.maxLength != nil {
            let utf8 = s.utf8
            let length = utf8.allSatisfy { $0 < 0x80 } ? utf8.count : s.unicodeScalars.count
            if let m = node.s.minLength, length < m { return fail(path, "minLength", "string of length \(length) is shorter than minLength \(m)") }
            if let m = node.s.maxLength, length > m { return fail(path, "maxLength", "string of length \(length) is longer than maxLength \(m)") }
        }
        if let p = node.s.pattern, !p.matches(s) { return fail(path, "pattern", "string does not match pattern \(p.source)") }
        if options.assertFormats, let f = node.s.format, !f.isValid(s) {
            return fail(path, "format", "\(Self.show(.string(s))) is not a valid \(f.rawValue)")
        }
        return nil
    }

    private func checkArray(_ node: JSONSchemaNodeBox, _ a: [JSONValue], _ path: inout [PathComponent], depth: Int) -> JSONSchemaViolation? {
        if let m = node.s.minItems, a.count < m { return fail(path, "minItems", "array of \(a.count) items has fewer than minItems \(m)") }
        if let m = node.s.maxItems, a.count > m { return fail(path, "maxItems", "array of \(a.count) items has more than maxItems \(m)") }
        if node.s.uniqueItems {
            for i in 0..<a.count {
                for j in (i + 1)..<max(a.count, i + 1) where a[i].schemaEquals(a[j]) {
                    return fail(path, "uniqueItems", "items \(i) and \(j) are equal")
                }
            }
        }
        for (i, item) in a.enumerated() {
            let s: Int?
            if i < node.s.prefixItems.count { s = node.s.prefixItems[i] } else { s = node.s.items }
            guard let s else { continue }
            path.append(.index(i))
            let v = check(s, item, &path, depth: depth + 1)
            path.removeLast()
            if let v { return v }
        }
        if let c = node.s.contains {
            var count = 0
            for item in a where check(c, item, &path, depth: depth + 1) == nil { count += 1 }
            let minC = node.s.minContains ?? 1
            if count < minC { return fail(path, "contains", "\(count) items match contains, at least \(minC) required") }
            if let maxC = node.s.maxContains, count > maxC {
                return fail(path, "maxContains", "\(count) items match contains, at most \(maxC) allowed")
            }
        }
        return nil
    }

    private func checkObject(_ node: JSONSchemaNodeBox, _ o: JSONObject, _ path: inout [PathComponent], depth: Int) -> JSONSchemaViolation? {
        for r in node.s.required where o[r] == nil {
            path.append(.key(r))
            defer { path.removeLast() }
            return fail(path, "required", "missing required property \(r)")
        }
        if let m = node.s.minProperties, o.count < m { return fail(path, "minProperties", "object has \(o.count) properties, fewer than minProperties \(m)") }
        if let m = node.s.maxProperties, o.count > m { return fail(path, "maxProperties", "object has \(o.count) properties, more than maxProperties \(m)") }
        for (p, needs) in node.s.dependentRequired where o[p] != nil {
            for r in needs where o[r] == nil {
                return fail(path, "dependentRequired", "property \(r) is required when \(p) is present")
            }
        }
        for m in o.members {
            path.append(.key(m.key))
            defer { path.removeLast() }
            if let pn = node.s.propertyNames, let v = check(pn, .string(m.key), &path, depth: depth + 1) {
                return fail(path, "propertyNames", "property name is not allowed: \(v.reason)")
            }
            var matched = false
            if let s = node.s.properties[m.key] {
                matched = true
                if let v = check(s, m.value, &path, depth: depth + 1) { return v }
            }
            for (regex, s) in node.s.patternProperties where regex.matches(m.key) {
                matched = true
                if let v = check(s, m.value, &path, depth: depth + 1) { return v }
            }
            if !matched, let ap = node.s.additionalProperties {
                if boxes[ap].s.alwaysFalse {
                    return fail(path, "additionalProperties", "property \(m.key) is not allowed (additionalProperties is false)")
                }
                if let v = check(ap, m.value, &path, depth: depth + 1) { return v }
            }
        }
        return nil
    }
}
