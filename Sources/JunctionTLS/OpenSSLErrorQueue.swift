internal import COpenSSL

/// Reads and clears the calling thread's OpenSSL error queue.
///
/// OpenSSL keeps one error queue per thread. Every call into libssl that can fail is
/// preceded by `ERR_clear_error()` (see ``TLSConnection``) so the queue read here
/// belongs to the call that just failed and not to an earlier connection on the
/// same event loop thread.
enum OpenSSLErrorQueue {
    /// One entry of the error queue.
    struct Entry {
        var library: Int32
        var reason: Int32
        /// The reason alone, e.g. "wrong version number".
        var reasonText: String
        /// "library: reason (detail)".
        var text: String
    }

    /// Removes every entry from the queue and returns them, oldest first.
    static func drain() -> [Entry] {
        var entries: [Entry] = []
        while true {
            var data: UnsafePointer<CChar>? = nil
            var flags: Int32 = 0
            let code = ERR_get_error_all(nil, nil, nil, &data, &flags)
            if code == 0 { break }
            let library = ERR_GET_LIB(code)
            let reason = ERR_GET_REASON(code)
            let libraryText = ERR_lib_error_string(code).map { String(cString: $0) } ?? "library \(library)"
            let reasonText = ERR_reason_error_string(code).map { String(cString: $0) } ?? "reason \(reason)"
            var text = "\(libraryText): \(reasonText)"
            if flags & ERR_TXT_STRING != 0, let data, data.pointee != 0 {
                text += " (\(String(cString: data)))"
            }
            entries.append(Entry(library: library, reason: reason, reasonText: reasonText, text: text))
        }
        return entries
    }

    /// Drains the queue and returns only the texts.
    static func drainTexts() -> [String] {
        drain().map(\.text)
    }

    /// Discards whatever is on the queue.
    static func clear() {
        ERR_clear_error()
    }
}
