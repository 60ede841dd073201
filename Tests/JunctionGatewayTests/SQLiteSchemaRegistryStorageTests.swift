import Foundation
import JunctionSchema
import JunctionStore
import Testing
@testable import JunctionGateway

@Suite("SQLiteSchemaRegistryStorage")
struct SQLiteSchemaRegistryStorageTests {
    let v1 = #"{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}"#
    let v2 = #"{"type":"object","properties":{"id":{"type":"string"},"note":true},"required":["id"]}"#
    let breaking = #"{"type":"object","properties":{"id":{"type":"integer"},"qty":{"type":"integer"}},"required":["id","qty"]}"#

    /// A fresh directory for one test's database, removed by `remove()`.
    private struct Scratch {
        let directory = NSTemporaryDirectory() + "junction-schema-registry-\(UUID().uuidString)"
        var database: String { directory + "/registry.sqlite" }
        init() throws { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    private struct Abort: Error {}

    /// A minimal `FileDescriptorSet`: proto3 file `t/order.proto`, package `t`, message `Order { string id = 1; int64 amount = 2; }`.
    private static func orderDescriptorSet() -> [UInt8] {
        func varint(_ value: UInt64) -> [UInt8] {
            var v = value, out: [UInt8] = []
            while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            return out + [UInt8(v)]
        }
        func bytes(_ field: UInt64, _ payload: [UInt8]) -> [UInt8] { varint(field << 3 | 2) + varint(UInt64(payload.count)) + payload }
        func text(_ field: UInt64, _ s: String) -> [UInt8] { bytes(field, Array(s.utf8)) }
        func number(_ field: UInt64, _ value: UInt64) -> [UInt8] { varint(field << 3) + varint(value) }
        // FieldDescriptorProto: name 1, number 3, label 4 (1 = optional), type 5 (9 = string, 3 = int64), json_name 10.
        let id = text(1, "id") + number(3, 1) + number(4, 1) + number(5, 9) + text(10, "id")
        let amount = text(1, "amount") + number(3, 2) + number(4, 1) + number(5, 3) + text(10, "amount")
        let message = text(1, "Order") + bytes(2, id) + bytes(2, amount)
        let file = text(1, "t/order.proto") + text(2, "t") + bytes(4, message) + text(12, "proto3")
        return bytes(1, file)
    }

    @Test func registersVersionsThroughSQLite() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let registry = SchemaRegistry(storage: try SQLiteSchemaRegistryStorage(path: scratch.database))
        let a = try registry.register(subject: "orders.Placed", schema: .json(v1))
        #expect(a.created && a.version == SubjectVersion(subject: "orders.Placed", version: 1, schemaID: 1))
        let b = try registry.register(subject: "orders.Placed", schema: .json(v2))
        #expect(b.created && b.version == SubjectVersion(subject: "orders.Placed", version: 2, schemaID: 2))
        // The same schema under another subject shares the global id.
        let c = try registry.register(subject: "orders.Copy", schema: .json(v1))
        #expect(c.version == SubjectVersion(subject: "orders.Copy", version: 1, schemaID: 1))
        let proto = SchemaDefinition.protobuf(Self.orderDescriptorSet(), messageName: "t.Order")
        let p = try registry.register(subject: "t.Order", schema: proto)
        #expect(p.version == SubjectVersion(subject: "t.Order", version: 1, schemaID: 3))

        #expect(try registry.subjects() == ["orders.Copy", "orders.Placed", "t.Order"])
        #expect(try registry.versions(of: "orders.Placed").map(\.version) == [1, 2])
        #expect(try registry.schema(subject: "orders.Placed").version.version == 2)
        #expect(try registry.schema(subject: "orders.Placed", version: 1).schema.id == 1)
        #expect(try registry.schema(id: 2).definition == .json(v2))
        let storedProto = try registry.schema(id: 3)
        #expect(storedProto.definition == proto)
        #expect(storedProto.canonicalForm == (try CompiledSchema(proto).canonicalForm))
        #expect(try registry.validator(subject: "t.Order").validate([0x0A, 0x02, 0x61, 0x62]) == .valid)
    }

