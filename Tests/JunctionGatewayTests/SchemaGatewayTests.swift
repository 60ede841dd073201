import Foundation
import JunctionAdmin
import JunctionClient
import JunctionGateway
import JunctionWire
import JunctionTestSupport
import Testing

@Suite(.serialized) struct SchemaGatewayTests {
    static let closedV1 = #"{"type":"object","properties":{"id":{"type":"string"}},"additionalProperties":false}"#
    static let closedV2Required = #"{"type":"object","properties":{"id":{"type":"string"},"qty":{"type":"integer"}},"required":["qty"],"additionalProperties":false}"#

    @Test func adminOperationsRoundTrip() async throws {
        let harness = try await GatewayHarness.start()
        let c = try await harness.connect()
        let first = try await c.admin(AdminOperation.schemaRegister, SchemaFixtures.jsonRegistration(subject: "orders.json", Self.closedV1),
                                      as: SchemaRegistered.self)
        #expect(first == SchemaRegistered(subject: "orders.json", version: 1, id: 1, created: true))
        let again = try await c.admin(AdminOperation.schemaRegister, SchemaFixtures.jsonRegistration(subject: "orders.json", Self.closedV1),
                                      as: SchemaRegistered.self)
        #expect(again.created == false && again.version == 1)

        let got = try await c.admin(AdminOperation.schemaGet, SchemaQuery(subject: "orders.json"), as: SchemaInfo.self)
        #expect(got.version == 1 && got.id == 1 && got.format == "json" && got.schema == Self.closedV1)
        let byID = try await c.admin(AdminOperation.schemaGet, SchemaQuery(id: 1), as: SchemaInfo.self)
        #expect(byID.subject == nil && byID.schema == Self.closedV1)

        let mode = try await c.admin(AdminOperation.schemaMode, SchemaModeSetting(subject: "orders.json", mode: "full-transitive"),
                                     as: SchemaModeSetting.self)
        #expect(mode.mode == "FULL_TRANSITIVE")
        let list = try await c.admin(AdminOperation.schemaList, SchemaListRequest(), as: SchemaList.self)
        #expect(list.subjects == [SchemaSubjectSummary(subject: "orders.json", mode: "FULL_TRANSITIVE", versions: [1])])

        let check = try await c.admin(AdminOperation.schemaCheck,
                                      SchemaFixtures.jsonRegistration(subject: "orders.json", Self.closedV2Required),
                                      as: SchemaCheckResult.self)
        #expect(!check.compatible && check.mode == "FULL_TRANSITIVE")
        #expect(check.violations.contains { $0.rule == "REQUIRED_PROPERTY_ADDED" })

        let missing = await adminFailure { _ = try await c.admin(AdminOperation.schemaGet, SchemaQuery(subject: "nope"), as: SchemaInfo.self) }
        #expect(missing?.kind == .server(.notFound))
        #expect(missing?.message.contains("nope") == true)
        let badVersion = await adminFailure {
            _ = try await c.admin(AdminOperation.schemaGet, SchemaQuery(subject: "orders.json", version: 7), as: SchemaInfo.self)
        }
        #expect(badVersion?.kind == .server(.notFound))
        let noSchema = await adminFailure {
            _ = try await c.admin(AdminOperation.schemaRegister, SchemaRegistration(subject: "x", format: "json"), as: SchemaRegistered.self)
        }
        #expect(noSchema?.kind == .server(.invalidRequest))
        #expect(noSchema?.message.hasPrefix("schema: required") == true)
        let badJSON = await adminFailure {
            _ = try await c.admin(AdminOperation.schemaRegister, SchemaFixtures.jsonRegistration(subject: "x", "{"), as: SchemaRegistered.self)
        }
        #expect(badJSON?.kind == .server(.invalidRequest))
        await c.close()
        await harness.stop()
    }

