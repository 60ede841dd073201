import JunctionSchema
import JunctionStore

/// ``SchemaRegistryStorage`` in an embedded SQLite database (WAL mode), so that the registry survives a restart.
///
/// The storage keeps its own tables, created when missing, all prefixed `schema_registry_`:
///
/// | table | content |
/// | --- | --- |
/// | `schema_registry_meta` | `format_version` of these tables (refused when newer than this build) |
/// | `schema_registry_schemas` | one row per distinct schema: global `id`, `format`, `message_name`, `content`, unique `canonical_form` |
/// | `schema_registry_versions` | one row per subject version: `subject`, `version`, `schema_id` |
/// | `schema_registry_modes` | the subjects' own compatibility modes |
///
/// It does not use `PRAGMA user_version`, so it can share a database file with ``StateStore`` (through its own
/// connection; WAL and the busy timeout let the two connections take turns).
///
/// ``transaction(_:)`` runs `BEGIN IMMEDIATE` … `COMMIT` (the write lock is taken up front, so the registry's
/// read-check-write is isolated from other connections) and `ROLLBACK` when the body throws; a nested call uses a
/// savepoint. Errors are ``StoreError``s naming the database file and carrying SQLite's message and code.
///
/// Not thread-safe (like ``SchemaRegistry`` and ``SQLiteDatabase``): use it from one task at a time. The
/// connection closes when the storage (and the registry owning it) is released.
public final class SQLiteSchemaRegistryStorage: SchemaRegistryStorage {
    /// Version of the table layout, stored in `schema_registry_meta`.
    public static let formatVersion: Int64 = 1

    private let database: SQLiteDatabase
    private var transactionDepth = 0
    private let selectSubjects: SQLiteStatement
    private let selectVersions: SQLiteStatement
    private let selectSchema: SQLiteStatement
    private let selectSchemaID: SQLiteStatement
    private let insertSchemaStatement: SQLiteStatement
    private let insertVersionStatement: SQLiteStatement
    private let selectMode: SQLiteStatement
    private let upsertMode: SQLiteStatement
    private let deleteMode: SQLiteStatement

    /// Opens (creating if needed) the database file at `path` and the registry's tables in it.
    ///
    /// - Parameters:
    ///   - path: the database file, e.g. `<data directory>/schemas.db`; its directory must exist.
    ///   - synchronous: commit durability (`.normal`: survives a process crash; `.full`: survives power loss).
    /// - Throws: ``StoreError`` when the file cannot be opened or switched to WAL, or when its registry tables were
    ///   written by a newer build.
    public init(path: String, synchronous: SQLiteSynchronous = .normal) throws(StoreError) {
        let db = try SQLiteDatabase(path: path, synchronous: synchronous)
        try db.transaction { () throws(StoreError) in
            try db.execute("""
                CREATE TABLE IF NOT EXISTS schema_registry_meta (
                    key TEXT PRIMARY KEY,
                    value INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS schema_registry_schemas (
                    id INTEGER PRIMARY KEY AUTOINCREMENT CHECK (id >= 1),
                    format TEXT NOT NULL,
                    message_name TEXT,
                    content BLOB NOT NULL,
                    canonical_form TEXT NOT NULL UNIQUE
                );
                CREATE TABLE IF NOT EXISTS schema_registry_versions (
                    subject TEXT NOT NULL,
                    version INTEGER NOT NULL CHECK (version >= 1),
                    schema_id INTEGER NOT NULL REFERENCES schema_registry_schemas(id),
                    PRIMARY KEY (subject, version)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS schema_registry_modes (
                    subject TEXT PRIMARY KEY,
                    mode TEXT NOT NULL
                ) WITHOUT ROWID;
                INSERT OR IGNORE INTO schema_registry_meta (key, value) VALUES ('format_version', \(Self.formatVersion));
                """)
            let version = try db.prepare("SELECT value FROM schema_registry_meta WHERE key = 'format_version'")
            defer { version.reset() }
            guard try version.step() else {
                throw StoreError(.corruption, "schema registry in \(path): schema_registry_meta has no format_version row", path: path)
            }
            let stored = version.columnInt64(0)
            if stored > Self.formatVersion {
                throw StoreError(.invalidArgument,
                                 "schema registry in \(path) has table format version \(stored), newer than this build understands (\(Self.formatVersion)); upgrade Junction",
                                 path: path)
            }
        }
        database = db
        selectSubjects = try db.prepare("SELECT DISTINCT subject FROM schema_registry_versions ORDER BY subject")
        selectVersions = try db.prepare("SELECT version, schema_id FROM schema_registry_versions WHERE subject = ?1 ORDER BY version")
        selectSchema = try db.prepare("SELECT format, message_name, content, canonical_form FROM schema_registry_schemas WHERE id = ?1")
        selectSchemaID = try db.prepare("SELECT id FROM schema_registry_schemas WHERE canonical_form = ?1")
        insertSchemaStatement = try db.prepare("INSERT INTO schema_registry_schemas (format, message_name, content, canonical_form) VALUES (?1, ?2, ?3, ?4)")
        insertVersionStatement = try db.prepare("INSERT INTO schema_registry_versions (subject, version, schema_id) VALUES (?1, ?2, ?3)")
        selectMode = try db.prepare("SELECT mode FROM schema_registry_modes WHERE subject = ?1")
        upsertMode = try db.prepare("""
            INSERT INTO schema_registry_modes (subject, mode) VALUES (?1, ?2)
            ON CONFLICT(subject) DO UPDATE SET mode = ?2
            """)
        deleteMode = try db.prepare("DELETE FROM schema_registry_modes WHERE subject = ?1")
    }

    /// The database file.
    public var path: String { database.path }

    /// True while a ``transaction(_:)`` body runs.
    public var isInTransaction: Bool { transactionDepth > 0 }

