/// User events fired inbound by ``NIOTLSHandler``.
public enum TLSUserEvent: Sendable, Hashable {
    /// The handshake finished; application data can flow. `negotiatedALPN` is the
    /// protocol both sides agreed on (`"junction/1"`), or `nil` if the client offered
    /// no ALPN. Peer details are on the handler: ``NIOTLSHandler/peerIdentity``.
    case handshakeCompleted(negotiatedALPN: String?)
    /// The peer sent close_notify: it will send nothing more. The handler answers with
    /// its own close_notify and closes the channel.
    case closeNotifyReceived
}