    @Test func incompatibleRegistrationListsViolations() async throws {
        let harness = try await GatewayHarness.start()
        let c = try await harness.connect()
        _ = try await c.admin(AdminOperation.schemaRegister, SchemaFixtures.jsonRegistration(subject: "orders", Self.closedV1),
                              as: SchemaRegistered.self)
        let refused = await adminFailure {
            _ = try await c.admin(AdminOperation.schemaRegister, SchemaFixtures.jsonRegistration(subject: "orders", Self.closedV2Required),
                                  as: SchemaRegistered.self)
        }
        #expect(refused?.kind == .server(.incompatibleSchema))
        let violations = try AdminDocument.decode(SchemaViolations.self, from: refused?.details ?? []).violations
        #expect(violations.contains { $0.rule == "REQUIRED_PROPERTY_ADDED" && $0.path.contains("required") && $0.version == 1 })
        let list = try await c.admin(AdminOperation.schemaList, SchemaListRequest(subject: "orders"), as: SchemaList.self)
        #expect(list.subjects.first?.versions == [1], "nothing was stored")
        await c.close()
        await harness.stop()
    }

    @Test func changesNeedAnAdministrator() async throws {
        let harness = try await GatewayHarness.start { $0.adminAccounts = ["acct-test"] }
        let admin = try await harness.connect()
        let other = try await harness.connect(token: GatewayHarness.otherToken)
        _ = try await admin.admin(AdminOperation.schemaRegister, SchemaFixtures.jsonRegistration(subject: "orders", Self.closedV1),
                                  as: SchemaRegistered.self)
        let register = await adminFailure {
            _ = try await other.admin(AdminOperation.schemaRegister, SchemaFixtures.jsonRegistration(subject: "orders2", Self.closedV1),
                                      as: SchemaRegistered.self)
        }
        #expect(register?.kind == .server(.permissionDenied))
        #expect(register?.message.contains("acct-other") == true)
        let mode = await adminFailure {
            _ = try await other.admin(AdminOperation.schemaMode, SchemaModeSetting(subject: "orders", mode: "NONE"), as: SchemaModeSetting.self)
        }
        #expect(mode?.kind == .server(.permissionDenied))
        // Reading is open to every account.
        let got = try await other.admin(AdminOperation.schemaGet, SchemaQuery(subject: "orders"), as: SchemaInfo.self)
        #expect(got.version == 1)
        await admin.close()
        await other.close()
        await harness.stop()
    }

