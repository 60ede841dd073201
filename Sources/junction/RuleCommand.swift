import ArgumentParser
import JunctionAdmin

/// `junction rule create|list|delete`: rules that forward the matching
/// events of one bus to another.
struct RuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rule",
        abstract: "Create, list and delete rules that forward events from one bus to another.",
        discussion: """
            A rule reads its bus from the event log (it misses nothing while the gateway is down),
            and appends a copy of every matching event to the target bus, where that bus's live and
            durable subscriptions see it. Creating and deleting rules needs an administrator account
            when the gateway names any (--admin-account).
            """,
        subcommands: [Create.self, List.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Define a forwarding rule (prints it as JSON).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Name: letters, digits, '.', '_', '-'.") var name: String
        @Option(help: "The bus the rule reads.") var bus: String
        @Option(help: "EventBridge pattern (JSON text); default: every event of the bus.") var pattern: String?
        @Option(help: "The bus matching events are forwarded to.") var targetBus: String
        @Option(help: "Where to start: earliest, latest (default), time:RFC3339, position:N.") var start: String?

        func run() async throws {
            try await adminCommand(client, AdminOperation.ruleCreate,
                                   RuleSpec(name: name, bus: bus, pattern: pattern, targetBus: targetBus, start: start))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the gateway's forwarding rules (JSON).")
        @OptionGroup var client: ClientOptions
        func run() async throws { try await adminCommand(client, AdminOperation.ruleList, EmptyDocument()) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a forwarding rule.")
        @OptionGroup var client: ClientOptions
        @Argument var name: String
        func run() async throws { try await adminCommand(client, AdminOperation.ruleDelete, NameRequest(name: name)) }
    }
}
