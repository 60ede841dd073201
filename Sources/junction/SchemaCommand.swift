import ArgumentParser
import Foundation
import JunctionSchema

/// `junction schema ...`: schema tooling. The offline subcommands (`compat`, `validate`) need no gateway; the
/// online ones (`register`, `list`, `show`, `mode`, `check`) talk to a gateway's registry over admin requests.
struct SchemaCommand: ParsableCommand {
    /// Offline subcommands.
    static let offlineSubcommands: [any ParsableCommand.Type] = [Compat.self, Validate.self]
    /// Subcommands that use a gateway.
    static let onlineSubcommands: [any ParsableCommand.Type] = [Register.self, List.self, Show.self, Mode.self, Check.self]

    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Manage a gateway's schema registry, check schema compatibility and validate events against schemas.",
        subcommands: onlineSubcommands + offlineSubcommands
    )

    /// Reads a schema file into a definition: a FileDescriptorSet (protobuf) or JSON Schema text (json).
    static func loadDefinition(path: String, format: SchemaFormat, message: String?) throws -> CompiledSchema {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        if format == .protobuf, message == nil {
            throw ValidationError("--message NAME is required with --type protobuf")
        }
        do {
            return try CompiledSchema(SchemaDefinition(format: format, content: [UInt8](data), messageName: message))
        } catch {
            throw ValidationError("\(path): \(error.message)")
        }
    }

    static func parseFormat(_ s: String) throws -> SchemaFormat {
        guard let f = SchemaFormat(name: s) else { throw ValidationError("unknown schema type \"\(s)\" (use protobuf or json)") }
        return f
    }

    static func parseMode(_ s: String) throws -> CompatibilityMode {
        guard let m = CompatibilityMode(name: s) else {
            throw ValidationError("unknown mode \"\(s)\" (use one of \(CompatibilityMode.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return m
    }

    /// `junction schema compat OLD NEW --type protobuf|json [--message NAME] [--mode MODE]`
    struct Compat: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check whether NEW may follow OLD under a compatibility mode.",
            discussion: "Exits 0 when compatible; 1 when not, after listing every violation (rule, path, reason).")

        @Argument(help: "The previous schema: a FileDescriptorSet (protoc --descriptor_set_out --include_imports) or a JSON Schema file.")
        var old: String

        @Argument(help: "The candidate schema, same format as OLD.")
        var new: String

        @Option(name: .customLong("type"), help: "Schema format: protobuf or json.", transform: SchemaCommand.parseFormat)
        var format: SchemaFormat

        @Option(help: "Fully qualified protobuf message name (protobuf only).")
        var message: String?

        @Option(help: "BACKWARD (default), BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE.",
                transform: SchemaCommand.parseMode)
        var mode: CompatibilityMode = .backward

        func run() throws {
            let oldSchema = try SchemaCommand.loadDefinition(path: old, format: format, message: message)
            let newSchema = try SchemaCommand.loadDefinition(path: new, format: format, message: message)
            let violations = newSchema.compatibilityViolations(against: [(1, oldSchema)], mode: mode)
            if violations.isEmpty {
                print("compatible (\(mode))")
                return
            }
            print("incompatible (\(mode)): \(violations.count) violation\(violations.count == 1 ? "" : "s")")
            for v in violations {
                print("\(v.rule) \(v.path): \(v.message) (\(v.direction.rawValue))")
            }
            throw ExitCode(1)
        }
    }

    /// `junction schema validate SCHEMA --type json < EVENTS.jsonl` or `--type protobuf --message NAME < PAYLOADS`
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate event details read from standard input, one per line.",
            discussion: """
                With --type json each line is one JSON document; with --type protobuf each line is one base64-encoded \
                payload. Prints `valid` or `invalid: <path>: <reason>` per line (blank lines are skipped) and exits 1 \
                when any line is invalid.
                """)

        @Argument(help: "The schema: a FileDescriptorSet or a JSON Schema file.")
        var schema: String

        @Option(name: .customLong("type"), help: "Schema format: protobuf or json.", transform: SchemaCommand.parseFormat)
        var format: SchemaFormat

        @Option(help: "Fully qualified protobuf message name (protobuf only).")
        var message: String?

        @Flag(help: "Reject protobuf fields the schema does not declare.")
        var rejectUnknownFields = false

        @Option(help: "Maximum protobuf nesting depth.")
        var maxDepth = 32

        func run() throws {
            let compiled = try SchemaCommand.loadDefinition(path: schema, format: format, message: message)
            let validator: SchemaValidator
            do {
                validator = try compiled.makeValidator(
                    protobuf: ProtoValidationOptions(allowUnknownFields: !rejectUnknownFields, maxDepth: maxDepth))
            } catch {
                throw ValidationError(error.message)
            }
            var anyInvalid = false
            while let line = readLine(strippingNewline: true) {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                let result: SchemaValidationResult
                switch format {
                case .json:
                    result = validator.validate(Array(trimmed.utf8))
                case .protobuf:
                    guard let data = Data(base64Encoded: trimmed) else {
                        print("invalid: detail: line is not valid base64")
                        anyInvalid = true
                        continue
                    }
                    result = validator.validate([UInt8](data))
                }
                switch result {
                case .valid:
                    print("valid")
                case .invalid(let failure):
                    print("invalid: \(failure)")
                    anyInvalid = true
                }
            }
            if anyInvalid { throw ExitCode(1) }
        }
    }
}
