import CSchemaBench
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import JunctionJSON
import JunctionSchema

// Schema validation benchmark. Each case runs `rounds` timed rounds of `iterations` operations and reports
// the median ns/op with the 10th and 90th percentile over rounds, and heap allocations per op.

nonisolated(unsafe) var sink = 0

struct CountingVisitor: ProtoFieldVisitor {
    var count = 0
    mutating func visit(_ path: ProtoFieldPath, _ value: ProtoFieldValue) { count &+= path.count }
}

func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)  // CPU time of this thread: robust on a shared machine
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

func measure(_ name: String, bytes: Int, rounds: Int = 15, _ op: () -> Int) {
    // Calibrate to ~40 ms per round.
    var iterations = 64
    while true {
        let t0 = now()
        for _ in 0..<iterations { sink &+= op() }
        if now() - t0 > 40_000_000 || iterations > 1 << 26 { break }
        iterations *= 2
    }
    var perOp: [Double] = []
    var allocs: UInt64 = 0
    for _ in 0..<rounds {
        let a0 = schema_bench_allocations()
        let t0 = now()
        for _ in 0..<iterations { sink &+= op() }
        let t1 = now()
        allocs += schema_bench_allocations() - a0
        perOp.append(Double(t1 - t0) / Double(iterations))
    }
    perOp.sort()
    func pct(_ p: Double) -> Double { perOp[min(perOp.count - 1, Int(Double(perOp.count - 1) * p + 0.5))] }
    let allocsPerOp = Double(allocs) / Double(rounds * iterations)
    let median = pct(0.5)
    print(pad(name, 44) + pad("\(bytes) B", 9) + pad(fmt(median) + " ns", 13) + pad(fmt(pct(0.1)) + "–" + fmt(pct(0.9)), 18)
          + pad(fmt(Double(bytes) / median * 1e9 / 1e6) + " MB/s", 14) + "allocs/op " + fmt(allocsPerOp))
}

