#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error raised by the event log or the state store.
///
/// `code` says what kind of problem it is (extensible: compare with the static
/// members), `message` says what went wrong in words a person can act on and
/// names the file involved, `path` is that file when there is one, and
/// `systemErrno` / `sqliteCode` carry the underlying error number.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of a ``StoreError``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case io, corruption, invalidArgument, recordTooLarge, closed, failed
            case sqlite, notFound, conflict
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// A system call on a file or directory failed (see `systemErrno`).
        public static let io = Code(.io)
        /// Stored bytes do not pass validation (bad magic, checksum or position).
        public static let corruption = Code(.corruption)
        /// The caller passed a value the store cannot accept.
        public static let invalidArgument = Code(.invalidArgument)
        /// A payload is larger than the configured maximum record size.
        public static let recordTooLarge = Code(.recordTooLarge)
        /// The log or database was closed.
        public static let closed = Code(.closed)
        /// An earlier write failed; the log refuses further appends until reopened.
        public static let failed = Code(.failed)
        /// SQLite reported an error (see `sqliteCode`).
        public static let sqlite = Code(.sqlite)
        /// A requested row does not exist.
        public static let notFound = Code(.notFound)
        /// A row with the same key already exists.
        public static let conflict = Code(.conflict)

        public var description: String {
            switch wrapped {
            case .io: "io"
            case .corruption: "corruption"
            case .invalidArgument: "invalidArgument"
            case .recordTooLarge: "recordTooLarge"
            case .closed: "closed"
            case .failed: "failed"
            case .sqlite: "sqlite"
            case .notFound: "notFound"
            case .conflict: "conflict"
            }
        }
    }

    /// What kind of error this is.
    public var code: Code
    /// A human-readable explanation naming the problem.
    public var message: String
    /// The file or directory involved, if any.
    public var path: String?
    /// The `errno` of the failed system call, if any.
    public var systemErrno: Int32?
    /// The extended SQLite result code, if any.
    public var sqliteCode: Int32?

    /// Creates an error.
    public init(_ code: Code, _ message: String, path: String? = nil,
                systemErrno: Int32? = nil, sqliteCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.systemErrno = systemErrno
        self.sqliteCode = sqliteCode
    }

    public var description: String {
        var text = "StoreError(\(code)): \(message)"
        if let path, !message.contains(path) { text += " [path: \(path)]" }
        return text
    }

    /// An `.io` error for a failed system call, with `strerror` text.
    static func system(_ operation: String, path: String, errno code: Int32 = errno) -> StoreError {
        let reason = String(cString: strerror(code))
        return StoreError(.io, "\(operation) \(path): \(reason) (errno \(code))",
                          path: path, systemErrno: code)
    }
}
