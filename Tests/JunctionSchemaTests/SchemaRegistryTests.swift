import JunctionTestSupport
import Testing
@testable import JunctionSchema

@Suite("Schema registry")
struct SchemaRegistryTests {
    let v1 = #"{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}"#
    let v2 = #"{"type":"object","properties":{"id":{"type":"string"},"note":true},"required":["id"]}"#
    let breaking = #"{"type":"object","properties":{"id":{"type":"integer"},"qty":{"type":"integer"}},"required":["id","qty"]}"#

    func registry(_ mode: CompatibilityMode = .backward) -> SchemaRegistry<InMemorySchemaRegistryStorage> {
        SchemaRegistry(storage: InMemorySchemaRegistryStorage(), defaultMode: mode)
    }

    @Test func registersNumberedVersionsWithGlobalIDs() throws {
        let r = registry()
        let a = try r.register(subject: "orders.Placed", schema: .json(v1))
        #expect(a.created && a.version == SubjectVersion(subject: "orders.Placed", version: 1, schemaID: 1))
        let b = try r.register(subject: "orders.Placed", schema: .json(v2))
        #expect(b.version.version == 2 && b.version.schemaID == 2)
        // The same schema under another subject shares the global id.
        let c = try r.register(subject: "orders.Copy", schema: .json(v1))
        #expect(c.version == SubjectVersion(subject: "orders.Copy", version: 1, schemaID: 1))
        #expect(try r.subjects() == ["orders.Copy", "orders.Placed"])
        #expect(try r.versions(of: "orders.Placed").map(\.version) == [1, 2])
        #expect(try r.schema(subject: "orders.Placed").version.version == 2)
        #expect(try r.schema(subject: "orders.Placed", version: 1).schema.id == 1)
        #expect(try r.schema(id: 2).definition == .json(v2))
    }

    @Test func identicalSchemaAfterCanonicalizationReturnsExistingVersion() throws {
        let r = registry()
        _ = try r.register(subject: "s", schema: .json(v1))
        _ = try r.register(subject: "s", schema: .json(v2))
        let reordered = #"{ "required": ["id"], "properties": {"id": {"type": "string"}}, "type": "object" }"#
        let again = try r.register(subject: "s", schema: .json(reordered))
        #expect(!again.created)
        #expect(again.version.version == 1)
        #expect(try r.versions(of: "s").count == 2)
    }

