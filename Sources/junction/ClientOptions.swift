import ArgumentParser
import Foundation
import JunctionClient
import JunctionTLS

/// How a command reaches a gateway.
struct ClientOptions: ParsableArguments {
    @Option(help: "Gateway address as HOST:PORT.")
    var server: String = "127.0.0.1:7400"

    @Option(help: "CA certificate (PEM) that signed the gateway's certificate, e.g. junction-data/ca.pem.")
    var ca: String?

    @Option(help: "Name (DNS name or IP address) to verify in the gateway's certificate (default: the host of --server).")
    var serverName: String?

    @Option(help: "Bearer token of the account.")
    var token: String?

    @Option(help: "File holding the token (e.g. junction-data/dev-token).")
    var tokenFile: String?

    @Flag(help: "Connect without TLS (only to a gateway started with --insecure-plaintext).")
    var insecurePlaintext = false

    func validate() throws {
        if token == nil && tokenFile == nil {
            throw ValidationError("give --token or --token-file (junction serve --dev writes junction-data/dev-token)")
        }
        if !insecurePlaintext && ca == nil && !FileManager.default.fileExists(atPath: "junction-data/ca.pem") {
            throw ValidationError("give --ca with the gateway's CA certificate (junction serve --dev writes junction-data/ca.pem)")
        }
        _ = try hostAndPort()
    }

    func hostAndPort() throws -> (String, Int) {
        try parseHostPort(server, option: "--server")
    }

    func resolvedToken() throws -> String {
        if let token { return token }
        let path = tokenFile!
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read the token file \(path)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func tlsConfiguration() throws -> TLSConfiguration? {
        guard !insecurePlaintext else { return nil }
        let (host, _) = try hostAndPort()
        // IP addresses are checked against the certificate's IP entries (the
        // development certificate has 127.0.0.1 and ::1).
        return .client(serverName: serverName ?? host, trustedCAFile: ca ?? "junction-data/ca.pem")
    }

    func connect(clientName: String) async throws -> JunctionConnection {
        let (host, port) = try hostAndPort()
        let tls = try tlsConfiguration()
        return try await JunctionConnection.connect(host: host, port: port, tls: tls, token: try resolvedToken(), clientName: clientName)
    }
}

/// Parses "HOST:PORT" or "[V6]:PORT".
func parseHostPort(_ text: String, option: String) throws -> (String, Int) {
    var host = text
    var portText = ""
    if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
        host = String(text[text.index(after: text.startIndex)..<close])
        portText = String(text[close...].dropFirst(2))
    } else if let colon = text.lastIndex(of: ":") {
        host = String(text[..<colon])
        portText = String(text[text.index(after: colon)...])
    }
    guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else {
        throw ValidationError("\(option) \(text): expected HOST:PORT, for example 127.0.0.1:7400")
    }
    return (host, port)
}
