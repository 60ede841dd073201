import JunctionStore

/// Validation options the registry itself does not keep: whether a protobuf
/// schema version accepts details that carry fields its message does not
/// declare (`allow_unknown_fields` of `schema.register`, default true).
///
/// The setting belongs to a version, like the schema: it is fixed when the
/// version is registered, so clients that cache a version never see it
/// change. A registration without the field inherits the subject's latest
/// setting.
///
/// With a database file the options live in its table
/// `schema_gateway_version_options` (created when missing, beside the
/// registry's `schema_registry_*` tables); a per-subject value written by an
/// earlier gateway (table `schema_gateway_subject_options`) still applies to
/// the versions registered before it. Without a file, in memory. Not
/// thread-safe: ``SchemaRegistryService`` serializes every call.
final class SubjectOptionsStore {
    private struct Key: Hashable {
        var subject: String
        var version: Int
    }

    private var perVersion: [Key: Bool] = [:]
    private var legacyPerSubject: [String: Bool] = [:]
    private let database: SQLiteDatabase?
    private let upsert: SQLiteStatement?

    /// Options in memory only.
    init() {
        database = nil
        upsert = nil
    }

    /// Options in the database file at `path` (loaded now, written through).
    init(path: String) throws(StoreError) {
        let db = try SQLiteDatabase(path: path)
        try db.execute("""
            CREATE TABLE IF NOT EXISTS schema_gateway_subject_options (
                subject TEXT PRIMARY KEY,
                allow_unknown_fields INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS schema_gateway_version_options (
                subject TEXT NOT NULL,
                version INTEGER NOT NULL,
                allow_unknown_fields INTEGER NOT NULL,
                PRIMARY KEY (subject, version)
            ) WITHOUT ROWID;
            """)
        let legacy = try db.prepare("SELECT subject, allow_unknown_fields FROM schema_gateway_subject_options")
        while try legacy.step() {
            legacyPerSubject[legacy.columnText(0)] = legacy.columnInt64(1) != 0
        }
        legacy.reset()
        let select = try db.prepare("SELECT subject, version, allow_unknown_fields FROM schema_gateway_version_options")
        while try select.step() {
            perVersion[Key(subject: select.columnText(0), version: Int(select.columnInt64(1)))] = select.columnInt64(2) != 0
        }
        select.reset()
        upsert = try db.prepare("""
            INSERT INTO schema_gateway_version_options (subject, version, allow_unknown_fields) VALUES (?, ?, ?)
            ON CONFLICT (subject, version) DO UPDATE SET allow_unknown_fields = excluded.allow_unknown_fields
            """)
        database = db
    }

    /// Whether version `version` of `subject` accepts undeclared protobuf fields.
    func allowsUnknownFields(_ subject: String, version: Int) -> Bool {
        perVersion[Key(subject: subject, version: version)] ?? legacyPerSubject[subject] ?? true
    }

    /// Records the setting of a newly registered version.
    func setAllowsUnknownFields(_ allow: Bool, for subject: String, version: Int) throws(StoreError) {
        if let upsert {
            try upsert.run(.text(subject), .integer(Int64(version)), .integer(allow ? 1 : 0))
        }
        perVersion[Key(subject: subject, version: version)] = allow
    }
}
