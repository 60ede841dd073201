import JunctionJSON
import Testing

@Suite("JSONParser")
struct JSONParserTests {
    @Test func parsesScalars() throws {
        #expect(try JSONParser.parse("null") == .null)
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse(" false ") == .bool(false))
        #expect(try JSONParser.parse("\"hi\"") == .string("hi"))
        #expect(try JSONParser.parse("-12.5e3").numberValue?.double == -12500)
    }

    @Test func keepsNumberSpelling() throws {
        let number = try #require(try JSONParser.parse("3.5e1").numberValue)
        #expect(number.text == "3.5e1")
        #expect(number.double == 35)
        #expect(number.isInteger)
        #expect(number.int64 == 35)
        let big = try #require(try JSONParser.parse("9223372036854775807").numberValue)
        #expect(big.int64 == Int64.max)
        let tooBig = try #require(try JSONParser.parse("9223372036854775808").numberValue)
        #expect(tooBig.int64 == nil)
        #expect(tooBig.isInteger)
        let fraction = try #require(try JSONParser.parse("1.25").numberValue)
        #expect(!fraction.isInteger)
        #expect(fraction.int64 == nil)
        #expect(try JSONParser.parse("1e400").numberValue?.double == .infinity)
        #expect(try JSONParser.parse("-1e400").numberValue?.double == -.infinity)
        #expect(try JSONParser.parse("0.1").numberValue?.double == 0.1)
    }

    @Test func parsesNestedStructures() throws {
        let value = try JSONParser.parse(#"{"a": [1, {"b": null}], "c": "d", "a": 2}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["a", "c", "a"])
        #expect(object["a"] == .number(JSONNumber(text: "2")))
        #expect(value["c"]?.stringValue == "d")
        #expect(object.members[0].value.arrayValue?.count == 2)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/d\u{8}\u{c}\n\r\té😀"))
        #expect(try JSONParser.parse("\"é😀\"") == .string("é😀"))
    }

    @Test(arguments: [
        ("[1,]", 3, "expected a value"),
        ("{\"a\":1,}", 7, "expected a string key"),
        ("{\"a\" 1}", 5, "expected ':'"),
        ("{\"a\":1 \"b\":2}", 7, "expected ',' or '}' after object member"),
        ("[1 2]", 3, "expected ',' or ']'"),
        ("01", 1, "leading zeros"),
        ("1.", 2, "after the decimal point"),
        ("1e", 2, "exponent"),
        ("-", 1, "expected a digit"),
        ("tru", 0, "invalid literal"),
        ("// c\n1", 0, "expected a value"),
        ("\"\\x\"", 1, "invalid escape"),
        ("\"\\ud800\"", 1, "not followed by a low surrogate"),
        ("\"\\udc00\"", 1, "lone low surrogate"),
        ("\"a\u{1}\"", 2, "control character"),
        ("\"abc", 0, "unterminated string"),
        ("1 2", 2, "after the top-level value"),
        ("", 0, "end of input"),
    ])
    func rejectsInvalidText(text: String, offset: Int, message: String) {
        do {
            _ = try JSONParser.parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.offset == offset, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test func rejectsInvalidUTF8WithOffset() {
        let cases: [[UInt8]] = [
            [0x22, 0x61, 0xFF, 0x22],             // invalid lead byte
            [0x22, 0x61, 0xC3, 0x28, 0x22],       // bad continuation
            [0x22, 0x61, 0xC0, 0xAF, 0x22],       // overlong
            [0x22, 0x61, 0xED, 0xA0, 0x80, 0x22], // encoded surrogate
            [0x22, 0x61, 0xE2, 0x82],             // truncated
        ]
        for bytes in cases {
            do {
                _ = try JSONParser.parse(bytes)
                Issue.record("accepted \(bytes)")
            } catch {
                #expect(error.offset >= 2 && error.offset <= 3, "\(error)")
            }
        }
    }

    @Test func enforcesDepthAndSize() {
        var options = JSONParseOptions()
        options.maxDepth = 3
        #expect(throws: JSONParseError.self) { try JSONParser.parse("[[[[1]]]]", options: options) }
        #expect((try? JSONParser.parse("[[[1]]]", options: options)) != nil)
        options.maxBytes = 4
        do {
            _ = try JSONParser.parse("[1,2,3]", options: options)
            Issue.record("accepted oversized input")
        } catch {
            #expect(error.message.contains("limit of 4"))
        }
    }

    @Test func rejectsDuplicateKeysWhenAsked() {
        var options = JSONParseOptions()
        options.rejectDuplicateKeys = true
        do {
            _ = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#, options: options)
            Issue.record("accepted duplicate key")
        } catch {
            #expect(error.offset == 13)
            #expect(error.description == "offset 13: duplicate key \"a\"")
        }
    }
}

@Suite("JSONValue serialization")
struct JSONSerializationTests {
    @Test func roundTrips() throws {
        let text = #"{"b":[1,2.50,true,null],"a":"x\"y\n\u0001"}"#
        let value = try JSONParser.parse(text)
        #expect(value.serialized() == #"{"b":[1,2.50,true,null],"a":"x\"y\n\u0001"}"#)
        #expect(value.serialized(sortedKeys: true) == #"{"a":"x\"y\n\u0001","b":[1,2.50,true,null]}"#)
        #expect(try JSONParser.parse(value.serialized()) == value)
    }

    @Test func numbersFromDoubles() {
        #expect(JSONNumber(35).text == "35")
        #expect(JSONNumber(0.5).text == "0.5")
        #expect(JSONNumber(-2).int64 == -2)
        #expect(JSONNumber(Double.infinity).text == "1e999")
    }

    @Test func accessorsAndTypeNames() throws {
        let value = try JSONParser.parse(#"[{"k":"v"},1,"s",true,null]"#)
        let elements = try #require(value.arrayValue)
        #expect(elements.map(\.typeName) == ["object", "number", "string", "boolean", "null"])
        #expect(elements[0]["k"]?.stringValue == "v")
        #expect(elements[3].boolValue == true)
        #expect(elements[4].isNull)
        #expect(elements[1].stringValue == nil)
    }
}
