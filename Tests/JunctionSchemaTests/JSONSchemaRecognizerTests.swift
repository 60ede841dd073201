import Glibc
import JunctionJSON
import Testing
@testable import JunctionSchema

@Suite("JSON Schema byte-level recognizer")
struct JSONSchemaRecognizerTests {
    /// The tree path's verdict and violation, the recognizer's verdict, and the public result, for one input.
    struct Outcome: Equatable, CustomStringConvertible {
        var tree: JSONSchemaValidationResult
        var recognized: Bool
        var combined: JSONSchemaValidationResult
        var description: String { "tree \(tree), recognizer \(recognized), validate(json:) \(combined)" }
        var agrees: Bool { tree.isValid == recognized && combined == tree }
    }

    static func outcome(_ schema: JSONSchema, _ bytes: [UInt8]) -> Outcome {
        bytes.withUnsafeBytes { raw in
            Outcome(tree: schema.validateParsed(json: raw), recognized: schema.conforms(json: raw), combined: schema.validate(json: raw))
        }
    }

    static func outcome(_ schema: JSONSchema, _ text: String) -> Outcome { outcome(schema, Array(text.utf8)) }

    @Test func agreesOnEveryFixture() throws {
        for (text, instances) in JSONSchemaCorpus.fixtures {
            let schema = try JSONSchema(text: text)
            for instance in instances {
                let o = Self.outcome(schema, instance)
                #expect(o.agrees, "schema \(text) instance \(instance): \(o)")
            }
        }
    }

    /// Generated instances derived from each fixture schema, mutated as values and as bytes (seeded, bounded;
    /// `CORPUS_SEED=n` in the environment explores another corpus).
    @Test func agreesOnGeneratedCorpus() throws {
        var rng = JSONSchemaCorpus.Random(seed: 0x5EED_2026_1126 &+ UInt64(Int(getenv("CORPUS_SEED").map { String(cString: $0) } ?? "0") ?? 0))
        var checked = 0, valid = 0, disagreements = 0
        for (text, instances) in JSONSchemaCorpus.fixtures {
            let schema = try JSONSchema(text: text)
            let seeds = instances.compactMap { try? JSONParser.parse($0) }
            for round in 0..<1000 {
                var value = round % 4 == 0 && !seeds.isEmpty
                    ? seeds.randomElement(using: &rng)!
                    : JSONSchemaCorpus.instance(of: schema.document, root: schema.document, &rng)
                for _ in 0..<Int.random(in: 0..<3, using: &rng) { value = JSONSchemaCorpus.mutate(value, &rng) }
                var bytes = Array(value.serialized().utf8)
                if round % 3 == 0 { bytes = JSONSchemaCorpus.mutateBytes(bytes, &rng) }
                let o = Self.outcome(schema, bytes)
                checked += 1
                if o.tree.isValid { valid += 1 }
                if !o.agrees {
                    disagreements += 1
                    if disagreements <= 10 {
                        Issue.record("schema \(text) instance \(String(decoding: bytes, as: UTF8.self)): \(o)")
                    }
                }
            }
        }
        #expect(disagreements == 0)
        // The corpus must exercise both verdicts, or it proves little.
        #expect(valid > checked / 10 && valid < checked * 9 / 10, "\(valid) of \(checked) valid")
    }

    @Test func strictJSONLikeTheParser() throws {
        let schema = try JSONSchema(text: "true")
        let cases: [[UInt8]] = [
            Array("".utf8), Array(" ".utf8), Array("[1,]".utf8), Array("{\"a\":1,}".utf8), Array("01".utf8), Array("1.".utf8),
            Array("-".utf8), Array("1e".utf8), Array("tru".utf8), Array("nul".utf8), Array("\"\\x\"".utf8),
            Array("\"\\ud800\"".utf8), Array("\"\\udc00\"".utf8), Array("\"\\ud800\\u0041\"".utf8), Array("\"\\u12\"".utf8),
            [0x22, 0x09, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xFF, 0x22], Array("1 2".utf8), Array("{\"a\" 1}".utf8),
            Array("{1:2}".utf8), Array("[1 2]".utf8), Array("\"abc".utf8), Array("// c\n1".utf8),
            Array("\"\\ud83d\\ude00\"".utf8), Array(" {\"a\":[1,{\"b\":null}]}\r\n".utf8), Array("-0.0e-0".utf8),
        ]
        for bytes in cases {
            let o = Self.outcome(schema, bytes)
            #expect(o.agrees, "\(bytes): \(o)")
        }
    }

