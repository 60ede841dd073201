import JunctionStore

/// Per-subject validation options the registry itself does not keep: today
/// whether protobuf details may carry fields the message does not declare
/// (`allow_unknown_fields` of `schema.register`, default true).
///
/// With a database file the options live in its table
/// `schema_gateway_subject_options` (created when missing, beside the
/// registry's `schema_registry_*` tables); without one, in memory. Not
/// thread-safe: ``SchemaRegistryService`` serializes every call.
final class SubjectOptionsStore {
    private var allowUnknown: [String: Bool] = [:]
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
            """)
        let select = try db.prepare("SELECT subject, allow_unknown_fields FROM schema_gateway_subject_options")
        defer { select.reset() }
        while try select.step() {
            allowUnknown[select.columnText(0)] = select.columnInt64(1) != 0
        }
        upsert = try db.prepare("""
            INSERT INTO schema_gateway_subject_options (subject, allow_unknown_fields) VALUES (?, ?)
            ON CONFLICT (subject) DO UPDATE SET allow_unknown_fields = excluded.allow_unknown_fields
            """)
        database = db
    }

    /// Whether `subject`'s protobuf details may carry undeclared fields.
    func allowsUnknownFields(_ subject: String) -> Bool { allowUnknown[subject] ?? true }

    /// Records the subject's setting.
    func setAllowsUnknownFields(_ allow: Bool, for subject: String) throws(StoreError) {
        if let upsert {
            try upsert.run(.text(subject), .integer(allow ? 1 : 0))
        }
        allowUnknown[subject] = allow
    }
}
