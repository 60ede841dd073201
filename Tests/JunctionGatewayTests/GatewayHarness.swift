import Foundation
import JunctionClient
import JunctionGateway
import JunctionTLS
import JunctionWire
import Logging

/// A gateway on 127.0.0.1 with a development certificate in a temporary
/// directory, and connections to it.
struct GatewayHarness {
    let gateway: Gateway
    let directory: String
    let certificates: DevelopmentCertificates?
    static let token = "test-token"
    static let otherToken = "other-token"

    /// Starts a gateway; `directory` reuses the directory of an earlier
    /// harness (its certificates and data) for restart tests.
    static func start(tls: Bool = true, directory reused: String? = nil,
                      configure: (inout GatewayConfiguration) -> Void = { _ in }) async throws -> GatewayHarness {
        let directory = reused ?? NSTemporaryDirectory() + "junction-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = GatewayConfiguration()
        configuration.port = 0
        configuration.eventLoopThreads = 2
        configuration.tokens = [token: "acct-test", otherToken: "acct-other"]
        configuration.buses = ["default", "payments"]
        var certificates: DevelopmentCertificates?
        if tls {
            let dev = try DevelopmentCertificates.generate(into: directory)
            configuration.tls = .server(certificateChainFile: dev.serverCertificateFile, privateKeyFile: dev.serverPrivateKeyFile)
            certificates = dev
        }
        configure(&configuration)
        var logger = Logger(label: "junction.test")
        logger.logLevel = .warning
        let gateway = try Gateway(configuration: configuration, logger: logger)
        try await gateway.start()
        return GatewayHarness(gateway: gateway, directory: directory, certificates: certificates)
    }

    func connect(token: String = GatewayHarness.token) async throws -> JunctionConnection {
        let tls = certificates.map { TLSConfiguration.client(serverName: "localhost", trustedCAFile: $0.caCertificateFile) }
        return try await JunctionConnection.connect(host: "127.0.0.1", port: gateway.port, tls: tls, token: token,
                                                    timeout: .seconds(5))
    }

    /// Shuts the gateway down; the directory is removed unless `keepDirectory`.
    func stop(keepDirectory: Bool = false) async {
        await gateway.shutdown()
        if !keepDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }
}

/// Collects up to `count` deliveries, giving up after `seconds`.
func collect(_ subscription: Subscription, count: Int, seconds: Double = 5) async throws -> [Delivery] {
    try await withThrowingTaskGroup(of: [Delivery].self) { group in
        group.addTask {
            var out: [Delivery] = []
            for try await d in subscription {
                out.append(d)
                if out.count == count { break }
            }
            return out
        }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return []
        }
        var result: [Delivery] = []
        for try await partial in group {
            result = partial
            group.cancelAll()
            break
        }
        return result
    }
}

/// A blocking plaintext TCP client for sending raw bytes (malformed frames).
final class RawSocket {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until the peer closes (or the 5 s timeout); returns the bytes and whether it closed.
    func readUntilClosed() -> (bytes: [UInt8], closed: Bool) {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<1000 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return (out, true) }
            if n < 0 { return (out, false) }
            out.append(contentsOf: buffer[0..<n])
        }
        return (out, false)
    }
}
