#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a durable subscription retries an event that was not acknowledged.
///
/// Attempt `n` (1-based) that fails is retried after a delay drawn uniformly
/// from `0...min(maxBackoff, initialBackoff * multiplier^(n-1))` ("full
/// jitter"). The event is dead-lettered once `maxAttempts` deliveries failed,
/// or when a retry would start more than `maxEventAgeNanos` after the event's
/// first delivery attempt (counting from the first attempt rather than the
/// append time means a replayed or backlogged event is not dead-lettered on
/// its first failure).
public struct RetryPolicy: Sendable, Equatable {
    /// Deliveries before the event is dead-lettered (at least 1). Default 185 (as EventBridge).
    public var maxAttempts: Int
    /// Longest time from the first attempt to the start of a retry; nil means no limit.
    /// Default 24 hours.
    public var maxEventAgeNanos: Int64?
    /// Backoff cap before the first retry. Default 1 s.
    public var initialBackoffNanos: Int64
    /// Largest backoff cap. Default 5 minutes.
    public var maxBackoffNanos: Int64
    /// Growth of the cap per attempt. Default 2.
    public var backoffMultiplier: Double

    /// Creates a retry policy.
    public init(maxAttempts: Int = 185, maxEventAgeNanos: Int64? = 86_400 * 1_000_000_000,
                initialBackoffNanos: Int64 = 1_000_000_000, maxBackoffNanos: Int64 = 300 * 1_000_000_000,
                backoffMultiplier: Double = 2) {
        self.maxAttempts = maxAttempts
        self.maxEventAgeNanos = maxEventAgeNanos
        self.initialBackoffNanos = initialBackoffNanos
        self.maxBackoffNanos = maxBackoffNanos
        self.backoffMultiplier = backoffMultiplier
    }

    /// The upper bound of the jittered delay after failed attempt `attempt` (1-based).
    public func backoffCap(afterAttempt attempt: Int) -> Int64 {
        let exponent = Double(max(attempt - 1, 0))
        let cap = Double(initialBackoffNanos) * pow(backoffMultiplier, exponent)
        if !cap.isFinite || cap >= Double(maxBackoffNanos) { return maxBackoffNanos }
        return max(Int64(cap), 0)
    }

    /// Checks the values, naming the first bad one.
    public func validate() throws(StoreError) {
        if maxAttempts < 1 { throw StoreError(.invalidArgument, "retry policy maxAttempts must be at least 1, got \(maxAttempts)") }
        if let age = maxEventAgeNanos, age <= 0 { throw StoreError(.invalidArgument, "retry policy maxEventAge must be positive, got \(age) ns") }
        if initialBackoffNanos < 0 || maxBackoffNanos < initialBackoffNanos {
            throw StoreError(.invalidArgument, "retry policy backoff must satisfy 0 <= initial (\(initialBackoffNanos) ns) <= max (\(maxBackoffNanos) ns)")
        }
        if !(backoffMultiplier >= 1) { throw StoreError(.invalidArgument, "retry policy backoffMultiplier must be >= 1, got \(backoffMultiplier)") }
    }
}
