/// A durable subscription declared in the gateway's configuration file: the
/// fields of ``SubscriptionSpec`` plus the owning account. Created at start
/// when missing; a declared subscription whose definition changed is updated
/// (its cursor is kept).
public struct DeclaredSubscription: Decodable, Sendable, Equatable {
    /// The account that owns (and may consume) the subscription.
    public var owner: String
    public var spec: SubscriptionSpec

    public init(owner: String, spec: SubscriptionSpec) {
        self.owner = owner
        self.spec = spec
    }

    private enum Keys: String, CodingKey { case owner }

    public init(from decoder: any Decoder) throws {
        owner = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .owner)
        spec = try SubscriptionSpec(from: decoder)
    }
}
