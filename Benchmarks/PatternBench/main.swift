// junction-pattern-bench: throughput of the pattern automaton on citylots-shaped events.
//
//   python3 ../shared/bench/gen_citylots.py            # in /tmp/citylots
//   zcat /tmp/citylots/citylots2.json.gz > /tmp/citylots/citylots2.jsonl
//   swift run -c release junction-pattern-bench /tmp/citylots/citylots2.jsonl [--families] [--scaling] [--runs N]
//   swift run -c release junction-pattern-bench --envelope [--runs N] [--iterations N] [--sizes 1,10,100]   # no data needed
//
// Every figure is one core (thread CPU time), events parsed from JSON text by the matcher's
// flattener, median of runs.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JunctionPatterns
import JunctionTestSupport

func fail(_ message: String) -> Never {
    FileHandleless.write(message + "\n")
    exit(2)
}

/// Writes to standard error without touching the C `stderr` global.
enum FileHandleless {
    static func write(_ text: String) {
        var copy = text
        copy.withUTF8 { bytes in _ = Glibc.write(2, bytes.baseAddress, bytes.count) }
    }
}

/// CPU time of this thread: the machine is shared, so wall-clock time would count other processes.
func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func readLines(_ path: String) -> [[UInt8]] {
    guard let file = fopen(path, "r") else {
        fail("cannot open \(path)")
    }
    defer { fclose(file) }
    var lines: [[UInt8]] = []
    var line: UnsafeMutablePointer<CChar>? = nil
    var capacity = 0
    while true {
        let count = getline(&line, &capacity, file)
        if count <= 0 { break }
        var length = count
        while length > 0, line![length - 1] == 10 || line![length - 1] == 13 { length -= 1 }
        if length == 0 { continue }
        lines.append(Array(UnsafeRawBufferPointer(start: line, count: length)))
    }
    free(line)
    return lines
}

