import JunctionTestSupport
import Testing
@testable import JunctionSchema

@Suite("Protobuf descriptor sets")
struct ProtoDescriptorSetTests {
    let set = Fixtures.events

    @Test func filesAndImportsAreResolved() throws {
        #expect(set.files.map(\.name).sorted() == ["common.proto", "events.proto", "legacy.proto"])
        let events = try #require(set.file(named: "events.proto"))
        #expect(events.dependencies == ["common.proto", "legacy.proto"])
        #expect(events.syntax == .proto3)
        #expect(set.file(named: "legacy.proto")?.syntax == .proto2)
        let order = try #require(set.message(named: ".shop.v1.OrderPlaced"))
        #expect(order.field(named: "total")?.typeName == "shop.common.Money")
        #expect(order.field(named: "audit")?.typeName == "shop.legacy.Audit")
        #expect(order.field(named: "lines")?.typeName == "shop.v1.OrderPlaced.Line")
    }

    @Test func fieldProperties() throws {
        let order = try #require(set.message(named: "shop.v1.OrderPlaced"))
        let orderId = try #require(order.field(named: "order_id"))
        #expect(orderId.number == 1 && orderId.type == .string && orderId.label == .optional)
        #expect(orderId.jsonName == "orderId")
        #expect(order.field(named: "customer_name")?.jsonName == "customer")
        let priority = try #require(order.field(named: "priority"))
        #expect(priority.isProto3Optional)
        #expect(priority.oneofIndex != nil && priority.realOneofIndex == nil)
        let email = try #require(order.field(named: "email"))
        #expect(email.realOneofIndex.map { order.oneofs[$0] } == "contact")
        #expect(order.field(named: "stamps")?.packedOption == false)
        #expect(order.field(named: "codes")?.label == .repeated)
        #expect(order.field(named: "big_delta")?.type == .sint64)
        #expect(order.isPacked(try #require(order.field(named: "codes"))))
        #expect(!order.isPacked(try #require(order.field(named: "stamps"))))
        #expect(!order.isPacked(try #require(order.field(named: "lines"))))
        let audit = try #require(set.message(named: "shop.legacy.Audit"))
        #expect(audit.isPacked(try #require(audit.field(named: "ids"))))
    }

    @Test func mapEntriesAreMarked() throws {
        let order = try #require(set.message(named: "shop.v1.OrderPlaced"))
        let labels = try #require(order.field(named: "labels"))
        #expect(labels.label == .repeated && labels.type == .message)
        let entryName = try #require(labels.typeName)
        let entry = try #require(set.message(named: entryName))
        #expect(entry.isMapEntry)
        #expect(entry.fields.map(\.name) == ["key", "value"])
    }

    @Test func enumsAreOpenOrClosedBySyntax() throws {
        let status = try #require(set.enumType(named: "shop.v1.OrderPlaced.Status"))
        #expect(!status.isClosed)
        #expect(status.values.map(\.name) == ["STATUS_UNSPECIFIED", "STATUS_NEW", "STATUS_PAID"])
        let kind = try #require(set.enumType(named: "shop.legacy.Audit.Kind"))
        #expect(kind.isClosed)
    }

    @Test func proto2RequiredDefaultsReservedAndGroups() throws {
        let audit = try #require(set.message(named: "shop.legacy.Audit"))
        #expect(audit.field(named: "actor")?.label == .required)
        #expect(audit.field(named: "kind")?.defaultValue == "KIND_CREATE")
        #expect(audit.field(named: "retries")?.defaultValue == "3")
        #expect(audit.field(named: "ids")?.packedOption == true)
        #expect(audit.reservedRanges == [ProtoReservedRange(10, 12)])
        #expect(audit.reservedNames == ["old_field"])
        let extra = try #require(audit.field(number: 4))
        #expect(extra.type == .group && extra.typeName == "shop.legacy.Audit.Extra")
    }

    @Test func reachability() {
        let reachable = set.reachableMessages(from: "shop.v1.OrderPlaced")
        #expect(reachable.first == "shop.v1.OrderPlaced")
        #expect(Set(reachable).isSuperset(of: ["shop.common.Money", "shop.legacy.Audit", "shop.legacy.Audit.Extra", "shop.v1.Node"]))
        #expect(set.reachableEnums(from: "shop.v1.OrderPlaced") == ["shop.legacy.Audit.Kind", "shop.v1.OrderPlaced.Status"])
    }

    @Test func missingImportIsReported() {
        #expect {
            _ = try ProtoDescriptorSet.parse(Fixtures.bytes("events-noimports.pb"))
        } throws: { error in
            "\(error)".contains("imports common.proto, which is not in the descriptor set")
        }
    }

    @Test func malformedBytesAreReported() {
        let truncated = Array(Fixtures.bytes("events.pb").prefix(200))
        #expect(throws: ProtoDescriptorError.self) { _ = try ProtoDescriptorSet.parse(truncated) }
        #expect(throws: ProtoDescriptorError.self) { _ = try ProtoDescriptorSet.parse([0x0F]) }
    }

    @Test func unknownMessageNameIsReported() {
        #expect {
            _ = try ProtoMessageValidator(descriptorSet: set, messageName: "shop.v1.Nope")
        } throws: { error in
            "\(error)" == "message shop.v1.Nope is not defined in the descriptor set"
        }
    }

    @Test func defaultJSONNames() {
        #expect(ProtoFieldDescriptor.defaultJSONName(for: "order_id") == "orderId")
        #expect(ProtoFieldDescriptor.defaultJSONName(for: "a_b_c") == "aBC")
        #expect(ProtoFieldDescriptor.defaultJSONName(for: "plain") == "plain")
    }
}

@Suite("Descriptor fixtures are fresh", .enabled(if: Protoc.isAvailable, "needs protoc (scripts/install-deps.sh installs protobuf-compiler)"))
struct FixtureFreshnessTests {
    @Test func committedDescriptorSetMatchesTheProtoSources() throws {
        var sources: [String: String] = [:]
        for name in ["events.proto", "common.proto", "legacy.proto"] {
            sources[name] = String(decoding: Fixtures.bytes(name), as: UTF8.self)
        }
        let fresh = try ProtoDescriptorSet.parse(try Protoc.descriptorSet(sources))
        let root = "shop.v1.OrderPlaced"
        #expect(fresh.canonicalText(root: root) == Fixtures.events.canonicalText(root: root),
                "Tests/JunctionSchemaTests/Fixtures/events.pb is stale: run Fixtures/regenerate.sh")
    }
}
