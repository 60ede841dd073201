import JunctionJSON
import Testing
@testable import JunctionSchema

@Suite("JSON Schema validator")
struct JSONSchemaTests {
    func schema(_ text: String) throws -> JSONSchema { try JSONSchema(text: text) }

    func check(_ s: JSONSchema, _ instance: String) throws -> String {
        switch s.validate(try JSONParser.parse(instance)) {
        case .valid: return "valid"
        case .invalid(let v): return "invalid: \(v)"
        }
    }

    static let order = """
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "type": "object",
      "required": ["orderId", "amount"],
      "additionalProperties": false,
      "properties": {
        "orderId": {"type": "string", "pattern": "^o-[0-9]+$"},
        "amount": {"type": "integer", "minimum": 0, "maximum": 1000000},
        "currency": {"enum": ["EUR", "USD"]},
        "email": {"type": "string", "format": "email"},
        "lines": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/line"}},
        "tags": {"type": "array", "uniqueItems": true, "items": {"type": "string", "maxLength": 8}},
        "point": {"type": "array", "prefixItems": [{"type": "number"}, {"type": "number"}], "items": false},
        "meta": {"type": "object", "patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": {"type": "integer"}}
      },
      "$defs": {
        "line": {
          "type": "object",
          "required": ["sku"],
          "properties": {"sku": {"type": "string", "minLength": 1}, "quantity": {"type": "integer", "exclusiveMinimum": 0, "multipleOf": 1}}
        }
      }
    }
    """

    @Test func acceptsConformingInstances() throws {
        let s = try schema(Self.order)
        #expect(try check(s, #"{"orderId":"o-1","amount":5,"currency":"EUR","lines":[{"sku":"a","quantity":2}],"tags":["x","y"],"point":[1,2.5],"meta":{"x-a":"s","n":3}}"#) == "valid")
        #expect(try check(s, #"{"orderId":"o-1","amount":5.0}"#) == "valid")
    }

    @Test func reportsPathAndReason() throws {
        let s = try schema(Self.order)
        #expect(try check(s, #"{"orderId":"o-1"}"#) == "invalid: detail.amount: missing required property amount")
        #expect(try check(s, #"{"orderId":"o-1","amount":"5"}"#) == "invalid: detail.amount: expected integer, found string")
        #expect(try check(s, #"{"orderId":"o-1","amount":2.5}"#) == "invalid: detail.amount: expected integer, found number")
        #expect(try check(s, #"{"orderId":"o-1","amount":-1}"#) == "invalid: detail.amount: -1 is less than minimum 0")
        #expect(try check(s, #"{"orderId":"x","amount":1}"#) == "invalid: detail.orderId: string does not match pattern ^o-[0-9]+$")
        #expect(try check(s, #"{"orderId":"o-1","amount":1,"extra":1}"#) == "invalid: detail.extra: property extra is not allowed (additionalProperties is false)")
        #expect(try check(s, #"{"orderId":"o-1","amount":1,"currency":"GBP"}"#) == #"invalid: detail.currency: value "GBP" is not one of ["EUR","USD"]"#)
        #expect(try check(s, #"{"orderId":"o-1","amount":1,"lines":[{"sku":"a"},{"quantity":0}]}"#) == "invalid: detail.lines[1].sku: missing required property sku")
        #expect(try check(s, #"{"orderId":"o-1","amount":1,"lines":[{"sku":"a","quantity":0}]}"#) == "invalid: detail.lines[0].quantity: 0 is not greater than exclusiveMinimum 0")
        #expect(try check(s, #"{"orderId":"o-1","amount":1,"lines":[]}"#) == "invalid: detail.lines: array of 0 items has fewer than minItems 1")
        #expect(try check(s, #"{"orderId":"o-1","amount":1,"tags":["a","a"]}"#) == "invalid: detail.tags: items 0 and 1 are equal")
        #expect(try check(s, #"{"orderId":"o-1","amount":1,"tags":["123456789"]}"#) == "invalid: detail.tags[0]: string of length 9 is longer than maxLength 8")
        #expect(try check(s, #"{"orderId":"o-1","amount":1,"point":[1,2,3]}"#) == "invalid: detail.point[2]: no value is allowed here (schema is false)")
        #expect(try check(s, #"{"orderId":"o-1","amount":1,"meta":{"x-a":1}}"#) == "invalid: detail.meta.x-a: expected string, found integer")
        #expect(try check(s, #"{"orderId":"o-1","amount":1,"meta":{"n":"s"}}"#) == "invalid: detail.meta.n: expected integer, found string")
        #expect(try check(s, #"{"orderId":"o-1","amount":1,"email":"nope"}"#) == #"invalid: detail.email: "nope" is not a valid email"#)
        #expect(try check(s, #"{"orderId":"o-1","amount":1000001}"#) == "invalid: detail.amount: 1000001 is greater than maximum 1000000")
    }

