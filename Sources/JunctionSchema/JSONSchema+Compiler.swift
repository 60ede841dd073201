import JunctionJSON

extension JSONSchema {
    /// Builds the node table from a schema document, resolving `$ref` within the document.
    struct Compiler {
        let root: JSONValue
        var nodes: [JSONSchemaNode] = []
        var byPointer: [String: Int] = [:]
        var anchors: [String: String] = [:]      // anchor name -> pointer
        var ids: [String: String] = [:]          // $id -> pointer
        var pendingRefs: [Int] = []

        init(root: JSONValue) { self.root = root }

        static func escape(_ token: String) -> String {
            var out = ""
            for ch in token {
                switch ch {
                case "~": out += "~0"
                case "/": out += "~1"
                default: out.append(ch)
                }
            }
            return out
        }

        static func unescape(_ token: Substring) -> String {
            var out = ""
            var tilde = false
            for ch in token {
                if tilde {
                    out.append(ch == "1" ? "/" : (ch == "0" ? "~" : ch))
                    tilde = false
                } else if ch == "~" {
                    tilde = true
                } else {
                    out.append(ch)
                }
            }
            return out
        }

        mutating func compileDocument() throws(JSONSchemaError) {
            _ = try compile(root, at: "")
            while let i = pendingRefs.popLast() {
                let target = nodes[i].refTarget!
                let pointer = try resolve(target, from: nodes[i].pointer)
                if let existing = byPointer[pointer] {
                    nodes[i].ref = existing
                } else {
                    guard let value = Self.navigate(root, pointer) else {
                        throw JSONSchemaError(path: nodes[i].pointer + "/$ref", message: "$ref \(target) does not resolve within the document")
                    }
                    nodes[i].ref = try compile(value, at: pointer)
                }
            }
        }

        func resolve(_ ref: String, from pointer: String) throws(JSONSchemaError) -> String {
            if let p = ids[ref] { return p }
            guard ref.hasPrefix("#") else {
                throw JSONSchemaError(path: pointer + "/$ref", message: "$ref \(ref) points outside the document; only in-document references (#...) are supported")
            }
            let fragment = Self.percentDecode(String(ref.dropFirst()))
            if fragment.isEmpty || fragment.hasPrefix("/") { return fragment }
            guard let p = anchors[fragment] else {
                throw JSONSchemaError(path: pointer + "/$ref", message: "$ref \(ref) names an unknown $anchor")
            }
            return p
        }

