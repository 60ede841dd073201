import Foundation
import JunctionSchema
import JunctionStore
import NIOConcurrencyHelpers

/// The gateway's schema registry, shared by the admin operations and the
/// pipeline workers.
///
/// ``SchemaRegistry`` is not thread-safe; this wrapper serializes every call
/// with one lock. Workers never take that lock per event: each keeps its own
/// cache of ``ResolvedSchema``s (see ``EventValidator``) and reads
/// ``generation`` once per group of batches; a registration or an option
/// change bumps the generation, which drops the workers' cached "latest"
/// versions and unknown subjects.
///
/// Storage: the SQLite file `<dataDirectory>/schemas.db` when the gateway has
/// a data directory, memory otherwise.
final class SchemaRegistryService: @unchecked Sendable { // `registry`, `options` and `compiled` under `lock`; the counters in their own boxes
    /// Serializes the registry: admin operations (which may compile and
    /// check large schemas) and workers' cache misses.
    private let lock = NIOLock()
    /// Read by every worker once per group: kept apart from `lock`, so an
    /// admin operation in progress never stalls the pipeline.
    private let generationBox = NIOLockedValueBox<UInt64>(1)
    private let warningsBox = NIOLockedValueBox<UInt64>(0)
    private let registry: any SchemaRegistryBackend
    private let options: SubjectOptionsStore
    /// Compiled validators by (schema id, unknown fields allowed).
    private var compiled: [CompiledKey: SchemaValidator] = [:]

    private struct CompiledKey: Hashable {
        var schemaID: Int
        var allowUnknownFields: Bool
    }

    /// The database file used under `dataDirectory`.
    static let databaseFileName = "schemas.db"

    /// Opens the registry: in `dataDirectory/schemas.db` (the directory is
    /// created when missing), or in memory when `dataDirectory` is nil.
    init(dataDirectory: String?) throws {
        if let dataDirectory {
            do {
                try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            } catch {
                throw StoreError(.io, "cannot create the data directory \(dataDirectory): \(error)", path: dataDirectory)
            }
            let path = dataDirectory + "/" + Self.databaseFileName
            registry = SchemaRegistry(storage: try SQLiteSchemaRegistryStorage(path: path))
            options = try SubjectOptionsStore(path: path)
        } else {
            registry = SchemaRegistry(storage: InMemorySchemaRegistryStorage())
            options = SubjectOptionsStore()
        }
    }

    /// Changes whenever what a schema reference resolves to may have changed.
    var generation: UInt64 { generationBox.withLockedValue { $0 } }

    /// Runs `body` with the registry and the options, serialized with every
    /// other caller.
    func withRegistry<T>(_ body: (any SchemaRegistryBackend, SubjectOptionsStore) throws -> T) rethrows -> T {
        try lock.withLock { try body(registry, options) }
    }

    /// Registers `schema` under `subject` and records the new version's
    /// unknown-field setting (given, or else the subject's latest); bumps
    /// ``generation``. Registering a schema identical to an existing version
    /// with a different explicit setting is refused: a version never changes.
    func register(subject: String, schema: SchemaDefinition,
                  allowUnknownFields: Bool?) throws -> (version: SubjectVersion, created: Bool) {
        try lock.withLock {
            // Whatever happens below, what references resolve to may have changed.
            defer { generationBox.withLockedValue { $0 &+= 1 } }
            let latest = try? registry.versions(of: subject).map(\.version).max()
            let result = try registry.registerSchema(subject: subject, schema: schema)
            let version = result.version.version
            if result.created {
                let inherited = latest.flatMap { $0 }.map { options.allowsUnknownFields(subject, version: $0) } ?? true
                try options.setAllowsUnknownFields(allowUnknownFields ?? inherited, for: subject, version: version)
            } else if let allowUnknownFields, allowUnknownFields != options.allowsUnknownFields(subject, version: version) {
                throw AdminFailure(.invalidRequest, "allow_unknown_fields: version \(version) of \(subject) is this schema with allow_unknown_fields "
                                   + "\(!allowUnknownFields); a version never changes (register a changed schema for a new version)")
            }
            return result
        }
    }

    /// Events accepted under `.warn` although they broke their schema (or
    /// named none), since the gateway started.
    var warnedEvents: UInt64 { warningsBox.withLockedValue { $0 } }

    /// Adds `n` to ``warnedEvents`` (workers report each warned event as they check it, before its ack; a small lock of its own).
    func recordWarnings(_ n: UInt64) {
        warningsBox.withLockedValue { $0 &+= n }
    }

    /// Resolves a schema reference (`version` 0: the latest) to a compiled
    /// validator. Called by workers on a cache miss only.
    func resolve(subject: String, version: Int) -> Result<ResolvedSchema, SchemaError> {
        lock.withLock { () -> Result<ResolvedSchema, SchemaError> in
            do throws(SchemaError) {
                let (found, _) = try registry.schema(subject: subject, version: version == 0 ? nil : version)
                let allow = options.allowsUnknownFields(subject, version: found.version)
                let key = CompiledKey(schemaID: found.schemaID, allowUnknownFields: allow)
                let validator: SchemaValidator
                if let cached = compiled[key] {
                    validator = cached
                } else {
                    validator = try registry.compiledSchema(id: found.schemaID)
                        .makeValidator(protobuf: ProtoValidationOptions(allowUnknownFields: allow))
                    compiled[key] = validator
                }
                return .success(ResolvedSchema(subject: subject, version: found.version, validator: validator))
            } catch {
                return .failure(error)
            }
        }
    }
}
