/// A protocol-level error: the code travels in an `Error` frame
/// (`junction.v1.ErrorCode`), the message tells a person what was wrong.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Mirrors `junction.v1.ErrorCode`.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let unspecified = Code(rawValue: 0)
        public static let malformedFrame = Code(rawValue: 1)
        public static let frameTooLarge = Code(rawValue: 2)
        public static let unsupportedFlags = Code(rawValue: 3)
        public static let invalidUTF8 = Code(rawValue: 4)
        public static let helloRequired = Code(rawValue: 5)
        public static let unauthenticated = Code(rawValue: 6)
        public static let unknownSubscription = Code(rawValue: 7)
        public static let invalidPattern = Code(rawValue: 8)
        public static let permissionDenied = Code(rawValue: 9)
        public static let limitExceeded = Code(rawValue: 10)
        public static let unavailable = Code(rawValue: 11)
        public static let `internal` = Code(rawValue: 12)
        public static let invalidRequest = Code(rawValue: 13)
        public static let notFound = Code(rawValue: 14)
        public static let alreadyExists = Code(rawValue: 15)
        public static let incompatibleSchema = Code(rawValue: 16)

        public var description: String {
            switch self {
            case .malformedFrame: "MALFORMED_FRAME"
            case .frameTooLarge: "FRAME_TOO_LARGE"
            case .unsupportedFlags: "UNSUPPORTED_FLAGS"
            case .invalidUTF8: "INVALID_UTF8"
            case .helloRequired: "HELLO_REQUIRED"
            case .unauthenticated: "UNAUTHENTICATED"
            case .unknownSubscription: "UNKNOWN_SUBSCRIPTION"
            case .invalidPattern: "INVALID_PATTERN"
            case .permissionDenied: "PERMISSION_DENIED"
            case .limitExceeded: "LIMIT_EXCEEDED"
            case .unavailable: "UNAVAILABLE"
            case .internal: "INTERNAL"
            case .invalidRequest: "INVALID_REQUEST"
            case .notFound: "NOT_FOUND"
            case .alreadyExists: "ALREADY_EXISTS"
            case .incompatibleSchema: "INCOMPATIBLE_SCHEMA"
            default: "ERROR_\(rawValue)"
            }
        }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
