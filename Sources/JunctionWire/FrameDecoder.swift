public import CJunctionWire

/// Decodes frame bodies with protobuf-c after an allocation-free structural
/// check that protobuf-c does not do (UTF-8 of strings, nesting depth), and
/// turns every failure into a `WireError` that says where the bytes are wrong.
public enum FrameDecoder {
    /// Deepest nesting accepted in a frame (frames are at most 4 levels deep;
    /// event details are bytes and are checked by the schema validator).
    public static let maxDepth: UInt32 = 8

    /// Decodes a ClientFrame body into `arena`. The returned pointer is valid
    /// until the arena is reset or released.
    public static func decodeClientFrame(
        _ body: UnsafeRawBufferPointer, arena: ProtobufArena
    ) throws(WireError) -> UnsafeMutablePointer<Junction__V1__ClientFrame> {
        try check(body, descriptor: junction_client_frame_descriptor(), what: "ClientFrame")
        guard let frame = junction_unpack_client_frame(arena.raw, body.baseAddress?.assumingMemoryBound(to: UInt8.self), body.count) else {
            throw WireError(.malformedFrame, "bytes are not a valid junction.v1.ClientFrame")
        }
        if frame.pointee.frame_case == JUNCTION__V1__CLIENT_FRAME__FRAME__NOT_SET {
            throw WireError(.malformedFrame, "ClientFrame has no member set (expected hello, publish, subscribe, ...)")
        }
        return frame
    }

    /// Decodes a ServerFrame body into `arena` (client side).
    public static func decodeServerFrame(
        _ body: UnsafeRawBufferPointer, arena: ProtobufArena
    ) throws(WireError) -> UnsafeMutablePointer<Junction__V1__ServerFrame> {
        try check(body, descriptor: junction_server_frame_descriptor(), what: "ServerFrame")
        guard let frame = junction_unpack_server_frame(arena.raw, body.baseAddress?.assumingMemoryBound(to: UInt8.self), body.count) else {
            throw WireError(.malformedFrame, "bytes are not a valid junction.v1.ServerFrame")
        }
        return frame
    }

    /// Decodes one stored event (bytes the gateway accepted and stored, so
    /// already checked) into `arena`; nil when protobuf-c refuses the bytes.
    public static func decodeStoredEvent(
        _ bytes: UnsafeRawBufferPointer, arena: ProtobufArena
    ) -> UnsafeMutablePointer<Junction__V1__Event>? {
        junction_unpack_event(arena.raw, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    /// The byte ranges of the encoded events of a publish frame body, in
    /// order, as offsets into `body`. Call after a successful decode.
    public static func publishEventRanges(_ body: UnsafeRawBufferPointer, count: Int, into ranges: inout [Range<Int>]) throws(WireError) {
        ranges.removeAll(keepingCapacity: true)
        guard count > 0 else { return }
        let found: Int = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: count * 2) { scratch in
            let offsets = scratch.baseAddress!
            let lengths = scratch.baseAddress! + count
            let n = junction_publish_event_ranges(
                body.baseAddress?.assumingMemoryBound(to: UInt8.self), body.count, offsets, lengths, count)
            if n == count {
                for i in 0..<count {
                    let start = Int(offsets[i])
                    ranges.append(start..<(start + Int(lengths[i])))
                }
            }
            return n
        }
        if found != count {
            throw WireError(.malformedFrame, "publish frame: found \(found) encoded events, protobuf-c decoded \(count)")
        }
    }

    private static func check(_ body: UnsafeRawBufferPointer, descriptor: UnsafePointer<ProtobufCMessageDescriptor>, what: String) throws(WireError) {
        var problem = junction_wire_problem()
        if junction_wire_check(descriptor, body.baseAddress?.assumingMemoryBound(to: UInt8.self), body.count, maxDepth, &problem) {
            return
        }
        let message = problem.message_name.map { String(cString: $0) } ?? what
        let field = problem.field_name.map { ".\(String(cString: $0))" } ?? (problem.field_number != 0 ? " field \(problem.field_number)" : "")
        let place = "\(message)\(field) at byte \(problem.offset)"
        switch problem.status {
        case JUNCTION_WIRE_INVALID_UTF8:
            throw WireError(.invalidUTF8, "\(place): string is not valid UTF-8")
        case JUNCTION_WIRE_NUL_IN_STRING:
            throw WireError(.invalidUTF8, "\(place): string contains a NUL character")
        case JUNCTION_WIRE_TRUNCATED:
            throw WireError(.malformedFrame, "\(place): truncated (the field runs past the end of its message)")
        case JUNCTION_WIRE_BAD_VARINT:
            throw WireError(.malformedFrame, "\(place): varint longer than 10 bytes")
        case JUNCTION_WIRE_BAD_WIRE_TYPE:
            throw WireError(.malformedFrame, "\(place): invalid or unsupported wire type")
        case JUNCTION_WIRE_TYPE_MISMATCH:
            throw WireError(.malformedFrame, "\(place): wrong wire type for the field's declared type")
        case JUNCTION_WIRE_TOO_DEEP:
            throw WireError(.malformedFrame, "\(place): nesting deeper than \(maxDepth)")
        case JUNCTION_WIRE_ZERO_FIELD:
            throw WireError(.malformedFrame, "\(place): invalid field number")
        default:
            throw WireError(.malformedFrame, "\(place): malformed")
        }
    }
}
