/// A compiled `wildcard` (or quamina `shellstyle`) value: literal pieces separated by `*`, where `*`
/// matches any run of characters, possibly empty.
///
/// In `wildcard` values `\*` is a literal star and `\\` a literal backslash; any other backslash, and
/// two consecutive unescaped stars, are errors (as in EventBridge). `shellstyle` has no escapes.
struct WildcardPattern: Hashable, Sendable {
    /// The literal pieces; there is one more piece than there are stars (pieces may be empty).
    let pieces: [[UInt8]]
    /// The source text, for canonical descriptions.
    let source: String

    enum Syntax { case wildcard, shellstyle }

    /// Parses a pattern value; the error message says what is wrong.
    init(_ text: String, syntax: Syntax, maxStars: Int) throws(PatternError) {
        var pieces: [[UInt8]] = [[]]
        var bytes = Array(text.utf8)[...]
        var previousWasStar = false
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "*") {
                if previousWasStar {
                    throw PatternError(path: "", message: "\(syntax == .wildcard ? "wildcard" : "shellstyle") value \"\(text)\" has consecutive '*' characters")
                }
                pieces.append([])
                previousWasStar = true
                continue
            }
            previousWasStar = false
            if byte == UInt8(ascii: "\\"), syntax == .wildcard {
                guard let escaped = bytes.popFirst(), escaped == UInt8(ascii: "*") || escaped == UInt8(ascii: "\\") else {
                    throw PatternError(path: "", message: "wildcard value \"\(text)\" has a backslash that does not escape '*' or '\\'")
                }
                pieces[pieces.count - 1].append(escaped)
                continue
            }
            pieces[pieces.count - 1].append(byte)
        }
        if pieces.count - 1 > maxStars {
            throw PatternError(path: "", message: "wildcard value \"\(text)\" has \(pieces.count - 1) '*' characters, more than the limit of \(maxStars)")
        }
        self.pieces = pieces
        self.source = text
    }

    /// Whether `value` matches the whole pattern.
    func matches(_ value: UnsafeRawBufferPointer) -> Bool {
        let first = pieces[0]
        if pieces.count == 1 { return WildcardPattern.equal(value, 0, first) && value.count == first.count }
        let last = pieces[pieces.count - 1]
        guard value.count >= first.count + last.count else { return false }
        guard WildcardPattern.equal(value, 0, first), WildcardPattern.equal(value, value.count - last.count, last) else { return false }
        var position = first.count
        let end = value.count - last.count
        // Middle pieces: the leftmost occurrence of each is always the best choice.
        for index in 1..<(pieces.count - 1) {
            let piece = pieces[index]
            if piece.isEmpty { continue }
            guard let found = WildcardPattern.find(piece, in: value, from: position, to: end) else { return false }
            position = found + piece.count
        }
        return true
    }

    @inline(__always)
    static func equal(_ value: UnsafeRawBufferPointer, _ offset: Int, _ piece: [UInt8]) -> Bool {
        if offset + piece.count > value.count { return false }
        for index in 0..<piece.count where value[offset + index] != piece[index] { return false }
        return true
    }

    static func find(_ piece: [UInt8], in value: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int? {
        if end - start < piece.count { return nil }
        var offset = start
        while offset + piece.count <= end {
            if value[offset] == piece[0], equal(value, offset, piece) { return offset }
            offset += 1
        }
        return nil
    }
}
