import JunctionTestSupport
import CJunctionWire
import Testing
@testable import JunctionWire

/// A bounded, deterministic fuzz of the frame decoder: mutated and cut
/// copies of valid frames must decode or fail with a WireError, never
/// crash, and a successful decode of a publish frame must find one byte
/// range per event.
@Suite struct FrameDecoderFuzzTests {

    static func seeds() -> [[UInt8]] {
        let events = (0..<4).map { i in
            OutgoingEvent(id: "id-\(i)", source: "com.example.src", detailType: "Type\(i)", timeUnixNanos: Int64(i) * 1_000_003,
                          subject: "s", resources: ["arn:a", "arn:b"], bus: "b", schemaSubject: "subj", schemaVersion: 2,
                          contentType: .json, detail: Array(#"{"k":[1,2,{"x":"y"}]}"#.utf8),
                          attributes: [(key: "traceparent", value: "00-1"), (key: "k", value: "v")])
        }
        return [
            Array(PublishBatchFrame(batchID: 7, bus: "default", events: events).frameBytes().dropFirst(5)),
            Array(HelloFrame(token: "secret-token", clientName: "fuzz").frameBytes().dropFirst(5)),
            Array(SubscribeFrame(subscriptionID: 3, pattern: #"{"source":["a"]}"#, bus: "b", credits: 10).frameBytes().dropFirst(5)),
            Array(AckFrame(subscriptionID: 3, deliveryIDs: [1, 2, 300, 70000]).frameBytes().dropFirst(5)),
        ]
    }

    @Test func mutatedFramesNeverCrashTheDecoder() {
        var rng = SplitMix64(seed: 0x5EED)
        let seeds = Self.seeds()
        let arena = ProtobufArena(capacity: 1 << 16)
        var decoded = 0
        var refused = 0
        var ranges: [Range<Int>] = []
        for iteration in 0..<20_000 {
            var bytes = seeds[iteration % seeds.count]
            switch rng.next() % 4 {
            case 0:  // flip bytes
                for _ in 0...(rng.next() % 4) where !bytes.isEmpty {
                    bytes[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                }
            case 1:  // cut
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1))))
            case 2:  // set a byte to a boundary value
                if !bytes.isEmpty { bytes[Int(rng.next() % UInt64(bytes.count))] = [0x00, 0x7F, 0x80, 0xFF][Int(rng.next() % 4)] }
            default:  // insert random bytes
                let at = Int(rng.next() % UInt64(bytes.count + 1))
                bytes.insert(contentsOf: (0..<(1 + rng.next() % 8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            }
            defer { arena.reset() }
            do throws(WireError) {
                let frame = try bytes.withUnsafeBytes { raw in
                    Result { () throws(WireError) in try FrameDecoder.decodeClientFrame(raw, arena: arena) }
                }.get()
                decoded += 1
                if frame.pointee.frame_case == JUNCTION__V1__CLIENT_FRAME__FRAME_PUBLISH {
                    let count = frame.pointee.publish.pointee.n_events
                    do throws(WireError) {
                        try bytes.withUnsafeBytes { raw in
                            Result { () throws(WireError) in try FrameDecoder.publishEventRanges(raw, count: count, into: &ranges) }
                        }.get()
                        #expect(ranges.count == count)
                        #expect(ranges.allSatisfy { $0.upperBound <= bytes.count })
                    } catch {
                        // A merged (repeated) publish field is refused, by design.
                        #expect(error.code == .malformedFrame)
                    }
                }
            } catch {
                refused += 1
                #expect(!error.message.isEmpty)
            }
        }
        #expect(decoded > 100 && refused > 100, "both outcomes are exercised (decoded \(decoded), refused \(refused))")
    }
}
