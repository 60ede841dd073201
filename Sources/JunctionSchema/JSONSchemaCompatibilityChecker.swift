import JunctionJSON

/// Compatibility of two JSON Schemas as set inclusion: every instance the writer's schema accepts must be
/// accepted by the reader's. BACKWARD checks reader = new, writer = old; FORWARD the reverse. The check is
/// structural and conservative: it may refuse an exotic change that is in fact safe, never the reverse for the
/// keywords it understands. Open content models (no `additionalProperties: false`) accept any extra property,
/// which is why adding a constrained property to an open model is breaking.
public enum JSONSchemaCompatibilityChecker {
    /// Rule names with a one-line description each (also in docs/schemas.md).
    public static let rules: [(name: String, description: String)] = [
        ("SCHEMA_NARROWED_TO_FALSE", "The reader's (sub)schema became `false` where the writer accepted values."),
        ("TYPE_NARROWED", "The reader accepts fewer JSON types than the writer (number → integer counts)."),
        ("CONST_CHANGED", "The reader requires a const the writer does not guarantee."),
        ("ENUM_NARROWED", "The reader's enum lacks values the writer allows (or an enum was added)."),
        ("MINIMUM_INCREASED", "minimum added or raised above what the writer guarantees."),
        ("MAXIMUM_DECREASED", "maximum added or lowered below what the writer guarantees."),
        ("EXCLUSIVE_MINIMUM_INCREASED", "exclusiveMinimum added or raised."),
        ("EXCLUSIVE_MAXIMUM_DECREASED", "exclusiveMaximum added or lowered."),
        ("MULTIPLE_OF_CHANGED", "multipleOf added, or no longer divides the writer's multipleOf."),
        ("MIN_LENGTH_INCREASED", "minLength added or raised."),
        ("MAX_LENGTH_DECREASED", "maxLength added or lowered."),
        ("PATTERN_CHANGED", "pattern added or changed (patterns are compared by text)."),
        ("FORMAT_CHANGED", "format assertion added or changed."),
        ("MIN_ITEMS_INCREASED", "minItems added or raised."),
        ("MAX_ITEMS_DECREASED", "maxItems added or lowered."),
        ("UNIQUE_ITEMS_ADDED", "uniqueItems became true."),
        ("CONTAINS_CHANGED", "contains/minContains/maxContains added or changed."),
        ("REQUIRED_PROPERTY_ADDED", "The reader requires a property the writer does not require."),
        ("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "A property the writer declares is no longer allowed by the reader's closed model."),
        ("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "The reader constrains a property the writer's open model accepts with any value."),
        ("ADDITIONAL_PROPERTIES_NARROWED", "additionalProperties became false or stricter (open → closed content model)."),
        ("PATTERN_PROPERTIES_CHANGED", "A patternProperties entry was added or changed against an open writer."),
        ("MIN_PROPERTIES_INCREASED", "minProperties added or raised."),
        ("MAX_PROPERTIES_DECREASED", "maxProperties added or lowered."),
        ("DEPENDENT_REQUIRED_ADDED", "A dependentRequired obligation was added."),
        ("PROPERTY_NAMES_NARROWED", "propertyNames added or stricter."),
        ("ANY_OF_NARROWED", "A writer alternative (anyOf/oneOf branch) is not accepted by any reader alternative."),
        ("NOT_CHANGED", "A `not` subschema was added or changed so that it excludes values the writer allows."),
        ("CONDITIONAL_CHANGED", "if/then/else added or changed."),
    ]

    /// Violations of "every instance valid under `writer` is valid under `reader`", each reported with `direction`.
    public static func check(reader: JSONSchema, writer: JSONSchema,
                             direction: CompatibilityViolation.Direction = .backward) -> [CompatibilityViolation] {
        var walker = Walker(r: reader.nodes, w: writer.nodes, direction: direction)
        walker.compare(0, 0, "#")
        return walker.out
    }

    struct Walker {
        let r: [JSONSchemaNode]
        let w: [JSONSchemaNode]
        let direction: CompatibilityViolation.Direction
        var out: [CompatibilityViolation] = []
        var seen: Set<String> = []
        var visited: Set<[Int]> = []

        init(r: [JSONSchemaNode], w: [JSONSchemaNode], direction: CompatibilityViolation.Direction) {
            self.r = r
            self.w = w
            self.direction = direction
        }

        mutating func add(_ rule: String, _ path: String, _ message: String) {
            guard seen.insert("\(rule)|\(path)|\(message)").inserted else { return }
            out.append(CompatibilityViolation(rule: rule, path: path, message: message, direction: direction))
        }

        /// True when `reader` accepts everything `writer` accepts (a nested check with no reporting).
        func accepts(_ ri: Int, _ wi: Int) -> Bool {
            var sub = Walker(r: r, w: w, direction: direction)
            sub.compare(ri, wi, "#")
            return sub.out.isEmpty
        }

        /// Same, with reader and writer taken from the opposite tables (for `not`).
        func acceptsSwapped(_ ri: Int, _ wi: Int) -> Bool {
            var sub = Walker(r: w, w: r, direction: direction)
            sub.compare(ri, wi, "#")
            return sub.out.isEmpty
        }

        static func onlyRef(_ n: JSONSchemaNode) -> Bool { n.ref != nil && n.isUnconstrained(ignoringRef: true) }


        func deref(_ nodes: [JSONSchemaNode], _ i: Int) -> Int {
            var i = i
            var hops = 0
            while i >= 0, let next = nodes[i].ref, Self.onlyRef(nodes[i]), hops < 64 {
                i = next
                hops += 1
            }
            return i
        }

        /// Compares reader node `ri` with writer node `wi` (-1: the writer accepts anything here).
        mutating func compare(_ ri0: Int, _ wi0: Int, _ path: String) {
            let ri = deref(r, ri0)
            let wi = wi0 < 0 ? -1 : deref(w, wi0)
            guard visited.insert([ri, wi]).inserted else { return }
            let R = r[ri]
            let W: JSONSchemaNode = wi >= 0 ? w[wi] : JSONSchemaNode(pointer: "")
            if W.alwaysFalse { return }
            if R.alwaysFalse {
                add("SCHEMA_NARROWED_TO_FALSE", path, "the reader accepts no value here")
                return
            }
            if let rr = R.ref { compare(rr, wi, path) }
            // Types.
            let wTypes = W.types ?? 0x7F
            if let rTypes = R.types {
                var lost: [String] = []
                for name in JSONSchemaNode.typeNames(wTypes) {
                    let bit = JSONSchemaNode.typeBit(name)!
                    if rTypes & bit != 0 { continue }
                    if bit == JSONSchemaNode.typeInteger, rTypes & JSONSchemaNode.typeNumber != 0 { continue }
                    lost.append(name)
                }
                if !lost.isEmpty {
                    add("TYPE_NARROWED", path, "the reader no longer accepts \(lost.joined(separator: ", ")) (reader type: \(JSONSchemaNode.typeNames(rTypes).joined(separator: ", ")))")
                }
            }
            func allows(_ bit: UInt8) -> Bool {
                wTypes & bit != 0 || (bit == JSONSchemaNode.typeNumber && wTypes & JSONSchemaNode.typeInteger != 0)
            }
            // const / enum.
            let writerValues: [JSONValue]? = W.const.map { [$0] } ?? W.enumValues
            if let c = R.const {
                if !(writerValues.map { $0.allSatisfy { $0.schemaEquals(c) } } ?? false) {
                    add("CONST_CHANGED", path, "the reader requires const \(c.serialized())")
                }
            }
            if let e = R.enumValues {
                if let values = writerValues {
                    let missing = values.filter { v in !e.contains { $0.schemaEquals(v) } }
                    if !missing.isEmpty {
                        add("ENUM_NARROWED", path, "values \(JSONValue.array(missing).serialized()) were removed from enum")
                    }
                } else {
                    add("ENUM_NARROWED", path, "enum \(JSONValue.array(e).serialized()) was added")
                }
            }
            if allows(JSONSchemaNode.typeNumber) { compareNumbers(R, W, path) }
            if allows(JSONSchemaNode.typeString) { compareStrings(R, W, path) }
            if allows(JSONSchemaNode.typeArray) { compareArrays(R, W, ri, wi, path) }
            if allows(JSONSchemaNode.typeObject) { compareObjects(R, W, wi, path) }
            compareCombinators(R, W, ri, wi, path)
        }

        static func lowerSatisfied(r: (JSONNumber, Bool), w: (JSONNumber, Bool)?) -> Bool {
            guard let w else { return false }
            if w.0.double > r.0.double { return true }
            return w.0.double == r.0.double && (w.1 || !r.1)
        }

        mutating func compareNumbers(_ R: JSONSchemaNode, _ W: JSONSchemaNode, _ path: String) {
            func tighter(_ a: (JSONNumber, Bool)?, _ b: (JSONNumber, Bool)?, lower: Bool) -> (JSONNumber, Bool)? {
                guard let a else { return b }
                guard let b else { return a }
                if a.0.double == b.0.double { return (a.0, a.1 || b.1) }
                return (a.0.double > b.0.double) == lower ? a : b
            }
            let wLow = tighter(W.minimum.map { ($0, false) }, W.exclusiveMinimum.map { ($0, true) }, lower: true)
            let wHigh = tighter(W.maximum.map { ($0, false) }, W.exclusiveMaximum.map { ($0, true) }, lower: false)
            if let m = R.minimum, !Self.lowerSatisfied(r: (m, false), w: wLow) {
                add("MINIMUM_INCREASED", path + "/minimum", "minimum \(m.text) is stricter than the writer's \(wLow.map { $0.0.text } ?? "(none)")")
            }
            if let m = R.exclusiveMinimum, !Self.lowerSatisfied(r: (m, true), w: wLow) {
                add("EXCLUSIVE_MINIMUM_INCREASED", path + "/exclusiveMinimum", "exclusiveMinimum \(m.text) is stricter than the writer's lower bound \(wLow.map { $0.0.text } ?? "(none)")")
            }
            func upperSatisfied(_ r: (JSONNumber, Bool)) -> Bool {
                guard let w = wHigh else { return false }
                if w.0.double < r.0.double { return true }
                return w.0.double == r.0.double && (w.1 || !r.1)
            }
            if let m = R.maximum, !upperSatisfied((m, false)) {
                add("MAXIMUM_DECREASED", path + "/maximum", "maximum \(m.text) is stricter than the writer's \(wHigh.map { $0.0.text } ?? "(none)")")
            }
            if let m = R.exclusiveMaximum, !upperSatisfied((m, true)) {
                add("EXCLUSIVE_MAXIMUM_DECREASED", path + "/exclusiveMaximum", "exclusiveMaximum \(m.text) is stricter than the writer's upper bound \(wHigh.map { $0.0.text } ?? "(none)")")
            }
            if let m = R.multipleOf {
                var ok = false
                if let wm = W.multipleOf {
                    let q = wm.double / m.double
                    ok = q.isFinite && (q - q.rounded()).magnitude <= 1e-9 * max(1, q.magnitude)
                } else if m.double == 1, W.types.map({ $0 & JSONSchemaNode.typeNumber == 0 }) ?? false {
                    ok = true  // integers are multiples of 1
                }
                if !ok { add("MULTIPLE_OF_CHANGED", path + "/multipleOf", "multipleOf \(m.text) is not implied by the writer's \(W.multipleOf?.text ?? "(none)")") }
            }
        }

        mutating func compareStrings(_ R: JSONSchemaNode, _ W: JSONSchemaNode, _ path: String) {
            if let m = R.minLength, m > (W.minLength ?? 0) {
                add("MIN_LENGTH_INCREASED", path + "/minLength", "minLength \(m) is stricter than the writer's \(W.minLength.map(String.init) ?? "(none)")")
            }
            if let m = R.maxLength, m < (W.maxLength ?? Int.max) {
                add("MAX_LENGTH_DECREASED", path + "/maxLength", "maxLength \(m) is stricter than the writer's \(W.maxLength.map(String.init) ?? "(none)")")
            }
            if let p = R.pattern, W.pattern?.source != p.source {
                add("PATTERN_CHANGED", path + "/pattern", W.pattern.map { "pattern changed from \($0.source) to \(p.source)" } ?? "pattern \(p.source) was added")
            }
            if let f = R.format, W.format != f {
                add("FORMAT_CHANGED", path + "/format", W.format.map { "format changed from \($0.rawValue) to \(f.rawValue)" } ?? "format \(f.rawValue) was added")
            }
        }

        mutating func compareArrays(_ R: JSONSchemaNode, _ W: JSONSchemaNode, _ ri: Int, _ wi: Int, _ path: String) {
            if let m = R.minItems, m > (W.minItems ?? 0) {
                add("MIN_ITEMS_INCREASED", path + "/minItems", "minItems \(m) is stricter than the writer's \(W.minItems.map(String.init) ?? "(none)")")
            }
            if let m = R.maxItems, m < (W.maxItems ?? Int.max) {
                add("MAX_ITEMS_DECREASED", path + "/maxItems", "maxItems \(m) is stricter than the writer's \(W.maxItems.map(String.init) ?? "(none)")")
            }
            if R.uniqueItems, !W.uniqueItems { add("UNIQUE_ITEMS_ADDED", path + "/uniqueItems", "uniqueItems was added") }
            let positions = max(R.prefixItems.count, W.prefixItems.count)
            for i in 0...positions {
                let rs: Int? = i < R.prefixItems.count ? R.prefixItems[i] : R.items
                let ws: Int? = i < W.prefixItems.count ? W.prefixItems[i] : W.items
                guard let rs else { continue }
                if let maxW = W.maxItems, i >= maxW { continue }
                let p = i < R.prefixItems.count ? "\(path)/prefixItems/\(i)" : "\(path)/items"
                compare(rs, ws ?? -1, p)
            }
            if let rc = R.contains {
                if let wc = W.contains, (R.minContains ?? 1) <= (W.minContains ?? 1),
                   R.maxContains == nil || (W.maxContains.map { $0 <= R.maxContains! } ?? false), accepts(rc, wc) {
                } else {
                    add("CONTAINS_CHANGED", path + "/contains", "contains was added or made stricter")
                }
            }
        }

        static func escape(_ s: String) -> String {
            var out = ""
            for ch in s {
                switch ch {
                case "~": out += "~0"
                case "/": out += "~1"
                default: out.append(ch)
                }
            }
            return out
        }

        /// The node constraining property `name` in `n`, and whether it came from `additionalProperties`.
        func propertySchema(_ n: JSONSchemaNode, _ name: String) -> (nodes: [Int], additional: Int?) {
            if let p = n.properties[name] { return ([p], nil) }
            let patterns = n.patternProperties.filter { $0.regex.matches(name) }.map(\.node)
            if !patterns.isEmpty { return (patterns, nil) }
            return ([], n.additionalProperties)
        }

        mutating func compareObjects(_ R: JSONSchemaNode, _ W: JSONSchemaNode, _ wi: Int, _ path: String) {
            let wRequired = Set(W.required)
            for p in R.required where !wRequired.contains(p) {
                add("REQUIRED_PROPERTY_ADDED", "\(path)/required", "property \(p) is now required")
            }
            if let m = R.minProperties, m > (W.minProperties ?? 0) {
                add("MIN_PROPERTIES_INCREASED", path + "/minProperties", "minProperties \(m) is stricter than the writer's \(W.minProperties.map(String.init) ?? "(none)")")
            }
            if let m = R.maxProperties, m < (W.maxProperties ?? Int.max) {
                add("MAX_PROPERTIES_DECREASED", path + "/maxProperties", "maxProperties \(m) is stricter than the writer's \(W.maxProperties.map(String.init) ?? "(none)")")
            }
            for (p, needs) in R.dependentRequired {
                let have = Set(W.dependentRequired.filter { $0.property == p }.flatMap(\.requires)).union(wRequired)
                for n in needs where !have.contains(n) {
                    add("DEPENDENT_REQUIRED_ADDED", "\(path)/dependentRequired", "property \(n) is now required when \(p) is present")
                }
            }
            if let pn = R.propertyNames, !accepts(pn, W.propertyNames ?? -1) {
                add("PROPERTY_NAMES_NARROWED", path + "/propertyNames", "propertyNames rejects names the writer allows")
            }
            let wClosedEverywhere = W.additionalProperties.map { w[$0].alwaysFalse } ?? false
            let names = Set(R.properties.keys).union(W.properties.keys).sorted()
            for name in names {
                let p = "\(path)/properties/\(Self.escape(name))"
                let (wNodes, wAdditional) = propertySchema(W, name)
                if wNodes.isEmpty, let a = wAdditional, w[a].alwaysFalse { continue }  // writer never sends it
                let (rNodes, rAdditional) = propertySchema(R, name)
                if rNodes.isEmpty {
                    guard let a = rAdditional else { continue }  // reader open: anything goes
                    if r[a].alwaysFalse {
                        add("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", p, "property \(name) is allowed by the writer but not by the reader's closed content model")
                        continue
                    }
                    for wn in (wNodes.isEmpty ? [wAdditional ?? -1] : wNodes) { compare(a, wn, p) }
                    continue
                }
                if wNodes.isEmpty, wAdditional == nil {
                    // Writer's open model accepts any value for this property.
                    if rNodes.contains(where: { !r[deref(r, $0)].isUnconstrained }) {
                        add("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", p, "property \(name) is constrained by the reader, but the writer's open content model accepts any value for it")
                    }
                    continue
                }
                for rn in rNodes {
                    for wn in (wNodes.isEmpty ? [wAdditional!] : wNodes) { compare(rn, wn, p) }
                }
            }
            // Properties neither side declares.
            if let ra = R.additionalProperties, !wClosedEverywhere {
                if r[ra].alwaysFalse {
                    if W.additionalProperties == nil || !(w[W.additionalProperties!].alwaysFalse) {
                        add("ADDITIONAL_PROPERTIES_NARROWED", path + "/additionalProperties", "the content model was closed (additionalProperties: false); the writer allows undeclared properties")
                    }
                } else {
                    compare(ra, W.additionalProperties ?? -1, path + "/additionalProperties")
                }
            }
            let wPatterns = Set(W.patternProperties.map(\.regex.source))
            for (regex, node) in R.patternProperties where !wPatterns.contains(regex.source) {
                if !wClosedEverywhere, !r[deref(r, node)].isUnconstrained {
                    add("PATTERN_PROPERTIES_CHANGED", "\(path)/patternProperties/\(Self.escape(regex.source))", "patternProperties \(regex.source) constrains properties the writer accepts freely")
                }
            }
            for (regex, node) in R.patternProperties {
                if let wn = W.patternProperties.first(where: { $0.regex.source == regex.source })?.node {
                    compare(node, wn, "\(path)/patternProperties/\(Self.escape(regex.source))")
                }
            }
        }

        mutating func compareCombinators(_ R: JSONSchemaNode, _ W: JSONSchemaNode, _ ri: Int, _ wi: Int, _ path: String) {
            if !R.allOf.isEmpty {
                if R.allOf.count == W.allOf.count {
                    for (k, (a, b)) in zip(R.allOf, W.allOf).enumerated() { compare(a, b, "\(path)/allOf/\(k)") }
                } else {
                    for (k, a) in R.allOf.enumerated() { compare(a, wi, "\(path)/allOf/\(k)") }
                }
            }
            for (keyword, rBranches, wBranches) in [("anyOf", R.anyOf, W.anyOf), ("oneOf", R.oneOf, W.oneOf)] where !rBranches.isEmpty {
                let writerAlternatives = wBranches.isEmpty ? (keyword == "anyOf" ? W.oneOf : W.anyOf) : wBranches
                if writerAlternatives.isEmpty {
                    if !rBranches.contains(where: { accepts($0, wi) }) {
                        add("ANY_OF_NARROWED", "\(path)/\(keyword)", "no \(keyword) alternative of the reader accepts everything the writer allows")
                    }
                } else {
                    for (k, wb) in writerAlternatives.enumerated() where !rBranches.contains(where: { accepts($0, wb) }) {
                        add("ANY_OF_NARROWED", "\(path)/\(keyword)", "writer alternative \(k) is accepted by no \(keyword) alternative of the reader")
                    }
                }
            }
            if let rn = R.not {
                // valid(W) ⊆ valid(not A) needs A ∩ valid(W) = ∅; accepted when the writer excludes a superset of A.
                if let wn = W.not, acceptsSwapped(wn, rn) {
                } else {
                    add("NOT_CHANGED", "\(path)/not", "a not subschema was added or changed")
                }
            }
            if let rIf = R.ifNode {
                let same = W.ifNode.map { accepts(rIf, $0) && acceptsSwapped($0, rIf) } ?? false
                let thenOK = R.thenNode.map { t in W.thenNode.map { accepts(t, $0) } ?? false } ?? true
                let elseOK = R.elseNode.map { e in W.elseNode.map { accepts(e, $0) } ?? false } ?? true
                if !(same && thenOK && elseOK) {
                    add("CONDITIONAL_CHANGED", "\(path)/if", "if/then/else was added or changed")
                }
            }
        }
    }
}

extension JSONSchemaNode {
    /// True when the node accepts every value (an empty schema, possibly with annotations only).
    var isUnconstrained: Bool { isUnconstrained(ignoringRef: false) }

    /// Same, optionally ignoring `$ref`.
    func isUnconstrained(ignoringRef: Bool) -> Bool {
        !alwaysFalse && types == nil && properties.isEmpty && required.isEmpty && additionalProperties == nil
            && patternProperties.isEmpty && propertyNames == nil && minProperties == nil && maxProperties == nil
            && dependentRequired.isEmpty && prefixItems.isEmpty && items == nil && contains == nil && minItems == nil
            && maxItems == nil && !uniqueItems && enumValues == nil && const == nil && minimum == nil && maximum == nil
            && exclusiveMinimum == nil && exclusiveMaximum == nil && multipleOf == nil && minLength == nil
            && maxLength == nil && pattern == nil && format == nil && allOf.isEmpty && anyOf.isEmpty && oneOf.isEmpty
            && not == nil && ifNode == nil && (ignoringRef || ref == nil)
    }
}