/// Adds `"IP":"10.a.b.c"` (IPv4) or an IPv6 address to `properties`, derived from the line number,
/// so the cidr family has a field to test.
func addAddress(_ line: [UInt8], _ number: Int) -> [UInt8] {
    let marker = Array(#""properties":{"#.utf8)
    guard let start = line.indices.first(where: { index in
        index + marker.count <= line.count && line[index..<index + marker.count].elementsEqual(marker)
    }) else { return line }
    let address = number % 4 == 3
        ? "2001:db8:\(String(number % 65536, radix: 16))::\(String(number % 251, radix: 16))"
        : "10.\(number % 7).\(number / 7 % 256).\(number % 253)"
    let insert = Array(#""IP":""#.utf8) + Array(address.utf8) + Array(#"","#.utf8)
    var result = Array(line[..<(start + marker.count)])
    result += insert
    result += line[(start + marker.count)...]
    return result
}

struct Family {
    var name: String
    var patterns: [String]
}

func families(sampleStreets: [String], sampleBlocks: [String], sampleX: [Double]) -> [Family] {
    let x = sampleX
    return [
        Family(name: "EXACT", patterns: sampleBlocks.prefix(5).map { #"{"properties":{"MAPBLKLOT":[""# + $0 + #""]}}"# }),
        Family(name: "PREFIX", patterns: ["AC", "AL", "BA", "BL", "BR"].map { #"{"properties":{"STREET":[{"prefix":""# + $0 + #""}]}}"# }),
        Family(name: "PREFIX_EQUALS_IGNORE_CASE", patterns: ["ac", "aL", "Ba", "bl", "BR"].map { #"{"properties":{"STREET":[{"prefix":{"equals-ignore-case":""# + $0 + #""}}]}}"# }),
        Family(name: "SUFFIX", patterns: ["ON", "KE", "MM", "ING", "GE"].map { #"{"properties":{"STREET":[{"suffix":""# + $0 + #""}]}}"# }),
        Family(name: "SUFFIX_EQUALS_IGNORE_CASE", patterns: ["on", "Ke", "mM", "iNg", "ge"].map { #"{"properties":{"STREET":[{"suffix":{"equals-ignore-case":""# + $0 + #""}}]}}"# }),
        Family(name: "EQUALS_IGNORE_CASE", patterns: ["jefferson", "bEaCh", "HyDe", "CHESTNUT", "ocTaVIA"].map { #"{"properties":{"STREET":[{"equals-ignore-case":""# + $0 + #""}]}}"# }),
        Family(name: "WILDCARD", patterns: ["*AC*", "B*Y", "*E*T", "C*L*", "*ON"].map { #"{"properties":{"STREET":[{"wildcard":""# + $0 + #""}]}}"# }),
        Family(name: "ANYTHING_BUT", patterns: ["FULTON", "MASON", "MISSION", "POLK", "HYDE"].map { #"{"properties":{"STREET":[{"anything-but":[""# + $0 + #""]}]}}"# }),
        Family(name: "ANYTHING_BUT_VARIANTS", patterns: [
            #"{"properties":{"STREET":[{"anything-but":{"prefix":"B"}}]}}"#,
            #"{"properties":{"STREET":[{"anything-but":{"suffix":"ON"}}]}}"#,
            #"{"properties":{"STREET":[{"anything-but":{"equals-ignore-case":["mason","polk"]}}]}}"#,
            #"{"properties":{"STREET":[{"anything-but":{"wildcard":"*A*"}}]}}"#,
            #"{"properties":{"ST_TYPE":[{"anything-but":["ST","AVE"]}]}}"#,
        ]),
        Family(name: "NUMERIC", patterns: [
            #"{"geometry":{"type":["Polygon"],"firstCoordinates":{"x":[{"numeric":["=",\#(x[0])]}]}}}"#,
            #"{"geometry":{"firstCoordinates":{"x":[{"numeric":["<",-122.5]}]}}}"#,
            #"{"geometry":{"firstCoordinates":{"x":[{"numeric":[">",-122.4,"<=",-122.39]}]}}}"#,
            #"{"geometry":{"firstCoordinates":{"y":[{"numeric":[">=",37.80]}]}}}"#,
            #"{"geometry":{"firstCoordinates":{"x":[{"numeric":["=",\#(x[1])]}],"y":[{"numeric":[">",37.7]}]}}}"#,
        ]),
        Family(name: "CIDR", patterns: [
            #"{"properties":{"IP":[{"cidr":"10.1.0.0/16"}]}}"#,
            #"{"properties":{"IP":[{"cidr":"10.2.3.0/24"}]}}"#,
            #"{"properties":{"IP":[{"cidr":"10.0.0.0/8"}]}}"#,
            #"{"properties":{"IP":[{"cidr":"2001:db8:ab00::/40"}]}}"#,
            #"{"properties":{"IP":[{"cidr":"2001:db8::/32"}]}}"#,
        ]),
        Family(name: "EXISTS", patterns: [
            #"{"properties":{"ST_TYPE":[{"exists":true}]}}"#,
            #"{"properties":{"NOPE":[{"exists":true}]}}"#,
            #"{"properties":{"NOPE":[{"exists":false}]}}"#,
            #"{"geometry":{"firstCoordinates":{"z":[{"exists":true}]}}}"#,
            #"{"properties":{"ODD_EVEN":[{"exists":true}],"LOT_NUM":[{"exists":false}]}}"#,
        ]),
        Family(name: "OR", patterns: zip(sampleStreets.prefix(5), ["ST", "AVE", "WAY", "BLVD", "DR"]).map { street, type in
            #"{"$or":[{"properties":{"STREET":[""# + street + #""]}},{"properties":{"ST_TYPE":[""# + type + #""],"ODD_EVEN":["E"]}}]}"#
        }),
        Family(name: "COMPLEX_ARRAYS", patterns: [
            #"{"geometry":{"type":["Polygon"],"coordinates":{"x":[{"numeric":["=",\#(x[2])]}]}}}"#,
            #"{"geometry":{"type":["MultiPolygon"],"coordinates":{"z":[{"numeric":["=",0]}]}}}"#,
            #"{"geometry":{"coordinates":{"x":[{"numeric":["<",-122.514]}],"y":[{"numeric":[">",37.807]}]}}}"#,
            #"{"geometry":{"coordinates":{"x":[{"numeric":["=",\#(x[3])]}],"y":[{"exists":true}]}}}"#,
            #"{"properties":{"STREET":["CLAY"]},"geometry":{"coordinates":{"x":[{"numeric":[">",-122.4,"<",-122.39]}]}}}"#,
        ]),
    ]
}

func compile(_ patterns: [String]) -> PatternAutomaton {
    var rules = PatternRuleSet()
    for (index, text) in patterns.enumerated() {
        do {
            rules.add(PatternRuleID(index), try EventPattern(parsing: text))
        } catch {
            fail("bad pattern \(text): \(error)")
        }
    }
    return rules.compile()
}

/// Matches every event once; returns (seconds, total matches).
func pass(_ automaton: PatternAutomaton, _ events: [[UInt8]], _ context: PatternMatchContext) -> (Double, Int) {
    var matched = 0
    let start = now()
    for event in events {
        context.begin(automaton)
        event.withUnsafeBytes { bytes in
            do {
                try context.addJSONEvent(bytes)
            } catch {
                fail("bad event: \(error)")
            }
        }
        context.finish()
        matched += context.matchCount
    }
    return (now() - start, matched)
}

/// Events/s over `events` (median of `runs` passes after a warm-up) and the matches of one pass.
func measure(_ automaton: PatternAutomaton, _ events: [[UInt8]], runs: Int, _ context: PatternMatchContext) -> (rate: Double, matched: Int) {
    _ = pass(automaton, Array(events.prefix(2000)), context) // warm up
    var times: [Double] = []
    var matched = 0
    for _ in 0..<runs {
        let (seconds, count) = pass(automaton, events, context)
        times.append(seconds)
        matched = count
    }
    return (Double(events.count) / median(times), matched)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = Int(scaled / scale)
    var text = (value < 0 ? "-" : "") + String(whole)
    if digits > 0 {
        var fraction = String(Int(scaled) - whole * Int(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        text += "." + fraction
    }
    return text
}

func padded(_ value: Int, _ width: Int) -> String {
    var text = String(value)
    while text.count < width { text = "0" + text }
    return text
}

func formatRate(_ rate: Double) -> String {
    if rate >= 1e6 { return fixed(rate / 1e6, 2) + " M/s" }
    return fixed(rate / 1e3, 0) + " k/s"
}

// MARK: - Envelope fields (the gateway's case)

/// The gateway's per-event work for small rule sets on envelope fields (see BusMatcher.feed): begin,
/// `source` and `detail-type` by `addValue`, finish, then the matched ids without copying. No JSON.
/// Rule 0 is `{"source":["bench"]}`; the others alternate rules on `source`, on both fields and on
/// `detail-type` with values of their own. Events cycle through four envelopes: one matching rule 0
/// only, two matching one other rule each (when the set has it) and one matching nothing.
func envelopeRules(_ count: Int) -> [String] {
    (0..<count).map { index in
        if index == 0 { return #"{"source":["bench"]}"# }
        switch index % 3 {
        case 0: return #"{"source":["svc.\#(index)"]}"#
        case 1: return #"{"source":["svc.\#(index)"],"detail-type":["type.\#(index)"]}"#
        default: return #"{"detail-type":["type.\#(index)"]}"#
        }
    }
}

func runEnvelope(runs: Int, iterations: Int, sizes: [Int]) {
    let envelopes: [(String, String)] = [("bench", "BenchEvent"), ("svc.1", "type.1"), ("svc.4", "type.2"), ("other", "none")]
    // Stable bytes for the whole run, as the gateway's decoded envelope is.
    let storage = envelopes.map { (source, type) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer) in
        func copy(_ text: String) -> UnsafeRawBufferPointer {
            let bytes = Array(text.utf8)
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 8)
            memory.copyBytes(from: bytes)
            return UnsafeRawBufferPointer(memory)
        }
        return (copy(source), copy(type))
    }
    let context = PatternMatchContext()
    print("| envelope rules | matches per \(envelopes.count) events | ns/event (median of \(runs) passes of \(iterations)) | passes | id checksum |")
    print("|---|---|---|---|---|")
    for count in sizes {
        let automaton = compile(envelopeRules(count))
        func match(_ slot: Int) {
            context.begin(automaton)
            context.addValue(key: "source", type: .string, bytes: storage[slot].0)
            context.addValue(key: "detail-type", type: .string, bytes: storage[slot].1)
            context.finish()
        }
        func pass(_ iterations: Int) -> (Double, Int) {
            var matched = 0
            let start = now()
            var slot = 0
            for _ in 0..<iterations {
                match(slot)
                slot = slot == 3 ? 0 : slot + 1
                context.withMatchedRuleIDs { ids in
                    for id in ids { matched &+= Int(id) &+ 1 }
                }
            }
            return (now() - start, matched)
        }
        _ = pass(iterations / 10) // warm up
        var times: [Double] = []
        var check = 0
        for _ in 0..<runs {
            let (seconds, matched) = pass(iterations)
            times.append(seconds * 1e9 / Double(iterations))
            check = matched
        }
        // Matches per cycle of envelopes, from the id checksum of one cycle.
        let perCycle = (0..<4).reduce(0) { total, slot in
            match(slot)
            return total + context.matchCount
        }
        print("| \(count) | \(perCycle) | \(fixed(median(times), 1)) | \(times.map { fixed($0, 1) }.joined(separator: " ")) | \(check) |")
    }
}

// MARK: - main

var arguments = Array(CommandLine.arguments.dropFirst())
var runs = 3
if let index = arguments.firstIndex(of: "--runs"), index + 1 < arguments.count {
    runs = Int(arguments[index + 1]) ?? 3
    arguments.removeSubrange(index...(index + 1))
}
var sizes = [10, 1_000, 100_000]
var sizesGiven = false
if let index = arguments.firstIndex(of: "--sizes"), index + 1 < arguments.count {
    sizesGiven = true
    sizes = arguments[index + 1].split(separator: ",").compactMap { Int($0) }
    arguments.removeSubrange(index...(index + 1))
}
var mixedCase: Int? = nil
if let index = arguments.firstIndex(of: "--mixed-case"), index + 1 < arguments.count {
    mixedCase = Int(arguments[index + 1])
    arguments.removeSubrange(index...(index + 1))
}
var only: String? = nil
if let index = arguments.firstIndex(of: "--only"), index + 1 < arguments.count {
    only = arguments[index + 1]
    arguments.removeSubrange(index...(index + 1))
}
var iterations = 5_000_000
if let index = arguments.firstIndex(of: "--iterations"), index + 1 < arguments.count {
    iterations = Int(arguments[index + 1]) ?? iterations
    arguments.removeSubrange(index...(index + 1))
}
if arguments.contains("--envelope") {
    runEnvelope(runs: runs, iterations: iterations, sizes: sizesGiven ? sizes : [1, 10, 100])
    exit(0)
}
let runFamilies = arguments.contains("--families") || !arguments.contains("--scaling")
let runScaling = arguments.contains("--scaling") || !arguments.contains("--families")
arguments.removeAll { $0.hasPrefix("--") }
guard let path = arguments.first else {
    fail("usage: junction-pattern-bench EVENTS.jsonl [--families] [--scaling] [--runs N] [--only FAMILY]\n"
        + "       junction-pattern-bench --envelope [--runs N] [--iterations N] [--sizes 1,10,100]")
}

let loadStart = now()
let events = readLines(path).enumerated().map { addAddress($0.element, $0.offset) }
let totalBytes = events.reduce(0) { $0 + $1.count }
print("events: \(events.count), mean \(totalBytes / max(events.count, 1)) bytes, loaded in \(fixed(now() - loadStart, 1)) s")

// Sample values from the data so the exact rules match something (deterministic: fixed lines).
func stringField(_ line: [UInt8], _ name: String) -> String? {
    let marker = Array("\"\(name)\":\"".utf8)
    guard let start = line.indices.first(where: { $0 + marker.count <= line.count && line[$0..<$0 + marker.count].elementsEqual(marker) }) else { return nil }
    let from = start + marker.count
    guard let end = line[from...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
    return String(decoding: line[from..<end], as: UTF8.self)
}
func firstX(_ line: [UInt8]) -> Double? {
    let marker = Array(#""firstCoordinates":{"x":"#.utf8)
    guard let start = line.indices.first(where: { $0 + marker.count <= line.count && line[$0..<$0 + marker.count].elementsEqual(marker) }) else { return nil }
    let from = start + marker.count
    guard let end = line[from...].firstIndex(of: UInt8(ascii: ",")) else { return nil }
    return Double(String(decoding: line[from..<end], as: UTF8.self))
}
let sampleLines = stride(from: 0, to: events.count, by: max(events.count / 64, 1)).map { events[$0] }
let sampleBlocks = sampleLines.compactMap { stringField($0, "MAPBLKLOT") }
let sampleStreets = sampleLines.compactMap { stringField($0, "STREET") }
let sampleX = sampleLines.compactMap(firstX) + [-122.45, -122.44, -122.43, -122.42] // fallbacks for data without firstCoordinates

let context = PatternMatchContext()

if runFamilies {
    print("")
    print("| family | rules | matches | events/s (median of \(runs)) |")
    print("|---|---|---|---|")
    for family in families(sampleStreets: sampleStreets, sampleBlocks: sampleBlocks, sampleX: sampleX) {
        if let only, family.name != only { continue }
        let (rate, matched) = measure(compile(family.patterns), events, runs: runs, context)
        print("| \(family.name) | \(family.patterns.count) | \(matched) | \(formatRate(rate)) |")
    }
}

/// Mixed rules (no wildcard): exact, prefix, suffix, equals-ignore-case, numeric, cidr, exists,
/// anything-but and $or, on varying fields, generated deterministically.
func mixedRules(_ count: Int, only mixedCase: Int? = nil) -> [String] {
    var generator = SplitMix(seed: 42)
    var patterns: [String] = []
    patterns.reserveCapacity(count)
    let streets = Array(Set(sampleStreets)).sorted()
    for index in 0..<count {
        let block: String = padded(Int(generator.next() % 7600) + 1, 4) + padded(Int(generator.next() % 320) + 1, 3)
        let street: String = streets[Int(generator.next() % UInt64(streets.count))]
        let lot: String = padded(Int(generator.next() % 320) + 1, 3)
        let x: Double = -122.515 + Double(generator.next() % 150_000) / 1e6
        let blockPrefix = String(block.prefix(4))
        let streetSuffix = String(street.suffix(3))
        let upper = x + 0.00001
        let net = "10.\(index % 7).\(index / 7 % 256).0/24"
        let pattern: String
        switch mixedCase ?? (index % 9) {
        case 0: pattern = #"{"properties":{"MAPBLKLOT":["\#(block)"]}}"#
        case 1: pattern = #"{"properties":{"BLOCK_NUM":[{"prefix":"\#(blockPrefix)"}],"STREET":["\#(street)"]}}"#
        case 2: pattern = #"{"properties":{"LOT_NUM":["\#(lot)"],"STREET":[{"suffix":"\#(streetSuffix)"}]}}"#
        case 3: pattern = #"{"properties":{"MAPBLKLOT":[{"equals-ignore-case":"\#(block)"}]}}"#
        case 4: pattern = #"{"geometry":{"firstCoordinates":{"x":[{"numeric":[">=",\#(x),"<",\#(upper)]}]}}}"#
        case 5: pattern = #"{"properties":{"IP":[{"cidr":"\#(net)"}],"LOT_NUM":["\#(lot)"]}}"#
        case 6: pattern = #"{"properties":{"BLKLOT":["\#(block)"],"ST_TYPE":[{"exists":true}]}}"#
        case 7: pattern = #"{"properties":{"MAPBLKLOT":["\#(block)"],"STREET":[{"anything-but":["\#(street)"]}]}}"#
        default: pattern = #"{"$or":[{"properties":{"MAPBLKLOT":["\#(block)"]}},{"properties":{"BLKLOT":["\#(block)A"]}}]}"#
        }
        patterns.append(pattern)
    }
    return patterns
}

typealias SplitMix = SplitMix64

if runScaling {
    print("")
    print("| mixed rules | parse s | compile s | automaton MB | bytes/rule | states | matches | events/s |")
    print("|---|---|---|---|---|---|---|---|")
    var baseline = 0.0
    for count in sizes {
        let texts = mixedRules(count, only: mixedCase)
        let parseStart = now()
        var rules = PatternRuleSet()
        for (index, text) in texts.enumerated() {
            rules.add(PatternRuleID(index), try! EventPattern(parsing: text))
        }
        let parseSeconds = now() - parseStart
        let compileStart = now()
        let automaton = rules.compile()
        let compileSeconds = now() - compileStart
        let (rate, matched) = measure(automaton, events, runs: runs, context)
        if count == 10 { baseline = rate }
        let bytes = automaton.estimatedMemoryBytes
        let automatonMB = fixed(Double(bytes) / 1e6, 1)
        print("| \(count) | \(fixed(parseSeconds, 3)) | \(fixed(compileSeconds, 3)) | \(automatonMB) | \(bytes / count) | \(automaton.stateCount) | \(matched) | \(formatRate(rate)) |")
        withExtendedLifetime(rules) {}
        if count == 100_000, baseline > 0 {
            print("")
            print("throughput at 100,000 rules / at 10 rules: \(fixed(rate / baseline, 2))")
        }
    }
}
