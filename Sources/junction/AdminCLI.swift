import ArgumentParser
import Foundation
import JunctionAdmin
import JunctionClient
import JunctionWire

/// How the online commands (`schema register`, `subscription create`, ...)
/// talk to a gateway: one connection, one admin request, and on refusal the
/// reason on stderr and exit status 1.
enum AdminCLI {
    /// Performs `operation`; a refusal prints `COMMAND: server error CODE: message`,
    /// then the lines `explain` makes of it, or else the response document, and exits 1.
    static func call<Request: Encodable & Sendable, Response: Decodable>(
        _ client: ClientOptions, _ operation: String, _ request: Request, as response: Response.Type, command: String,
        explain: (JunctionClientError) -> [String]? = { _ in nil }
    ) async throws -> Response {
        let connection = try await client.connect(clientName: "junction-admin")
        do {
            let body = try await connection.adminRaw(operation, body: AdminDocument.encode(request))
            await connection.close()
            if let raw = RawDocument(bytes: body) as? Response { return raw }
            do {
                return try AdminDocument.decode(response, from: body)
            } catch {
                throw ValidationError("\(command): the gateway's answer does not parse: \(error.message)")
            }
        } catch let error as JunctionClientError {
            await connection.close()
            var lines = ["\(command): \(error)"]
            if let explained = explain(error) {
                lines += explained
            } else if !error.details.isEmpty {
                lines.append(String(decoding: error.details, as: UTF8.self))
            }
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            throw ExitCode(1)
        }
    }

    static func printDocument<T: Encodable>(_ value: T) {
        printLine(String(decoding: AdminDocument.encode(value), as: UTF8.self))
    }
}

/// A response document kept as the gateway sent it.
struct RawDocument: Decodable {
    var bytes: [UInt8]
    init(bytes: [UInt8]) { self.bytes = bytes }
    init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "RawDocument is not decoded"))
    }
}
