/// Durable configuration and delivery state in an embedded SQLite database
/// (WAL mode): subscriptions, their cursors and in-flight deliveries, and a
/// generic versioned document table for other modules (accounts, buses,
/// rules, schemas).
///
/// Thread-safe: every call takes an internal lock; SQLite calls are short.
public final class StateStore: @unchecked Sendable { // `database` and the cached statements are only used while holding `lock`
    /// Schema version stored in `PRAGMA user_version`.
    public static let schemaVersion: Int64 = 1

    private let lock = ConditionLock()
    private let database: SQLiteDatabase
    private var isClosed = false
    private let insertSubscription: SQLiteStatement
    private let replaceSubscription: SQLiteStatement
    private let selectSubscription: SQLiteStatement
    private let selectSubscriptions: SQLiteStatement
    private let deleteSubscriptionStatement: SQLiteStatement
    private let selectCursor: SQLiteStatement
    private let upsertCursor: SQLiteStatement
    private let selectInFlight: SQLiteStatement
    private let deleteInFlight: SQLiteStatement
    private let insertInFlight: SQLiteStatement
    private let selectDocument: SQLiteStatement
    private let selectDocuments: SQLiteStatement
    private let insertDocument: SQLiteStatement
    private let updateDocument: SQLiteStatement
    private let deleteDocumentStatement: SQLiteStatement

