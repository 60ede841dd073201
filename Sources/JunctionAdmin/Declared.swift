/// Something the gateway's configuration file declares for an account: the
/// fields of the admin request that would create it (`spec`, at the same
/// level in the JSON object) plus `owner`, the account it belongs to.
public struct Declared<Spec: Decodable & Sendable & Equatable>: Decodable, Sendable, Equatable {
    /// The account that owns it.
    public var owner: String
    public var spec: Spec

    public init(owner: String, spec: Spec) {
        self.owner = owner
        self.spec = spec
    }

    private enum Keys: String, CodingKey { case owner }

    public init(from decoder: any Decoder) throws {
        owner = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .owner)
        spec = try Spec(from: decoder)
    }
}

/// A durable subscription declared in the configuration file: created at
/// start when missing; a changed definition is updated (its cursor is kept).
public typealias DeclaredSubscription = Declared<SubscriptionSpec>

/// A forwarding rule declared in the configuration file: created at start when missing.
public typealias DeclaredRule = Declared<RuleSpec>
