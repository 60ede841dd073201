/// The syntax a `.proto` file was written in. It decides enum openness and implicit presence.
public enum ProtoSyntax: String, Sendable {
    case proto2
    case proto3
}