    /// Opens (creating and migrating if needed) the state database at `path`.
    public init(path: String, synchronous: SQLiteSynchronous = .normal) throws(StoreError) {
        let db = try SQLiteDatabase(path: path, synchronous: synchronous)
        let version = try db.prepare("PRAGMA user_version")
        _ = try version.step()
        let current = version.columnInt64(0)
        if current > Self.schemaVersion {
            throw StoreError(.sqlite, "state database \(path) has schema version \(current), newer than this build understands (\(Self.schemaVersion))", path: path)
        }
        if current < 1 {
            try db.transaction { () throws(StoreError) in
                try db.execute("""
                    CREATE TABLE IF NOT EXISTS subscriptions (
                        name TEXT PRIMARY KEY,
                        owner_account TEXT NOT NULL,
                        bus TEXT NOT NULL,
                        pattern TEXT NOT NULL,
                        max_attempts INTEGER NOT NULL,
                        max_event_age_ns INTEGER,
                        backoff_initial_ns INTEGER NOT NULL,
                        backoff_max_ns INTEGER NOT NULL,
                        backoff_multiplier REAL NOT NULL,
                        dead_letter_target TEXT,
                        ack_timeout_ns INTEGER NOT NULL,
                        max_in_flight INTEGER NOT NULL,
                        start_kind TEXT NOT NULL,
                        start_value INTEGER NOT NULL,
                        ordering_key TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE INDEX IF NOT EXISTS subscriptions_bus ON subscriptions(bus);
                    CREATE TABLE IF NOT EXISTS cursors (
                        subscription TEXT PRIMARY KEY REFERENCES subscriptions(name) ON DELETE CASCADE,
                        committed_position INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE TABLE IF NOT EXISTS in_flight (
                        subscription TEXT NOT NULL REFERENCES subscriptions(name) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        attempts INTEGER NOT NULL,
                        next_delivery_at INTEGER NOT NULL,
                        first_attempt_at INTEGER NOT NULL,
                        ordering_group BLOB,
                        PRIMARY KEY (subscription, position)
                    ) WITHOUT ROWID;
                    CREATE TABLE IF NOT EXISTS documents (
                        kind TEXT NOT NULL,
                        key TEXT NOT NULL,
                        value BLOB NOT NULL,
                        version INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        PRIMARY KEY (kind, key)
                    ) WITHOUT ROWID;
                    PRAGMA user_version = 1;
                    """)
            }
        }
        database = db
        let columns = """
            name, owner_account, bus, pattern, max_attempts, max_event_age_ns, backoff_initial_ns, backoff_max_ns,
            backoff_multiplier, dead_letter_target, ack_timeout_ns, max_in_flight, start_kind, start_value, ordering_key
            """
        let placeholders = "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15"
        insertSubscription = try db.prepare("INSERT INTO subscriptions (\(columns), created_at, updated_at) VALUES (\(placeholders), ?16, ?16)")
        replaceSubscription = try db.prepare("""
            INSERT INTO subscriptions (\(columns), created_at, updated_at) VALUES (\(placeholders), ?16, ?16)
            ON CONFLICT(name) DO UPDATE SET owner_account = ?2, bus = ?3, pattern = ?4, max_attempts = ?5,
              max_event_age_ns = ?6, backoff_initial_ns = ?7, backoff_max_ns = ?8, backoff_multiplier = ?9,
              dead_letter_target = ?10, ack_timeout_ns = ?11, max_in_flight = ?12, start_kind = ?13,
              start_value = ?14, ordering_key = ?15, updated_at = ?16
            """)
        selectSubscription = try db.prepare("SELECT \(columns) FROM subscriptions WHERE name = ?1")
        selectSubscriptions = try db.prepare("SELECT \(columns) FROM subscriptions WHERE ?1 IS NULL OR bus = ?1 ORDER BY name")
        deleteSubscriptionStatement = try db.prepare("DELETE FROM subscriptions WHERE name = ?1")
        selectCursor = try db.prepare("SELECT committed_position FROM cursors WHERE subscription = ?1")
        upsertCursor = try db.prepare("""
            INSERT INTO cursors (subscription, committed_position, updated_at) VALUES (?1, ?2, ?3)
            ON CONFLICT(subscription) DO UPDATE SET committed_position = ?2, updated_at = ?3
            """)
        selectInFlight = try db.prepare("SELECT position, attempts, next_delivery_at, first_attempt_at, ordering_group FROM in_flight WHERE subscription = ?1 ORDER BY position")
        deleteInFlight = try db.prepare("DELETE FROM in_flight WHERE subscription = ?1")
        insertInFlight = try db.prepare("INSERT INTO in_flight (subscription, position, attempts, next_delivery_at, first_attempt_at, ordering_group) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        selectDocument = try db.prepare("SELECT kind, key, value, version, updated_at FROM documents WHERE kind = ?1 AND key = ?2")
        selectDocuments = try db.prepare("SELECT kind, key, value, version, updated_at FROM documents WHERE kind = ?1 ORDER BY key")
        insertDocument = try db.prepare("INSERT INTO documents (kind, key, value, version, updated_at) VALUES (?1, ?2, ?3, 1, ?4)")
        updateDocument = try db.prepare("UPDATE documents SET value = ?3, version = version + 1, updated_at = ?4 WHERE kind = ?1 AND key = ?2 AND (?5 IS NULL OR version = ?5)")
        deleteDocumentStatement = try db.prepare("DELETE FROM documents WHERE kind = ?1 AND key = ?2")
    }

    /// The database file.
    public var path: String { database.path }

    /// Runs `body` with the raw connection under the store's lock (for modules
    /// with their own tables). Do not keep the connection or its statements.
    public func withDatabase<T>(_ body: (SQLiteDatabase) throws(StoreError) -> T) throws(StoreError) -> T {
        lock.lock()
        defer { lock.unlock() }
        try checkOpen()
        return try body(database)
    }

    /// Refuses further calls. Idempotent.
    public func close() {
        lock.withLock { isClosed = true }
    }

    private func checkOpen() throws(StoreError) {
        if isClosed { throw StoreError(.closed, "state store \(database.path) is closed", path: database.path) }
    }

    private func locked<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        lock.lock()
        defer { lock.unlock() }
        try checkOpen()
        return try body()
    }

    // MARK: subscriptions

    /// Stores a new subscription; fails with ``StoreError/Code/conflict`` when the name is taken.
    public func createSubscription(_ definition: SubscriptionDefinition, now: Int64 = systemUnixNanos()) throws(StoreError) {
        try definition.validate()
        try locked { () throws(StoreError) in
            do throws(StoreError) {
                try bindSubscription(insertSubscription, definition, now: now)
                try insertSubscription.step()
                insertSubscription.reset()
            } catch {
                insertSubscription.reset()
                if error.code == .conflict {
                    throw StoreError(.conflict, "subscription \(definition.name) already exists", path: database.path)
                }
                throw error
            }
        }
    }

    /// Creates or replaces a subscription definition (cursor and in-flight state are kept).
    public func putSubscription(_ definition: SubscriptionDefinition, now: Int64 = systemUnixNanos()) throws(StoreError) {
        try definition.validate()
        try locked { () throws(StoreError) in
            defer { replaceSubscription.reset() }
            try bindSubscription(replaceSubscription, definition, now: now)
            try replaceSubscription.step()
        }
    }

