import Testing
@testable import JunctionStore

@Suite struct CRC32CTests {
    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }

    @Test func hardwareAndSoftwareAgreeOnAllLengthsAndAlignments() {
        var rng = SeededRandom(seed: 7)
        let data = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        data.withUnsafeBytes { raw in
            for start in 0..<9 {
                for length in [0, 1, 3, 7, 8, 9, 31, 32, 33, 255, 1000, 4000] where start + length <= raw.count {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    let hw = CRC32C.checksum(slice)
                    let sw = CRC32C.softwareChecksum(slice)
                    #expect(hw == sw, "start \(start) length \(length)")
                }
            }
        }
    }

    @Test func stripedPathAgreesWithSoftwareAroundEveryBlockSize() {
        // Whichever path this CPU takes (striped needs SSE4.2 and PCLMULQDQ,
        // which some virtual machines hide), the results must agree with the
        // software checksum below.
        var rng = SeededRandom(seed: 11)
        let data = (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        data.withUnsafeBytes { raw in
            // 180...1300: the smallest stripes, with every remainder; then
            // around one full round of three 2 KiB streams, and several rounds.
            let lengths = Array(180...1300) + Array(6130...6160) + [12_300, 19_990]
            for (i, length) in lengths.enumerated() {
                let start = i % 9
                let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                #expect(CRC32C.checksum(slice) == CRC32C.softwareChecksum(slice), "start \(start) length \(length)")
                #expect(CRC32C.checksum(slice, continuing: 0xDEAD_BEEF) == CRC32C.softwareChecksum(slice, continuing: 0xDEAD_BEEF))
            }
        }
    }

    @Test func chainingEqualsOneShot() {
        let data = Array("The quick brown fox jumps over the lazy dog".utf8)
        let whole = CRC32C.checksum(data)
        for split in 0...data.count {
            let first = CRC32C.checksum(Array(data[0..<split]))
            #expect(CRC32C.checksum(Array(data[split...]), continuing: first) == whole)
        }
    }
}
