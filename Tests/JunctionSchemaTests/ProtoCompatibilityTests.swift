import JunctionTestSupport
import Testing
@testable import JunctionSchema

@Suite("Protobuf compatibility rules", .enabled(if: Protoc.isAvailable, "needs protoc (scripts/install-deps.sh installs protobuf-compiler)"))
struct ProtoCompatibilityTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var rule: String
        var syntax = "proto3"
        var old: String
        var breaking: String
        var safe: String
        var direction: CompatibilityViolation.Direction = .backward
        var testDescription: String { rule }
    }

    static let cases: [Case] = [
        Case(rule: "MESSAGE_NO_DELETE",
             old: "message E { Inner i = 1; } message Inner { int32 a = 1; }",
             breaking: "message E { reserved 1; reserved \"i\"; }",
             safe: "message E { Inner i = 1; } message Inner { int32 a = 1; int32 b = 2; }"),
        Case(rule: "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED",
             old: "message E { int32 a = 1; int32 b = 2; }",
             breaking: "message E { int32 a = 1; reserved \"b\"; }",
             safe: "message E { int32 a = 1; reserved 2; reserved \"b\"; }"),
        Case(rule: "FIELD_NO_DELETE_UNLESS_NAME_RESERVED",
             old: "message E { int32 a = 1; int32 b = 2; }",
             breaking: "message E { int32 a = 1; reserved 2; }",
             safe: "message E { int32 a = 1; reserved 2; reserved \"b\"; }"),
        Case(rule: "FIELD_SAME_NAME",
             old: "message E { int32 amount = 1; }",
             breaking: "message E { int32 total = 1; }",
             safe: "message E { int32 amount = 1; int32 total = 2; }"),
        Case(rule: "FIELD_SAME_JSON_NAME",
             old: "message E { int32 amount = 1; }",
             breaking: "message E { int32 amount = 1 [json_name = \"amt\"]; }",
             safe: "message E { int32 amount = 1 [json_name = \"amount\"]; }"),
        Case(rule: "FIELD_WIRE_JSON_COMPATIBLE_TYPE",
             old: "message E { int32 a = 1; }",
             breaking: "message E { int64 a = 1; }",
             safe: "message E { uint32 a = 1; }"),
        Case(rule: "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY",
             old: "message E { int32 a = 1; }",
             breaking: "message E { repeated int32 a = 1; }",
             safe: "message E { optional int32 a = 1; }"),
        Case(rule: "FIELD_SAME_ONEOF",
             old: "message E { int32 a = 1; }",
             breaking: "message E { oneof o { int32 a = 1; string s = 2; } }",
             safe: "message E { int32 a = 1; oneof o { string s = 2; } }"),
        Case(rule: "FIELD_SAME_DEFAULT", syntax: "proto2",
             old: "message E { optional int32 a = 1 [default = 2]; }",
             breaking: "message E { optional int32 a = 1 [default = 3]; }",
             safe: "message E { optional int32 a = 1 [default = 2]; optional int32 b = 2 [default = 7]; }"),
        Case(rule: "MESSAGE_SAME_REQUIRED_FIELDS", syntax: "proto2",
             old: "message E { optional int32 a = 1; }",
             breaking: "message E { optional int32 a = 1; required int32 b = 2; }",
             safe: "message E { optional int32 a = 1; optional int32 b = 2; }"),
        Case(rule: "MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT", syntax: "proto2",
             old: "message E { extensions 4 to max; }",
             breaking: "message E { option message_set_wire_format = true; extensions 4 to max; }",
             safe: "message E { extensions 4 to max; optional int32 a = 1; }"),
        Case(rule: "RESERVED_MESSAGE_NO_DELETE",
             old: "message E { int32 a = 1; reserved 5 to 9; reserved \"gone\"; }",
             breaking: "message E { int32 a = 1; reserved 5 to 7; reserved \"gone\"; }",
             safe: "message E { int32 a = 1; reserved 5 to 10; reserved \"gone\", \"other\"; }"),
        Case(rule: "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED",
             old: "enum S { S_UNKNOWN = 0; S_A = 1; } message E { S s = 1; }",
             breaking: "enum S { S_UNKNOWN = 0; reserved \"S_A\"; } message E { S s = 1; }",
             safe: "enum S { S_UNKNOWN = 0; reserved 1; reserved \"S_A\"; } message E { S s = 1; }"),
        Case(rule: "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED",
             old: "enum S { S_UNKNOWN = 0; S_A = 1; } message E { S s = 1; }",
             breaking: "enum S { S_UNKNOWN = 0; reserved 1; } message E { S s = 1; }",
             safe: "enum S { S_UNKNOWN = 0; reserved 1; reserved \"S_A\"; } message E { S s = 1; }"),
        Case(rule: "ENUM_VALUE_SAME_NAME",
             old: "enum S { S_UNKNOWN = 0; S_A = 1; } message E { S s = 1; }",
             breaking: "enum S { S_UNKNOWN = 0; S_B = 1; } message E { S s = 1; }",
             safe: "enum S { option allow_alias = true; S_UNKNOWN = 0; S_A = 1; S_B = 1; } message E { S s = 1; }"),
        Case(rule: "RESERVED_ENUM_NO_DELETE",
             old: "enum S { S_UNKNOWN = 0; reserved 3; } message E { S s = 1; }",
             breaking: "enum S { S_UNKNOWN = 0; } message E { S s = 1; }",
             safe: "enum S { S_UNKNOWN = 0; reserved 3, 4; } message E { S s = 1; }"),
        Case(rule: "ENUM_VALUE_NO_ADD_TO_CLOSED", syntax: "proto2",
             old: "enum S { S_A = 1; } message E { optional S s = 1; }",
             breaking: "enum S { S_A = 1; S_B = 2; } message E { optional S s = 1; }",
             safe: "enum S { S_A = 1; } message E { optional S s = 1; optional int32 x = 2; }",
             direction: .forward),
    ]

    func violations(_ old: [UInt8], _ new: [UInt8], _ direction: CompatibilityViolation.Direction) throws -> [CompatibilityViolation] {
        ProtoCompatibilityChecker.check(previous: try ProtoDescriptorSet.parse(old), current: try ProtoDescriptorSet.parse(new),
                                        messageName: "t.E", direction: direction)
    }

    @Test(arguments: cases)
    func rule(_ c: Case) throws {
        let old = try Protoc.set(c.old, syntax: c.syntax)
        let breaking = try violations(old, try Protoc.set(c.breaking, syntax: c.syntax), c.direction)
        #expect(breaking.contains { $0.rule == c.rule }, "expected \(c.rule), got \(breaking)")
        let safe = try violations(old, try Protoc.set(c.safe, syntax: c.syntax), c.direction)
        #expect(safe.isEmpty, "expected no violation, got \(safe)")
    }

    @Test func everyDocumentedRuleHasACase() {
        let tested = Set(Self.cases.map(\.rule)).union(["FILE_SAME_PACKAGE", "ENUM_SAME_TYPE"])
        #expect(Set(ProtoCompatibilityChecker.rules.map(\.name)) == tested)
    }

    @Test func filePackageAndEnumType() throws {
        let p2 = try Protoc.descriptorSet(["t.proto": "syntax = \"proto2\";\npackage t;\nenum S { S_A = 0; }\nmessage E { optional S s = 1; }\n"])
        let p3 = try Protoc.descriptorSet(["t.proto": "syntax = \"proto3\";\npackage t;\nenum S { S_A = 0; }\nmessage E { S s = 1; }\n"])
        #expect(try violations(p2, p3, .backward).map(\.rule).contains("ENUM_SAME_TYPE"))
        let moved = try Protoc.descriptorSet(["t.proto": "syntax = \"proto3\";\npackage u;\nmessage E { int32 a = 1; }\n"])
        let orig = try Protoc.set("message E { int32 a = 1; }")
        let v = try violations(orig, moved, .backward)
        #expect(v.map(\.rule).contains("FILE_SAME_PACKAGE"))
        #expect(v.map(\.rule).contains("MESSAGE_NO_DELETE"))
    }

    @Test func everyViolationIsListedWithPath() throws {
        let old = try Protoc.set("message E { int32 a = 1; string b = 2; int32 c = 3; }")
        let new = try Protoc.set("message E { int64 a = 1; string bee = 2; }")
        let v = try violations(old, new, .backward)
        let lines = Set(v.map { "\($0.rule) \($0.path)" })
        #expect(lines == [
            "FIELD_WIRE_JSON_COMPATIBLE_TYPE t.E.a", "FIELD_SAME_NAME t.E.b", "FIELD_SAME_JSON_NAME t.E.b",
            "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED t.E.c", "FIELD_NO_DELETE_UNLESS_NAME_RESERVED t.E.c",
        ])
        #expect(v.first { $0.rule == "FIELD_WIRE_JSON_COMPATIBLE_TYPE" }?.message == "field 1 changed type from int32 to int64")
    }

    @Test func movedEnumWithSupersetIsCompatible() throws {
        let old = try Protoc.set("enum S { S_U = 0; S_A = 1; } message E { S s = 1; }")
        let new = try Protoc.set("message E { enum S { S_U = 0; S_A = 1; S_B = 2; } S s = 1; }")
        #expect(try violations(old, new, .backward).isEmpty)
    }
}