    /// The subscription with this name, if any.
    public func subscription(named name: String) throws(StoreError) -> SubscriptionDefinition? {
        try locked { () throws(StoreError) in
            defer { selectSubscription.reset() }
            try selectSubscription.bind(.text(name))
            return try selectSubscription.step() ? readSubscription(selectSubscription) : nil
        }
    }

    /// All subscriptions, or those of one bus, ordered by name.
    public func subscriptions(bus: String? = nil) throws(StoreError) -> [SubscriptionDefinition] {
        try locked { () throws(StoreError) in
            defer { selectSubscriptions.reset() }
            try selectSubscriptions.bind(bus.map { .text($0) } ?? .null)
            var result: [SubscriptionDefinition] = []
            while try selectSubscriptions.step() { result.append(try readSubscription(selectSubscriptions)) }
            return result
        }
    }

    /// Deletes a subscription with its cursor and in-flight state; false when absent.
    @discardableResult
    public func deleteSubscription(named name: String) throws(StoreError) -> Bool {
        try locked { () throws(StoreError) in
            try deleteSubscriptionStatement.run(.text(name))
            return database.changes > 0
        }
    }

    // MARK: cursors and in-flight state

    /// The committed position (every event up to it is acknowledged), or nil when never stored.
    public func committedPosition(subscription: String) throws(StoreError) -> UInt64? {
        try locked { () throws(StoreError) in
            defer { selectCursor.reset() }
            try selectCursor.bind(.text(subscription))
            return try selectCursor.step() ? UInt64(bitPattern: selectCursor.columnInt64(0)) : nil
        }
    }

    /// Stores the committed position of a subscription.
    public func setCommittedPosition(_ position: UInt64, subscription: String, now: Int64 = systemUnixNanos()) throws(StoreError) {
        try locked { () throws(StoreError) in
            try upsertCursor.run(.text(subscription), .integer(Int64(bitPattern: position)), .integer(now))
        }
    }

    /// The persisted in-flight deliveries of a subscription, by position.
    public func inFlight(subscription: String) throws(StoreError) -> [PersistedDelivery] {
        try locked { () throws(StoreError) in
            defer { selectInFlight.reset() }
            try selectInFlight.bind(.text(subscription))
            var result: [PersistedDelivery] = []
            while try selectInFlight.step() {
                result.append(PersistedDelivery(
                    position: UInt64(bitPattern: selectInFlight.columnInt64(0)),
                    attempts: Int(selectInFlight.columnInt64(1)),
                    nextDeliveryAt: selectInFlight.columnInt64(2),
                    firstAttemptAt: selectInFlight.columnInt64(3),
                    group: selectInFlight.columnIsNull(4) ? nil : selectInFlight.columnBlob(4)))
            }
            return result
        }
    }

    /// Atomically stores a subscription's committed position and replaces its
    /// in-flight set (one transaction). Call it periodically and on shutdown;
    /// after a crash, delivery resumes from the last checkpoint (events after
    /// it are redelivered: at least once).
    public func checkpoint(subscription: String, committedPosition: UInt64, inFlight: [PersistedDelivery],
                           now: Int64 = systemUnixNanos()) throws(StoreError) {
        try locked { () throws(StoreError) in
            try database.transaction { () throws(StoreError) in
                try upsertCursor.run(.text(subscription), .integer(Int64(bitPattern: committedPosition)), .integer(now))
                try deleteInFlight.run(.text(subscription))
                for delivery in inFlight {
                    try insertInFlight.run(.text(subscription), .integer(Int64(bitPattern: delivery.position)),
                                           .integer(Int64(delivery.attempts)), .integer(delivery.nextDeliveryAt),
                                           .integer(delivery.firstAttemptAt), delivery.group.map { .blob($0) } ?? .null)
                }
            }
        }
    }

    // MARK: documents

