import Testing
import JunctionTestSupport
@testable import JunctionGateway

/// `DurableFilter.storedBus`: the bus a durable subscription compares before
/// it decodes a record.
@Suite struct DurableFilterTests {
    private func bus(_ build: (inout ProtoTestEncoder) -> Void) -> String? {
        var encoder = ProtoTestEncoder()
        build(&encoder)
        return encoder.bytes.withUnsafeBytes { raw in
            DurableFilter.storedBus(raw).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    @Test func theProducersBusOrTheStampedOne() {
        // The producer named the bus; the stamp adds none.
        #expect(bus { $0.string(2, "shop"); $0.string(8, "payments"); $0.lengthDelimited(10, [1, 2, 3]); $0.string(1, "id-1") } == "payments")
        // No bus from the producer: the stamp's (written after its bytes).
        #expect(bus { $0.string(2, "shop"); $0.int(4, 17); $0.string(9, "acct"); $0.string(8, "default") } == "default")
    }

    @Test func theLastOccurrenceWinsAsInProtobuf() {
        #expect(bus { $0.string(8, "first"); $0.string(2, "shop"); $0.string(8, "second") } == "second")
    }

    @Test func noBusOrBytesThatDoNotScanLeaveItToTheDecoder() {
        #expect(bus { $0.string(2, "shop"); $0.int(4, 17) } == nil)
        // A length that runs past the end.
        #expect(bus { $0.string(8, "payments"); $0.tag(10, 2); $0.rawVarint(50); $0.bytes += [1, 2] } == nil)
        // A bus field with the wrong wire type is not a bus.
        #expect(bus { $0.varint(8, 3) } == nil)
    }
}
