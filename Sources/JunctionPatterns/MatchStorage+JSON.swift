extension MatchStorage {
    /// Reads one JSON value at `node` and checks nothing but whitespace follows.
    mutating func readTop(_ reader: inout JSONReader, node: Int32) throws(PatternEventError) {
        reader.skipWhitespace()
        try readValue(&reader, node: node)
        reader.skipWhitespace()
        if reader.index < reader.end { throw reader.error("unexpected data after the JSON value") }
    }

    /// Reads a value at `node` (-1: not wanted), recording the leaves rules test and skipping the rest.
    mutating func readValue(_ reader: inout JSONReader, node: Int32) throws(PatternEventError) {
        guard reader.index < reader.end else { throw reader.error("expected a value, found end of input") }
        if node < 0 { return try reader.skipValue() }
        // `self.automaton` keeps the table alive while reading; no reference counting needed.
        unowned(unsafe) let table = automaton.pathTable
        switch reader.base[reader.index] {
        case UInt8(ascii: "{"):
            if table.hasChildren[Int(node)] { try readObject(&reader, node: node) } else { try reader.skipContainer() }
        case UInt8(ascii: "["):
            try readArray(&reader, node: node)
        case UInt8(ascii: "\""):
            let (start, stop, escaped) = try reader.scanString()
            if table.pathIDs[Int(node)] < 0 { return }
            if !escaped {
                addLeaf(node: node, type: .string, external: UnsafeRawPointer(reader.base + start), offset: 0, length: stop - start)
                return
            }
            let offset = arena.count
            try JSONEscapes.decode(reader.base, from: start, to: stop) { arena.append($0) }
            addLeaf(node: node, type: .string, external: nil, offset: offset, length: arena.count - offset)
        case UInt8(ascii: "t"):
            try reader.literal("true")
            addLeaf(node: node, type: .true, external: nil, offset: 0, length: 0)
        case UInt8(ascii: "f"):
            try reader.literal("false")
            addLeaf(node: node, type: .false, external: nil, offset: 0, length: 0)
        case UInt8(ascii: "n"):
            try reader.literal("null")
            addLeaf(node: node, type: .null, external: nil, offset: 0, length: 0)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = reader.index
            reader.index += 1
            while reader.index < reader.end, JSONReader.isNumberByte(reader.base[reader.index]) { reader.index += 1 }
            if table.pathIDs[Int(node)] >= 0 {
                let bytes = UnsafeRawBufferPointer(start: reader.base + start, count: reader.index - start)
                if NumberParsing.parse(bytes) == nil {
                    reader.index = start
                    throw reader.error("invalid number")
                }
                addLeaf(node: node, type: .number, external: UnsafeRawPointer(reader.base + start), offset: 0, length: reader.index - start)
            }
        default:
            throw reader.error("expected a value")
        }
    }

    mutating func readObject(_ reader: inout JSONReader, node: Int32) throws(PatternEventError) {
        reader.index += 1
        reader.skipWhitespace()
        if reader.index < reader.end, reader.base[reader.index] == UInt8(ascii: "}") {
            reader.index += 1
            return
        }
        // `self.automaton` keeps the table alive while reading; no reference counting needed.
        unowned(unsafe) let table = automaton.pathTable
        while true {
            reader.skipWhitespace()
            guard reader.index < reader.end, reader.base[reader.index] == UInt8(ascii: "\"") else {
                throw reader.error("expected a string key")
            }
            let (start, stop, escaped) = try reader.scanString()
            let child: Int32
            if escaped {
                keyScratch.removeAll(keepingCapacity: true)
                var decoded = keyScratch
                keyScratch = []
                try JSONEscapes.decode(reader.base, from: start, to: stop) { decoded.append($0) }
                child = decoded.withUnsafeBytes { table.child(of: node, key: $0) }
                keyScratch = decoded
            } else {
                child = table.child(of: node, key: UnsafeRawBufferPointer(start: reader.base + start, count: stop - start))
            }
            reader.skipWhitespace()
            guard reader.index < reader.end, reader.base[reader.index] == UInt8(ascii: ":") else {
                throw reader.error("expected ':' after object key")
            }
            reader.index += 1
            reader.skipWhitespace()
            if child < 0 { try reader.skipValue() } else { try readValue(&reader, node: child) }
            reader.skipWhitespace()
            guard reader.index < reader.end else { throw reader.error("expected ',' or '}' after object member") }
            let c = reader.base[reader.index]
            if c == UInt8(ascii: ",") { reader.index += 1; continue }
            if c == UInt8(ascii: "}") { reader.index += 1; return }
            throw reader.error("expected ',' or '}' after object member")
        }
    }

    mutating func readArray(_ reader: inout JSONReader, node: Int32) throws(PatternEventError) {
        reader.index += 1
        trailStack.append(.init(array: nextArrayID, index: -1))
        nextArrayID += 1
        defer { trailStack.removeLast() }
        reader.skipWhitespace()
        if reader.index < reader.end, reader.base[reader.index] == UInt8(ascii: "]") {
            reader.index += 1
            return
        }
        while true {
            reader.skipWhitespace()
            trailStack[trailStack.count - 1].index += 1
            try readValue(&reader, node: node)
            reader.skipWhitespace()
            guard reader.index < reader.end else { throw reader.error("expected ',' or ']' after array element") }
            let c = reader.base[reader.index]
            if c == UInt8(ascii: ",") { reader.index += 1; continue }
            if c == UInt8(ascii: "]") { reader.index += 1; return }
            throw reader.error("expected ',' or ']' after array element")
        }
    }
}