    /// Writes a document and returns its new version (1 for a new document).
    ///
    /// With `expectedVersion`, the write only happens when the stored version
    /// matches (0 means "must not exist"); otherwise it fails with
    /// ``StoreError/Code/conflict``.
    @discardableResult
    public func putDocument(kind: String, key: String, value: [UInt8], expectedVersion: Int64? = nil,
                            now: Int64 = systemUnixNanos()) throws(StoreError) -> Int64 {
        try locked { () throws(StoreError) in
            try database.transaction { () throws(StoreError) -> Int64 in
                defer { selectDocument.reset() }
                try selectDocument.bind(.text(kind), .text(key))
                let existing: Int64? = try selectDocument.step() ? selectDocument.columnInt64(3) : nil
                selectDocument.reset()
                if let expectedVersion, expectedVersion != (existing ?? 0) {
                    throw StoreError(.conflict, "\(kind) \(key): expected version \(expectedVersion), found \(existing ?? 0)",
                                     path: database.path)
                }
                if let existing {
                    try updateDocument.run(.text(kind), .text(key), .blob(value), .integer(now), .integer(existing))
                    return existing + 1
                }
                try insertDocument.run(.text(kind), .text(key), .blob(value), .integer(now))
                return 1
            }
        }
    }

    /// One document, if present.
    public func document(kind: String, key: String) throws(StoreError) -> StoredDocument? {
        try locked { () throws(StoreError) in
            defer { selectDocument.reset() }
            try selectDocument.bind(.text(kind), .text(key))
            return try selectDocument.step() ? readDocument(selectDocument) : nil
        }
    }

    /// All documents of a kind, ordered by key.
    public func documents(kind: String) throws(StoreError) -> [StoredDocument] {
        try locked { () throws(StoreError) in
            defer { selectDocuments.reset() }
            try selectDocuments.bind(.text(kind))
            var result: [StoredDocument] = []
            while try selectDocuments.step() { result.append(readDocument(selectDocuments)) }
            return result
        }
    }

    /// Deletes a document; false when absent.
    @discardableResult
    public func deleteDocument(kind: String, key: String) throws(StoreError) -> Bool {
        try locked { () throws(StoreError) in
            try deleteDocumentStatement.run(.text(kind), .text(key))
            return database.changes > 0
        }
    }

    // MARK: row mapping

    private func bindSubscription(_ s: SQLiteStatement, _ d: SubscriptionDefinition, now: Int64) throws(StoreError) {
        let (startKind, startValue): (String, Int64) = switch d.startPosition {
        case .earliest: ("earliest", 0)
        case .latest: ("latest", 0)
        case .time(let t): ("time", t)
        case .position(let p): ("position", Int64(bitPattern: p))
        }
        let r = d.retryPolicy
        try s.bind(.text(d.name), .text(d.ownerAccount), .text(d.bus), .text(d.pattern),
                   .integer(Int64(r.maxAttempts)), r.maxEventAgeNanos.map { .integer($0) } ?? .null,
                   .integer(r.initialBackoffNanos), .integer(r.maxBackoffNanos), .real(r.backoffMultiplier),
                   d.deadLetterTarget.map { .text($0) } ?? .null, .integer(d.ackTimeoutNanos),
                   .integer(Int64(d.maxInFlight)), .text(startKind), .integer(startValue),
                   d.orderingKey.map { .text($0) } ?? .null, .integer(now))
    }

    private func readSubscription(_ s: SQLiteStatement) throws(StoreError) -> SubscriptionDefinition {
        let name = s.columnText(0)
        let startValue = s.columnInt64(13)
        let start: StartPosition
        switch s.columnText(12) {
        case "earliest": start = .earliest
        case "latest": start = .latest
        case "time": start = .time(startValue)
        case "position": start = .position(UInt64(bitPattern: startValue))
        case let other:
            throw StoreError(.corruption, "subscription \(name) in \(database.path) has unknown start kind \"\(other)\"", path: database.path)
        }
        return SubscriptionDefinition(
            name: name, ownerAccount: s.columnText(1), bus: s.columnText(2), pattern: s.columnText(3),
            retryPolicy: RetryPolicy(maxAttempts: Int(s.columnInt64(4)),
                                     maxEventAgeNanos: s.columnIsNull(5) ? nil : s.columnInt64(5),
                                     initialBackoffNanos: s.columnInt64(6), maxBackoffNanos: s.columnInt64(7),
                                     backoffMultiplier: s.columnDouble(8)),
            deadLetterTarget: s.columnOptionalText(9), ackTimeoutNanos: s.columnInt64(10),
            maxInFlight: Int(s.columnInt64(11)), startPosition: start, orderingKey: s.columnOptionalText(14))
    }

    private func readDocument(_ s: SQLiteStatement) -> StoredDocument {
        StoredDocument(kind: s.columnText(0), key: s.columnText(1), value: s.columnBlob(2),
                       version: s.columnInt64(3), updatedAt: s.columnInt64(4))
    }
}
