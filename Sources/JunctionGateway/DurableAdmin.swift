import Foundation
import JunctionAdmin
import JunctionStore
import JunctionWire

/// The admin operations of the durable side: `subscription.*` (an account
/// administers its own subscriptions), `rule.*` (administrators), `log.stats`,
/// and the subscriptions and rules the configuration file declares.
enum DurableAdmin {
    static func register(into handlers: inout [String: AdminService.Handler], service: DurableDeliveryService, buses: Set<String>) {
        handlers[AdminOperation.subscriptionCreate] = { call in try create(call, service: service, buses: buses) }
        handlers[AdminOperation.subscriptionGet] = { call in try get(call, service: service) }
        handlers[AdminOperation.subscriptionList] = { call in try list(call, service: service) }
        handlers[AdminOperation.subscriptionDelete] = { call in try delete(call, service: service) }
        handlers[AdminOperation.subscriptionReplay] = { call in try replay(call, service: service) }
        handlers[AdminOperation.ruleCreate] = { call in try createRule(call, service: service, buses: buses) }
        handlers[AdminOperation.ruleList] = { call in
            _ = try call.decode(EmptyDocument.self)
            return AdminDocument.encode(RuleList(rules: try service.perform { service in .success(service.listRules()) }))
        }
        handlers[AdminOperation.ruleDelete] = { call in
            try call.requireAdministrator(AdminOperation.ruleDelete)
            let name = try call.decode(NameRequest.self).name
            let deleted = try service.perform { service in Result { () throws(AdminFailure) in try service.deleteRule(name) } }
            return AdminDocument.encode(DeleteResult(deleted: deleted))
        }
    }

    /// Rules change what every account's subscriptions on the target bus
    /// see: creating and deleting them needs an administrator.
    private static func createRule(_ call: AdminCall, service: DurableDeliveryService, buses: Set<String>) throws(AdminFailure) -> [UInt8] {
        try call.requireAdministrator(AdminOperation.ruleCreate)
        let spec = try call.decode(RuleSpec.self)
        let owner = call.account
        let info = try service.perform { service in Result { () throws(AdminFailure) in try service.createRule(spec, owner: owner, buses: buses) } }
        return AdminDocument.encode(info)
    }

    /// Creates the declared rules that are missing. Runs before the service thread starts.
    static func declare(_ declared: [DeclaredRule], service: DurableDeliveryService, buses: Set<String>) throws {
        for entry in declared {
            do throws(AdminFailure) {
                _ = try service.createRule(entry.spec, owner: entry.owner, buses: buses)
            } catch {
                throw GatewayStartError("configuration: rule \"\(entry.spec.name)\": \(error.error.message)")
            }
        }
    }

    /// `log.stats`: the event log's position range and write counters.
    static func registerLogStatistics(into handlers: inout [String: AdminService.Handler], log: EventLog) {
        handlers[AdminOperation.logStats] = { call in
            _ = try call.decode(EmptyDocument.self)
            let s = log.statistics
            return AdminDocument.encode(LogStatistics(
                firstPosition: log.firstPosition, lastPosition: log.lastPosition, durablePosition: log.durablePosition,
                segments: log.segmentCount, bytes: log.totalBytes, fsync: "\(log.configuration.fsync)",
                appendCalls: s.appendCalls, records: s.records, groupCommits: s.groupCommits, syncs: s.syncs,
                bytesWritten: s.bytesWritten))
        }
    }

    private static func create(_ call: AdminCall, service: DurableDeliveryService, buses: Set<String>) throws(AdminFailure) -> [UInt8] {
        let definition = try definition(from: call.decode(SubscriptionSpec.self), owner: call.account, buses: buses)
        let info = try service.perform { service in Result { () throws(AdminFailure) in try service.create(definition) } }
        return AdminDocument.encode(info)
    }

    private static func get(_ call: AdminCall, service: DurableDeliveryService) throws(AdminFailure) -> [UInt8] {
        let name = try call.decode(NameRequest.self).name
        let account = call.account
        let info = try service.perform { service in Result { () throws(AdminFailure) in try service.info(name: name, account: account) } }
        return AdminDocument.encode(info)
    }

    private static func list(_ call: AdminCall, service: DurableDeliveryService) throws(AdminFailure) -> [UInt8] {
        _ = try call.decode(EmptyDocument.self)
        let account = call.account
        let all = try service.perform { service in .success(service.list(account: account)) }
        return AdminDocument.encode(SubscriptionList(subscriptions: all))
    }

    private static func delete(_ call: AdminCall, service: DurableDeliveryService) throws(AdminFailure) -> [UInt8] {
        let name = try call.decode(NameRequest.self).name
        let account = call.account
        let deleted = try service.perform { service in Result { () throws(AdminFailure) in try service.delete(name: name, account: account) } }
        return AdminDocument.encode(DeleteResult(deleted: deleted))
    }

    private static func replay(_ call: AdminCall, service: DurableDeliveryService) throws(AdminFailure) -> [UInt8] {
        let request = try call.decode(ReplayRequest.self)
        let from = try position(request.from, field: "from", allowNamed: false)
        var end: StartPosition?
        if let text = request.to { end = try position(text, field: "to", allowNamed: false) }
        let to = end
        let account = call.account
        let result = try service.replay(name: request.name, account: account, from: from, to: to)
        return AdminDocument.encode(result)
    }