    @Test func combinators() throws {
        let s = try schema(#"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#)
        #expect(try check(s, "1") == "valid")
        #expect(try check(s, "true").hasPrefix("invalid: detail: must match at least one schema in anyOf"))
        let one = try schema(#"{"oneOf":[{"type":"integer"},{"minimum":0}]}"#)
        #expect(try check(one, "-1") == "valid")
        #expect(try check(one, "1") == "invalid: detail: must match exactly one schema in oneOf, matched 2 (indexes 0, 1)")
        #expect(try check(one, "-0.5") == "invalid: detail: must match exactly one schema in oneOf, matched none")
        let all = try schema(#"{"allOf":[{"type":"number"},{"maximum":3}],"not":{"const":2}}"#)
        #expect(try check(all, "1") == "valid")
        #expect(try check(all, "4") == "invalid: detail: 4 is greater than maximum 3")
        #expect(try check(all, "2.0") == "invalid: detail: must not match the schema in not")
        let cond = try schema(#"{"if":{"properties":{"k":{"const":"a"}}},"then":{"required":["a"]},"else":{"required":["b"]}}"#)
        #expect(try check(cond, #"{"k":"a","a":1}"#) == "valid")
        #expect(try check(cond, #"{"k":"z"}"#) == "invalid: detail.b: missing required property b")
    }

    @Test func constEnumAndNumbers() throws {
        let s = try schema(#"{"const":{"a":[1,2],"b":null}}"#)
        #expect(try check(s, #"{"b":null,"a":[1.0,2]}"#) == "valid")
        #expect(try check(s, #"{"b":null,"a":[2,1]}"#).hasPrefix("invalid: detail: must equal"))
        let m = try schema(#"{"multipleOf":0.01}"#)
        #expect(try check(m, "19.99") == "valid")
        #expect(try check(m, "19.995") == "invalid: detail: 19.995 is not a multiple of 0.01")
        let big = try schema(#"{"type":"integer","maximum":9007199254740993}"#)
        #expect(try check(big, "9007199254740993") == "valid")
        #expect(try check(big, "9007199254740994") == "invalid: detail: 9007199254740994 is greater than maximum 9007199254740993")
    }

    @Test func recursiveRefsAndAnchors() throws {
        let tree = try schema(##"{"$defs":{"node":{"$anchor":"N","type":"object","properties":{"children":{"type":"array","items":{"$ref":"#N"}},"name":{"type":"string"}}}},"$ref":"#/$defs/node"}"##)
        #expect(try check(tree, #"{"name":"a","children":[{"name":"b","children":[{"name":"c"}]}]}"#) == "valid")
        #expect(try check(tree, #"{"children":[{"children":[{"name":5}]}]}"#) == "invalid: detail.children[0].children[0].name: expected string, found integer")
        let loop = try schema(##"{"$ref":"#"}"##)
        #expect(try check(loop, "1").contains("deeper than"))
        let escaped = try schema(##"{"$defs":{"a/b":{"type":"string"}},"properties":{"x":{"$ref":"#/$defs/a~1b"}}}"##)
        #expect(try check(escaped, #"{"x":1}"#) == "invalid: detail.x: expected string, found integer")
    }

    @Test func propertyKeywords() throws {
        let s = try schema(#"{"propertyNames":{"pattern":"^[a-z]+$"},"minProperties":1,"maxProperties":2,"dependentRequired":{"a":["b"]}}"#)
        #expect(try check(s, #"{"a":1,"b":2}"#) == "valid")
        #expect(try check(s, "{}") == "invalid: detail: object has 0 properties, fewer than minProperties 1")
        #expect(try check(s, #"{"A":1}"#) == "invalid: detail.A: property name is not allowed: string does not match pattern ^[a-z]+$")
        #expect(try check(s, #"{"a":1}"#) == "invalid: detail: property b is required when a is present")
        let c = try schema(#"{"contains":{"type":"string"},"minContains":2}"#)
        #expect(try check(c, #"["a",1,"b"]"#) == "valid")
        #expect(try check(c, #"["a",1]"#) == "invalid: detail: 1 items match contains, at least 2 required")
    }

    @Test func compileErrors() {
        let cases: [(String, String)] = [
            (#"{"type":"strin"}"#, "schema /type: unknown type \"strin\""),
            (#"{"$ref":"other.json#/x"}"#, "schema /$ref: $ref other.json#/x points outside the document; only in-document references (#...) are supported"),
            (##"{"$ref":"#/$defs/missing"}"##, "schema /$ref: $ref #/$defs/missing does not resolve within the document"),
            (#"{"properties":{"a":{"pattern":"(?=x)"}}}"#, "schema /properties/a/pattern: invalid pattern (?=x): offset 1: lookaround assertions are not supported"),
            (#"{"minLength":-1}"#, "schema /minLength: must be a non-negative integer"),
            (#"{"items":[{}]}"#, "schema /items: array form of items is draft 2019-09; use prefixItems in 2020-12"),
            (#"{"properties":{"a":3}}"#, "schema /properties/a: a schema must be an object or a boolean, found number"),
        ]
        for (text, message) in cases {
            #expect(throws: JSONSchemaError.self) { _ = try JSONSchema(text: text) }
            do { _ = try JSONSchema(text: text) } catch { #expect(error.description == message) }
        }
    }

    @Test func booleanSchemasAndFormatsOff() throws {
        #expect(try check(try schema("true"), "[1]") == "valid")
        #expect(try check(try schema("false"), "1") == "invalid: detail: no value is allowed here (schema is false)")
        let loose = try JSONSchema(text: #"{"format":"uuid"}"#, options: JSONSchemaOptions(assertFormats: false))
        #expect(loose.validate(.string("nope")) == .valid)
    }
}
