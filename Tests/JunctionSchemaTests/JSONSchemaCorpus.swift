import JunctionTestSupport
import JunctionJSON
@testable import JunctionSchema

/// Schemas and instances for the differential tests of the byte-level recognizer against the tree validator:
/// every schema and instance of `JSONSchemaTests`, the benchmark schema, and a seeded generator of instances
/// derived from each schema, then mutated (as values and as bytes).
enum JSONSchemaCorpus {
    /// The fixture schemas (text) with the instances the other suites use on them.
    static let fixtures: [(schema: String, instances: [String])] = [
        (JSONSchemaTests.order, [
            #"{"orderId":"o-1","amount":5,"currency":"EUR","lines":[{"sku":"a","quantity":2}],"tags":["x","y"],"point":[1,2.5],"meta":{"x-a":"s","n":3}}"#,
            #"{"orderId":"o-1","amount":5.0}"#, #"{"orderId":"o-1"}"#, #"{"orderId":"o-1","amount":"5"}"#,
            #"{"orderId":"o-1","amount":2.5}"#, #"{"orderId":"o-1","amount":-1}"#, #"{"orderId":"x","amount":1}"#,
            #"{"orderId":"o-1","amount":1,"extra":1}"#, #"{"orderId":"o-1","amount":1,"currency":"GBP"}"#,
            #"{"orderId":"o-1","amount":1,"lines":[{"sku":"a"},{"quantity":0}]}"#,
            #"{"orderId":"o-1","amount":1,"lines":[{"sku":"a","quantity":0}]}"#, #"{"orderId":"o-1","amount":1,"lines":[]}"#,
            #"{"orderId":"o-1","amount":1,"tags":["a","a"]}"#, #"{"orderId":"o-1","amount":1,"tags":["123456789"]}"#,
            #"{"orderId":"o-1","amount":1,"point":[1,2,3]}"#, #"{"orderId":"o-1","amount":1,"meta":{"x-a":1}}"#,
            #"{"orderId":"o-1","amount":1,"meta":{"n":"s"}}"#, #"{"orderId":"o-1","amount":1,"email":"nope"}"#,
            #"{"orderId":"o-1","amount":1,"email":"a.b@example.com"}"#, #"{"orderId":"o-1","amount":1000001}"#,
        ]),
        (#"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#, ["1", "true", #""s""#, "[1]"]),
        (#"{"oneOf":[{"type":"integer"},{"minimum":0}]}"#, ["-1", "1", "-0.5", "{}"]),
        (#"{"allOf":[{"type":"number"},{"maximum":3}],"not":{"const":2}}"#, ["1", "4", "2.0", "2"]),
        (#"{"if":{"properties":{"k":{"const":"a"}}},"then":{"required":["a"]},"else":{"required":["b"]}}"#,
         [#"{"k":"a","a":1}"#, #"{"k":"z"}"#, #"{"k":"a"}"#, #"{"k":"z","b":[]}"#]),
        (#"{"const":{"a":[1,2],"b":null}}"#, [#"{"b":null,"a":[1.0,2]}"#, #"{"b":null,"a":[2,1]}"#, "1"]),
        (#"{"multipleOf":0.01}"#, ["19.99", "19.995", "0", "-1e2"]),
        (#"{"type":"integer","maximum":9007199254740993}"#, ["9007199254740993", "9007199254740994", "1e2", "1.5"]),
        (##"{"$defs":{"node":{"$anchor":"N","type":"object","properties":{"children":{"type":"array","items":{"$ref":"#N"}},"name":{"type":"string"}}}},"$ref":"#/$defs/node"}"##,
         [#"{"name":"a","children":[{"name":"b","children":[{"name":"c"}]}]}"#, #"{"children":[{"children":[{"name":5}]}]}"#]),
        (##"{"$ref":"#"}"##, ["1", "{}", "[]"]),
        (##"{"$defs":{"a/b":{"type":"string"}},"properties":{"x":{"$ref":"#/$defs/a~1b"}}}"##, [#"{"x":1}"#, #"{"x":"s"}"#]),
        (#"{"propertyNames":{"pattern":"^[a-z]+$"},"minProperties":1,"maxProperties":2,"dependentRequired":{"a":["b"]}}"#,
         [#"{"a":1,"b":2}"#, "{}", #"{"A":1}"#, #"{"a":1}"#, #"{"a":1,"b":2,"c":3}"#]),
        (#"{"contains":{"type":"string"},"minContains":2}"#, [#"["a",1,"b"]"#, #"["a",1]"#, "[]"]),
        (#"{"contains":{"type":"string"},"maxContains":1,"items":{"type":["string","integer"]}}"#, [#"["a",1,"b"]"#, #"["a",1]"#, "[null]"]),
        ("true", ["[1]", "null"]),
        ("false", ["1", "{}"]),
        (#"{"type":"object","properties":{"t":{"format":"date-time"},"u":{"format":"uuid"},"i4":{"format":"ipv4"},"i6":{"format":"ipv6"},"e":{"format":"email"},"r":{"format":"uri"}}}"#,
         [#"{"t":"2024-02-29T12:30:00.5+01:00","u":"123e4567-e89b-12d3-a456-426614174000","i4":"10.0.0.1","i6":"::1","e":"a@b.c","r":"https://x/y"}"#,
          #"{"t":"2023-02-29T12:30:00Z"}"#, #"{"u":"123e4567e89b12d3a456426614174000"}"#, #"{"i4":"256.0.0.1"}"#, #"{"i6":":::"}"#,
          #"{"e":"@b"}"#, #"{"r":"no scheme"}"#]),
        (#"{"type":"array","uniqueItems":true,"items":{"enum":[1,"a",{"k":[1]},[2]]}}"#,
         [#"[1,"a"]"#, #"[1,1.0]"#, #"[{"k":[1.0]},[2]]"#, #"[{"k":[1]},{"k":[1]}]"#, #"[[3]]"#]),
        (#"{"properties":{"é":{"type":"string"},"K":{"type":"integer"}},"required":["é"],"additionalProperties":false}"#,
         ["{\"é\":\"x\"}", "{\"e\u{301}\":\"x\"}", "{\"\\u00e9\":\"x\"}", "{\"é\":\"x\",\"\u{212A}\":1}", "{\"é\":\"x\",\"K\":\"s\"}"]),
        (#"{"enum":["é","K",1.5,null,true]}"#, ["\"é\"", "\"e\u{301}\"", "\"\u{212A}\"", "\"\\u212a\"", "1.50", "15e-1", "null", "false"]),
        (#"{"type":"object","patternProperties":{"^x-":{"type":"string","maxLength":3},"-y$":{"minLength":2}},"additionalProperties":{"type":"integer"}}"#,
         [#"{"x-a":"abc","x-y":"ab","n":1}"#, #"{"x-y":"a"}"#, #"{"x-é":"ééé"}"#, #"{"x-é":"éééé"}"#, #"{"n":"s"}"#]),
        (#"{"type":"array","prefixItems":[{"type":"string"},{"type":"number"}],"items":false,"minItems":1,"maxItems":2}"#,
         [#"["a",1]"#, #"["a"]"#, "[]", #"["a",1,2]"#, "[1]"]),
        (#"{"type":"object","anyOf":[{"required":["a"]},{"required":["b"]}],"oneOf":[{"properties":{"a":{"type":"integer"}}},{"properties":{"a":{"type":"string"}}}],"not":{"required":["c"]},"allOf":[{"maxProperties":3}]}"#,
         [#"{"a":1}"#, #"{"b":1}"#, #"{"a":1,"c":2}"#, #"{}"#, #"{"b":true}"#, #"{"a":1,"b":2,"d":3,"e":4}"#]),
        (##"{"$defs":{"pos":{"type":"integer","minimum":0}},"type":"array","items":{"$ref":"#/$defs/pos","maximum":10}}"##,
         ["[0,10]", "[-1]", "[11]", "[1.0]"]),
        (##"{"$defs":{"obj":{"type":"object","required":["id"]}},"type":"array","items":{"$ref":"#/$defs/obj","properties":{"id":{"type":"string"}}}}"##,
         [#"[{"id":"a"}]"#, #"[{"id":1}]"#, #"[{}]"#, "[1]"]),
        (benchSchema, [benchInstance]),
    ]

    /// The schema of docs/bench-schemas.md (`Benchmarks/SchemaBench`).
    static let benchSchema = #"""
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "type": "object",
      "additionalProperties": false,
      "required": ["orderId", "customerId", "amountMinor", "currency", "status", "lines"],
      "properties": {
        "orderId": {"type": "string", "pattern": "^ord-[0-9]{4}-[0-9]{6}$"},
        "customerId": {"type": "string", "minLength": 1, "maxLength": 64},
        "amountMinor": {"type": "string", "pattern": "^-?[0-9]+$"},
        "currency": {"enum": ["EUR", "USD", "GBP"]},
        "status": {"enum": ["STATUS_UNSPECIFIED", "STATUS_NEW", "STATUS_PAID", "STATUS_SHIPPED"]},
        "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "createdAt": {"type": "string", "pattern": "^[0-9]+$"},
        "gift": {"type": "boolean"},
        "shipping": {"$ref": "#/$defs/address"},
        "flags": {"type": "array", "items": {"type": "integer", "minimum": -2147483648, "maximum": 2147483647}}
      },
      "$defs": {
        "line": {
          "type": "object",
          "additionalProperties": false,
          "required": ["sku", "quantity"],
          "properties": {
            "sku": {"type": "string", "pattern": "^SKU-[0-9]+$"},
            "quantity": {"type": "integer", "minimum": 0, "maximum": 4294967295},
            "unitPriceMinor": {"type": "string", "pattern": "^-?[0-9]+$"},
            "title": {"type": "string", "maxLength": 200}
          }
        },
        "address": {
          "type": "object",
          "properties": {
            "street": {"type": "string"}, "city": {"type": "string"},
            "postalCode": {"type": "string"}, "country": {"type": "string", "minLength": 2, "maxLength": 2}
          }
        }
      }
    }
    """#

    /// The 604-byte benchmark detail.
    static let benchInstance = #"{"orderId":"ord-2024-000123","customerId":"cus-88412","amountMinor":"25998","currency":"EUR","status":"STATUS_PAID","lines":[{"sku":"SKU-1001","quantity":2,"unitPriceMinor":"4999","title":"Widget, blue"},{"sku":"SKU-1002","quantity":1,"unitPriceMinor":"12000","title":"Gadget \"pro\""},{"sku":"SKU-1003","quantity":4,"unitPriceMinor":"1000","title":"Ünïcödé part"}],"labels":{"channel":"web","region":"eu-west-1"},"createdAt":"1732612345000","gift":true,"shipping":{"street":"Hauptstrasse 12","city":"Berlin","postalCode":"10115","country":"DE"},"flags":[1,4,9,16]}"#

    /// The corpus's seeded generator.
    typealias Random = SplitMix64

    static let strings: [String] = [
        "", "a", "abc", "o-1", "ord-2024-000123", "SKU-7", "12", "-5", "EUR", "USD", "GBP", "STATUS_PAID", "DE", "x-a",
        "é", "e\u{301}", "\u{212A}", "K", "ü漢字😀", "a\"b\\c", "line\nbreak", "\u{0}", String(repeating: "z", count: 70),
        "2024-02-29T12:30:00Z", "2024-13-01T00:00:00Z", "123e4567-e89b-12d3-a456-426614174000", "a@b.c", "10.0.0.1",
        "::ffff:1.2.3.4", "urn:x", "http://x/%zz",
    ]

    static let numbers: [String] = [
        "0", "-0", "1", "-1", "2", "3", "2.0", "2.5", "0.01", "19.99", "1e2", "1E-2", "-2147483648", "-2147483649",
        "2147483647", "4294967295", "4294967296", "9007199254740993", "9007199254740994", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "123456789012345678901234567890", "1e400", "-1e400", "1.0e0",
        "0.1e1", "10", "11", "1000001",
    ]

    static func randomScalar(_ rng: inout Random) -> JSONValue {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2, 3: return .number(JSONNumber(text: numbers.randomElement(using: &rng)!))
        default: return .string(strings.randomElement(using: &rng)!)
        }
    }

    static func randomValue(_ rng: inout Random, depth: Int = 0) -> JSONValue {
        guard depth < 3, Int.random(in: 0..<4, using: &rng) == 0 else { return randomScalar(&rng) }
        if Bool.random(using: &rng) {
            return .array((0..<Int.random(in: 0..<3, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        }
        return .object(JSONObject(members: (0..<Int.random(in: 0..<3, using: &rng)).map { _ in
            JSONObject.Member(key: strings.randomElement(using: &rng)!, value: randomValue(&rng, depth: depth + 1))
        }))
    }

    /// Resolves an in-document `$ref` of the fixture schemas (JSON pointers and `$anchor`s).
    static func resolve(_ ref: String, in root: JSONValue) -> JSONValue? {
        guard ref.hasPrefix("#") else { return nil }
        let fragment = ref.dropFirst()
        if !fragment.hasPrefix("/") && !fragment.isEmpty {
            return findAnchor(String(fragment), in: root)
        }
        var current = root
        for token in fragment.split(separator: "/", omittingEmptySubsequences: true) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }

    static func findAnchor(_ name: String, in value: JSONValue) -> JSONValue? {
        switch value {
        case .object(let o):
            if o["$anchor"] == .string(name) { return value }
            for m in o.members { if let hit = findAnchor(name, in: m.value) { return hit } }
        case .array(let a):
            for v in a { if let hit = findAnchor(name, in: v) { return hit } }
        default: break
        }
        return nil
    }

    /// An instance shaped by `schema` (mostly conforming where the generator can tell), with random detours.
    static func instance(of schema: JSONValue, root: JSONValue, _ rng: inout Random, depth: Int = 0) -> JSONValue {
        guard depth < 6, case .object(let s) = schema, Int.random(in: 0..<12, using: &rng) != 0 else { return randomValue(&rng) }
        if case .string(let ref)? = s["$ref"], let target = resolve(ref, in: root), Int.random(in: 0..<4, using: &rng) != 0 {
            return instance(of: target, root: root, &rng, depth: depth + 1)
        }
        if let c = s["const"], Bool.random(using: &rng) { return c }
        if case .array(let e)? = s["enum"], let pick = e.randomElement(using: &rng) { return pick }
        for k in ["anyOf", "oneOf", "allOf"] {
            if case .array(let subs)? = s[k], let pick = subs.randomElement(using: &rng), Bool.random(using: &rng) {
                return instance(of: pick, root: root, &rng, depth: depth + 1)
            }
        }
        var type: String?
        switch s["type"] {
        case .string(let t)?: type = t
        case .array(let ts)?: type = ts.randomElement(using: &rng)?.stringValue
        default:
            if s["properties"] != nil || s["required"] != nil || s["patternProperties"] != nil { type = "object" }
            else if s["items"] != nil || s["prefixItems"] != nil || s["contains"] != nil { type = "array" }
        }
        switch type {
        case "object":
            var members: [JSONObject.Member] = []
            let required = Set(s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            for p in s["properties"]?.objectValue?.members ?? [] where required.contains(p.key) || Int.random(in: 0..<4, using: &rng) != 0 {
                members.append(.init(key: p.key, value: instance(of: p.value, root: root, &rng, depth: depth + 1)))
            }
            for r in required where !members.contains(where: { $0.key == r }) {
                members.append(.init(key: r, value: randomValue(&rng)))
            }
            if let pp = s["patternProperties"]?.objectValue, Bool.random(using: &rng) {
                for p in pp.members {
                    members.append(.init(key: p.key.hasPrefix("^") ? String(p.key.dropFirst()) + "k" : "k" + String(p.key.dropLast()),
                                         value: instance(of: p.value, root: root, &rng, depth: depth + 1)))
                }
            }
            if Int.random(in: 0..<5, using: &rng) == 0 {
                let ap = s["additionalProperties"] ?? .bool(true)
                members.append(.init(key: strings.randomElement(using: &rng)!, value: instance(of: ap, root: root, &rng, depth: depth + 1)))
            }
            members.shuffle(using: &rng)
            return .object(JSONObject(members: members))
        case "array":
            var items: [JSONValue] = []
            for p in s["prefixItems"]?.arrayValue ?? [] where Int.random(in: 0..<5, using: &rng) != 0 {
                items.append(instance(of: p, root: root, &rng, depth: depth + 1))
            }
            for _ in 0..<Int.random(in: 0..<4, using: &rng) {
                items.append(instance(of: s["items"] ?? s["contains"] ?? .bool(true), root: root, &rng, depth: depth + 1))
            }
            return .array(items)
        case "string":
            return .string(strings.randomElement(using: &rng)!)
        case "integer", "number":
            var candidates = numbers
            for k in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
                if case .number(let n)? = s[k] { candidates.append(n.text) }
            }
            return .number(JSONNumber(text: candidates.randomElement(using: &rng)!))
        case "boolean": return .bool(Bool.random(using: &rng))
        case "null": return .null
        default: return randomValue(&rng)
        }
    }

    /// A structural mutation of `value`: replace, drop, duplicate or retype one subvalue.
    static func mutate(_ value: JSONValue, _ rng: inout Random, depth: Int = 0) -> JSONValue {
        switch value {
        case .object(var o) where !o.members.isEmpty && Int.random(in: 0..<3, using: &rng) != 0:
            let i = Int.random(in: 0..<o.members.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: o.members.remove(at: i)
            case 1: o.members.append(.init(key: o.members[i].key, value: randomValue(&rng)))
            case 2: o.members[i].value = randomValue(&rng)
            default: o.members[i].value = mutate(o.members[i].value, &rng, depth: depth + 1)
            }
            return .object(o)
        case .array(var a) where !a.isEmpty && Int.random(in: 0..<3, using: &rng) != 0:
            let i = Int.random(in: 0..<a.count, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: a.remove(at: i)
            case 1: a.append(a[i])
            default: a[i] = mutate(a[i], &rng, depth: depth + 1)
            }
            return .array(a)
        default:
            return randomValue(&rng)
        }
    }

    /// A byte-level mutation of JSON text: a deleted, inserted or replaced byte, an escape in place of a letter,
    /// whitespace, or deep nesting.
    static func mutateBytes(_ text: [UInt8], _ rng: inout Random) -> [UInt8] {
        var b = text
        let specials: [UInt8] = Array("{}[]\",:\\ -.eE0123456789tfnu".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xED, 0xF5, 0xFF]
        let at = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
        switch Int.random(in: 0..<7, using: &rng) {
        case 0 where !b.isEmpty: b.remove(at: at)
        case 1: b.insert(specials.randomElement(using: &rng)!, at: at)
        case 2 where !b.isEmpty: b[at] = specials.randomElement(using: &rng)!
        case 3 where !b.isEmpty && ((0x61...0x7A).contains(b[at]) || (0x41...0x5A).contains(b[at])):
            let hex = Array("0123456789abcdef".utf8)
            b.replaceSubrange(at...at, with: Array("\\u00".utf8) + [hex[Int(b[at] >> 4)], hex[Int(b[at] & 0xF)]])
        case 4: b.insert(contentsOf: Array(" \n\t\r".utf8).shuffled(using: &rng).prefix(2), at: at)
        case 5:
            let n = [127, 128, 129].randomElement(using: &rng)!
            b = Array(repeating: UInt8(ascii: "["), count: n) + b + Array(repeating: UInt8(ascii: "]"), count: n)
        default: b.append(contentsOf: Array(" x".utf8).prefix(Int.random(in: 0..<3, using: &rng)))
        }
        return b
    }
}
