/// A strict RFC 8259 JSON parser.
///
/// Refuses trailing commas, comments, leading zeros, lone surrogate escapes, control characters in
/// strings, invalid UTF-8 (naming the byte offset) and anything after the top-level value other than
/// whitespace. Enforces ``JSONParseOptions/maxDepth`` and ``JSONParseOptions/maxBytes``.
public enum JSONParser {
    /// Parses one JSON text from raw bytes.
    public static func parse(_ bytes: UnsafeRawBufferPointer, options: JSONParseOptions = .init()) throws(JSONParseError) -> JSONValue {
        if bytes.count > options.maxBytes {
            throw JSONParseError(offset: options.maxBytes, message: "input is \(bytes.count) bytes, more than the limit of \(options.maxBytes)")
        }
        var reader = Reader(bytes: bytes, options: options)
        reader.skipWhitespace()
        let value = try reader.parseValue(depth: 1)
        reader.skipWhitespace()
        if reader.index < bytes.count {
            throw reader.error("unexpected \(reader.describeCurrent()) after the top-level value")
        }
        return value
    }

    /// Parses one JSON text from a byte array.
    public static func parse(_ bytes: [UInt8], options: JSONParseOptions = .init()) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBytes { raw in
            do throws(JSONParseError) {
                return .success(try parse(raw, options: options))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses one JSON text from a string (its UTF-8 bytes).
    public static func parse(_ text: String, options: JSONParseOptions = .init()) throws(JSONParseError) -> JSONValue {
        var copy = text
        let result: Result<JSONValue, JSONParseError> = copy.withUTF8 { utf8 in
            do throws(JSONParseError) {
                return .success(try parse(UnsafeRawBufferPointer(utf8), options: options))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

extension JSONParser {
    /// The cursor over the input; one per parse.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        let options: JSONParseOptions
        var index = 0
        /// Reused for decoding strings.
        var scratch: [UInt8] = []

        init(bytes: UnsafeRawBufferPointer, options: JSONParseOptions) {
            self.bytes = bytes
            self.options = options
        }

        func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
            JSONParseError(offset: offset ?? index, message: message)
        }

        func describeCurrent() -> String {
            guard index < bytes.count else { return "end of input" }
            let byte = bytes[index]
            if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
            return "byte 0x\(String(byte, radix: 16, uppercase: true))"
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
            guard index < bytes.count else { throw error("expected a value, found end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth)
            case UInt8(ascii: "["): return try parseArray(depth: depth)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            default: throw error("expected a value, found \(describeCurrent())")
            }
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
            let start = index
            let count = literal.utf8CodeUnitCount
            let matches = literal.withUTF8Buffer { expected -> Bool in
                guard start + count <= bytes.count else { return false }
                for offset in 0..<count where bytes[start + offset] != expected[offset] { return false }
                return true
            }
            guard matches else { throw error("invalid literal; expected '\(literal)'") }
            index += count
        }

        mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth <= options.maxDepth else { throw error("nesting deeper than the limit of \(options.maxDepth)") }
            index += 1
            var members: [JSONObject.Member] = []
            var seen: Set<String> = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(JSONObject(members: members))
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw error("expected a string key, found \(describeCurrent())")
                }
                let keyOffset = index
                let key = try parseString()
                if options.rejectDuplicateKeys {
                    if !seen.insert(key).inserted { throw error("duplicate key \"\(key)\"", at: keyOffset) }
                }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                    throw error("expected ':' after object key, found \(describeCurrent())")
                }
                index += 1
                skipWhitespace()
                let value = try parseValue(depth: depth + 1)
                members.append(JSONObject.Member(key: key, value: value))
                skipWhitespace()
                guard index < bytes.count else { throw error("expected ',' or '}' after object member, found end of input") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(JSONObject(members: members))
                }
                throw error("expected ',' or '}' after object member, found \(describeCurrent())")
            }
        }

        mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth <= options.maxDepth else { throw error("nesting deeper than the limit of \(options.maxDepth)") }
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw error("expected ',' or ']' after array element, found end of input") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                }
                throw error("expected ',' or ']' after array element, found \(describeCurrent())")
            }
        }

        mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit in number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                if index < bytes.count, isDigit(bytes[index]) { throw error("leading zeros are not allowed in numbers") }
            } else {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit after the decimal point") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit in the exponent") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            return JSONNumber(text: String(decoding: slice, as: UTF8.self))
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        mutating func parseString() throws(JSONParseError) -> String {
            index += 1 // opening quote
            let start = index
            // Fast path: no escapes and only ASCII.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    return String(decoding: slice, as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") || byte >= 0x80 || byte < 0x20 { break }
                index += 1
            }
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
            while true {
                guard index < bytes.count else { throw error("unterminated string", at: start - 1) }
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return String(decoding: scratch, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    try parseEscape()
                case 0..<0x20:
                    throw error("control character 0x\(String(byte, radix: 16, uppercase: true)) must be escaped in a string")
                case 0x80...:
                    let length = try validateUTF8Sequence()
                    scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<index + length]))
                    index += length
                default:
                    scratch.append(byte)
                    index += 1
                }
            }
        }

        /// Validates the multi-byte UTF-8 sequence at `index`; returns its length.
        func validateUTF8Sequence() throws(JSONParseError) -> Int {
            let lead = bytes[index]
            let length: Int
            let minimum: UInt32
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(lead & 0x07)
            default: throw error("invalid UTF-8 lead byte 0x\(String(lead, radix: 16, uppercase: true))")
            }
            guard index + length <= bytes.count else { throw error("truncated UTF-8 sequence") }
            for offset in 1..<length {
                let continuation = bytes[index + offset]
                guard continuation & 0xC0 == 0x80 else {
                    throw error("invalid UTF-8 continuation byte 0x\(String(continuation, radix: 16, uppercase: true))", at: index + offset)
                }
                scalar = scalar << 6 | UInt32(continuation & 0x3F)
            }
            if scalar < minimum { throw error("overlong UTF-8 sequence") }
            if scalar > 0x10FFFF { throw error("UTF-8 sequence beyond U+10FFFF") }
            if scalar >= 0xD800 && scalar <= 0xDFFF { throw error("UTF-8 encoded surrogate U+\(String(scalar, radix: 16, uppercase: true))") }
            return length
        }

        mutating func parseEscape() throws(JSONParseError) {
            let escapeStart = index
            index += 1
            guard index < bytes.count else { throw error("unterminated escape sequence", at: escapeStart) }
            let code = bytes[index]
            index += 1
            switch code {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4(escapeStart: escapeStart)
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("high surrogate \\u\(String(scalar, radix: 16, uppercase: true)) not followed by a low surrogate escape", at: escapeStart)
                    }
                    index += 2
                    let low = try parseHex4(escapeStart: escapeStart)
                    guard low >= 0xDC00 && low <= 0xDFFF else {
                        throw error("high surrogate not followed by a low surrogate (found \\u\(String(low, radix: 16, uppercase: true)))", at: escapeStart)
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    throw error("lone low surrogate \\u\(String(scalar, radix: 16, uppercase: true))", at: escapeStart)
                }
                appendUTF8(scalar)
            default:
                throw error("invalid escape sequence '\\\(Character(Unicode.Scalar(code)))'", at: escapeStart)
            }
        }

        mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw error("truncated \\u escape", at: escapeStart) }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw error("invalid hex digit in \\u escape", at: index)
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        mutating func appendUTF8(_ scalar: UInt32) {
            UTF8Encoding.encode(scalar) { scratch.append($0) }
        }
    }
}