    // MARK: transactions

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let savepoint = transactionDepth == 0 ? nil : "schema_registry_\(transactionDepth)"
        if let savepoint {
            try database.execute("SAVEPOINT \(savepoint)")
        } else {
            try database.execute("BEGIN IMMEDIATE")
        }
        transactionDepth += 1
        let result: T
        do {
            result = try body()
        } catch {
            transactionDepth -= 1
            rollBack(to: savepoint)
            throw error
        }
        transactionDepth -= 1
        do throws(StoreError) {
            if let savepoint {
                try database.execute("RELEASE SAVEPOINT \(savepoint)")
            } else {
                try database.execute("COMMIT")
            }
        } catch {
            rollBack(to: savepoint)
            throw error
        }
        return result
    }

    /// Undoes the current transaction (or savepoint). Failure is ignored: SQLite may already have rolled the
    /// transaction back by itself (after an I/O error, for instance), and the caller is rethrowing the cause.
    private func rollBack(to savepoint: String?) {
        if let savepoint {
            try? database.execute("ROLLBACK TO SAVEPOINT \(savepoint); RELEASE SAVEPOINT \(savepoint)")
        } else {
            try? database.execute("ROLLBACK")
        }
    }

    // MARK: reads

    public func subjects() throws -> [String] {
        defer { selectSubjects.reset() }
        selectSubjects.reset()
        var result: [String] = []
        while try selectSubjects.step() { result.append(selectSubjects.columnText(0)) }
        return result
    }

    public func versions(of subject: String) throws -> [SubjectVersion] {
        defer { selectVersions.reset() }
        try selectVersions.bind(.text(subject))
        var result: [SubjectVersion] = []
        while try selectVersions.step() {
            result.append(SubjectVersion(subject: subject, version: Int(selectVersions.columnInt64(0)),
                                         schemaID: Int(selectVersions.columnInt64(1))))
        }
        return result
    }

    public func schema(id: Int) throws -> StoredSchema? {
        defer { selectSchema.reset() }
        try selectSchema.bind(.integer(Int64(id)))
        guard try selectSchema.step() else { return nil }
        let formatName = selectSchema.columnText(0)
        guard let format = SchemaFormat(rawValue: formatName) else {
            throw StoreError(.corruption,
                             "schema registry in \(path): schema \(id) has unknown format \"\(formatName)\" (expected \(SchemaFormat.allCases.map(\.rawValue).joined(separator: " or ")))",
                             path: path)
        }
        let definition = SchemaDefinition(format: format, content: selectSchema.columnBlob(2),
                                          messageName: selectSchema.columnOptionalText(1))
        return StoredSchema(id: id, definition: definition, canonicalForm: selectSchema.columnText(3))
    }

    public func schemaID(canonicalForm: String) throws -> Int? {
        defer { selectSchemaID.reset() }
        try selectSchemaID.bind(.text(canonicalForm))
        return try selectSchemaID.step() ? Int(selectSchemaID.columnInt64(0)) : nil
    }

    public func compatibilityMode(of subject: String) throws -> CompatibilityMode? {
        defer { selectMode.reset() }
        try selectMode.bind(.text(subject))
        guard try selectMode.step() else { return nil }
        let name = selectMode.columnText(0)
        guard let mode = CompatibilityMode(rawValue: name) else {
            throw StoreError(.corruption, "schema registry in \(path): subject \(subject) has unknown compatibility mode \"\(name)\"",
                             path: path)
        }
        return mode
    }

    // MARK: writes

    public func insertSchema(definition: SchemaDefinition, canonicalForm: String) throws -> Int {
        do throws(StoreError) {
            try insertSchemaStatement.run(.text(definition.format.rawValue), definition.messageName.map { .text($0) } ?? .null,
                                          .blob(definition.content), .text(canonicalForm))
        } catch {
            if error.code == .conflict, let existing = try schemaID(canonicalForm: canonicalForm) {
                throw StoreError(.conflict, "schema registry in \(path): a schema with this canonical form is already stored as id \(existing)",
                                 path: path, sqliteCode: error.sqliteCode)
            }
            throw error
        }
        return Int(database.lastInsertRowID)
    }

    public func insertVersion(_ version: SubjectVersion) throws {
        do throws(StoreError) {
            try insertVersionStatement.run(.text(version.subject), .integer(Int64(version.version)), .integer(Int64(version.schemaID)))
        } catch {
            guard error.code == .conflict else { throw error }
            let what = "cannot add version \(version.version) (schema \(version.schemaID)) to subject \(version.subject)"
            if error.sqliteCode == Self.constraintForeignKey {
                throw StoreError(.notFound, "schema registry in \(path): \(what): there is no schema with id \(version.schemaID)",
                                 path: path, sqliteCode: error.sqliteCode)
            }
            if error.sqliteCode == Self.constraintPrimaryKey {
                throw StoreError(.conflict, "schema registry in \(path): \(what): the subject already has version \(version.version)",
                                 path: path, sqliteCode: error.sqliteCode)
            }
            throw StoreError(.invalidArgument, "schema registry in \(path): \(what): \(error.message)",
                             path: path, sqliteCode: error.sqliteCode)
        }
    }

    public func setCompatibilityMode(_ mode: CompatibilityMode?, of subject: String) throws {
        if let mode {
            try upsertMode.run(.text(subject), .text(mode.rawValue))
        } else {
            try deleteMode.run(.text(subject))
        }
    }

    /// `SQLITE_CONSTRAINT_FOREIGNKEY` (extended result code).
    private static let constraintForeignKey: Int32 = 787
    /// `SQLITE_CONSTRAINT_PRIMARYKEY` (extended result code).
    private static let constraintPrimaryKey: Int32 = 1555
}
