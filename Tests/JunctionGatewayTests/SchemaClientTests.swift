import Foundation
import JunctionAdmin
import JunctionClient
import JunctionGateway
import JunctionWire
import JunctionTestSupport
import Testing

@Suite(.serialized) struct SchemaClientTests {
    struct Order: Decodable, Equatable {
        var amount: Int
        var id: String?
    }

    @Test func invalidEventsAreRefusedBeforeSending() async throws {
        let harness = try await GatewayHarness.start()
        let c = try await harness.connect()
        _ = try await c.admin(AdminOperation.schemaRegister, SchemaFixtures.jsonRegistration(subject: "orders", SchemaFixtures.orderJSON),
                              as: SchemaRegistered.self)
        let subscription = try await c.subscribe(credits: 10)
        let schemas = SchemaCache(connection: c)

        do {
            _ = try await c.publish([.json("orders", #"{"amount":1}"#, id: "ok"), .json("orders", #"{"amount":5000}"#, id: "bad")],
                                    validatingWith: schemas)
            Issue.record("an invalid event was published")
        } catch let error as SchemaValidationError {
            #expect(error.kind == .violation && error.eventIndex == 1)
            #expect(error.path == "detail.amount" && error.rule == "maximum")
            #expect(error.subject == "orders" && error.version == 1)
            #expect(error.description.hasPrefix("event 1: detail.amount: "))
        }
        do {
            try await schemas.validate(OutgoingEvent.json("missing", #"{"amount":1}"#))
            Issue.record("an unknown subject was accepted")
        } catch let error as SchemaValidationError {
            #expect(error.kind == .unknownSchema && error.reason.contains("missing"))
        }
        do {
            var binary = OutgoingEvent.json("orders", #"{"amount":1}"#)
            binary.contentType = .protobuf
            try await schemas.validate(binary)
            Issue.record("a wrong content type was accepted")
        } catch let error as SchemaValidationError {
            #expect(error.rule == "content-type")
        }

        let results = try await c.publish([.json("orders", #"{"amount":2,"id":"x"}"#, id: "sent")], validatingWith: schemas)
        #expect(results.map(\.code) == [.accepted])
        let got = try await collect(subscription, count: 1)
        #expect(got.map(\.event.id) == ["sent"], "nothing of the refused batch reached the gateway")
        let detail = try await schemas.validate(got[0].event)
        #expect(try detail.decode(Order.self) == Order(amount: 2, id: "x"))
        await c.close()
        await harness.stop()
    }

    @Test(.enabled(if: Protoc.isAvailable, "needs protoc (scripts/install-deps.sh installs protobuf-compiler)")) func protobufDeliveriesAreValidatedAndDecoded() async throws {
        let harness = try await GatewayHarness.start()
        let c = try await harness.connect()
        _ = try await c.admin(AdminOperation.schemaRegister,
                              SchemaFixtures.registration(subject: "orders.proto", descriptorSet: try SchemaFixtures.descriptorSet(SchemaFixtures.orderProto)),
                              as: SchemaRegistered.self)
        let subscription = try await c.subscribe(credits: 10)
        let schemas = SchemaCache(connection: c)
        let payload = SchemaFixtures.order(id: "o-7", amount: 42, status: 2, customer: "Ada", labels: [("env", "prod")])
        _ = try await c.publish([.typed("orders.proto", version: 1, contentType: .protobuf, detail: payload)], validatingWith: schemas)
        var wrong = ProtoTestEncoder()
        wrong.string(2, "forty-two")
        await #expect(throws: SchemaValidationError.self) {
            try await schemas.validate(OutgoingEvent.typed("orders.proto", contentType: .protobuf, detail: wrong.bytes))
        }

        let got = try await collect(subscription, count: 1)
        let detail = try await schemas.validate(got[0].event)
        let fields = detail.fields()
        #expect(fields.map(\.path) == ["id", "amount", "status", "customer.name", "labels[env]"])
        #expect(fields.map(\.value) == ["o-7", "42", "SHIPPED", "Ada", "prod"])
        await c.close()
        await harness.stop()
    }

    @Test func latestIsRefetchedAfterItsTTL() async throws {
        let harness = try await GatewayHarness.start()
        let c = try await harness.connect()
        _ = try await c.admin(AdminOperation.schemaMode, SchemaModeSetting(subject: "s", mode: "NONE"), as: SchemaModeSetting.self)
        _ = try await c.admin(AdminOperation.schemaRegister, SchemaFixtures.jsonRegistration(subject: "s", #"{"required":["a"]}"#),
                              as: SchemaRegistered.self)
        let cached = SchemaCache(connection: c, latestTTL: .seconds(3600))
        let fresh = SchemaCache(connection: c, latestTTL: .zero)
        #expect(try await cached.schema(subject: "s").version == 1)
        #expect(try await fresh.schema(subject: "s").version == 1)
        _ = try await c.admin(AdminOperation.schemaRegister, SchemaFixtures.jsonRegistration(subject: "s", #"{"required":["b"]}"#),
                              as: SchemaRegistered.self)
        #expect(try await cached.schema(subject: "s").version == 1)
        #expect(try await fresh.schema(subject: "s").version == 2)
        #expect(try await fresh.schema(subject: "s", version: 1).version == 1)
        await c.close()
        await harness.stop()
    }
}