    @Test func nestingLimitMatchesTheParser() throws {
        let schema = try JSONSchema(text: ##"{"type":"array","items":{"$ref":"#"}}"##)
        for depth in [127, 128, 129] {
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let o = Self.outcome(schema, text)
            #expect(o.agrees, "depth \(depth): \(o)")
            #expect(o.recognized == (depth <= 128))
        }
        let loose = try JSONSchema(text: #"{"properties":{"a":{"type":"integer"}}}"#)
        let deep = "{\"b\":" + String(repeating: "[", count: 128) + String(repeating: "]", count: 128) + "}"
        let skipped = Self.outcome(loose, deep)
        #expect(skipped.agrees && !skipped.recognized && skipped.combined.violation?.keyword == "json")
    }

    @Test func duplicateKeysAreEachChecked() throws {
        let schema = try JSONSchema(text: #"{"properties":{"a":{"type":"integer"}},"maxProperties":2}"#)
        #expect(Self.outcome(schema, #"{"a":1,"a":2}"#).recognized)
        let o = Self.outcome(schema, #"{"a":1,"a":"x"}"#)
        #expect(o.agrees && !o.recognized)
        #expect(o.combined.violation?.path == "detail.a")
        #expect(!Self.outcome(schema, #"{"a":1,"a":2,"a":3}"#).recognized)
    }

    @Test func keysAndStringsCompareAsSwiftStringsDo() throws {
        // Canonically equivalent spellings are equal for the tree validator's String look-ups; so here too.
        let schema = try JSONSchema(text: #"{"properties":{"é":{"type":"string"}},"required":["é"],"additionalProperties":false}"#)
        for instance in ["{\"é\":\"x\"}", "{\"e\u{301}\":\"x\"}", "{\"\\u00e9\":\"x\"}", "{\"e\\u0301\":1}", "{\"e\":\"x\"}"] {
            let o = Self.outcome(schema, instance)
            #expect(o.agrees, "\(instance): \(o)")
        }
        let kelvin = try JSONSchema(text: #"{"enum":["K"]}"#)
        let o = Self.outcome(kelvin, "\"\u{212A}\"")
        #expect(o.agrees && o.recognized == o.tree.isValid)
    }

    @Test func numbersAsJSONNumberSeesThem() throws {
        let schema = try JSONSchema(text: #"{"type":"integer","minimum":-9223372036854775808,"maximum":9007199254740993,"multipleOf":3}"#)
        for n in ["9007199254740993", "9007199254740994", "-0", "3.0", "3e0", "30e-1", "1e400", "-9223372036854775809",
                  "9223372036854775807", "6", "7", "0.3e1", String(repeating: "9", count: 5000)] {
            let o = Self.outcome(schema, n)
            #expect(o.agrees, "\(n): \(o)")
        }
        let fraction = try JSONSchema(text: #"{"multipleOf":0.1,"exclusiveMaximum":1}"#)
        for n in ["0.3", "0.35", "1", "0.99999999999999999", "-1e-400"] {
            #expect(Self.outcome(fraction, n).agrees, "\(n)")
        }
    }

    @Test func containersUnderApplicatorsAreRescanned() throws {
        let schema = try JSONSchema(text: #"{"oneOf":[{"type":"object","required":["a"]},{"type":"object","required":["b"]}],"not":{"type":"array"}}"#)
        #expect(Self.outcome(schema, #"{"a":1}"#).recognized)
        let both = Self.outcome(schema, #"{"a":1,"b":2}"#)
        #expect(both.agrees && !both.recognized && both.combined.violation?.keyword == "oneOf")
        let syntax = Self.outcome(schema, #"{"a":1,"b":}"#)
        #expect(syntax.agrees && syntax.combined.violation?.keyword == "json")
    }

    @Test func wholeValueKeywordsFallBackToTheTree() throws {
        let schema = try JSONSchema(text: #"{"properties":{"p":{"enum":[{"x":[1,2]}]},"q":{"type":"array","uniqueItems":true}}}"#)
        #expect(Self.outcome(schema, #"{"p":{"x":[1.0,2]},"q":[1,"1"]}"#).recognized)
        let o = Self.outcome(schema, #"{"p":{"x":[1,2]},"q":[{"a":1},{"a":1.0}]}"#)
        #expect(o.agrees && o.combined.violation?.path == "detail.q" && o.combined.violation?.keyword == "uniqueItems")
    }

    @Test func violationsAreTheTreeValidatorsWord() throws {
        let schema = try JSONSchema(text: JSONSchemaCorpus.benchSchema)
        #expect(Self.outcome(schema, JSONSchemaCorpus.benchInstance).recognized)
        let bad = JSONSchemaCorpus.benchInstance.replacingOccurrences(of: #""quantity":4"#, with: #""quantity":-4"#)
        let o = Self.outcome(schema, bad)
        #expect(o.agrees)
        #expect(o.combined.violation == JSONSchemaViolation(path: "detail.lines[2].quantity", keyword: "minimum", reason: "-4 is less than minimum 0"))
    }

    /// The single-pass sequence matcher used on ASCII bytes answers as the Pike VM does.
    @Test func byteRegexMatchesLikeTheVM() throws {
        let patterns = ["^ord-[0-9]{4}-[0-9]{6}$", "^-?[0-9]+$", "^[0-9]+$", "^SKU-[0-9]+$", "^a*b?c{2,3}$", "^[a-c]*c$",
                        "^a+a$", "^.{2,4}x", "^x-", "^\\d{3}\\s?\\w*$", "^[^0-9]*[0-9]", "a+$", "^(?:ab)+$", "^a|b$", "^$", "^.*$"]
        var rng = JSONSchemaCorpus.Random(seed: 42)
        let alphabet = Array("abcx-0123456789 SKUord\n".utf8)
        for pattern in patterns {
            let regex = try JSONSchemaRegex(pattern)
            for _ in 0..<2000 {
                let text = String(decoding: (0..<Int.random(in: 0..<14, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }, as: UTF8.self)
                var copy = text
                let bytes = copy.withUTF8 { regex.matches(utf8: UnsafeRawBufferPointer($0)) }
                #expect(bytes == regex.matches(text), "pattern \(pattern) text \(text)")
            }
            for text in ["ord-2024-000123", "-12", "SKU-1", "é1", "aé", "ccc", "abcc"] {
                var copy = text
                #expect(copy.withUTF8 { regex.matches(utf8: UnsafeRawBufferPointer($0)) } == regex.matches(text), "pattern \(pattern) text \(text)")
            }
        }
    }
}
