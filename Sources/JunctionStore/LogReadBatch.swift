/// One record returned by ``EventLog/read(from:maxRecords:maxBytes:)``.
public struct LogRecord: Sendable, Equatable {
    /// Position in the log (dense, the first record ever appended is 1).
    public let position: UInt64
    /// Append time, Unix nanoseconds (non-decreasing along positions).
    public let timestamp: Int64
    /// Flags given to the append.
    public let flags: UInt8
    /// Offset of the payload inside the batch's storage.
    let payloadOffset: Int
    /// Payload size in bytes.
    public let payloadCount: Int
}

/// Records read from the log in one call.
///
/// The records' payloads live in one contiguous buffer filled by `pread`
/// (one allocation per batch, reused when the same batch value is passed back
/// to ``EventLog/read(from:maxRecords:maxBytes:into:)``). Use
/// ``withPayload(_:_:)`` for zero-copy access or ``payload(_:)`` for a copy.
public struct LogReadBatch: Sendable, RandomAccessCollection {
    var storage: [UInt8]
    var records: [LogRecord]

    /// An empty batch (pass it to `read(...into:)` to reuse its buffers).
    public init() {
        storage = []
        records = []
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { records.count }
    public subscript(index: Int) -> LogRecord { records[index] }

    /// Sum of the payload sizes.
    public var payloadBytes: Int { records.reduce(0) { $0 + $1.payloadCount } }

    /// Calls `body` with the payload bytes of `record` (valid only during the call).
    public func withPayload<R>(_ record: LogRecord, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[record.payloadOffset..<(record.payloadOffset + record.payloadCount)]))
        }
    }

    /// A copy of the payload of `record`.
    public func payload(_ record: LogRecord) -> [UInt8] {
        Array(storage[record.payloadOffset..<(record.payloadOffset + record.payloadCount)])
    }
}