    @Test func enforceRejectsPerEventAndTheBatchGoesOn() async throws {
        let harness = try await GatewayHarness.start { $0.validation = ["payments": .enforce] }
        let c = try await harness.connect()
        _ = try await c.admin(AdminOperation.schemaRegister, SchemaFixtures.jsonRegistration(subject: "orders", SchemaFixtures.orderJSON),
                              as: SchemaRegistered.self)
        let subscription = try await c.subscribe(bus: "payments", credits: 10)
        var noSchema = OutgoingEvent(source: "shop", detailType: "OrderPlaced", bus: "payments", detail: Array(#"{"amount":1}"#.utf8))
        noSchema.id = "no-schema"
        var wrongType = OutgoingEvent.json("orders", #"{"amount":1}"#, id: "binary", bus: "payments")
        wrongType.contentType = .binary
        let results = try await c.publish([
            .json("orders", #"{"amount":5,"id":"a"}"#, id: "valid", bus: "payments"),
            .json("orders", #"{"amount":5000}"#, id: "too-big", bus: "payments"),
            .json("orders", #"{"id":"x"}"#, id: "no-amount", bus: "payments"),
            .json("orders", version: 2, #"{"amount":5}"#, id: "no-version", bus: "payments"),
            .json("refunds", #"{"amount":5}"#, id: "no-subject", bus: "payments"),
            noSchema,
            wrongType,
            .json("orders", version: 1, #"{"amount":7}"#, id: "valid-v1", bus: "payments"),
            // The default bus does not validate.
            .json("orders", #"{"amount":5000}"#, id: "default-bus"),
        ])
        #expect(results.map(\.code) == [.accepted, .schemaViolation, .schemaViolation, .schemaUnknown, .schemaUnknown,
                                        .invalidEvent, .schemaViolation, .accepted, .accepted])
        #expect(results[1].message.contains("detail.amount") && results[1].message.contains("rule maximum"))
        #expect(results[2].message.contains("rule required"))
        #expect(results[3].message.contains("version 2"))
        #expect(results[4].message.contains("refunds"))
        #expect(results[5].message.hasPrefix("schema: required"))
        #expect(results[6].message.contains("content_type"))
        let got = try await collect(subscription, count: 2)
        #expect(got.map(\.event.id) == ["valid", "valid-v1"])
        await c.close()
        await harness.stop()
    }

    @Test func warnAcceptsCountsAndOffIgnores() async throws {
        let harness = try await GatewayHarness.start { $0.validation = ["payments": .warn, "default": .off] }
        let c = try await harness.connect()
        _ = try await c.admin(AdminOperation.schemaRegister, SchemaFixtures.jsonRegistration(subject: "orders", SchemaFixtures.orderJSON),
                              as: SchemaRegistered.self)
        let results = try await c.publish([
            .json("orders", #"{"amount":5000}"#, bus: "payments"),
            .json("unknown", #"{"amount":1}"#, bus: "payments"),
            .json("orders", #"{"amount":5}"#, bus: "payments"),
            .json("orders", #"{"amount":5000}"#),
        ])
        #expect(results.allSatisfy { $0.accepted })
        #expect(harness.gateway.schemaWarnings == 2)
        await c.close()
        await harness.stop()
    }

    @Test func latestVersionFollowsRegistrations() async throws {
        let harness = try await GatewayHarness.start { $0.validation = ["default": .enforce] }
        let c = try await harness.connect()
        _ = try await c.admin(AdminOperation.schemaMode, SchemaModeSetting(subject: "orders", mode: "NONE"), as: SchemaModeSetting.self)
        _ = try await c.admin(AdminOperation.schemaRegister,
                              SchemaFixtures.jsonRegistration(subject: "orders", #"{"type":"object","required":["a"]}"#),
                              as: SchemaRegistered.self)
        let before = try await c.publish([.json("orders", #"{"b":1}"#)])
        #expect(before[0].code == .schemaViolation)
        _ = try await c.admin(AdminOperation.schemaRegister,
                              SchemaFixtures.jsonRegistration(subject: "orders", #"{"type":"object","required":["b"]}"#),
                              as: SchemaRegistered.self)
        let after = try await c.publish([.json("orders", #"{"b":1}"#), .json("orders", version: 1, #"{"b":1}"#)])
        #expect(after.map(\.code) == [.accepted, .schemaViolation], "version 0 is the latest; version 1 stays")
        await c.close()
        await harness.stop()
    }

    @Test func aReferenceToTheLatestVersionIsStampedWithTheVersionChecked() async throws {
        let harness = try await GatewayHarness.start { $0.validation = ["default": .enforce] }
        let c = try await harness.connect()
        _ = try await c.admin(AdminOperation.schemaMode, SchemaModeSetting(subject: "stamped", mode: "NONE"), as: SchemaModeSetting.self)
        for required in ["a", "b"] {
            _ = try await c.admin(AdminOperation.schemaRegister,
                                  SchemaFixtures.jsonRegistration(subject: "stamped", #"{"type":"object","required":["\#(required)"]}"#),
                                  as: SchemaRegistered.self)
        }
        let subscription = try await c.subscribe(credits: 10)
        _ = try await c.publish([.json("stamped", #"{"b":1}"#), .json("stamped", version: 1, #"{"a":1}"#)])
        let got = try await collect(subscription, count: 2)
        #expect(got.map(\.event.schemaSubject) == ["stamped", "stamped"])
        #expect(got.map(\.event.schemaVersion) == [2, 1], "version 0 (latest) is delivered as the version it was validated against")
        await c.close()
        await harness.stop()
    }

    @Test func registryPersistsInTheDataDirectory() async throws {
        let data = NSTemporaryDirectory() + "junction-schema-data-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let first = try await GatewayHarness.start { $0.dataDirectory = data }
        let c = try await first.connect()
        _ = try await c.admin(AdminOperation.schemaRegister, SchemaFixtures.jsonRegistration(subject: "orders", SchemaFixtures.orderJSON),
                              as: SchemaRegistered.self)
        _ = try await c.admin(AdminOperation.schemaMode, SchemaModeSetting(subject: "orders", mode: "FORWARD"), as: SchemaModeSetting.self)
        await c.close()
        await first.stop()
        #expect(FileManager.default.fileExists(atPath: data + "/schemas.db"))

        let second = try await GatewayHarness.start {
            $0.dataDirectory = data
            $0.validation = ["default": .enforce]
        }
        let d = try await second.connect()
        let list = try await d.admin(AdminOperation.schemaList, SchemaListRequest(), as: SchemaList.self)
        #expect(list.subjects == [SchemaSubjectSummary(subject: "orders", mode: "FORWARD", versions: [1])])
        let results = try await d.publish([.json("orders", #"{"amount":1}"#), .json("orders", #"{"amount":"1"}"#)])
        #expect(results.map(\.code) == [.accepted, .schemaViolation])
        await d.close()
        await second.stop()
    }

    @Test(.enabled(if: Protoc.isAvailable, "needs protoc (scripts/install-deps.sh installs protobuf-compiler)")) func protobufDetailsAreValidatedAndRouted() async throws {
        let harness = try await GatewayHarness.start { $0.validation = ["payments": .enforce] }
        let c = try await harness.connect()
        let set = try SchemaFixtures.descriptorSet(SchemaFixtures.orderProto)
        var registration = SchemaFixtures.registration(subject: "orders.proto", descriptorSet: set)
        registration.allowUnknownFields = false
        _ = try await c.admin(AdminOperation.schemaRegister, registration, as: SchemaRegistered.self)
        let info = try await c.admin(AdminOperation.schemaGet, SchemaQuery(subject: "orders.proto"), as: SchemaInfo.self)
        #expect(info.format == "protobuf" && info.message == "shop.v1.Order" && info.allowUnknownFields == false)
        #expect(info.descriptorSetBase64.flatMap { Data(base64Encoded: $0) }.map([UInt8].init) == set)

        let big = try await c.subscribe(pattern: #"{"detail":{"amount":[{"numeric":[">",10]}]}}"#, bus: "payments", credits: 10)
        let shipped = try await c.subscribe(
            pattern: #"{"detail":{"status":["SHIPPED"],"customer":{"name":[{"prefix":"Ad"}]},"labels":{"env":["prod"]}}}"#,
            bus: "payments", credits: 10)
        let tagged = try await c.subscribe(pattern: #"{"detail":{"tags":["red"],"price":[{"numeric":["<",1.5]}]}}"#, bus: "payments", credits: 10)
        var wrongWire = ProtoTestEncoder()
        wrongWire.string(2, "not a number")
        var unknownField = ProtoTestEncoder(bytes: SchemaFixtures.order(amount: 1))
        unknownField.int(99, 1)
        let results = try await c.publish([
            .typed("orders.proto", contentType: .protobuf, detail: SchemaFixtures.order(amount: 5), id: "small", bus: "payments"),
            .typed("orders.proto", contentType: .protobuf, detail: SchemaFixtures.order(amount: 50), id: "big", bus: "payments"),
            .typed("orders.proto", contentType: .protobuf,
                   detail: SchemaFixtures.order(amount: 3, status: 2, customer: "Ada", labels: [("team", "x"), ("env", "prod")]),
                   id: "shipped", bus: "payments"),
            .typed("orders.proto", contentType: .protobuf, detail: SchemaFixtures.order(amount: -7, tags: ["blue", "red"], price: 1.25),
                   id: "tagged", bus: "payments"),
            .typed("orders.proto", contentType: .protobuf, detail: wrongWire.bytes, id: "wrong-wire", bus: "payments"),
            .typed("orders.proto", contentType: .protobuf, detail: unknownField.bytes, id: "unknown-field", bus: "payments"),
            .typed("orders.proto", contentType: .json, detail: Array(#"{"amount":50}"#.utf8), id: "json", bus: "payments"),
        ])
        #expect(results.map(\.code) == [.accepted, .accepted, .accepted, .accepted, .schemaViolation, .schemaViolation, .schemaViolation])
        #expect(results[4].message.contains("detail.amount") && results[4].message.contains("rule wire-type"))
        #expect(results[5].message.contains("rule unknown-field"))
        let bigGot = try await collect(big, count: 1)
        #expect(bigGot.map(\.event.id) == ["big"])
        let shippedGot = try await collect(shipped, count: 1)
        #expect(shippedGot.map(\.event.id) == ["shipped"])
        let taggedGot = try await collect(tagged, count: 1)
        #expect(taggedGot.map(\.event.id) == ["tagged"])
        await c.close()
        await harness.stop()
    }

    @Test(.enabled(if: Protoc.isAvailable, "needs protoc (scripts/install-deps.sh installs protobuf-compiler)")) func theUnknownFieldSettingBelongsToItsVersion() async throws {
        let harness = try await GatewayHarness.start { $0.validation = ["default": .enforce] }
        let c = try await harness.connect()
        _ = try await c.admin(AdminOperation.schemaMode, SchemaModeSetting(subject: "strict", mode: "NONE"), as: SchemaModeSetting.self)
        func variant(_ extra: String) throws -> [UInt8] {
            try SchemaFixtures.descriptorSet(SchemaFixtures.orderProto.replacingOccurrences(of: "double price = 7;", with: "double price = 7;\n  \(extra)"))
        }
        var v1 = SchemaFixtures.registration(subject: "strict", descriptorSet: try SchemaFixtures.descriptorSet(SchemaFixtures.orderProto))
        v1.allowUnknownFields = false
        _ = try await c.admin(AdminOperation.schemaRegister, v1, as: SchemaRegistered.self)
        // No setting given: version 2 inherits version 1's.
        _ = try await c.admin(AdminOperation.schemaRegister,
                              SchemaFixtures.registration(subject: "strict", descriptorSet: try variant("string note = 8;")), as: SchemaRegistered.self)
        var v3 = SchemaFixtures.registration(subject: "strict", descriptorSet: try variant("string note = 8;\n  string memo = 9;"))
        v3.allowUnknownFields = true
        _ = try await c.admin(AdminOperation.schemaRegister, v3, as: SchemaRegistered.self)
        var withUnknown = ProtoTestEncoder(bytes: SchemaFixtures.order(amount: 1))
        withUnknown.int(99, 1)
        let results = try await c.publish((1...3).map {
            .typed("strict", version: UInt32($0), contentType: .protobuf, detail: withUnknown.bytes)
        })
        #expect(results.map(\.code) == [.schemaViolation, .schemaViolation, .accepted])
        // A version never changes: the same schema with another setting is refused.
        v1.allowUnknownFields = true
        let refused = await adminFailure { _ = try await c.admin(AdminOperation.schemaRegister, v1, as: SchemaRegistered.self) }
        #expect(refused?.kind == .server(.invalidRequest) && refused?.message.contains("a version never changes") == true)
        let first = try await c.admin(AdminOperation.schemaGet, SchemaQuery(subject: "strict", version: 1), as: SchemaInfo.self)
        #expect(first.allowUnknownFields == false)
        await c.close()
        await harness.stop()
    }

    @Test(.enabled(if: Protoc.isAvailable, "needs protoc (scripts/install-deps.sh installs protobuf-compiler)")) func protobufPatternsWorkWithoutValidation() async throws {
        let harness = try await GatewayHarness.start()
        let c = try await harness.connect()
        _ = try await c.admin(AdminOperation.schemaRegister,
                              SchemaFixtures.registration(subject: "orders.proto", descriptorSet: try SchemaFixtures.descriptorSet(SchemaFixtures.orderProto)),
                              as: SchemaRegistered.self)
        let big = try await c.subscribe(pattern: #"{"detail":{"amount":[{"numeric":[">",10]}],"id":[{"prefix":"o-"}]}}"#, credits: 10)
        let results = try await c.publish([
            .typed("orders.proto", contentType: .protobuf, detail: SchemaFixtures.order(amount: 11), id: "p-big"),
            .typed("orders.proto", contentType: .protobuf, detail: SchemaFixtures.order(amount: 9), id: "p-small"),
            .typed("unregistered", contentType: .protobuf, detail: SchemaFixtures.order(amount: 99), id: "p-unknown"),
            .typed("orders.proto", contentType: .protobuf, detail: [0xFF, 0xFF], id: "p-garbage"),
            .json("orders.proto", #"{"amount":12,"id":"o-9"}"#, id: "j-big"),
        ])
        #expect(results.allSatisfy { $0.accepted })
        let bigGot = try await collect(big, count: 2)
        #expect(bigGot.map(\.event.id) == ["p-big", "j-big"])
        await c.close()
        await harness.stop()
    }
}