    @Test func refusedRegistrationListsEveryViolation() throws {
        let r = registry()
        _ = try r.register(subject: "s", schema: .json(v1))
        #expect {
            _ = try r.register(subject: "s", schema: .json(breaking))
        } throws: { error in
            guard let e = error as? SchemaError, e.code == .incompatible else { return false }
            let rules = Set(e.violations.map(\.rule))
            return rules == ["TYPE_NARROWED", "REQUIRED_PROPERTY_ADDED", "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"]
                && e.violations.allSatisfy { $0.version == 1 && $0.direction == .backward }
                && e.message == "schema for subject s is incompatible under BACKWARD (3 violations)"
        }
        #expect(try r.versions(of: "s").count == 1)
    }

    @Test func modesPerSubject() throws {
        let r = registry()
        _ = try r.register(subject: "s", schema: .json(v1))
        #expect(try r.mode(of: "s") == .backward)
        try r.setMode(.none, of: "s")
        #expect(try r.mode(of: "s") == CompatibilityMode.none)
        #expect(try r.register(subject: "s", schema: .json(breaking)).version.version == 2)
        try r.resetMode(of: "s")
        #expect(try r.mode(of: "s") == .backward)
    }

    @Test func transitiveModesCheckEveryVersion() throws {
        let a = #"{"type":"object","properties":{"x":{"type":"string","maxLength":10}}}"#
        let b = #"{"type":"object","properties":{"x":{"type":"string","maxLength":20}}}"#
        let c = #"{"type":"object","properties":{"x":{"type":"string","maxLength":15}}}"#
        // c reads b's data? maxLength 15 < 20: incompatible with b, compatible with a only.
        let r = registry(.none)
        _ = try r.register(subject: "s", schema: .json(a))
        _ = try r.register(subject: "s", schema: .json(b))
        try r.setMode(.backwardTransitive, of: "s")
        let check = try r.check(subject: "s", schema: .json(c))
        #expect(check.violations.map(\.version) == [2])
        try r.setMode(.forwardTransitive, of: "s")
        // Forward: old readers (a: max 10) read c's data (max 15): breaks against version 1 only.
        #expect(try r.check(subject: "s", schema: .json(c)).violations.map(\.version) == [1])
        try r.setMode(.fullTransitive, of: "s")
        #expect(Set(try r.check(subject: "s", schema: .json(c)).violations.compactMap(\.version)) == [1, 2])
        try r.setMode(.forward, of: "s")
        #expect(try r.check(subject: "s", schema: .json(c)).isCompatible)
        try r.setMode(.full, of: "s")
        #expect(try r.check(subject: "s", schema: .json(c)).violations.map(\.direction) == [.backward])
    }

    @Test func clearErrors() throws {
        let r = registry()
        #expect(throws: SchemaError(.subjectNotFound, "subject nope does not exist")) { _ = try r.versions(of: "nope") }
        _ = try r.register(subject: "s", schema: .json(v1))
        #expect(throws: SchemaError(.versionNotFound, "subject s has no version 7 (latest is 1)")) { _ = try r.schema(subject: "s", version: 7) }
        #expect(throws: SchemaError(.schemaNotFound, "no schema with id 99")) { _ = try r.schema(id: 99) }
        #expect(throws: SchemaError(.invalidSubject, "invalid subject \"a b\": use 1-255 letters, digits, '.', '_', '-', ':'")) {
            _ = try r.register(subject: "a b", schema: .json(v1))
        }
        #expect {
            _ = try r.register(subject: "s", schema: .json("{"))
        } throws: { ($0 as? SchemaError)?.code == .invalidSchema }
        #expect {
            _ = try r.register(subject: "s", schema: SchemaDefinition(format: .protobuf, content: [0x0A, 0x01], messageName: "x.Y"))
        } throws: { ($0 as? SchemaError)?.code == .invalidSchema }
        #expect {
            _ = try r.register(subject: "s", schema: .protobuf(Fixtures.bytes("events.pb"), messageName: "shop.v1.OrderPlaced"))
        } throws: { ($0 as? SchemaError)?.violations.map(\.rule) == ["SCHEMA_FORMAT_CHANGED"] }
    }

    @Test func storageFailureRollsBack() throws {
        final class FailingStorage: SchemaRegistryStorage {
            let inner = InMemorySchemaRegistryStorage()
            struct Boom: Error {}
            func transaction<T>(_ body: () throws -> T) throws -> T { try inner.transaction(body) }
            func subjects() throws -> [String] { try inner.subjects() }
            func versions(of subject: String) throws -> [SubjectVersion] { try inner.versions(of: subject) }
            func schema(id: Int) throws -> StoredSchema? { try inner.schema(id: id) }
            func schemaID(canonicalForm: String) throws -> Int? { try inner.schemaID(canonicalForm: canonicalForm) }
            func insertSchema(definition: SchemaDefinition, canonicalForm: String) throws -> Int {
                try inner.insertSchema(definition: definition, canonicalForm: canonicalForm)
            }
            func insertVersion(_ version: SubjectVersion) throws { throw Boom() }
            func compatibilityMode(of subject: String) throws -> CompatibilityMode? { nil }
            func setCompatibilityMode(_ mode: CompatibilityMode?, of subject: String) throws {}
        }
        let storage = FailingStorage()
        let r = SchemaRegistry(storage: storage)
        #expect { _ = try r.register(subject: "s", schema: .json(v1)) } throws: { ($0 as? SchemaError)?.code == .storage }
        #expect(try storage.inner.schema(id: 1) == nil)
    }

    @Test func protobufSubjectsAndValidators() throws {
        let r = registry()
        let def = SchemaDefinition.protobuf(Fixtures.bytes("events.pb"), messageName: ".shop.v1.OrderPlaced")
        let reg = try r.register(subject: "shop.OrderPlaced", schema: def)
        #expect(reg.created)
        #expect(!(try r.register(subject: "shop.OrderPlaced", schema: def).created))
        let validator = try r.validator(subject: "shop.OrderPlaced")
        #expect(validator.validate(ProtoMessageValidatorTests.fullOrder()) == .valid)
        let bad = ProtoTestEncoder.build { e in e.string(2, "x") }
        #expect(validator.validate(bad) == .invalid(SchemaValidationFailure(
            path: "detail.amount", rule: "wire-type", reason: "expected varint (int64), found length-delimited")))
        let json = try registry().register(subject: "j", schema: .json(v1))
        #expect(json.created)
    }

    @Test(.enabled(if: Protoc.isAvailable, "needs protoc (scripts/install-deps.sh installs protobuf-compiler)")) func protobufCanonicalizationIgnoresUnrelatedTypes() throws {
        let r = registry()
        let a = try Protoc.set("message E { int32 a = 1; }")
        let b = try Protoc.set("message Other { string z = 1; }\nmessage E { int32 a = 1; }")
        _ = try r.register(subject: "e", schema: .protobuf(a, messageName: "t.E"))
        let again = try r.register(subject: "e", schema: .protobuf(b, messageName: "t.E"))
        #expect(!again.created && again.version.version == 1)
        let renamed = try Protoc.set("message E { int32 b = 1; }")
        #expect {
            _ = try r.register(subject: "e", schema: .protobuf(renamed, messageName: "t.E"))
        } throws: { error in
            Set((error as? SchemaError)?.violations.map(\.rule) ?? []) == ["FIELD_SAME_NAME", "FIELD_SAME_JSON_NAME"]
        }
    }

    @Test func modeNames() {
        #expect(CompatibilityMode(name: "backward-transitive") == .backwardTransitive)
        #expect(CompatibilityMode(name: "FULL") == .full)
        #expect(CompatibilityMode(name: "sideways") == nil)
        #expect(CompatibilityMode.allCases.count == 7)
    }
}
