import Foundation

/// A result handed from the service thread to a waiting admin thread.
final class ResultBox<T: Sendable>: @unchecked Sendable { // `result` under `condition`
    private let condition = NSCondition()
    private var result: Result<T, AdminFailure>?

    func set(_ value: Result<T, AdminFailure>) {
        condition.lock()
        result = value
        condition.signal()
        condition.unlock()
    }

    func wait() -> Result<T, AdminFailure> {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return result!
    }
}
