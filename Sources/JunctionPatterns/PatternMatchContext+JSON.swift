extension PatternMatchContext {
    /// Feeds a whole JSON event: the members of its top-level object become top-level fields.
    /// Subtrees no rule mentions are skipped without decoding (and without full validation).
    public func addJSONEvent(_ json: UnsafeRawBufferPointer) throws(PatternEventError) {
        var reader = JSONFlattener(context: self, bytes: json)
        try reader.readTop(node: frames[frames.count - 1].node)
    }

    /// Feeds a JSON value as member `key` of the current object, for example the `detail` payload of an
    /// event whose envelope fields are fed one by one: a rule on `detail.amount` then sees the payload's
    /// `amount` member.
    public func addJSON(key: UnsafeRawBufferPointer, _ json: UnsafeRawBufferPointer) throws(PatternEventError) {
        let node = childNode(key)
        if node < 0 { return }
        var reader = JSONFlattener(context: self, bytes: json)
        try reader.readTop(node: node)
    }

    /// Feeds a JSON value as member `key` (convenience for a static key such as `"detail"`).
    public func addJSON(key: StaticString, _ json: UnsafeRawBufferPointer) throws(PatternEventError) {
        let keyBytes = UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        try addJSON(key: keyBytes, json)
    }
}

/// Reads JSON bytes into a context's fields, descending only where the rules' paths lead.
struct JSONFlattener {
    let context: PatternMatchContext
    let base: UnsafePointer<UInt8>
    let end: Int
    var index = 0
    let pathIDs: UnsafeBufferPointer<Int32>
    let hasChildren: UnsafeBufferPointer<Bool>
    let table: PathTable

    init(context: PatternMatchContext, bytes: UnsafeRawBufferPointer) {
        self.context = context
        self.base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        self.end = bytes.count
        self.table = context.automaton.pathTable
        // The automaton (and so these arrays) outlives the reader: the context holds it.
        self.pathIDs = table.pathIDs.withUnsafeBufferPointer { $0 }
        self.hasChildren = table.hasChildren.withUnsafeBufferPointer { $0 }
    }

    func error(_ message: String) -> PatternEventError {
        PatternEventError(offset: index, message: message)
    }