func fmt(_ v: Double) -> String {
    if v >= 100 { return String(Int(v.rounded())) }
    let scaled = (v * 10).rounded() / 10
    return "\(scaled)"
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

let set = try ProtoDescriptorSet.parse(benchDescriptorSet)
let validator = try ProtoMessageValidator(descriptorSet: set, messageName: "bench.Detail")
let jsonSchema = try JSONSchema(text: BenchPayloads.jsonSchema)

print("case                                        size     median       p10–p90           throughput    allocations")
if CommandLine.arguments.dropFirst().first == "profile-json" {
    // Spins on the 256-byte pre-parsed JSON Schema case for `perf record`.
    let parsed = try JSONParser.parse(BenchPayloads.json(lines: 3))
    for _ in 0..<200_000 { sink &+= jsonSchema.validate(parsed).isValid ? 1 : 0 }
    print(sink)
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "profile-json-bytes" {
    // Spins on the 256-byte JSON case through validate(json:) (the byte recognizer) for `perf record`.
    let json = Array(BenchPayloads.json(lines: 3).utf8)
    json.withUnsafeBytes { buf in
        for _ in 0..<2_000_000 { sink &+= jsonSchema.validate(json: buf).isValid ? 1 : 0 }
    }
    print(sink)
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "profile-gateway" {
    // Spins on the gateway bench detail through validate(json:) for `perf record`.
    let schema = try JSONSchema(text: #"{"type":"object","properties":{"amount":{"type":"integer","minimum":0},"pad":{"type":"string"}},"required":["amount","pad"],"additionalProperties":false}"#)
    let detail = Array((#"{"amount":42,"pad":""# + String(repeating: "a", count: 160) + #""}"#).utf8)
    detail.withUnsafeBytes { buf in
        for _ in 0..<20_000_000 { sink &+= schema.validate(json: buf).isValid ? 1 : 0 }
    }
    print(sink)
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "profile" {
    // Spins on the 256-byte walker case for `perf record`.
    let proto = BenchPayloads.protobuf(lines: 3)
    proto.withUnsafeBytes { buf in
        for _ in 0..<20_000_000 { sink &+= validator.validate(buf).isValid ? 1 : 0 }
    }
    print(sink)
    exit(0)
}

for (label, lines) in [("256 B", 3), ("4 KB", 87)] {
    let proto = BenchPayloads.protobuf(lines: lines)
    let json = Array(BenchPayloads.json(lines: lines).utf8)
    guard validator.validate(proto) == .valid else { fatalError("walker rejects the \(label) payload: \(validator.validate(proto))") }
    guard proto.withUnsafeBufferPointer({ schema_bench_protobuf_c_unpack_free($0.baseAddress, $0.count) }) == lines + 1 else {
        fatalError("protobuf-c cannot unpack the \(label) payload")
    }
    let parsed = try JSONParser.parse(json)
    guard jsonSchema.validate(parsed) == .valid else {
        fatalError("JSON Schema rejects the \(label) payload: \(jsonSchema.validate(parsed))")
    }
    proto.withUnsafeBytes { buf in
        measure("protobuf walker validate (\(label))", bytes: proto.count) {
            validator.validate(buf).isValid ? 1 : 0
        }
        measure("protobuf walker validate+visit (\(label))", bytes: proto.count) {
            var v = CountingVisitor()
            _ = validator.walk(buf, visitor: &v)
            return v.count
        }
        measure("protobuf-c unpack+free (\(label))", bytes: proto.count) {
            Int(schema_bench_protobuf_c_unpack_free(buf.baseAddress!.assumingMemoryBound(to: UInt8.self), buf.count))
        }
    }
    json.withUnsafeBytes { buf in
        measure("JSON validate(json:), byte recognizer (\(label))", bytes: json.count) {
            jsonSchema.validate(json: buf).isValid ? 1 : 0
        }
        measure("JSON parse+tree validate (\(label))", bytes: json.count) {
            jsonSchema.validateParsed(json: buf).isValid ? 1 : 0
        }
        measure("JSON schema validate, pre-parsed (\(label))", bytes: json.count) {
            jsonSchema.validate(parsed).isValid ? 1 : 0
        }
    }
}
// The detail `junction bench --schema json` publishes (Sources/junction/BenchSchema.swift), padded as for
// 256-byte events: what the gateway validates per event in BENCHMARKS.md "Schema validation in the gateway".
let gatewaySchema = try JSONSchema(text: #"{"type":"object","properties":{"amount":{"type":"integer","minimum":0},"pad":{"type":"string"}},"required":["amount","pad"],"additionalProperties":false}"#)
let gatewayDetail = Array((#"{"amount":42,"pad":""# + String(repeating: "a", count: 160) + #""}"#).utf8)
gatewayDetail.withUnsafeBytes { buf in
    measure("JSON validate(json:), gateway bench detail", bytes: gatewayDetail.count) {
        gatewaySchema.validate(json: buf).isValid ? 1 : 0
    }
    measure("JSON parse+tree validate, gateway bench detail", bytes: gatewayDetail.count) {
        gatewaySchema.validateParsed(json: buf).isValid ? 1 : 0
    }
}
// The reject path: the recognizer stops at the violation, then the tree path describes it.
let invalid = Array(BenchPayloads.json(lines: 3).replacing(#""currency":"EUR""#, with: #""currency":"XXX""#).utf8)
guard invalid.withUnsafeBytes({ jsonSchema.validate(json: $0).violation?.keyword }) == "enum" else { fatalError("invalid payload accepted") }
invalid.withUnsafeBytes { buf in
    measure("JSON validate(json:), invalid (256 B)", bytes: invalid.count) {
        jsonSchema.validate(json: buf).isValid ? 1 : 0
    }
}
print("checksum \(sink & 0xFFFF)")
