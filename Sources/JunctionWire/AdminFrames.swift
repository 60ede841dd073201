// The administration frames (see ADMINISTRATION in Protos/junction/v1/protocol.proto).

/// `AdminRequest` (ClientFrame field 10): one administrative operation with a
/// JSON request document.
public struct AdminRequestFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 10
    public var requestID: UInt64
    public var operation: String
    /// The request document, a UTF-8 JSON object.
    public var body: [UInt8]

    public init(requestID: UInt64, operation: String, body: [UInt8]) {
        self.requestID = requestID
        self.operation = operation
        self.body = body
    }

    public var bodySize: Int {
        ProtoSize.uint64Field(1, requestID) + ProtoSize.stringField(2, operation)
            + ProtoSize.bytesField(3, count: body.count)
    }

    public func encode(into w: inout ProtoWriter) {
        w.uint64Field(1, requestID)
        w.stringField(2, operation)
        body.withUnsafeBytes { w.bytesField(3, $0) }
    }
}

/// `AdminResponse` (ServerFrame field 10): the outcome of one AdminRequest.
public struct AdminResponseFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 10
    public var requestID: UInt64
    /// nil when the operation succeeded.
    public var error: WireError?
    /// The result document (UTF-8 JSON object); on failure, optional details.
    public var body: [UInt8]

    public init(requestID: UInt64, error: WireError?, body: [UInt8]) {
        self.requestID = requestID
        self.error = error
        self.body = body
    }

    public var bodySize: Int {
        var size = ProtoSize.uint64Field(1, requestID) + ProtoSize.bytesField(5, count: body.count)
        if let error {
            size += ProtoSize.uint64Field(3, UInt64(UInt32(bitPattern: error.code.rawValue))) + ProtoSize.stringField(4, error.message)
        } else {
            size += ProtoSize.boolField(2, true)
        }
        return size
    }

    public func encode(into w: inout ProtoWriter) {
        w.uint64Field(1, requestID)
        if let error {
            w.uint64Field(3, UInt64(UInt32(bitPattern: error.code.rawValue)))
            w.stringField(4, error.message)
        } else {
            w.boolField(2, true)
        }
        body.withUnsafeBytes { w.bytesField(5, $0) }
    }
}
