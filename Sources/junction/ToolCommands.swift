import ArgumentParser

extension Junction {
    /// Offline tools (patterns, schemas) that live in their own files.
    static let toolCommands: [any ParsableCommand.Type] = [PatternCommand.self, SchemaCommand.self, SubscriptionCommand.self, ReplayCommand.self, RuleCommand.self]
}
