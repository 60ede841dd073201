import Testing
@testable import JunctionSchema

@Suite("JSON Schema compatibility rules")
struct JSONSchemaCompatibilityTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var rule: String
        var old: String
        var breaking: String
        var safe: String
        var testDescription: String { rule }
    }

    /// Pairs checked BACKWARD (reader = new, writer = old).
    static let cases: [Case] = [
        Case(rule: "SCHEMA_NARROWED_TO_FALSE",
             old: #"{"type":"object","properties":{"a":{"type":"string"}}}"#,
             breaking: #"{"type":"object","properties":{"a":false}}"#,
             safe: #"{"type":"object","properties":{"a":true}}"#),
        Case(rule: "TYPE_NARROWED",
             old: #"{"type":["string","null"]}"#,
             breaking: #"{"type":"string"}"#,
             safe: #"{"type":["string","null","integer"]}"#),
        Case(rule: "CONST_CHANGED",
             old: #"{"type":"string"}"#,
             breaking: #"{"const":"a"}"#,
             safe: #"{"type":"string"}"#),
        Case(rule: "ENUM_NARROWED",
             old: #"{"enum":["a","b"]}"#,
             breaking: #"{"enum":["a"]}"#,
             safe: #"{"enum":["a","b","c"]}"#),
        Case(rule: "MINIMUM_INCREASED",
             old: #"{"type":"integer","minimum":0}"#,
             breaking: #"{"type":"integer","minimum":1}"#,
             safe: #"{"type":"integer","minimum":-1}"#),
        Case(rule: "MAXIMUM_DECREASED",
             old: #"{"type":"integer","maximum":10}"#,
             breaking: #"{"type":"integer","maximum":9}"#,
             safe: #"{"type":"integer","maximum":11}"#),
        Case(rule: "EXCLUSIVE_MINIMUM_INCREASED",
             old: #"{"type":"number","minimum":0}"#,
             breaking: #"{"type":"number","exclusiveMinimum":0}"#,
             safe: #"{"type":"number","exclusiveMinimum":-1}"#),
        Case(rule: "EXCLUSIVE_MAXIMUM_DECREASED",
             old: #"{"type":"number","exclusiveMaximum":5}"#,
             breaking: #"{"type":"number","exclusiveMaximum":4}"#,
             safe: #"{"type":"number","maximum":5}"#),
        Case(rule: "MULTIPLE_OF_CHANGED",
             old: #"{"type":"number","multipleOf":4}"#,
             breaking: #"{"type":"number","multipleOf":3}"#,
             safe: #"{"type":"number","multipleOf":2}"#),
        Case(rule: "MIN_LENGTH_INCREASED",
             old: #"{"type":"string","minLength":1}"#,
             breaking: #"{"type":"string","minLength":2}"#,
             safe: #"{"type":"string"}"#),
        Case(rule: "MAX_LENGTH_DECREASED",
             old: #"{"type":"string","maxLength":10}"#,
             breaking: #"{"type":"string","maxLength":5}"#,
             safe: #"{"type":"string","maxLength":20}"#),
        Case(rule: "PATTERN_CHANGED",
             old: #"{"type":"string","pattern":"^a"}"#,
             breaking: #"{"type":"string","pattern":"^ab"}"#,
             safe: #"{"type":"string"}"#),
        Case(rule: "FORMAT_CHANGED",
             old: #"{"type":"string"}"#,
             breaking: #"{"type":"string","format":"uuid"}"#,
             safe: #"{"type":"string","title":"id"}"#),
        Case(rule: "MIN_ITEMS_INCREASED",
             old: #"{"type":"array"}"#,
             breaking: #"{"type":"array","minItems":1}"#,
             safe: #"{"type":"array","minItems":0}"#),
        Case(rule: "MAX_ITEMS_DECREASED",
             old: #"{"type":"array","maxItems":3}"#,
             breaking: #"{"type":"array","maxItems":2}"#,
             safe: #"{"type":"array","maxItems":4}"#),
        Case(rule: "UNIQUE_ITEMS_ADDED",
             old: #"{"type":"array"}"#,
             breaking: #"{"type":"array","uniqueItems":true}"#,
             safe: #"{"type":"array","uniqueItems":false}"#),
        Case(rule: "CONTAINS_CHANGED",
             old: #"{"type":"array"}"#,
             breaking: #"{"type":"array","contains":{"type":"string"}}"#,
             safe: #"{"type":"array","items":true}"#),
        Case(rule: "REQUIRED_PROPERTY_ADDED",
             old: #"{"type":"object","properties":{"a":{"type":"string"}}}"#,
             breaking: #"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"#,
             safe: #"{"type":"object","properties":{"a":{"type":"string"}}}"#),
        Case(rule: "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
             old: #"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":false}"#,
             breaking: #"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#,
             safe: #"{"type":"object","properties":{"a":{"type":"string"}}}"#),
        Case(rule: "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
             old: #"{"type":"object","properties":{"a":{"type":"string"}}}"#,
             breaking: #"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}}"#,
             safe: #"{"type":"object","properties":{"a":{"type":"string"},"b":true}}"#),
        Case(rule: "ADDITIONAL_PROPERTIES_NARROWED",
             old: #"{"type":"object","properties":{"a":{"type":"string"}}}"#,
             breaking: #"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#,
             safe: #"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":true}"#),
        Case(rule: "PATTERN_PROPERTIES_CHANGED",
             old: #"{"type":"object"}"#,
             breaking: #"{"type":"object","patternProperties":{"^x-":{"type":"string"}}}"#,
             safe: #"{"type":"object","patternProperties":{"^x-":true}}"#),
        Case(rule: "MIN_PROPERTIES_INCREASED",
             old: #"{"type":"object"}"#,
             breaking: #"{"type":"object","minProperties":1}"#,
             safe: #"{"type":"object","minProperties":0}"#),
        Case(rule: "MAX_PROPERTIES_DECREASED",
             old: #"{"type":"object","maxProperties":5}"#,
             breaking: #"{"type":"object","maxProperties":4}"#,
             safe: #"{"type":"object","maxProperties":6}"#),
        Case(rule: "DEPENDENT_REQUIRED_ADDED",
             old: #"{"type":"object"}"#,
             breaking: #"{"type":"object","dependentRequired":{"a":["b"]}}"#,
             safe: #"{"type":"object","dependentRequired":{}}"#),
        Case(rule: "PROPERTY_NAMES_NARROWED",
             old: #"{"type":"object"}"#,
             breaking: #"{"type":"object","propertyNames":{"maxLength":3}}"#,
             safe: #"{"type":"object","propertyNames":true}"#),
        Case(rule: "ANY_OF_NARROWED",
             old: #"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#,
             breaking: #"{"anyOf":[{"type":"string"},{"type":"boolean"}]}"#,
             safe: #"{"anyOf":[{"type":"string"},{"type":"number"}]}"#),
        Case(rule: "NOT_CHANGED",
             old: #"{"type":"string"}"#,
             breaking: #"{"type":"string","not":{"const":"x"}}"#,
             safe: #"{"type":"string"}"#),
        Case(rule: "CONDITIONAL_CHANGED",
             old: #"{"type":"object"}"#,
             breaking: #"{"type":"object","if":{"required":["a"]},"then":{"required":["b"]}}"#,
             safe: #"{"type":"object"}"#),
    ]

    func violations(reader: String, writer: String) throws -> [CompatibilityViolation] {
        JSONSchemaCompatibilityChecker.check(reader: try JSONSchema(text: reader), writer: try JSONSchema(text: writer))
    }

    @Test(arguments: cases)
    func rule(_ c: Case) throws {
        let breaking = try violations(reader: c.breaking, writer: c.old)
        #expect(breaking.contains { $0.rule == c.rule }, "expected \(c.rule), got \(breaking)")
        let safe = try violations(reader: c.safe, writer: c.old)
        #expect(safe.isEmpty, "expected no violation, got \(safe)")
    }

    @Test func everyDocumentedRuleHasACase() {
        #expect(Set(JSONSchemaCompatibilityChecker.rules.map(\.name)) == Set(Self.cases.map(\.rule)))
    }

    @Test func closedModelsAllowAddingOptionalProperties() throws {
        let old = #"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#
        let new = #"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"additionalProperties":false}"#
        // Backward (new reads old): fine. Forward (old reads new): b is rejected by the old closed model.
        #expect(try violations(reader: new, writer: old).isEmpty)
        let forward = try violations(reader: old, writer: new)
        #expect(forward.map(\.rule) == ["PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"])
        #expect(forward.first?.path == "#/properties/b")
    }

    @Test func nestedAndReferencedSchemas() throws {
        let old = ##"{"$defs":{"line":{"type":"object","properties":{"qty":{"type":"integer","maximum":100}}}},"type":"object","properties":{"lines":{"type":"array","items":{"$ref":"#/$defs/line"}}}}"##
        let new = ##"{"$defs":{"line":{"type":"object","properties":{"qty":{"type":"integer","maximum":50}}}},"type":"object","properties":{"lines":{"type":"array","items":{"$ref":"#/$defs/line"}}}}"##
        let v = try violations(reader: new, writer: old)
        #expect(v.map { "\($0.rule) \($0.path)" } == ["MAXIMUM_DECREASED #/properties/lines/items/properties/qty/maximum"])
        // Recursive schemas terminate.
        let tree = ##"{"$defs":{"n":{"type":"object","properties":{"c":{"type":"array","items":{"$ref":"#/$defs/n"}}}}},"$ref":"#/$defs/n"}"##
        #expect(try violations(reader: tree, writer: tree).isEmpty)
    }

    @Test func integerWideningIsSafeButNarrowingIsNot() throws {
        #expect(try violations(reader: #"{"type":"number"}"#, writer: #"{"type":"integer"}"#).isEmpty)
        #expect(try violations(reader: #"{"type":"integer"}"#, writer: #"{"type":"number"}"#).map(\.rule) == ["TYPE_NARROWED"])
    }
}
