import Glibc
import JunctionSchema
import JunctionWire
import Logging

/// A pipeline worker's schema checks: validates events against the schema
/// their `schema` reference names, under the mode of their bus, and finds
/// the protobuf schema the pattern matcher walks `detail` with.
///
/// One per worker thread; not thread-safe. Schema references resolve through
/// a worker-local cache keyed by (subject bytes, version): a hit costs a
/// hash of the subject and a memcmp, with no lock, no allocation and no
/// SQLite. A miss asks ``SchemaRegistryService`` once (unknown subjects are
/// cached too). ``beginGroup()`` reads the service's generation once per
/// group of batches and empties the cache when a schema was registered, so
/// version-0 ("latest") references pick up a new version at the next group.
final class EventValidator {
    private let service: SchemaRegistryService
    /// Buses whose mode is not `.off`, by name bytes.
    private let modes: [(name: [UInt8], mode: SchemaValidationMode)]
    private var generation: UInt64 = 0
    private var cache: [Int: [Entry]] = [:]
    private var cachedEntries = 0
    /// Resolutions (found or unknown) kept at most; beyond, the cache starts over.
    static let maxCachedEntries = 4096
    private var last: Entry?
    private var suppressedLogs = 0
    private var lastLogNanos: Int64 = .min
    private let logger = Logger(label: "junction.schema")

    /// Feeds protobuf details to the pattern matcher (used by ``BusMatcher``).
    let patternFeeder = ProtoPatternFeeder()

    /// Whether some bus validates: when false, ``check(_:bus:)`` returns at once.
    let isActive: Bool

    private final class Entry {
        let subject: [UInt8]
        let version: UInt32
        let outcome: Outcome

        init(subject: [UInt8], version: UInt32, outcome: Outcome) {
            self.subject = subject
            self.version = version
            self.outcome = outcome
        }

        func matches(_ bytes: UnsafeRawBufferPointer, _ version: UInt32) -> Bool {
            self.version == version && subject.count == bytes.count
                && subject.withUnsafeBytes { $0.count == 0 || memcmp($0.baseAddress!, bytes.baseAddress!, $0.count) == 0 }
        }
    }

    private enum Outcome {
        case found(ResolvedSchema)
        /// No such subject or version: the reject message.
        case unknown(String)
        /// The registry failed (storage): not cached.
        case failed(String)
    }

    init(service: SchemaRegistryService, modes: [String: SchemaValidationMode]) {
        self.service = service
        self.modes = modes.filter { $0.value != .off }.map { (Array($0.key.utf8), $0.value) }
        self.isActive = !self.modes.isEmpty
    }

    /// Call once per group of batches, before the first event: drops cached
    /// resolutions when the registry changed.
    func beginGroup() {
        let current = service.generation
        if current != generation {
            cache.removeAll(keepingCapacity: true)
            cachedEntries = 0
            last = nil
            generation = current
        }
    }

    /// What ``check(_:bus:)`` decided about one event.
    enum Verdict {
        /// Accept it (also under `.warn`, where a problem is counted and
        /// logged when checked, before the event is acknowledged). `version`
        /// is the schema version its reference resolved to (0: none), which
        /// the gateway stamps into events that referenced "latest", so that
        /// subscribers, durable reads and replays use that exact version.
        case accept(version: UInt32)
        /// Reject it with this reason.
        case reject(RejectCode, String)
    }

    /// Checks `event` against its schema when the bus named `bus` validates.
    func check(_ event: EventView, bus: UnsafeRawBufferPointer) -> Verdict {
        guard isActive else { return .accept(version: 0) }
        let mode = mode(of: bus)
        guard mode != .off else { return .accept(version: 0) }
        let (version, problem) = examine(event, bus: bus)
        guard let problem else { return .accept(version: version) }
        if mode == .enforce { return .reject(problem.0, problem.1) }
        warn(problem, event: event, bus: bus)
        return .accept(version: version)
    }

    /// The protobuf schema of an event whose detail is protobuf (content type
    /// PROTOBUF and a schema reference that resolves to a protobuf schema),
    /// for walking its fields; nil otherwise.
    func protobufSchema(for event: EventView) -> ProtoMessageValidator? {
        guard event.hasSchema, event.contentType == .protobuf else { return nil }
        if case .found(let schema) = resolve(event.schemaSubject, event.schemaVersion) { return schema.protobuf }
        return nil
    }