        static func percentDecode(_ s: String) -> String {
            guard s.contains("%") else { return s }
            var out: [UInt8] = []
            let b = Array(s.utf8)
            var k = 0
            while k < b.count {
                if b[k] == 0x25, k + 2 < b.count, let v = UInt8(String(decoding: b[(k + 1)...(k + 2)], as: UTF8.self), radix: 16) {
                    out.append(v)
                    k += 3
                } else {
                    out.append(b[k])
                    k += 1
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        static func navigate(_ root: JSONValue, _ pointer: String) -> JSONValue? {
            if pointer.isEmpty { return root }
            var current = root
            for raw in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
                let token = unescape(raw)
                switch current {
                case .object(let o):
                    guard let v = o[token] else { return nil }
                    current = v
                case .array(let a):
                    guard let i = Int(token), i >= 0, i < a.count else { return nil }
                    current = a[i]
                default: return nil
                }
            }
            return current
        }

        func error(_ pointer: String, _ keyword: String, _ message: String) -> JSONSchemaError {
            JSONSchemaError(path: pointer + "/" + keyword, message: message)
        }

        func nonNegativeInt(_ v: JSONValue, _ pointer: String, _ keyword: String) throws(JSONSchemaError) -> Int {
            guard case .number(let n) = v, let i = n.int64, i >= 0 else {
                throw error(pointer, keyword, "must be a non-negative integer")
            }
            return Int(clamping: i)
        }

        func number(_ v: JSONValue, _ pointer: String, _ keyword: String) throws(JSONSchemaError) -> JSONNumber {
            guard case .number(let n) = v, n.double.isFinite else { throw error(pointer, keyword, "must be a number") }
            return n
        }

        mutating func subschemas(_ v: JSONValue, _ pointer: String, _ keyword: String) throws(JSONSchemaError) -> [Int] {
            guard case .array(let a) = v, !a.isEmpty else { throw error(pointer, keyword, "must be a non-empty array of schemas") }
            var out: [Int] = []
            for (i, s) in a.enumerated() { out.append(try compile(s, at: "\(pointer)/\(keyword)/\(i)")) }
            return out
        }

        mutating func compile(_ value: JSONValue, at pointer: String) throws(JSONSchemaError) -> Int {
            if let i = byPointer[pointer] { return i }
            let index = nodes.count
            nodes.append(JSONSchemaNode(pointer: pointer))
            byPointer[pointer] = index
            var node = JSONSchemaNode(pointer: pointer)
            switch value {
            case .bool(let b):
                node.alwaysFalse = !b
                nodes[index] = node
                return index
            case .object:
                break
            default:
                throw JSONSchemaError(path: pointer.isEmpty ? "/" : pointer, message: "a schema must be an object or a boolean, found \(value.typeName)")
            }
            guard case .object(let o) = value else { return index }
            if case .string(let id)? = o["$id"] { ids[id] = pointer }
            if case .string(let a)? = o["$anchor"] { anchors[a] = pointer }
            if let s = o["$schema"], case .string(let uri) = s, !uri.contains("2020-12") {
                throw error(pointer, "$schema", "only draft 2020-12 is supported, found \(uri)")
            }
            for m in o.members {
                let k = m.key
                let v = m.value
                switch k {
                case "type":
                    var bits: UInt8 = 0
                    let names: [JSONValue]
                    if case .array(let a) = v { names = a } else { names = [v] }
                    for n in names {
                        guard case .string(let s) = n, let bit = JSONSchemaNode.typeBit(s) else {
                            throw error(pointer, k, "unknown type \(n.serialized())")
                        }
                        bits |= bit
                    }
                    node.types = bits
                case "properties":
                    guard case .object(let props) = v else { throw error(pointer, k, "must be an object") }
                    for p in props.members {
                        node.properties[p.key] = try compile(p.value, at: "\(pointer)/properties/\(Self.escape(p.key))")
                    }
                case "required":
                    guard case .array(let a) = v else { throw error(pointer, k, "must be an array of strings") }
                    for r in a {
                        guard case .string(let s) = r else { throw error(pointer, k, "must be an array of strings") }
                        node.required.append(s)
                    }
                case "additionalProperties": node.additionalProperties = try compile(v, at: "\(pointer)/\(k)")
                case "patternProperties":
                    guard case .object(let props) = v else { throw error(pointer, k, "must be an object") }
                    for p in props.members {
                        let regex: JSONSchemaRegex
                        do { regex = try JSONSchemaRegex(p.key) } catch {
                            throw self.error(pointer, k, "invalid pattern \(p.key): \(error)")
                        }
                        node.patternProperties.append((regex, try compile(p.value, at: "\(pointer)/patternProperties/\(Self.escape(p.key))")))
                    }
                case "propertyNames": node.propertyNames = try compile(v, at: "\(pointer)/\(k)")
                case "minProperties": node.minProperties = try nonNegativeInt(v, pointer, k)
                case "maxProperties": node.maxProperties = try nonNegativeInt(v, pointer, k)
                case "dependentRequired":
                    guard case .object(let deps) = v else { throw error(pointer, k, "must be an object") }
                    for d in deps.members {
                        guard case .array(let a) = d.value else { throw error(pointer, k, "values must be arrays of strings") }
                        var names: [String] = []
                        for x in a {
                            guard case .string(let s) = x else { throw error(pointer, k, "values must be arrays of strings") }
                            names.append(s)
                        }
                        node.dependentRequired.append((d.key, names))
                    }
                case "prefixItems": node.prefixItems = try subschemas(v, pointer, k)
                case "items":
                    if case .array = v {
                        throw error(pointer, k, "array form of items is draft 2019-09; use prefixItems in 2020-12")
                    }
                    node.items = try compile(v, at: "\(pointer)/\(k)")
                case "contains": node.contains = try compile(v, at: "\(pointer)/\(k)")
                case "minContains": node.minContains = try nonNegativeInt(v, pointer, k)
                case "maxContains": node.maxContains = try nonNegativeInt(v, pointer, k)
                case "minItems": node.minItems = try nonNegativeInt(v, pointer, k)
                case "maxItems": node.maxItems = try nonNegativeInt(v, pointer, k)
                case "uniqueItems":
                    guard case .bool(let b) = v else { throw error(pointer, k, "must be a boolean") }
                    node.uniqueItems = b
                case "enum":
                    guard case .array(let a) = v else { throw error(pointer, k, "must be an array") }
                    node.enumValues = a
                case "const": node.const = v
                case "minimum": node.minimum = try number(v, pointer, k)
                case "maximum": node.maximum = try number(v, pointer, k)
                case "exclusiveMinimum": node.exclusiveMinimum = try number(v, pointer, k)
                case "exclusiveMaximum": node.exclusiveMaximum = try number(v, pointer, k)
                case "multipleOf":
                    let n = try number(v, pointer, k)
                    guard n.double > 0 else { throw error(pointer, k, "must be greater than 0") }
                    node.multipleOf = n
                case "minLength": node.minLength = try nonNegativeInt(v, pointer, k)
                case "maxLength": node.maxLength = try nonNegativeInt(v, pointer, k)
                case "pattern":
                    guard case .string(let s) = v else { throw error(pointer, k, "must be a string") }
                    do { node.pattern = try JSONSchemaRegex(s) } catch {
                        throw self.error(pointer, k, "invalid pattern \(s): \(error)")
                    }
                case "format":
                    guard case .string(let s) = v else { throw error(pointer, k, "must be a string") }
                    node.format = JSONSchemaFormat(rawValue: s)
                case "allOf": node.allOf = try subschemas(v, pointer, k)
                case "anyOf": node.anyOf = try subschemas(v, pointer, k)
                case "oneOf": node.oneOf = try subschemas(v, pointer, k)
                case "not": node.not = try compile(v, at: "\(pointer)/\(k)")
                case "if": node.ifNode = try compile(v, at: "\(pointer)/\(k)")
                case "then": node.thenNode = try compile(v, at: "\(pointer)/\(k)")
                case "else": node.elseNode = try compile(v, at: "\(pointer)/\(k)")
                case "$defs", "definitions":
                    guard case .object(let defs) = v else { throw error(pointer, k, "must be an object") }
                    for d in defs.members { _ = try compile(d.value, at: "\(pointer)/\(k)/\(Self.escape(d.key))") }
                case "$ref":
                    guard case .string(let s) = v else { throw error(pointer, k, "must be a string") }
                    node.refTarget = s
                case "$dynamicRef", "unevaluatedProperties", "unevaluatedItems", "dependentSchemas":
                    throw error(pointer, k, "keyword \(k) is not supported")
                default:
                    break  // annotations ($id, $schema, title, description, default, examples, ...) and unknown keywords
                }
            }
            nodes[index] = node
            if node.refTarget != nil { pendingRefs.append(index) }
            return index
        }
    }
}