    @Test func identicalSchemaReturnsTheExistingVersion() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let registry = SchemaRegistry(storage: try SQLiteSchemaRegistryStorage(path: scratch.database))
        _ = try registry.register(subject: "s", schema: .json(v1))
        _ = try registry.register(subject: "s", schema: .json(v2))
        let reordered = #"{ "required": ["id"], "properties": {"id": {"type": "string"}}, "type": "object" }"#
        let again = try registry.register(subject: "s", schema: .json(reordered))
        #expect(!again.created)
        #expect(again.version == SubjectVersion(subject: "s", version: 1, schemaID: 1))
        #expect(try registry.versions(of: "s").count == 2)
        // The definition as first registered is kept.
        #expect(try registry.schema(id: 1).definition == .json(v1))
    }

    @Test func incompatibleRegistrationIsRefusedWithItsViolationsAndStoresNothing() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let storage = try SQLiteSchemaRegistryStorage(path: scratch.database)
        let registry = SchemaRegistry(storage: storage)
        _ = try registry.register(subject: "s", schema: .json(v1))
        #expect {
            _ = try registry.register(subject: "s", schema: .json(breaking))
        } throws: { error in
            guard let e = error as? SchemaError, e.code == .incompatible else { return false }
            return Set(e.violations.map(\.rule)) == ["TYPE_NARROWED", "REQUIRED_PROPERTY_ADDED", "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"]
                && e.violations.allSatisfy { $0.version == 1 && $0.direction == .backward && !$0.path.isEmpty }
                && e.message == "schema for subject s is incompatible under BACKWARD (3 violations)"
        }
        #expect(try registry.versions(of: "s").count == 1)
        #expect(try storage.schemaID(canonicalForm: CompiledSchema(.json(breaking)).canonicalForm) == nil)
        #expect(!storage.isInTransaction)
        // The refused attempt left the connection usable and consumed no id.
        #expect(try registry.register(subject: "s", schema: .json(v2)).version.schemaID == 2)
    }

    @Test func modesArePerSubject() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let registry = SchemaRegistry(storage: try SQLiteSchemaRegistryStorage(path: scratch.database))
        _ = try registry.register(subject: "loose", schema: .json(v1))
        _ = try registry.register(subject: "strict", schema: .json(v1))
        try registry.setMode(.none, of: "loose")
        try registry.setMode(.fullTransitive, of: "strict")
        try registry.setMode(.forward, of: "future") // a subject without versions may have a mode
        #expect(try registry.mode(of: "loose") == CompatibilityMode.none)
        #expect(try registry.mode(of: "strict") == .fullTransitive)
        #expect(try registry.mode(of: "future") == .forward)
        #expect(try registry.mode(of: "other") == .backward)
        #expect(try registry.subjects() == ["loose", "strict"])

        #expect(try registry.register(subject: "loose", schema: .json(breaking)).version.version == 2)
        #expect(throws: SchemaError.self) { _ = try registry.register(subject: "strict", schema: .json(breaking)) }
        try registry.setMode(.backward, of: "loose") // replaces the subject's mode
        #expect(try registry.mode(of: "loose") == .backward)
        try registry.resetMode(of: "strict")
        #expect(try registry.mode(of: "strict") == .backward)
        #expect(try registry.storage.compatibilityMode(of: "strict") == nil)
    }

    @Test func everythingSurvivesARestart() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let proto = SchemaDefinition.protobuf(Self.orderDescriptorSet(), messageName: "t.Order")
        weak var closed: SQLiteSchemaRegistryStorage?
        do {
            let storage = try SQLiteSchemaRegistryStorage(path: scratch.database)
            closed = storage
            let registry = SchemaRegistry(storage: storage)
            _ = try registry.register(subject: "orders.Placed", schema: .json(v1))
            _ = try registry.register(subject: "orders.Placed", schema: .json(v2))
            _ = try registry.register(subject: "t.Order", schema: proto)
            try registry.setMode(.fullTransitive, of: "orders.Placed")
            try registry.setMode(.none, of: "t.Order")
        }
        #expect(closed == nil, "the first connection must be closed before reopening")

        let registry = SchemaRegistry(storage: try SQLiteSchemaRegistryStorage(path: scratch.database))
        #expect(try registry.subjects() == ["orders.Placed", "t.Order"])
        #expect(try registry.versions(of: "orders.Placed") == [
            SubjectVersion(subject: "orders.Placed", version: 1, schemaID: 1),
            SubjectVersion(subject: "orders.Placed", version: 2, schemaID: 2),
        ])
        #expect(try registry.versions(of: "t.Order") == [SubjectVersion(subject: "t.Order", version: 1, schemaID: 3)])
        #expect(try registry.schema(id: 1).definition == .json(v1))
        #expect(try registry.schema(id: 3).definition == proto)
        #expect(try registry.mode(of: "orders.Placed") == .fullTransitive)
        #expect(try registry.mode(of: "t.Order") == CompatibilityMode.none)
        // De-duplication, compatibility checks and numbering continue from the stored state.
        let again = try registry.register(subject: "orders.Placed", schema: .json(v1))
        #expect(!again.created && again.version.version == 1)
        #expect(throws: SchemaError.self) { _ = try registry.register(subject: "orders.Placed", schema: .json(breaking)) }
        let next = try registry.register(subject: "orders.Other", schema: .json(breaking))
        #expect(next.version == SubjectVersion(subject: "orders.Other", version: 1, schemaID: 4))
        #expect(try registry.validator(subject: "orders.Placed", version: 1).validate(Array(#"{"id":"a"}"#.utf8)) == .valid)
    }

    @Test func aFailedTransactionLeavesNothingBehind() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        do {
            let storage = try SQLiteSchemaRegistryStorage(path: scratch.database)
            #expect(throws: Abort.self) {
                try storage.transaction { () throws -> Void in
                    let id = try storage.insertSchema(definition: .json(v1), canonicalForm: "c1")
                    try storage.insertVersion(SubjectVersion(subject: "s", version: 1, schemaID: id))
                    try storage.setCompatibilityMode(.forward, of: "s")
                    #expect(try storage.versions(of: "s").count == 1) // visible inside the transaction
                    #expect(try storage.compatibilityMode(of: "s") == .forward)
                    throw Abort()
                }
            }
            #expect(!storage.isInTransaction)
            #expect(try storage.subjects().isEmpty)
            #expect(try storage.versions(of: "s").isEmpty)
            #expect(try storage.schemaID(canonicalForm: "c1") == nil)
            #expect(try storage.schema(id: 1) == nil)
            #expect(try storage.compatibilityMode(of: "s") == nil)
            // The rolled-back id is handed out again.
            #expect(try storage.insertSchema(definition: .json(v2), canonicalForm: "c2") == 1)
        }
        // Nothing of the rolled-back transaction reached the file either.
        let reopened = try SQLiteSchemaRegistryStorage(path: scratch.database)
        #expect(try reopened.subjects().isEmpty)
        #expect(try reopened.schemaID(canonicalForm: "c1") == nil)
        #expect(try reopened.schema(id: 1)?.canonicalForm == "c2")
    }

    @Test func aFailedNestedTransactionRollsBackOnlyItsOwnWrites() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let storage = try SQLiteSchemaRegistryStorage(path: scratch.database)
        try storage.transaction {
            let id = try storage.insertSchema(definition: .json(v1), canonicalForm: "c1")
            try storage.insertVersion(SubjectVersion(subject: "kept", version: 1, schemaID: id))
            #expect(throws: Abort.self) {
                try storage.transaction { () throws -> Void in
                    try storage.insertVersion(SubjectVersion(subject: "dropped", version: 1, schemaID: id))
                    throw Abort()
                }
            }
            #expect(storage.isInTransaction)
        }
        #expect(try storage.subjects() == ["kept"])
    }

    @Test func sharesTheStateStoreFileAndIsolatesUncommittedWrites() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let state = try StateStore(path: scratch.database)
        let writer = try SQLiteSchemaRegistryStorage(path: scratch.database)
        let reader = try SQLiteSchemaRegistryStorage(path: scratch.database)
        try writer.transaction {
            let id = try writer.insertSchema(definition: .json(v1), canonicalForm: "c1")
            try writer.insertVersion(SubjectVersion(subject: "s", version: 1, schemaID: id))
            #expect(try reader.subjects().isEmpty) // another connection does not see uncommitted rows
        }
        #expect(try reader.subjects() == ["s"])
        // The state store's own tables and user_version are untouched.
        #expect(try state.withDatabase { db throws(StoreError) in
            let version = try db.prepare("PRAGMA user_version")
            _ = try version.step()
            return version.columnInt64(0)
        } == StateStore.schemaVersion)
        state.close()
    }

    @Test func storageErrorsNameTheProblem() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let storage = try SQLiteSchemaRegistryStorage(path: scratch.database)
        #expect {
            try storage.insertVersion(SubjectVersion(subject: "s", version: 1, schemaID: 42))
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.code == .notFound && e.message.contains(scratch.database) && e.message.contains("no schema with id 42")
        }
        let id = try storage.insertSchema(definition: .json(v1), canonicalForm: "c1")
        try storage.insertVersion(SubjectVersion(subject: "s", version: 1, schemaID: id))
        #expect {
            try storage.insertVersion(SubjectVersion(subject: "s", version: 1, schemaID: id))
        } throws: { error in
            (error as? StoreError).map { $0.code == .conflict && $0.message.contains("to subject s: the subject already has version 1") } ?? false
        }
        #expect {
            _ = try storage.insertSchema(definition: .json(v1), canonicalForm: "c1")
        } throws: { error in
            (error as? StoreError).map { $0.code == .conflict && $0.message.contains("already stored as id 1") } ?? false
        }

        // Opening a file in a directory that does not exist: SQLite's message and the path.
        let missing = scratch.directory + "/no/such/dir/registry.sqlite"
        #expect {
            _ = try SQLiteSchemaRegistryStorage(path: missing)
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.code == .sqlite && e.path == missing && e.message.contains("unable to open database file")
        }
    }

    @Test func registryReportsStorageFailuresAsStorageErrors() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let storage = try SQLiteSchemaRegistryStorage(path: scratch.database)
        let registry = SchemaRegistry(storage: storage)
        // A version row pointing at a schema with an unknown format (written by hand, as a damaged file would be).
        let raw = try SQLiteDatabase(path: scratch.database)
        try raw.execute("""
            INSERT INTO schema_registry_schemas (id, format, message_name, content, canonical_form) VALUES (1, 'AVRO', NULL, x'00', 'x');
            INSERT INTO schema_registry_versions (subject, version, schema_id) VALUES ('s', 1, 1);
            """)
        #expect {
            _ = try registry.schema(subject: "s")
        } throws: { error in
            guard let e = error as? SchemaError, e.code == .storage else { return false }
            return e.message.contains("schema 1 has unknown format \"AVRO\"") && e.message.contains(scratch.database)
        }
    }

    @Test func tablesFromANewerBuildAreRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        do { _ = try SQLiteSchemaRegistryStorage(path: scratch.database) }
        let raw = try SQLiteDatabase(path: scratch.database)
        try raw.execute("UPDATE schema_registry_meta SET value = 99 WHERE key = 'format_version'")
        #expect {
            _ = try SQLiteSchemaRegistryStorage(path: scratch.database)
        } throws: { error in
            (error as? StoreError).map { $0.message.contains("table format version 99, newer than this build understands (1)") } ?? false
        }
    }
}
