/// What a bus does with events whose detail breaks their schema
/// (`GatewayConfiguration.validation`, `junction serve --validation BUS=MODE`).
public enum SchemaValidationMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Every event must name a registered schema (`Event.schema`) and its
    /// detail must conform: otherwise it is rejected (REJECT_INVALID_EVENT
    /// without a schema reference, REJECT_SCHEMA_UNKNOWN for an unknown
    /// subject or version, REJECT_SCHEMA_VIOLATION naming the field and rule);
    /// the rest of its batch goes on.
    case enforce
    /// Events are checked as under ``enforce`` but accepted; problems are
    /// counted and logged (at most one log line per second per worker).
    case warn
    /// No check (the default).
    case off

    /// Parses "enforce", "warn" or "off" (case-insensitive).
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    public var description: String { rawValue }
}
