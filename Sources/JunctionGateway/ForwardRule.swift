import Foundation
import JunctionAdmin
import JunctionStore
import JunctionWire

/// A rule that forwards the matching events of one bus to another, as the
/// durable delivery service runs it: it reads the log from its cursor (like
/// a durable subscription, so it misses nothing while the gateway is down),
/// appends a copy of each matching event with the target bus stamped, and
/// hands the copies to the target bus's live subscribers once stored. The
/// target bus's durable subscriptions read the copies from the log.
///
/// Each copy carries the attributes `junction.forwarded-by` (the rule),
/// `junction.forwarded-from` (the original position) and `junction.hops`; an
/// event that has already been forwarded `maxHops` times is not forwarded
/// again, so rules that form a cycle stop.
final class ForwardRuleRuntime {
    /// What is persisted (state database, document kind "rule").
    struct Stored: Codable, Sendable, Equatable {
        var name: String
        var owner: String
        var bus: String
        var pattern: String
        var targetBus: String
        /// The next log position to read.
        var nextPosition: UInt64
    }

    static let documentKind = "rule"
    static let maxHops = 4

    var stored: Stored
    let filter: DurableFilter
    let targetBusBytes: [UInt8]
    /// An append of copies is in progress; reading resumes when it completes.
    var appending = false
    var dirty = false
    var forwarded: UInt64 = 0
    /// After a failed read or append: not before this time (Unix ns).
    var retryAt: Int64?

    /// Whether the rule has records to read now.
    func hasWork(upTo last: UInt64, now: Int64) -> Bool {
        !appending && stored.nextPosition <= last && (retryAt ?? .min) <= now
    }

    init(_ stored: Stored) throws(WireError) {
        self.stored = stored
        let definition = SubscriptionDefinition(name: "rule:" + stored.name, ownerAccount: stored.owner, bus: stored.bus,
                                                pattern: stored.pattern)
        self.filter = try DurableFilter(definition)
        self.targetBusBytes = Array(stored.targetBus.utf8)
    }

    var info: RuleInfo {
        RuleInfo(name: stored.name, owner: stored.owner, bus: stored.bus, pattern: stored.pattern, targetBus: stored.targetBus,
                 nextPosition: stored.nextPosition, forwarded: forwarded)
    }

    /// The copy of `event` (stored bytes, at `position`) for the target bus,
    /// or nil when it has used up its hops.
    func copy(of event: [UInt8], view: EventView, position: UInt64) -> [UInt8]? {
        var hops = 0
        for a in 0..<view.attributeCount where view.attributeKey(a).elementsEqual("junction.hops".utf8) {
            hops = Int(view.attributeValue(a).string) ?? 0
        }
        guard hops < Self.maxHops else { return nil }
        var copy = event
        copy.appendMapEntry(12, key: "junction.forwarded-by", value: stored.name)
        copy.appendMapEntry(12, key: "junction.forwarded-from", value: "\(position)")
        copy.appendMapEntry(12, key: "junction.hops", value: "\(hops + 1)")
        copy.appendStringField(8, stored.targetBus)
        return copy
    }
}
