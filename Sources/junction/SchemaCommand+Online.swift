import ArgumentParser
import Foundation
import JunctionAdmin
import JunctionClient
import JunctionSchema

extension SchemaCommand {
    /// Runs an admin call; a refusal is printed on stderr (with the violations of an incompatible schema)
    /// and exits 1.
    static func call<Request: Encodable & Sendable, Response: Decodable>(
        _ client: ClientOptions, _ operation: String, _ request: Request, as response: Response.Type
    ) async throws -> Response {
        try await AdminCLI.call(client, operation, request, as: response, command: "junction schema") { error in
            guard case .server(.incompatibleSchema) = error.kind,
                  let violations = try? AdminDocument.decode(SchemaViolations.self, from: error.details).violations else { return nil }
            return violations.map { "  \($0)" }
        }
    }

    /// `junction schema register SUBJECT FILE --type protobuf|json [--message NAME]`
    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a schema version with a gateway.",
            discussion: """
                Prints {"created":true,"id":1,"subject":"...","version":1}. An identical schema already registered
                for the subject returns its version (created false). When the subject's compatibility mode refuses
                the schema, the violations are printed on stderr and the exit status is 1.
                For protobuf, FILE is a binary FileDescriptorSet:
                  protoc --descriptor_set_out=order.pb --include_imports -Iproto proto/shop/v1/order.proto
                """)

        @OptionGroup var schema: SchemaSource

        @Flag(help: "Protobuf: the gateway rejects fields the message does not declare (rule unknown-field).")
        var rejectUnknownFields = false

        @OptionGroup var client: ClientOptions

        func run() async throws {
            let request = try schema.registration(rejectUnknownFields: rejectUnknownFields)
            AdminCLI.printDocument(try await SchemaCommand.call(client, AdminOperation.schemaRegister, request,
                                                                     as: SchemaRegistered.self))
        }
    }

    /// `junction schema check SUBJECT FILE --type protobuf|json [--message NAME]`
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a schema against a subject's versions on a gateway, without registering it.",
            discussion: "Prints the result as JSON; exits 1 when the schema is incompatible.")

        @OptionGroup var schema: SchemaSource

        @OptionGroup var client: ClientOptions

        func run() async throws {
            let request = try schema.registration(rejectUnknownFields: false)
            let result = try await SchemaCommand.call(client, AdminOperation.schemaCheck, request, as: SchemaCheckResult.self)
            AdminCLI.printDocument(result)
            if !result.compatible { throw ExitCode(1) }
        }
    }

    /// `junction schema list [SUBJECT]`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a gateway's subjects with their modes and versions (JSON).")

        @Argument(help: "Only this subject.")
        var subject: String?

        @OptionGroup var client: ClientOptions

        func run() async throws {
            AdminCLI.printDocument(try await SchemaCommand.call(client, AdminOperation.schemaList,
                                                                     SchemaListRequest(subject: subject), as: SchemaList.self))
        }
    }

    /// `junction schema show SUBJECT [--version N]` or `junction schema show --id N`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a stored schema (JSON): a subject's version (default: the latest), or a schema by id.")

        @Argument(help: "Subject name.")
        var subject: String?

        @Option(help: "Version (default: the latest).")
        var version: Int?

        @Option(help: "Global schema id (instead of SUBJECT).")
        var id: Int?

        @OptionGroup var client: ClientOptions

        func validate() throws {
            if (subject == nil) == (id == nil) { throw ValidationError("give SUBJECT or --id N") }
        }

        func run() async throws {
            AdminCLI.printDocument(try await SchemaCommand.call(client, AdminOperation.schemaGet,
                                                                     SchemaQuery(subject: subject, version: version, id: id),
                                                                     as: SchemaInfo.self))
        }
    }

    /// `junction schema mode SUBJECT MODE`
    struct Mode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a subject's compatibility mode on a gateway.")

        @Argument(help: "Subject name.")
        var subject: String

        @Argument(help: "BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE.",
                  transform: SchemaCommand.parseMode)
        var mode: CompatibilityMode

        @OptionGroup var client: ClientOptions

        func run() async throws {
            AdminCLI.printDocument(try await SchemaCommand.call(client, AdminOperation.schemaMode,
                                                                     SchemaModeSetting(subject: subject, mode: mode.rawValue),
                                                                     as: SchemaModeSetting.self))
        }
    }
}

/// The schema a `register` or `check` sends: the subject, the file and its format.
struct SchemaSource: ParsableArguments {
    @Argument(help: "Subject name, e.g. shop.OrderPlaced.")
    var subject: String

    @Argument(help: "A FileDescriptorSet (protobuf) or a JSON Schema file (json).")
    var file: String

    @Option(name: .customLong("type"), help: "Schema format: protobuf or json.", transform: SchemaCommand.parseFormat)
    var format: SchemaFormat

    @Option(help: "Fully qualified protobuf message name (protobuf only).")
    var message: String?

    /// The request document: the file as a FileDescriptorSet (protobuf) or a JSON Schema (json).
    func registration(rejectUnknownFields: Bool) throws -> SchemaRegistration {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
        switch format {
        case .json:
            guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(file): not UTF-8 text") }
            if message != nil { throw ValidationError("--message is for --type protobuf") }
            return SchemaRegistration(subject: subject, format: "json", schema: text)
        case .protobuf:
            guard let message else { throw ValidationError("--message NAME is required with --type protobuf") }
            return SchemaRegistration(subject: subject, format: "protobuf", descriptorSetBase64: data.base64EncodedString(),
                                      message: message, allowUnknownFields: rejectUnknownFields ? false : nil)
        }
    }
}
