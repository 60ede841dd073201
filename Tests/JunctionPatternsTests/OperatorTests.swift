@testable import JunctionPatterns
import Testing

/// One operator case: a pattern, an event, and whether EventBridge's documentation says it matches.
struct OperatorCase: CustomTestStringConvertible, Sendable {
    let pattern: String
    let event: String
    let match: Bool
    var testDescription: String { "\(pattern) vs \(event) → \(match)" }
    init(_ pattern: String, _ event: String, _ match: Bool) {
        self.pattern = pattern
        self.event = event
        self.match = match
    }
}

/// Per-operator cases written from the Amazon EventBridge documentation ("Event patterns",
/// "Content filtering", "Arrays", "Comparison operators").
@Suite("Operators")
struct OperatorTests {
    static let exactValuesCases: [OperatorCase] = [
        .init(#"{"source":["aws.ec2"]}"#, #"{"source":"aws.ec2"}"#, true),
        .init(#"{"source":["aws.ec2"]}"#, #"{"source":"aws.ec2x"}"#, false),
        .init(#"{"source":["aws.ec2","aws.s3"]}"#, #"{"source":"aws.s3"}"#, true),
        .init(#"{"source":["aws.ec2"]}"#, #"{"other":"aws.ec2"}"#, false),
        .init(#"{"detail":{"n":[35]}}"#, #"{"detail":{"n":35.0}}"#, true),
        .init(#"{"detail":{"n":[35]}}"#, #"{"detail":{"n":3.5e1}}"#, true),
        .init(#"{"detail":{"n":[35]}}"#, #"{"detail":{"n":"35"}}"#, false),
        .init(#"{"detail":{"n":["35"]}}"#, #"{"detail":{"n":35}}"#, false),
        .init(#"{"detail":{"n":[-0.0]}}"#, #"{"detail":{"n":0}}"#, true),
        .init(#"{"detail":{"b":[true]}}"#, #"{"detail":{"b":true}}"#, true),
        .init(#"{"detail":{"b":[true]}}"#, #"{"detail":{"b":"true"}}"#, false),
        .init(#"{"detail":{"b":[false]}}"#, #"{"detail":{"b":true}}"#, false),
        .init(#"{"detail":{"v":[null]}}"#, #"{"detail":{"v":null}}"#, true),
        .init(#"{"detail":{"v":[null]}}"#, #"{"detail":{"v":""}}"#, false),
        .init(#"{"detail":{"v":[""]}}"#, #"{"detail":{"v":""}}"#, true),
        .init(#"{"detail":{"v":[""]}}"#, #"{"detail":{"v":null}}"#, false),
        .init(#"{"detail":{"v":[null]}}"#, #"{"detail":{}}"#, false),
        .init(#"{"detail":{"n":[1e308]}}"#, #"{"detail":{"n":1.0e308}}"#, true),
        .init(#"{"detail":{"s":["é😀"]}}"#, #"{"detail":{"s":"\u00e9\ud83d\ude00"}}"#, true),
        .init(#"{"detail":{"s":["a\"b"]}}"#, #"{"detail":{"s":"a\"b"}}"#, true),
    ]

    static let stringOperatorsCases: [OperatorCase] = [
        .init(#"{"time":[{"prefix":"2017-10-02"}]}"#, #"{"time":"2017-10-02T18:43:48Z"}"#, true),
        .init(#"{"time":[{"prefix":"2017-10-02"}]}"#, #"{"time":"2017-10-03T18:43:48Z"}"#, false),
        .init(#"{"n":[{"prefix":"1"}]}"#, #"{"n":123}"#, false),
        .init(#"{"s":[{"prefix":{"equals-ignore-case":"EventB"}}]}"#, #"{"s":"eventbridge"}"#, true),
        .init(#"{"s":[{"prefix":{"equals-ignore-case":"EventB"}}]}"#, #"{"s":"Event"}"#, false),
        .init(#"{"FileName":[{"suffix":".png"}]}"#, #"{"FileName":"image.png"}"#, true),
        .init(#"{"FileName":[{"suffix":".png"}]}"#, #"{"FileName":"image.PNG"}"#, false),
        .init(#"{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}"#, #"{"FileName":"image.PNG"}"#, true),
        .init(#"{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}"#, #"{"FileName":"image.gif"}"#, false),
        .init(#"{"name":[{"equals-ignore-case":"alice"}]}"#, #"{"name":"ALICE"}"#, true),
        .init(#"{"name":[{"equals-ignore-case":"alice"}]}"#, #"{"name":"alicia"}"#, false),
        .init(#"{"name":[{"equals-ignore-case":"ÉCOLE"}]}"#, #"{"name":"école"}"#, true),
        .init(#"{"s":[{"prefix":"AC"},{"prefix":"ACT"}]}"#, #"{"s":"ACTON"}"#, true),
    ]

    static let wildcardCases: [OperatorCase] = [
        .init(#"{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}"#, #"{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/default"}"#, true),
        .init(#"{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}"#, #"{"EventBusArn":"arn:aws:events:us-west-2:123456789012:event-bus/default"}"#, false),
        .init(#"{"f":[{"wildcard":"dir/*.png"}]}"#, #"{"f":"dir/a/b.png"}"#, true),
        .init(#"{"f":[{"wildcard":"*"}]}"#, #"{"f":""}"#, true),
        .init(#"{"f":[{"wildcard":"a*b*c"}]}"#, #"{"f":"abbc"}"#, true),
        .init(#"{"f":[{"wildcard":"a*b*c"}]}"#, #"{"f":"acb"}"#, false),
        .init(#"{"f":[{"wildcard":"a\\*b"}]}"#, #"{"f":"a*b"}"#, true),
        .init(#"{"f":[{"wildcard":"a\\*b"}]}"#, #"{"f":"axb"}"#, false),
        .init(#"{"f":[{"wildcard":"a\\\\b"}]}"#, #"{"f":"a\\b"}"#, true),
        .init(#"{"f":[{"wildcard":"abc"}]}"#, #"{"f":"abc"}"#, true),
        .init(#"{"f":[{"wildcard":"a*"}]}"#, #"{"f":5}"#, false),
    ]

    static let anythingButCases: [OperatorCase] = [
        .init(#"{"state":[{"anything-but":"initializing"}]}"#, #"{"state":"running"}"#, true),
        .init(#"{"state":[{"anything-but":"initializing"}]}"#, #"{"state":"initializing"}"#, false),
        .init(#"{"state":[{"anything-but":"initializing"}]}"#, #"{"other":1}"#, false),
        .init(#"{"x":[{"anything-but":123}]}"#, #"{"x":456}"#, true),
        .init(#"{"x":[{"anything-but":123}]}"#, #"{"x":123.0}"#, false),
        .init(#"{"state":[{"anything-but":["stopped","overloaded"]}]}"#, #"{"state":"stopped"}"#, false),
        .init(#"{"state":[{"anything-but":["stopped","overloaded"]}]}"#, #"{"state":"running"}"#, true),
        .init(#"{"x":[{"anything-but":[100,200,300]}]}"#, #"{"x":200}"#, false),
        .init(#"{"x":[{"anything-but":[100,200,300]}]}"#, #"{"x":201}"#, true),
        .init(#"{"state":[{"anything-but":{"prefix":"init"}}]}"#, #"{"state":"initializing"}"#, false),
        .init(#"{"state":[{"anything-but":{"prefix":"init"}}]}"#, #"{"state":"running"}"#, true),
        .init(#"{"id":[{"anything-but":{"suffix":"1234"}}]}"#, #"{"id":"i-1234"}"#, false),
        .init(#"{"id":[{"anything-but":{"suffix":"1234"}}]}"#, #"{"id":"i-5678"}"#, true),
        .init(#"{"state":[{"anything-but":{"equals-ignore-case":["Stopped","OverLoaded"]}}]}"#, #"{"state":"STOPPED"}"#, false),
        .init(#"{"state":[{"anything-but":{"equals-ignore-case":["Stopped","OverLoaded"]}}]}"#, #"{"state":"running"}"#, true),
        .init(#"{"f":[{"anything-but":{"wildcard":"*/lib/*"}}]}"#, #"{"f":"/usr/lib/x"}"#, false),
        .init(#"{"f":[{"anything-but":{"wildcard":["*/lib/*","*.tmp"]}}]}"#, #"{"f":"a.tmp"}"#, false),
        .init(#"{"f":[{"anything-but":{"wildcard":["*/lib/*","*.tmp"]}}]}"#, #"{"f":"/usr/bin/x"}"#, true),
        .init(#"{"tags":[{"anything-but":"banned"}]}"#, #"{"tags":["banned","ok"]}"#, true),
        .init(#"{"tags":[{"anything-but":"banned"}]}"#, #"{"tags":["banned"]}"#, false),
    ]

    static let numericCases: [OperatorCase] = [
        .init(#"{"c":[{"numeric":[">",0,"<=",5]}]}"#, #"{"c":5}"#, true),
        .init(#"{"c":[{"numeric":[">",0,"<=",5]}]}"#, #"{"c":0}"#, false),
        .init(#"{"c":[{"numeric":[">",0,"<=",5]}]}"#, #"{"c":"3"}"#, false),
        .init(#"{"c":[{"numeric":["<",10]}]}"#, #"{"c":-1e300}"#, true),
        .init(#"{"c":[{"numeric":["=",3.018e2]}]}"#, #"{"c":301.8}"#, true),
        .init(#"{"c":[{"numeric":[">=",1e300]}]}"#, #"{"c":1.5e300}"#, true),
        .init(#"{"c":[{"numeric":["<",-1e-300]}]}"#, #"{"c":-2e-300}"#, true),
        .init(#"{"c":[{"numeric":[">",5e9]}]}"#, #"{"c":5000000001}"#, true),
        .init(#"{"c":[{"numeric":[">=",0.1,"<",0.3]}]}"#, #"{"c":0.2}"#, true),
        .init(#"{"c":[{"numeric":[">=",0.1,"<",0.3]}]}"#, #"{"c":0.3}"#, false),
        .init(#"{"c":[{"numeric":[">",10]}]}"#, #"{"c":[1,20]}"#, true),
    ]

    static let existsAndCIDRCases: [OperatorCase] = [
        .init(#"{"detail":{"state":[{"exists":true}]}}"#, #"{"detail":{"state":"x"}}"#, true),
        .init(#"{"detail":{"state":[{"exists":true}]}}"#, #"{"detail":{"other":"x"}}"#, false),
        .init(#"{"detail":{"state":[{"exists":true}]}}"#, #"{"detail":{"state":{"nested":1}}}"#, false),
        .init(#"{"detail":{"state":[{"exists":false}]}}"#, #"{"detail":{"other":"x"}}"#, true),
        .init(#"{"detail":{"state":[{"exists":false}]}}"#, #"{"detail":{"state":"x"}}"#, false),
        .init(#"{"detail":{"state":[{"exists":false}]}}"#, #"{"other":1}"#, true),
        .init(#"{"detail":{"state":[{"exists":true}]}}"#, #"{"detail":{"state":null}}"#, true),
        .init(#"{"detail":{"state":[{"exists":true}]}}"#, #"{"detail":{"state":[]}}"#, false),
        .init(#"{"ip":[{"cidr":"10.0.0.0/24"}]}"#, #"{"ip":"10.0.0.255"}"#, true),
        .init(#"{"ip":[{"cidr":"10.0.0.0/24"}]}"#, #"{"ip":"10.0.1.0"}"#, false),
        .init(#"{"ip":[{"cidr":"10.0.0.0/24"}]}"#, #"{"ip":"not an ip"}"#, false),
        .init(#"{"ip":[{"cidr":"0.0.0.0/0"}]}"#, #"{"ip":"255.255.255.255"}"#, true),
        .init(#"{"ip":[{"cidr":"2001:db8::/32"}]}"#, #"{"ip":"2001:db8:1::ff"}"#, true),
        .init(#"{"ip":[{"cidr":"2001:db8::/32"}]}"#, #"{"ip":"2001:db9::1"}"#, false),
        .init(#"{"ip":[{"cidr":"::ffff:0:0/96"}]}"#, #"{"ip":"::ffff:10.1.2.3"}"#, true),
        .init(#"{"ip":[{"cidr":"2001:db8::/32"}]}"#, #"{"ip":"10.0.0.1"}"#, false),
    ]

    static let structureCases: [OperatorCase] = [
        // $or at the top level and nested, combined with sibling fields.
        .init(#"{"source":["a"],"$or":[{"x":[1]},{"y":[2]}]}"#, #"{"source":"a","y":2}"#, true),
        .init(#"{"source":["a"],"$or":[{"x":[1]},{"y":[2]}]}"#, #"{"source":"b","y":2}"#, false),
        .init(#"{"detail":{"$or":[{"c":[{"numeric":[">",0]}]},{"d":{"$or":[{"e":["x"]},{"f":["y"]}]}}]}}"#, #"{"detail":{"d":{"f":"y"}}}"#, true),
        .init(#"{"detail":{"$or":[{"c":[{"numeric":[">",0]}]},{"d":{"$or":[{"e":["x"]},{"f":["y"]}]}}]}}"#, #"{"detail":{"d":{"f":"z"}}}"#, false),
        // Arrays: any element; an event array against a pattern list intersects.
        .init(#"{"resources":["arn:1","arn:2"]}"#, #"{"resources":["arn:0","arn:2"]}"#, true),
        .init(#"{"resources":["arn:1"]}"#, #"{"resources":["arn:0","arn:2"]}"#, false),
        // Fields of an array of objects must match within one element.
        .init(#"{"items":{"name":["a"],"qty":[1]}}"#, #"{"items":[{"name":"a","qty":2},{"name":"b","qty":1}]}"#, false),
        .init(#"{"items":{"name":["a"],"qty":[1]}}"#, #"{"items":[{"name":"b","qty":2},{"name":"a","qty":1}]}"#, true),
        .init(#"{"items":{"name":["a"],"tag":[{"exists":false}]}}"#, #"{"items":[{"name":"a"},{"name":"b","tag":1}]}"#, true),
        .init(#"{"items":{"name":["a"],"tag":[{"exists":false}]}}"#, #"{"items":[{"name":"a","tag":1}]}"#, false),
        // Dotted keys name nested paths (event-ruler).
        .init(#"{"a.b":["x"]}"#, #"{"a":{"b":"x"}}"#, true),
        .init(#"{"a":{"b":["x"]}}"#, #"{"a.b":"x"}"#, true),
        // Duplicate keys in a pattern: the last wins.
        .init(#"{"x":["y"],"x":["z"]}"#, #"{"x":"z"}"#, true),
        .init(#"{"x":["y"],"x":["z"]}"#, #"{"x":"y"}"#, false),
        // exists:false alongside values in one list is an alternative.
        .init(#"{"x":["a",{"exists":false}]}"#, #"{"y":1}"#, true),
        .init(#"{"x":["a",{"exists":false}]}"#, #"{"x":"b"}"#, false),
        // Empty pattern matches every event.
        .init(#"{}"#, #"{"x":1}"#, true),
        // Skipped subtrees with every JSON shape.
        .init(#"{"k":["v"]}"#, #"{"skip":{"a":[1,{"b":"]}"},"c\"":"\\\"{"],"t":true,"n":null},"k":"v"}"#, true),
        // Escaped keys in events.
        .init(#"{"ké":["v"]}"#, #"{"k\u00e9":"v"}"#, true),
    ]

    static let regexpCases: [OperatorCase] = [
        .init(#"{"s":[{"regexp":"a(b|c)+d"}]}"#, #"{"s":"abcbd"}"#, true),
        .init(#"{"s":[{"regexp":"a(b|c)+d"}]}"#, #"{"s":"ad"}"#, false),
        .init(#"{"s":[{"regexp":"[0-9]{3}-[0-9]{4}"}]}"#, #"{"s":"555-1234"}"#, true),
        .init(#"{"s":[{"regexp":"[0-9]{3}-[0-9]{4}"}]}"#, #"{"s":"555-1234x"}"#, false),
        .init(#"{"s":[{"regexp":"\\p{Lu}\\p{Ll}+"}]}"#, #"{"s":"Élan"}"#, true),
        .init(#"{"s":[{"regexp":"[^a-c]*"}]}"#, #"{"s":"xyz"}"#, true),
        .init(#"{"s":[{"regexp":"a.c"}]}"#, #"{"s":"a\nc"}"#, false),
        .init(#"{"s":[{"regexp":"a~.c"}]}"#, #"{"s":"a.c"}"#, true),
        .init(#"{"s":[{"regexp":"a~.c"}]}"#, #"{"s":"abc"}"#, false),
        .init(#"{"s":[{"regexp":"(a?){2}b"}]}"#, #"{"s":"ab"}"#, true),
    ]

    @Test(arguments: exactValuesCases) func exactValues(_ test: OperatorCase) throws {
        #expect(try TestSupport.matches(test.pattern, test.event) == test.match)
    }

    @Test(arguments: stringOperatorsCases) func prefixSuffixIgnoreCase(_ test: OperatorCase) throws {
        #expect(try TestSupport.matches(test.pattern, test.event) == test.match)
    }

    @Test(arguments: wildcardCases) func wildcard(_ test: OperatorCase) throws {
        #expect(try TestSupport.matches(test.pattern, test.event) == test.match)
    }

    @Test(arguments: anythingButCases) func anythingBut(_ test: OperatorCase) throws {
        #expect(try TestSupport.matches(test.pattern, test.event) == test.match)
    }

    @Test(arguments: numericCases) func numeric(_ test: OperatorCase) throws {
        #expect(try TestSupport.matches(test.pattern, test.event) == test.match)
    }

    @Test(arguments: existsAndCIDRCases) func existsAndCIDR(_ test: OperatorCase) throws {
        #expect(try TestSupport.matches(test.pattern, test.event) == test.match)
    }

    @Test(arguments: structureCases) func structure(_ test: OperatorCase) throws {
        #expect(try TestSupport.matches(test.pattern, test.event) == test.match)
    }

    @Test(arguments: regexpCases) func regexp(_ test: OperatorCase) throws {
        #expect(try TestSupport.matches(test.pattern, test.event) == test.match)
    }
}