    mutating func readTop(node: Int32) throws(PatternEventError) {
        skipWhitespace()
        try value(node: node)
        skipWhitespace()
        if index < end { throw error("unexpected data after the JSON value") }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < end {
            let byte = base[index]
            if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 } else { return }
        }
    }

    mutating func value(node: Int32) throws(PatternEventError) {
        guard index < end else { throw error("expected a value, found end of input") }
        let byte = base[index]
        switch byte {
        case UInt8(ascii: "{"):
            if node < 0 || !hasChildren[Int(node)] { try skipContainer() } else { try object(node: node) }
        case UInt8(ascii: "["):
            if node < 0 { try skipContainer() } else { try array(node: node) }
        case UInt8(ascii: "\""):
            if node >= 0, pathIDs[Int(node)] >= 0 { try string(node: node) } else { try skipString() }
        case UInt8(ascii: "t"):
            try literal("true")
            if node >= 0 { context.addLeaf(node: node, type: .true, external: nil, offset: 0, length: 0) }
        case UInt8(ascii: "f"):
            try literal("false")
            if node >= 0 { context.addLeaf(node: node, type: .false, external: nil, offset: 0, length: 0) }
        case UInt8(ascii: "n"):
            try literal("null")
            if node >= 0 { context.addLeaf(node: node, type: .null, external: nil, offset: 0, length: 0) }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            while index < end {
                let c = base[index]
                if (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                    index += 1
                } else {
                    break
                }
            }
            if node >= 0, pathIDs[Int(node)] >= 0 {
                let bytes = UnsafeRawBufferPointer(start: base + start, count: index - start)
                if NumberParsing.parse(bytes) == nil {
                    index = start
                    throw error("invalid number")
                }
                context.addLeaf(node: node, type: .number, external: UnsafeRawPointer(base + start), offset: 0, length: index - start)
            }
        default:
            throw error("expected a value")
        }
    }

    mutating func literal(_ text: StaticString) throws(PatternEventError) {
        let count = text.utf8CodeUnitCount
        guard index + count <= end, memcmpBytes(text.utf8Start, UnsafeRawPointer(base + index), count) else {
            throw error("invalid literal")
        }
        index += count
    }

    mutating func object(node: Int32) throws(PatternEventError) {
        index += 1
        skipWhitespace()
        if index < end, base[index] == UInt8(ascii: "}") { index += 1; return }
        while true {
            skipWhitespace()
            guard index < end, base[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            index += 1
            let keyStart = index
            var escaped = false
            while true {
                guard index < end else { throw error("unterminated key") }
                let c = base[index]
                if c == UInt8(ascii: "\"") { break }
                if c == UInt8(ascii: "\\") { escaped = true; index += 2 } else { index += 1 }
            }
            let keyEnd = index
            index += 1
            var child: Int32
            if escaped {
                context.keyScratch.removeAll(keepingCapacity: true)
                try decodeEscapes(from: keyStart, to: keyEnd) { context.keyScratch.append($0) }
                child = context.keyScratch.withUnsafeBytes { table.child(of: node, key: $0) }
            } else {
                child = table.child(of: node, key: UnsafeRawBufferPointer(start: base + keyStart, count: keyEnd - keyStart))
            }
            skipWhitespace()
            guard index < end, base[index] == UInt8(ascii: ":") else { throw error("expected ':' after object key") }
            index += 1
            skipWhitespace()
            if child < 0 { try skipValue() } else { try value(node: child) }
            skipWhitespace()
            guard index < end else { throw error("expected ',' or '}' after object member") }
            let c = base[index]
            index += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "}") { return }
            index -= 1
            throw error("expected ',' or '}' after object member")
        }
    }

    mutating func array(node: Int32) throws(PatternEventError) {
        index += 1
        context.trailStack.append(.init(array: context.nextArrayID, index: -1))
        context.nextArrayID += 1
        defer { context.trailStack.removeLast() }
        skipWhitespace()
        if index < end, base[index] == UInt8(ascii: "]") { index += 1; return }
        while true {
            skipWhitespace()
            context.trailStack[context.trailStack.count - 1].index += 1
            try value(node: node)
            skipWhitespace()
            guard index < end else { throw error("expected ',' or ']' after array element") }
            let c = base[index]
            index += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "]") { return }
            index -= 1
            throw error("expected ',' or ']' after array element")
        }
    }

    /// Reads a string value at a wanted path.
    mutating func string(node: Int32) throws(PatternEventError) {
        index += 1
        let start = index
        var escaped = false
        while true {
            guard index < end else { throw error("unterminated string") }
            let c = base[index]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") { escaped = true; index += 2 } else { index += 1 }
        }
        let stop = index
        index += 1
        if !escaped {
            context.addLeaf(node: node, type: .string, external: UnsafeRawPointer(base + start), offset: 0, length: stop - start)
            return
        }
        context.reserveArena(stop - start)
        let offset = context.arenaCount
        let arena = context.arena
        var length = 0
        try decodeEscapes(from: start, to: stop) { byte in
            arena.storeBytes(of: byte, toByteOffset: offset + length, as: UInt8.self)
            length += 1
        }
        context.arenaCount += length
        context.addLeaf(node: node, type: .string, external: nil, offset: offset, length: length)
    }

    /// Decodes the JSON string content in `start..<stop` (escapes included), byte by byte. The decoded
    /// form is never longer than the source.
    func decodeEscapes(from start: Int, to stop: Int, _ emit: (UInt8) -> Void) throws(PatternEventError) {
        var position = start
        func emitScalar(_ scalar: UInt32) {
            switch scalar {
            case 0..<0x80: emit(UInt8(scalar))
            case 0x80..<0x800:
                emit(UInt8(0xC0 | scalar >> 6)); emit(UInt8(0x80 | scalar & 0x3F))
            case 0x800..<0x10000:
                emit(UInt8(0xE0 | scalar >> 12)); emit(UInt8(0x80 | scalar >> 6 & 0x3F)); emit(UInt8(0x80 | scalar & 0x3F))
            default:
                emit(UInt8(0xF0 | scalar >> 18)); emit(UInt8(0x80 | scalar >> 12 & 0x3F))
                emit(UInt8(0x80 | scalar >> 6 & 0x3F)); emit(UInt8(0x80 | scalar & 0x3F))
            }
        }
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= stop else { return nil }
            var value: UInt32 = 0
            for offset in 0..<4 {
                guard let digit = IPNetwork.hexDigit(base[at + offset]) else { return nil }
                value = value << 4 | digit
            }
            return value
        }
        while position < stop {
            let c = base[position]
            if c != UInt8(ascii: "\\") {
                emit(c)
                position += 1
                continue
            }
            guard position + 1 < stop else { throw PatternEventError(offset: position, message: "unterminated escape") }
            let code = base[position + 1]
            position += 2
            switch code {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): emit(code)
            case UInt8(ascii: "b"): emit(0x08)
            case UInt8(ascii: "f"): emit(0x0C)
            case UInt8(ascii: "n"): emit(0x0A)
            case UInt8(ascii: "r"): emit(0x0D)
            case UInt8(ascii: "t"): emit(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(position) else { throw PatternEventError(offset: position - 2, message: "invalid \\u escape") }
                position += 4
                if scalar >= 0xD800, scalar <= 0xDBFF, position + 6 <= stop, base[position] == UInt8(ascii: "\\"),
                   base[position + 1] == UInt8(ascii: "u"), let low = hex4(position + 2), low >= 0xDC00, low <= 0xDFFF {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    position += 6
                } else if scalar >= 0xD800, scalar <= 0xDFFF {
                    scalar = 0xFFFD
                }
                emitScalar(scalar)
            default:
                throw PatternEventError(offset: position - 2, message: "invalid escape sequence")
            }
        }
    }

    mutating func skipString() throws(PatternEventError) {
        index += 1
        while index < end {
            let c = base[index]
            if c == UInt8(ascii: "\"") { index += 1; return }
            index += c == UInt8(ascii: "\\") ? 2 : 1
        }
        throw error("unterminated string")
    }

    /// Skips any value without decoding it.
    mutating func skipValue() throws(PatternEventError) {
        guard index < end else { throw error("expected a value, found end of input") }
        switch base[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["): try skipContainer()
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            index += 1
            while index < end {
                let c = base[index]
                if (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                    index += 1
                } else {
                    return
                }
            }
        default:
            throw error("expected a value")
        }
    }

    /// Skips an object or array by counting brackets outside strings.
    mutating func skipContainer() throws(PatternEventError) {
        let start = index
        var depth = 0
        var position = index
        let limit = end
        let bytes = base
        while position < limit {
            let c = bytes[position]
            let folded = c | 0x20
            if folded == 0x7B { // '[' or '{'
                depth += 1
            } else if folded == 0x7D { // ']' or '}'
                depth -= 1
                if depth == 0 {
                    index = position + 1
                    return
                }
            } else if c == 0x22 {
                position += 1
                while position < limit {
                    let s = bytes[position]
                    if s == 0x22 { break }
                    position += s == 0x5C ? 2 : 1
                }
            }
            position += 1
        }
        index = start
        throw error("unterminated object or array")
    }
}