    private func mode(of bus: UnsafeRawBufferPointer) -> SchemaValidationMode {
        for entry in modes where entry.name.count == bus.count {
            if entry.name.withUnsafeBytes({ $0.count == 0 || memcmp($0.baseAddress!, bus.baseAddress!, $0.count) == 0 }) {
                return entry.mode
            }
        }
        return .off
    }

    /// The version the event's reference resolves to (0: none) and the
    /// problem with the event, if any.
    private func examine(_ event: EventView, bus: UnsafeRawBufferPointer) -> (UInt32, (RejectCode, String)?) {
        guard event.hasSchema else {
            return (0, (.invalidEvent, "schema: required, is missing: bus \"\(bus.string)\" validates events against registered schemas"))
        }
        let schema: ResolvedSchema
        switch resolve(event.schemaSubject, event.schemaVersion) {
        case .found(let s): schema = s
        case .unknown(let message): return (0, (.schemaUnknown, message))
        case .failed(let message): return (0, (.internal, message))
        }
        let version = UInt32(truncatingIfNeeded: schema.version)
        let contentType = event.contentType
        switch schema.format {
        case .protobuf where contentType != .protobuf && contentType != .unspecified,
             .json where contentType != .json && contentType != .unspecified:
            return (version, (.schemaViolation, "content_type: \(Self.name(of: contentType)), but schema \(schema.subject) version \(schema.version) "
                        + "is \(schema.format == .json ? "a JSON Schema (use CONTENT_TYPE_JSON)" : "protobuf (use CONTENT_TYPE_PROTOBUF)") (rule content-type)"))
        default:
            break
        }
        switch schema.validator.validate(event.detail) {
        case .valid:
            return (version, nil)
        case .invalid(let failure):
            return (version, (.schemaViolation, "\(failure.path): \(failure.reason) (rule \(failure.rule); schema \(schema.subject) version \(schema.version))"))
        }
    }

    private static func name(of type: ContentType) -> String {
        switch type {
        case .unspecified: "CONTENT_TYPE_UNSPECIFIED"
        case .json: "CONTENT_TYPE_JSON"
        case .protobuf: "CONTENT_TYPE_PROTOBUF"
        case .binary: "CONTENT_TYPE_BINARY"
        }
    }

    private func resolve(_ subject: UnsafeRawBufferPointer, _ version: UInt32) -> Outcome {
        if let last, last.matches(subject, version) { return last.outcome }
        // FNV-1a over the subject, then the version.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in subject { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        h = (h ^ UInt64(version)) &* 0x100_0000_01b3
        let hash = Int(truncatingIfNeeded: h)
        if let bucket = cache[hash] {
            for entry in bucket where entry.matches(subject, version) {
                last = entry
                return entry.outcome
            }
        }
        let name = subject.string
        let outcome: Outcome
        switch service.resolve(subject: name, version: Int(version)) {
        case .success(let schema):
            outcome = .found(schema)
        case .failure(let error):
            switch error.code {
            case .subjectNotFound, .versionNotFound, .schemaNotFound, .invalidSubject:
                outcome = .unknown("schema: \(error.message)")
            default:
                return .failed("schema: \(error.message)")
            }
        }
        let entry = Entry(subject: Array(subject), version: version, outcome: outcome)
        // Bounded: random subjects must not grow a worker's memory.
        if cachedEntries >= Self.maxCachedEntries {
            cache.removeAll(keepingCapacity: true)
            cachedEntries = 0
        }
        cachedEntries += 1
        cache[hash, default: []].append(entry)
        last = entry
        return outcome
    }

    private func warn(_ problem: (RejectCode, String), event: EventView, bus: UnsafeRawBufferPointer) {
        service.recordWarnings(1)
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let now = Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
        if lastLogNanos != .min, now - lastLogNanos < 1_000_000_000 {
            suppressedLogs += 1
            return
        }
        lastLogNanos = now
        logger.warning("event does not conform to its schema (bus validates in warn mode: accepted)", metadata: [
            "bus": "\(bus.string)",
            "event.source": "\(event.source.string)",
            "event.id": "\(event.id.string)",
            "reject.code": "\(problem.0)",
            "reject.message": "\(problem.1)",
            "suppressed": "\(suppressedLogs)",
        ])
        suppressedLogs = 0
    }
}
