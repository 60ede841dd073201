import ArgumentParser
import Foundation
import JunctionClient
import JunctionWire

struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish events given as JSON lines on stdin (or as arguments); print one JSON line per event's result.",
        discussion: """
            Each event is a JSON object:
              {"source": "com.example.orders", "detail-type": "OrderPlaced", "detail": {"id": 1},
               "id": "optional", "time": "2026-11-26T10:00:00Z", "subject": "...", "resources": ["..."],
               "bus": "default", "attributes": {"traceparent": "..."}, "schema": {"subject": "...", "version": 1}}
            "detail" is sent as JSON; use "detail_base64" for binary details.
            Output, one line per event, in order:
              {"id":"...","position":12,"status":"accepted"}
              {"id":"...","status":"rejected","code":"REJECT_INVALID_EVENT","message":"source: required, is empty"}
            Exit status: 0 when every event was accepted, 1 when any was rejected.
            """
    )

    @OptionGroup var client: ClientOptions

    @Option(help: "Bus for events that name none (default \"default\").")
    var bus: String = ""

    @Option(help: "Events per batch.")
    var batchSize: Int = 100

    @Argument(help: "Events as JSON objects; when none are given, JSON lines are read from stdin.")
    var events: [String] = []

    func run() async throws {
        let connection = try await client.connect(clientName: "junction-publish")
        var lines = events
        if lines.isEmpty {
            while let line = readLine(strippingNewline: true) {
                if !line.trimmingCharacters(in: .whitespaces).isEmpty { lines.append(line) }
            }
        }
        var anyRejected = false
        var batch: [OutgoingEvent] = []
        func flush() async throws {
            guard !batch.isEmpty else { return }
            let results = try await connection.publish(batch, bus: bus)
            for r in results {
                if !r.accepted { anyRejected = true }
                printLine(EventJSON.line(for: r))
            }
            batch.removeAll()
        }
        let limit = max(1, min(batchSize, connection.server.maxBatchEvents))
        for (i, line) in lines.enumerated() {
            do {
                batch.append(try EventJSON.event(from: line))
            } catch {
                FileHandle.standardError.write(Data("junction publish: line \(i + 1): \(error)\n".utf8))
                throw ExitCode(2)
            }
            if batch.count == limit { try await flush() }
        }
        try await flush()
        await connection.close()
        if anyRejected { throw ExitCode(1) }
    }
}

struct SubscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe",
        abstract: "Receive the events a pattern matches and print each delivery as a JSON line.",
        discussion: """
            First line: {"event":"subscribed","subscription_id":1}. Then one line per delivery:
              {"delivery_id":1,"attempt":1,"event":{"id":"...","source":"...","detail_type":"...",
               "time":"2026-11-26T10:00:00.000Z","time_unix_nanos":...,"account":"dev","bus":"default",
               "position":12,"content_type":"json","detail":{...},"attributes":{}}}
            """
    )

    @OptionGroup var client: ClientOptions

    @Option(help: "EventBridge event pattern (JSON). Default: every event of the bus.")
    var pattern: String = ""

    @Option(help: "Bus to subscribe to.")
    var bus: String = ""

    @Option(help: "Consume this durable subscription (see `junction subscription create`) instead of a pattern; each delivery is acked once printed.")
    var durable: String?

    @Option(help: "Deliveries outstanding at most (credits).")
    var credits: UInt32 = 256

    @Option(help: "Exit after this many deliveries.")
    var count: Int?

    @Option(help: "Exit after this many seconds.")
    var timeout: Double?

    func run() async throws {
        let connection = try await client.connect(clientName: "junction-subscribe")
        if durable != nil && (!pattern.isEmpty || !bus.isEmpty) {
            throw ValidationError("--durable takes the subscription's own pattern and bus: leave out --pattern and --bus")
        }
        let subscription = if let durable {
            try await connection.subscribe(durable: durable, credits: credits)
        } else {
            try await connection.subscribe(pattern: pattern, bus: bus, credits: credits)
        }
        printLine(#"{"event":"subscribed","subscription_id":\#(subscription.id)}"#)
        let count = self.count
        let work = Task {
            var received = 0
            for try await delivery in subscription {
                printLine(EventJSON.line(for: delivery))
                subscription.ack(delivery)
                received += 1
                if let count, received >= count { break }
            }
        }
        if let timeout {
            let timer = Task {
                try await Task.sleep(for: .seconds(timeout))
                work.cancel()
            }
            _ = await work.result
            timer.cancel()
        } else {
            try await work.value
        }
        await connection.close()
    }
}
