import Foundation
import JunctionWire

/// Encoding and decoding of the JSON documents carried by AdminRequest and
/// AdminResponse (see ADMINISTRATION in Protos/junction/v1/protocol.proto).
///
/// Field names are snake_case on the wire (`max_in_flight`), the Swift
/// properties camelCase; unknown fields are ignored so that older gateways
/// and clients interoperate.
public enum AdminDocument {
    /// Decodes a request or response document. An empty body reads as `{}`.
    /// Errors name the field and the problem, e.g.
    /// `max_in_flight: expected a number`.
    public static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws(WireError) -> T {
        let data = body.isEmpty ? Data("{}".utf8) : Data(body)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw WireError(.invalidRequest, describe(error))
        } catch {
            throw WireError(.invalidRequest, "the document is not valid JSON: \(error)")
        }
    }

    /// Encodes a document (sorted keys, snake_case).
    public static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every document type is plain data: encoding cannot fail.
        return (try? Array(encoder.encode(value))) ?? Array("{}".utf8)
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let parts = keys.map { key in key.intValue.map { "[\($0)]" } ?? snake(key.stringValue) }
            let joined = parts.reduce("") { $0.isEmpty || $1.hasPrefix("[") ? $0 + $1 : $0 + "." + $1 }
            return joined.isEmpty ? "the document" : joined
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): required, is missing"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(name(of: type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(name(of: type)), found null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "the document is not valid JSON"
                : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "the document does not match the operation: \(error)"
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type, is UInt64.Type, is UInt32.Type, is Double.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }

    private static func snake(_ key: String) -> String {
        var out = ""
        for ch in key {
            if ch.isUppercase {
                out += "_" + ch.lowercased()
            } else {
                out.append(ch)
            }
        }
        return out
    }
}

/// An empty document (`{}`), for operations without fields.
public struct EmptyDocument: Codable, Sendable, Equatable {
    public init() {}
}

/// The operation names of AdminRequest.
public enum AdminOperation {
    public static let schemaRegister = "schema.register"
    public static let schemaGet = "schema.get"
    public static let schemaList = "schema.list"
    public static let schemaMode = "schema.mode"
    public static let schemaCheck = "schema.check"
    public static let subscriptionCreate = "subscription.create"
    public static let subscriptionGet = "subscription.get"
    public static let subscriptionList = "subscription.list"
    public static let subscriptionDelete = "subscription.delete"
    public static let subscriptionReplay = "subscription.replay"
    public static let logStats = "log.stats"
    public static let ruleCreate = "rule.create"
    public static let ruleList = "rule.list"
    public static let ruleDelete = "rule.delete"
}
