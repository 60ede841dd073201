import ArgumentParser

@main
struct Junction: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "junction",
        abstract: "Junction: a TLS event gateway with content-based routing.",
        discussion: """
            Start a development gateway:   junction serve --dev
            Publish JSON events:           echo '{"source":"s","detail-type":"t","detail":{}}' | junction publish --ca junction-data/ca.pem --token-file junction-data/dev-token
            Subscribe:                     junction subscribe --ca junction-data/ca.pem --token-file junction-data/dev-token --pattern '{"source":["s"]}'
            Durable subscription:          junction subscription create orders --pattern '{"source":["s"]}' --start earliest (same --ca/--token-file)
                                           junction subscribe --durable orders (same --ca/--token-file)
            """,
        subcommands: [ServeCommand.self, PublishCommand.self, SubscribeCommand.self, BenchCommand.self]
            + Junction.toolCommands
    )
}
