/// When the event log calls `fdatasync`.
public enum FsyncPolicy: Sendable, Equatable, CustomStringConvertible {
    /// fsync before an append completes. Concurrent appenders share one write
    /// and one fsync (group commit). An append that completed survives a crash
    /// of the process or the machine.
    case always
    /// Appends complete after `write(2)`; a background fsync runs at most this
    /// many milliseconds after the first unsynced write. A process crash loses
    /// nothing that completed; a machine crash may lose up to that window.
    case interval(milliseconds: Int)
    /// Never fsync during operation (the OS flushes when it likes; sealed
    /// segments and clean close are still synced). A process crash loses nothing
    /// that completed; a machine crash may lose any unflushed tail.
    case never

    /// The default: `interval(milliseconds: 200)`.
    public static let `default` = FsyncPolicy.interval(milliseconds: 200)

    public var description: String {
        switch self {
        case .always: "always"
        case .interval(let ms): "interval(\(ms)ms)"
        case .never: "never"
        }
    }
}

/// How much of the log to keep. Only whole sealed segments are deleted, oldest
/// first; the active segment is never deleted.
public struct RetentionPolicy: Sendable, Equatable {
    /// Delete a sealed segment once its newest record is older than this (nanoseconds).
    public var maxAgeNanos: Int64?
    /// Delete the oldest sealed segments while the log is larger than this.
    public var maxBytes: Int64?

    /// Creates a retention policy; `nil` means no limit.
    public init(maxAgeNanos: Int64? = nil, maxBytes: Int64? = nil) {
        self.maxAgeNanos = maxAgeNanos
        self.maxBytes = maxBytes
    }

    /// Keep everything.
    public static let unlimited = RetentionPolicy()
}

/// Settings of an ``EventLog``.
public struct EventLogConfiguration: Sendable {
    /// Directory holding the segment files (created when missing).
    public var directory: String
    /// A segment is sealed and a new one started once the next record would take
    /// it past this size. Default 64 MiB. A single larger record gets a segment of its own.
    public var segmentBytes: Int = 64 << 20
    /// When to fsync. Default `.interval(milliseconds: 200)`.
    public var fsync: FsyncPolicy = .default
    /// What to delete. Default: keep everything.
    public var retention: RetentionPolicy = .unlimited
    /// How often the writer thread checks age retention while idle (ms). Default 60 s.
    public var retentionCheckMilliseconds: Int = 60_000
    /// The sparse index gets one entry per this many bytes of segment. Default 4 KiB.
    public var indexIntervalBytes: Int = 4096
    /// Largest accepted payload. Default 8 MiB.
    public var maxRecordBytes: Int = 8 << 20
    /// Appenders wait (back-pressure) while this many encoded bytes are queued
    /// for the writer thread. Default 32 MiB.
    public var maxPendingBytes: Int = 32 << 20
    /// Source of record timestamps (Unix nanoseconds). Injected by tests.
    /// The log clamps timestamps so that they never decrease along positions.
    public var clock: @Sendable () -> Int64 = systemUnixNanos
    /// Tests: runs on the writer thread at the start of each fsync made while
    /// the log stays open (interval or requested), before `fdatasync`, to
    /// hold it there; returning true makes that fsync fail.
    var beforeSync: (@Sendable () -> Bool)?
    /// Tests: runs on the writer thread before the fsync that seals a full
    /// segment outside the writing role (policies other than `always`), to
    /// hold it there; returning true makes that fsync fail.
    var beforeSeal: (@Sendable () -> Bool)?
    /// Tests: runs on the writer thread when it starts preparing segment
    /// files (EventLog+Spare.swift), to hold it there; returning true makes
    /// that step make no spare, as if its file could not be created.
    var beforeSegmentPreparation: (@Sendable () -> Bool)?

    /// Creates a configuration with defaults for everything but the directory.
    public init(directory: String) {
        self.directory = directory
    }
}
