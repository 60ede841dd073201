import JunctionAdmin
import JunctionWire
import NIOCore
import NIOPosix

/// One administrative request, as a handler sees it.
struct AdminCall: Sendable {
    /// The account of the connection that sent it.
    var account: String
    /// Whether that account may change gateway-wide things (schemas): true
    /// when it is listed in `adminAccounts`, or when that list is empty.
    var isAdministrator: Bool
    /// The request document (JSON).
    var body: [UInt8]

    /// The request document decoded; a bad document is an INVALID_REQUEST
    /// naming the field.
    func decode<T: Decodable>(_ type: T.Type) throws(AdminFailure) -> T {
        do {
            return try AdminDocument.decode(type, from: body)
        } catch {
            throw AdminFailure(error)
        }
    }

    /// Fails with PERMISSION_DENIED unless the caller is an administrator.
    func requireAdministrator(_ operation: String) throws(AdminFailure) {
        guard isAdministrator else {
            throw AdminFailure(.permissionDenied, "\(operation) needs an administrator account; account \"\(account)\" is not one (admin_accounts)")
        }
    }
}

/// Why an administrative request failed: the code and message go into the
/// AdminResponse, `details` (a JSON document, possibly empty) into its body.
struct AdminFailure: Error, Sendable {
    var error: WireError
    var details: [UInt8]

    init(_ error: WireError, details: [UInt8] = []) {
        self.error = error
        self.details = details
    }

    init(_ code: WireError.Code, _ message: String, details: [UInt8] = []) {
        self.init(WireError(code, message), details: details)
    }
}

/// Runs administrative operations on a small thread pool, off the event
/// loops (they touch SQLite and may scan the log).
///
/// Each area (schemas, subscriptions) registers its operations at start-up;
/// a handler receives the decoded call and returns the response document.
final class AdminService: Sendable {
    /// Throws ``AdminFailure`` (any other error is answered as INTERNAL).
    /// (Untyped `throws`: Swift 6.3's SILGen crashes on typed-throws
    /// closures stored into a dictionary of this type.)
    typealias Handler = @Sendable (AdminCall) throws -> [UInt8]

    private let handlers: [String: Handler]
    private let administrators: Set<String>
    private let pool: NIOThreadPool

    init(handlers: [String: Handler], administrators: Set<String>) {
        self.handlers = handlers
        self.administrators = administrators
        self.pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    /// The operations this gateway knows, sorted (for error messages).
    var operations: [String] { handlers.keys.sorted() }

    /// Performs `operation` for `account` and answers on `loop`.
    func perform(requestID: UInt64, operation: String, body: [UInt8], account: String,
                 on loop: EventLoop) -> EventLoopFuture<AdminResponseFrame> {
        guard let handler = handlers[operation] else {
            let known = operations.joined(separator: ", ")
            return loop.makeSucceededFuture(AdminResponseFrame(
                requestID: requestID,
                error: WireError(.invalidRequest, "unknown admin operation \"\(operation)\"; known: \(known)"), body: []))
        }
        let call = AdminCall(account: account, isAdministrator: administrators.isEmpty || administrators.contains(account), body: body)
        return pool.runIfActive(eventLoop: loop) { () -> AdminResponseFrame in
            do {
                return AdminResponseFrame(requestID: requestID, error: nil, body: try handler(call))
            } catch let failure as AdminFailure {
                return AdminResponseFrame(requestID: requestID, error: failure.error, body: failure.details)
            } catch {
                return AdminResponseFrame(requestID: requestID, error: WireError(.internal, "\(operation): \(error)"), body: [])
            }
        }.flatMapErrorThrowing { error in
            AdminResponseFrame(requestID: requestID, error: WireError(.unavailable, "the gateway is shutting down"), body: [])
        }
    }

    func shutdown() {
        try? pool.syncShutdownGracefully()
    }
}
