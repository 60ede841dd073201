import ArgumentParser
import Foundation
import JunctionAdmin
import JunctionClient

/// `junction subscription create|list|show|delete`: durable subscriptions,
/// over the gateway's admin requests. Output is the gateway's JSON document.
struct SubscriptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscription",
        abstract: "Create, list, show and delete durable subscriptions of your account.",
        discussion: """
            A durable subscription keeps its place in the event log: events that match while no
            consumer is connected wait in the log. Consume one with `junction subscribe --durable NAME`.
            """,
        subcommands: [Create.self, List.self, Show.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Define a durable subscription (prints it as JSON).")

        @OptionGroup var client: ClientOptions
        @Argument(help: "Name: letters, digits, '.', '_', '-'.") var name: String
        @Option(help: "Bus (default \"default\").") var bus: String?
        @Option(help: "EventBridge pattern (JSON text); default: every event of the bus.") var pattern: String?
        @Option(help: "Where to start: earliest, latest (default), time:RFC3339, position:N.") var start: String?
        @Option(help: "Deliveries before dead-lettering (default 185).") var maxAttempts: Int?
        @Option(help: "Longest time from the first attempt to a retry, ms (default 86400000; 0: no limit).") var maxEventAgeMs: Int64?
        @Option(help: "Backoff cap before the first retry, ms (default 1000).") var initialBackoffMs: Int64?
        @Option(help: "Largest backoff cap, ms (default 300000).") var maxBackoffMs: Int64?
        @Option(help: "Subscription that receives dead letters (default: none; they are logged and dropped).") var deadLetter: String?
        @Option(help: "Time to ack a delivery before it is redelivered, ms (default 30000).") var ackTimeoutMs: Int64?
        @Option(help: "Deliveries outstanding across all consumers (default 1000).") var maxInFlight: Int?
        @Option(help: "Attribute whose value orders events: one delivery at a time per value.") var orderingKey: String?

        func run() async throws {
            var spec = SubscriptionSpec(name: name, bus: bus, pattern: pattern)
            spec.start = start
            spec.maxAttempts = maxAttempts
            spec.maxEventAgeMs = maxEventAgeMs
            spec.initialBackoffMs = initialBackoffMs
            spec.maxBackoffMs = maxBackoffMs
            spec.deadLetter = deadLetter
            spec.ackTimeoutMs = ackTimeoutMs
            spec.maxInFlight = maxInFlight
            spec.orderingKey = orderingKey
            try await adminCommand(client, AdminOperation.subscriptionCreate, spec)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your durable subscriptions with their cursors (JSON).")
        @OptionGroup var client: ClientOptions
        func run() async throws { try await adminCommand(client, AdminOperation.subscriptionList, EmptyDocument()) }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one durable subscription: definition, cursor, outstanding, consumers (JSON).")
        @OptionGroup var client: ClientOptions
        @Argument var name: String
        func run() async throws { try await adminCommand(client, AdminOperation.subscriptionGet, NameRequest(name: name)) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a durable subscription (its consumers are unsubscribed).")
        @OptionGroup var client: ClientOptions
        @Argument var name: String
        func run() async throws { try await adminCommand(client, AdminOperation.subscriptionDelete, NameRequest(name: name)) }
    }
}

/// `junction replay --subscription NAME --from TIME|POSITION [--to ...]`.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Redeliver a range of the log into one durable subscription.",
        discussion: """
            The subscription's matching events of the range are delivered again, to it alone, after
            what it already has; each carries the attribute junction.replayed-from with its original
            position. FROM and TO are an RFC 3339 time (2026-11-26T10:00:00Z) or a log position (1234),
            TO inclusive and by default the end of the log.
            """
    )

    @OptionGroup var client: ClientOptions
    @Option(help: "The durable subscription.") var subscription: String
    @Option(help: "Start: an RFC 3339 time or a log position.") var from: String
    @Option(help: "End (inclusive): an RFC 3339 time or a log position. Default: the end of the log.") var to: String?

    func run() async throws {
        try await adminCommand(client, AdminOperation.subscriptionReplay,
                               ReplayRequest(name: subscription, from: Self.form(from), to: to.map(Self.form)))
    }

    /// "1234" → "position:1234"; anything else is a time.
    static func form(_ text: String) -> String {
        if text.hasPrefix("position:") || text.hasPrefix("time:") { return text }
        return UInt64(text) != nil ? "position:\(text)" : "time:\(text)"
    }
}

/// Sends one admin request and prints the answer document.
func adminCommand<Request: Encodable & Sendable>(_ client: ClientOptions, _ operation: String, _ request: Request) async throws {
    let body = try await AdminCLI.call(client, operation, request, as: RawDocument.self, command: "junction \(operation)")
    printLine(String(decoding: body.bytes, as: UTF8.self))
}
