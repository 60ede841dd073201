@testable import JunctionPatterns
import Testing

@Suite("Pattern parser errors")
struct PatternParserTests {
    @Test(arguments: [
        (#"[1]"#, "a pattern must be a JSON object, found array"),
        (#"{"a":"x"}"#, "a: a pattern field must be an array of values or an object, found string"),
        (#"{"a":[]}"#, "a: a field's list must have at least one value or operator"),
        (#"{"a":{}}"#, "a: an object in a pattern must have at least one field"),
        (#"{"detail":{"amount":[{"numeric":[">"]}]}}"#, #"detail.amount[0]: "numeric" needs pairs of an operator and a number"#),
        (#"{"detail":{"amount":[1,{"numeric":["~",1]}]}}"#, #"detail.amount[1]: "numeric" operator "~" is not one of =, <, <=, >, >="#),
        (#"{"a":[{"numeric":[">",5,"<",1]}]}"#, #"a[0]: "numeric" lower bound 5.0 is above the upper bound 1.0"#),
        (#"{"a":[{"numeric":[">",1,">",2]}]}"#, #"a[0]: "numeric" has two lower bounds"#),
        (#"{"a":[{"numeric":["=",1,"<",2]}]}"#, #"a[0]: "numeric" with "=" takes one number and no other operator"#),
        (#"{"a":[{"prefix":1}]}"#, #"a[0]: "prefix" takes a string or {"equals-ignore-case": string}, found number"#),
        (#"{"a":[{"wildcard":"a**b"}]}"#, #"a[0]: wildcard value "a**b" has consecutive '*' characters"#),
        (#"{"a":[{"wildcard":"a\\b"}]}"#, #"a[0]: wildcard value "a\b" has a backslash that does not escape '*' or '\'"#),
        (#"{"a":[{"anything-but":[1,"x"]}]}"#, #"a[0]: "anything-but" list may hold only strings or only numbers, not both"#),
        (#"{"a":[{"anything-but":{"regexp":"x"}}]}"#, #"a[0]: "anything-but" does not support "regexp" (use prefix, suffix, equals-ignore-case or wildcard)"#),
        (#"{"a":[{"anything-but":true}]}"#, #"a[0]: "anything-but" takes a string, a number, a list, or an object, found boolean"#),
        (#"{"a":[{"cidr":"10.0.0.0/33"}]}"#, #"a[0]: "cidr" takes an IPv4 or IPv6 network such as "10.0.0.0/24" or "2001:db8::/32""#),
        (#"{"a":[{"exists":"yes"}]}"#, #"a[0]: "exists" takes true or false, found string"#),
        (#"{"a":[{"bogus":1}]}"#, #"a[0]: unknown operator "bogus""#),
        (#"{"a":[{"prefix":"x","suffix":"y"}]}"#, "a[0]: an operator object must have exactly one key, found 2"),
        (#"{"a":[[1]]}"#, "a[0]: a field's list cannot contain an array"),
        (#"{"$or":[{"a":[1]}]}"#, #"$or: "$or" needs an array of at least two objects"#),
        (#"{"$or":[{"a":[1]},{}]}"#, #"$or[1]: each "$or" alternative must be a non-empty object, found object"#),
        (#"{"a":[{"regexp":"a(b"}]}"#, #"a[0]: regexp "a(b": missing ')' at character 3"#),
        (#"{"a":[{"regexp":"\\d"}]}"#, #"a[0]: regexp "\d": invalid escape 'd' at character 2"#),
        (#"{"a":[1,]}"#, "pattern is not valid JSON: offset 8: expected a value, found ']'"),
    ])
    func errorsNamePathAndProblem(pattern: String, message: String) {
        #expect(TestSupport.parseError(pattern) == message)
    }

    @Test func limitsAreConfigurable() {
        var limits = PatternLimits()
        limits.maxPatternBytes = 10
        #expect(TestSupport.parseError(#"{"a":["bcdefgh"]}"#, limits: limits) == "pattern is 17 bytes, more than the limit of 10")
        limits = PatternLimits()
        limits.maxFields = 2
        #expect(TestSupport.parseError(#"{"a":[1],"b":[2],"c":[3]}"#, limits: limits) == "c: pattern has more than 2 fields")
        limits = PatternLimits()
        limits.maxCombinations = 3
        #expect(TestSupport.parseError(#"{"$or":[{"a":[1]},{"b":[1]}],"c":{"$or":[{"d":[1]},{"e":[1]}]}}"#, limits: limits)?.contains("more than 3 combinations") == true)
        limits = PatternLimits()
        limits.maxWildcardStars = 2
        #expect(TestSupport.parseError(#"{"a":[{"wildcard":"*a*b*"}]}"#, limits: limits) == #"a[0]: wildcard value "*a*b*" has 3 '*' characters, more than the limit of 2"#)
        limits = PatternLimits()
        limits.maxValuesPerField = 2
        #expect(TestSupport.parseError(#"{"a":[1,2,3]}"#, limits: limits) == "a: a field's list has 3 entries, more than the limit of 2")
        limits = PatternLimits()
        limits.maxDepth = 2
        #expect(TestSupport.parseError(#"{"a":{"b":{"c":[1]}}}"#, limits: limits) == "a.b: pattern nests deeper than the limit of 2")
        limits = PatternLimits()
        limits.maxRegexpNodes = 10
        #expect(TestSupport.parseError(#"{"a":[{"regexp":"a{20}"}]}"#, limits: limits)?.contains("more than 10 nodes") == true)
    }

    @Test func defaultsAreAtLeastEventBridges() {
        let limits = PatternLimits()
        #expect(limits.maxPatternBytes >= 4_096)
        #expect(limits.maxCombinations >= 1_000)
    }

    @Test func fieldPathsAndBranches() throws {
        let pattern = try EventPattern(parsing: #"{"detail":{"a":[1],"$or":[{"b":[2]},{"c":{"d":[3]}}]}}"#)
        #expect(pattern.fieldPaths == ["detail.a", "detail.b", "detail.c.d"])
        #expect(pattern.branchCount == 2)
    }
}
