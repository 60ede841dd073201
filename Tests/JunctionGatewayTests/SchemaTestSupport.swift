import Foundation
import JunctionAdmin
import JunctionClient
import JunctionTestSupport
import JunctionWire

/// Schemas and payloads shared by the schema tests.
enum SchemaFixtures {
    /// `shop.v1.Order`: id (1, string), amount (2, int64), status (3, enum),
    /// customer (4, message Customer{name=1}), labels (5, map<string,string>),
    /// tags (6, repeated string), price (7, double).
    static let orderProto = """
        syntax = "proto3";
        package shop.v1;
        enum Status { STATUS_UNSPECIFIED = 0; PLACED = 1; SHIPPED = 2; }
        message Customer { string name = 1; }
        message Order {
          string id = 1;
          int64 amount = 2;
          Status status = 3;
          Customer customer = 4;
          map<string, string> labels = 5;
          repeated string tags = 6;
          double price = 7;
        }
        """

    /// A FileDescriptorSet for `proto` (one file), compiled with protoc.
    static func descriptorSet(_ proto: String) throws -> [UInt8] {
        try Protoc.descriptorSet(["order.proto": proto])
    }

    static func registration(subject: String, descriptorSet: [UInt8], message: String = "shop.v1.Order") -> SchemaRegistration {
        SchemaRegistration(subject: subject, format: "protobuf", descriptorSetBase64: Data(descriptorSet).base64EncodedString(), message: message)
    }

    static func jsonRegistration(subject: String, _ schema: String) -> SchemaRegistration {
        SchemaRegistration(subject: subject, format: "json", schema: schema)
    }

    /// An `Order` payload.
    static func order(id: String = "o-1", amount: Int64, status: Int64 = 1, customer: String? = nil,
                      labels: [(String, String)] = [], tags: [String] = [], price: Double? = nil) -> [UInt8] {
        ProtoTestEncoder.build { p in
            p.string(1, id)
            p.int(2, amount)
            p.int(3, status)
            if let customer { p.message(4) { $0.string(1, customer) } }
            for (k, v) in labels {
                p.message(5) { entry in
                    entry.string(1, k)
                    entry.string(2, v)
                }
            }
            for t in tags { p.string(6, t) }
            if let price { p.double(7, price) }
        }
    }

    /// A JSON Schema for orders: `amount` (integer, required, at most 1000), `id` (string).
    static let orderJSON = #"{"type":"object","properties":{"id":{"type":"string"},"amount":{"type":"integer","maximum":1000}},"required":["amount"]}"#
}

extension OutgoingEvent {
    /// An event with a schema reference.
    static func typed(_ subject: String, version: UInt32 = 0, contentType: ContentType, detail: [UInt8],
                      id: String = "", bus: String = "") -> OutgoingEvent {
        OutgoingEvent(id: id, source: "shop", detailType: "OrderPlaced", bus: bus, schemaSubject: subject,
                      schemaVersion: version, contentType: contentType, detail: detail)
    }

    static func json(_ subject: String, version: UInt32 = 0, _ detail: String, id: String = "", bus: String = "") -> OutgoingEvent {
        typed(subject, version: version, contentType: .json, detail: Array(detail.utf8), id: id, bus: bus)
    }
}

/// The admin error of a failed call: its code and the response document.
func adminFailure(_ body: () async throws -> Void) async -> JunctionClientError? {
    do {
        try await body()
        return nil
    } catch let error as JunctionClientError {
        return error
    } catch {
        return nil
    }
}
