internal import CSQLite

/// A value bound to or read from SQLite.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// How hard SQLite works to make commits durable (`PRAGMA synchronous`).
public enum SQLiteSynchronous: String, Sendable {
    /// In WAL mode: a commit survives a process crash; a power loss may roll back the
    /// last transactions but never corrupts the database.
    case normal = "NORMAL"
    /// In WAL mode: every commit is fsynced before it returns and survives power loss.
    case full = "FULL"
}

/// One SQLite connection: a small typed wrapper over the C API.
///
/// Not thread-safe by itself: use it from one thread at a time (``StateStore``
/// serializes access with a lock). Errors carry SQLite's message and the path.
public final class SQLiteDatabase {
    let handle: OpaquePointer
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the database, in WAL mode with the given
    /// `synchronous` level, foreign keys on and a busy timeout.
    public init(path: String, synchronous: SQLiteSynchronous = .normal, busyTimeoutMilliseconds: Int32 = 5000) throws(StoreError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let db { sqlite3_close_v2(db) }
            throw StoreError(.sqlite, "cannot open SQLite database \(path): \(message)", path: path, sqliteCode: rc)
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        do throws(StoreError) {
            let mode = try prepare("PRAGMA journal_mode=WAL")
            guard try mode.step(), mode.columnText(0).lowercased() == "wal" else {
                throw StoreError(.sqlite, "cannot switch \(path) to WAL journal mode", path: path)
            }
            try execute("PRAGMA synchronous=\(synchronous.rawValue); PRAGMA foreign_keys=ON;")
        } catch {
            sqlite3_close_v2(db)
            throw error
        }
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more SQL statements that return no rows of interest.
    public func execute(_ sql: String) throws(StoreError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(errorMessage)
            throw error(rc, "executing \"\(Self.abbreviate(sql))\"", message: message)
        }
    }

    /// Compiles one statement.
    public func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw error(rc, "preparing \"\(Self.abbreviate(sql))\"")
        }
        return SQLiteStatement(statement, database: self, sql: sql)
    }

    /// Runs `body` in a transaction (`BEGIN IMMEDIATE`), committing when it
    /// returns and rolling back when it throws.
    public func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Rowid of the last INSERT.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    func error(_ rc: Int32, _ doing: String, message: String? = nil) -> StoreError {
        let text = message ?? String(cString: sqlite3_errmsg(handle))
        let code: StoreError.Code = (rc & 0xFF) == SQLITE_CONSTRAINT ? .conflict : .sqlite
        return StoreError(code, "SQLite \(path): \(doing): \(text) (code \(rc))", path: path, sqliteCode: rc)
    }

    static func abbreviate(_ sql: String) -> String {
        let flat = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return flat.count > 120 ? String(flat.prefix(117)) + "..." : flat
    }
}

/// A prepared statement: bind parameters (1-based), step, read columns (0-based).
public final class SQLiteStatement {
    let handle: OpaquePointer
    let database: SQLiteDatabase
    let sql: String

    init(_ handle: OpaquePointer, database: SQLiteDatabase, sql: String) {
        self.handle = handle
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds `value` to parameter `index` (1-based).
    public func bind(_ value: SQLiteValue, at index: Int32) throws(StoreError) {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
        case .real(let v): rc = sqlite3_bind_double(handle, index, v)
        case .text(let v): rc = sqlite3_bind_text(handle, index, v, -1, Self.transient)
        case .blob(let v):
            rc = v.withUnsafeBytes { raw in
                sqlite3_bind_blob(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), Self.transient)
            }
        }
        if rc != SQLITE_OK { throw database.error(rc, "binding parameter \(index) of \"\(SQLiteDatabase.abbreviate(sql))\"") }
    }

    /// Resets the statement and binds `values` to parameters 1, 2, ...
    public func bind(_ values: SQLiteValue...) throws(StoreError) {
        reset()
        for (i, value) in values.enumerated() { try bind(value, at: Int32(i + 1)) }
    }

    /// Advances to the next row: true when a row is available, false when done.
    @discardableResult
    public func step() throws(StoreError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error(rc, "running \"\(SQLiteDatabase.abbreviate(sql))\"")
        }
    }

    /// Runs the statement to completion (for INSERT/UPDATE/DELETE) and resets it.
    public func run(_ values: SQLiteValue...) throws(StoreError) {
        reset()
        for (i, value) in values.enumerated() { try bind(value, at: Int32(i + 1)) }
        defer { reset() }
        while try step() {}
    }

    /// Rewinds the statement and clears its bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public func columnIsNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }
    public func columnInt64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }
    public func columnDouble(_ index: Int32) -> Double { sqlite3_column_double(handle, index) }

    public func columnText(_ index: Int32) -> String {
        guard let text = sqlite3_column_text(handle, index) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeRawBufferPointer(start: text, count: count), as: UTF8.self)
    }

    public func columnOptionalText(_ index: Int32) -> String? { columnIsNull(index) ? nil : columnText(index) }

    public func columnBlob(_ index: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, index))
        guard count > 0, let blob = sqlite3_column_blob(handle, index) else { return [] }
        return Array(UnsafeRawBufferPointer(start: blob, count: count))
    }

    /// The column as a ``SQLiteValue``.
    public func column(_ index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: .integer(columnInt64(index))
        case SQLITE_FLOAT: .real(columnDouble(index))
        case SQLITE_TEXT: .text(columnText(index))
        case SQLITE_BLOB: .blob(columnBlob(index))
        default: .null
        }
    }
}
