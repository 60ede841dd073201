import Testing
@testable import JunctionSchema

@Suite("JSON Schema regular expressions")
struct JSONSchemaRegexTests {
    func m(_ p: String, _ s: String) throws -> Bool { try JSONSchemaRegex(p).matches(s) }

    @Test func searchSemanticsAndAnchors() throws {
        #expect(try m("b", "abc"))
        #expect(try !m("^b", "abc"))
        #expect(try m("^a.c$", "abc"))
        #expect(try !m("^a.c$", "abcd"))
        #expect(try m("", "anything"))
        #expect(try !m("a.c", "a\nc"))
    }

    @Test func quantifiers() throws {
        #expect(try m("^a{2,3}$", "aaa"))
        #expect(try !m("^a{2,3}$", "aaaa"))
        #expect(try m("^a{2,}$", "aaaaa"))
        #expect(try m("^a{2}$", "aa"))
        #expect(try m("^(ab)+$", "ababab"))
        #expect(try !m("^(ab)+$", "aba"))
        #expect(try m("^colou?r$", "color"))
        #expect(try m("^a*?b$", "aaab"))
        #expect(try m("^x{a}$", "x{a}"))   // literal brace
    }

    @Test func classesAndEscapes() throws {
        #expect(try m("^[a-z0-9_-]+$", "ab_9-x"))
        #expect(try !m("^[^a-z]+$", "ABc"))
        #expect(try m("^\\d{3}-\\w+\\s$", "123-ab_ "))
        #expect(try m("^\\u00e9\\x41$", "éA"))
        #expect(try m("^[\\d.]+$", "1.2.3"))
        #expect(try m("\\bword\\b", "a word here"))
        #expect(try !m("\\bword\\b", "swordfish"))
        #expect(try m("^\\$\\.\\*$", "$.*"))
        #expect(try m("^😀+$", "😀😀"))
        #expect(try m("^(?:cat|dog)s?$", "dogs"))
        #expect(try m("^(?<year>\\d{4})$", "2024"))
    }

    @Test func noCatastrophicBacktracking() throws {
        let evil = try JSONSchemaRegex("^(a+)+$")
        let input = String(repeating: "a", count: 5000) + "!"
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(!evil.matches(input)) }
        #expect(elapsed < .seconds(2))
    }

    @Test func unsupportedSyntaxIsRejected() {
        for p in ["(a)\\1", "(?=a)", "(?<=a)b", "\\p{L}", "a**", "(ab", "ab)", "[a", "[z-a]", "*a", "a{3,2}"] {
            #expect(throws: JSONSchemaRegex.SyntaxError.self, "\(p)") { _ = try JSONSchemaRegex(p) }
        }
        #expect(throws: JSONSchemaRegex.SyntaxError.self) { _ = try JSONSchemaRegex("(a{1000}){1000}") }
    }
}

@Suite("JSON Schema formats")
struct JSONSchemaFormatTests {
    @Test func dateTime() {
        let f = JSONSchemaFormat.dateTime
        for ok in ["2024-02-29T12:30:00Z", "1990-12-31T23:59:60+01:00", "2024-01-01t00:00:00.123456z", "2024-01-01T00:00:00-05:30"] {
            #expect(f.isValid(ok), "\(ok)")
        }
        for bad in ["2023-02-29T12:30:00Z", "2024-13-01T00:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T24:00:00Z",
                    "2024-01-01T00:00:00", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00+0100"] {
            #expect(!f.isValid(bad), "\(bad)")
        }
    }

    @Test func uuidAndIPs() {
        #expect(JSONSchemaFormat.uuid.isValid("123e4567-E89B-12d3-a456-426614174000"))
        #expect(!JSONSchemaFormat.uuid.isValid("123e4567e89b12d3a456426614174000"))
        #expect(!JSONSchemaFormat.uuid.isValid("123e4567-e89b-12d3-a456-42661417400g"))
        #expect(JSONSchemaFormat.ipv4.isValid("192.168.0.255"))
        for bad in ["256.1.1.1", "01.1.1.1", "1.1.1", "1.1.1.1.", "a.b.c.d"] { #expect(!JSONSchemaFormat.ipv4.isValid(bad), "\(bad)") }
        for ok in ["::", "::1", "2001:db8::8a2e:370:7334", "1:2:3:4:5:6:7:8", "::ffff:192.0.2.1", "1:2:3:4:5:6:1.2.3.4", "fe80::"] {
            #expect(JSONSchemaFormat.ipv6.isValid(ok), "\(ok)")
        }
        for bad in ["1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", ":1:2", "1:2:3:4:5:6:7", "::1.2.3.256", "fe80::1%eth0"] {
            #expect(!JSONSchemaFormat.ipv6.isValid(bad), "\(bad)")
        }
    }

    @Test func emailAndURI() {
        for ok in ["a@example.com", "first.last+tag@sub.example.org", "x@[192.0.2.1]", "x@[IPv6:::1]"] {
            #expect(JSONSchemaFormat.email.isValid(ok), "\(ok)")
        }
        for bad in ["plain", "@example.com", "a@", "a..b@example.com", ".a@example.com", "a@-bad.com", "a b@example.com"] {
            #expect(!JSONSchemaFormat.email.isValid(bad), "\(bad)")
        }
        for ok in ["https://example.com/a?b=c#d", "urn:isbn:0451450523", "mailto:a@example.com", "http://[::1]:80/%20x"] {
            #expect(JSONSchemaFormat.uri.isValid(ok), "\(ok)")
        }
        for bad in ["/relative/path", "no scheme", "1http://x", "http://x/%zz", "http://x/a b"] {
            #expect(!JSONSchemaFormat.uri.isValid(bad), "\(bad)")
        }
    }
}