    /// Creates the declared subscriptions that are missing and updates those
    /// whose definition changed. Runs before the service thread starts.
    static func declare(_ declared: [DeclaredSubscription], service: DurableDeliveryService, buses: Set<String>) throws {
        for entry in declared {
            do throws(AdminFailure) {
                let definition = try definition(from: entry.spec, owner: entry.owner, buses: buses)
                do throws(AdminFailure) {
                    _ = try service.create(definition)
                } catch where error.error.code == .alreadyExists {
                    try service.update(definition)
                }
            } catch {
                throw GatewayStartError("configuration: subscription \"\(entry.spec.name)\": \(error.error.message)")
            }
        }
    }

    /// Subscription and rule names: 1-200 ASCII letters, digits, '.', '_' or '-'.
    static func checkName(_ name: String) throws(AdminFailure) {
        guard !name.isEmpty, name.utf8.count <= 200,
              name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }) else {
            throw AdminFailure(.invalidRequest, "name: \"\(name)\" must be 1-200 letters, digits, '.', '_' or '-'")
        }
    }

    /// A stored definition from a request, with the defaults documented on
    /// ``SubscriptionSpec``; errors name the field.
    static func definition(from spec: SubscriptionSpec, owner: String, buses: Set<String>) throws(AdminFailure) -> SubscriptionDefinition {
        func invalid(_ message: String) -> AdminFailure { AdminFailure(.invalidRequest, "subscription \"\(spec.name)\": \(message)") }
        let name = spec.name
        try checkName(name)
        let bus = spec.bus ?? "default"
        guard buses.contains(bus) else { throw invalid("bus: \"\(bus)\" does not exist (known: \(buses.sorted().joined(separator: ", ")))") }
        let pattern = spec.pattern ?? ""
        do {
            _ = try SubscriptionPattern(text: pattern)
        } catch {
            throw invalid("pattern: \(error.message)")
        }
        var retry = RetryPolicy()
        if let v = spec.maxAttempts {
            guard v >= 1 else { throw invalid("max_attempts: must be at least 1, got \(v)") }
            retry.maxAttempts = v
        }
        if let v = spec.maxEventAgeMs {
            guard v >= 0 else { throw invalid("max_event_age_ms: must not be negative") }
            retry.maxEventAgeNanos = v == 0 ? nil : v * 1_000_000
        }
        if let v = spec.initialBackoffMs {
            guard v >= 0 else { throw invalid("initial_backoff_ms: must not be negative") }
            retry.initialBackoffNanos = v * 1_000_000
        }
        if let v = spec.maxBackoffMs {
            guard v >= retry.initialBackoffNanos / 1_000_000 else { throw invalid("max_backoff_ms: must be at least initial_backoff_ms") }
            retry.maxBackoffNanos = v * 1_000_000
        }
        if let target = spec.deadLetter {
            guard !target.isEmpty, target != name else { throw invalid("dead_letter: must name another subscription") }
        }
        let ackTimeout = spec.ackTimeoutMs ?? 30_000
        guard ackTimeout > 0 else { throw invalid("ack_timeout_ms: must be positive, got \(ackTimeout)") }
        let maxInFlight = spec.maxInFlight ?? 1_000
        guard (1...100_000).contains(maxInFlight) else { throw invalid("max_in_flight: must be 1-100000, got \(maxInFlight)") }
        let start = try position(spec.start ?? "latest", field: "start", allowNamed: true)
        if let key = spec.orderingKey, key.isEmpty { throw invalid("ordering_key: must not be empty") }
        let definition = SubscriptionDefinition(
            name: name, ownerAccount: owner, bus: bus, pattern: pattern, retryPolicy: retry, deadLetterTarget: spec.deadLetter,
            ackTimeoutNanos: ackTimeout * 1_000_000, maxInFlight: maxInFlight, startPosition: start, orderingKey: spec.orderingKey)
        do {
            try definition.validate()
        } catch {
            throw invalid(error.message)
        }
        return definition
    }

    /// Parses "earliest", "latest", "time:<RFC 3339>" or "position:<N>".
    static func position(_ text: String, field: String, allowNamed: Bool) throws(AdminFailure) -> StartPosition {
        if allowNamed && text == "earliest" { return .earliest }
        if allowNamed && text == "latest" { return .latest }
        if text.hasPrefix("position:"), let p = UInt64(text.dropFirst("position:".count)), p > 0 { return .position(p) }
        if text.hasPrefix("time:"), let nanos = parseTime(String(text.dropFirst("time:".count))) { return .time(nanos) }
        let forms = allowNamed ? "earliest, latest, time:<RFC 3339> or position:<N>" : "time:<RFC 3339> or position:<N>"
        throw AdminFailure(.invalidRequest, "\(field): \"\(text)\" is not \(forms)")
    }

    /// Unix nanoseconds of an RFC 3339 time ("2026-11-26T15:47:21Z", with optional fraction).
    static func parseTime(_ text: String) -> Int64? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = fractional.date(from: text) ?? plain.date(from: text) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1e9).rounded())
    }
}

/// The gateway could not start (a configuration problem, named).
public struct GatewayStartError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
