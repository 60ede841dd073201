import Foundation
public import JunctionAdmin
public import JunctionSchema
public import JunctionWire

/// Client-side schema validation, opt-in: fetches schemas from the gateway's
/// registry (`schema.get`), compiles each once, and validates details with
/// the same code the gateway runs (``SchemaValidator`` from JunctionSchema),
/// before publishing and after receiving.
///
/// ```swift
/// let schemas = SchemaCache(connection: connection)
/// try await connection.publish(events, validatingWith: schemas)   // throws SchemaValidationError, sends nothing
/// for try await delivery in subscription {
///     let detail = try await schemas.validate(delivery.event)      // same checks on the way in
/// }
/// ```
///
/// Explicit versions are immutable and cached for the cache's life; version 0
/// ("latest") is re-fetched after `latestTTL` (a version registered meanwhile
/// is picked up then).
public actor SchemaCache {
    private let connection: JunctionConnection
    private let latestTTL: Duration
    private var byVersion: [Key: ClientSchema] = [:]
    private var latest: [String: (schema: ClientSchema, fetched: ContinuousClock.Instant)] = [:]

    private struct Key: Hashable {
        var subject: String
        var version: Int
    }

    /// A cache that fetches through `connection`.
    public init(connection: JunctionConnection, latestTTL: Duration = .seconds(30)) {
        self.connection = connection
        self.latestTTL = latestTTL
    }

    /// The compiled schema for `subject` at `version` (0: the latest). Throws
    /// ``SchemaValidationError`` (`.unknownSchema`) when the registry has none.
    public func schema(subject: String, version: Int = 0) async throws -> ClientSchema {
        if version > 0, let cached = byVersion[Key(subject: subject, version: version)] { return cached }
        if version == 0, let cached = latest[subject], ContinuousClock.now - cached.fetched < latestTTL { return cached.schema }
        let info: SchemaInfo
        do {
            info = try await connection.admin(AdminOperation.schemaGet, SchemaQuery(subject: subject, version: version), as: SchemaInfo.self)
        } catch let error as JunctionClientError where error.kind == .server(.notFound) {
            throw SchemaValidationError(kind: .unknownSchema, subject: subject, version: version, reason: error.message)
        }
        let schema = try ClientSchema(info: info, subject: subject)
        byVersion[Key(subject: subject, version: schema.version)] = schema
        if version == 0 { latest[subject] = (schema, ContinuousClock.now) }
        return schema
    }

    /// Validates an event before it is published: its schema reference must
    /// resolve and its detail conform. Throws ``SchemaValidationError``.
    public func validate(_ event: OutgoingEvent) async throws {
        guard !event.schemaSubject.isEmpty else {
            throw SchemaValidationError(kind: .missingSchema, subject: "", version: 0,
                                        reason: "the event has no schema reference (schemaSubject is empty)")
        }
        let schema = try await schema(subject: event.schemaSubject, version: Int(event.schemaVersion))
        try schema.validate(detail: event.detail, contentType: event.contentType)
    }

    /// Validates every event of a batch; the error names the first failing
    /// event's index.
    public func validate(_ events: [OutgoingEvent]) async throws {
        for (i, event) in events.enumerated() {
            do {
                try await validate(event)
            } catch var error as SchemaValidationError {
                error.eventIndex = i
                throw error
            }
        }
    }

    /// Validates a received event with its schema and returns its detail,
    /// ready to decode. Throws ``SchemaValidationError``.
    public func validate(_ event: ReceivedEvent) async throws -> ValidatedDetail {
        guard !event.schemaSubject.isEmpty else {
            throw SchemaValidationError(kind: .missingSchema, subject: "", version: 0, reason: "the event has no schema reference")
        }
        let schema = try await schema(subject: event.schemaSubject, version: Int(event.schemaVersion))
        try schema.validate(detail: event.detail, contentType: event.contentType)
        return ValidatedDetail(schema: schema, bytes: event.detail)
    }
}

extension JunctionConnection {
    /// Validates every event with `schemas` (see ``SchemaCache``), then
    /// publishes them. When one fails, nothing is sent and the
    /// ``SchemaValidationError`` names the event, the field and the rule.
    public func publish(_ events: [OutgoingEvent], bus: String = "", validatingWith schemas: SchemaCache) async throws -> [PublishResult] {
        try await schemas.validate(events)
        return try await publish(events, bus: bus)
    }
}
