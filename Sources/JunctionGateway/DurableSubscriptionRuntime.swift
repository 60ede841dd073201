import JunctionStore

/// One durable subscription's state on the service thread.
final class DurableSubscriptionRuntime {
    let definition: SubscriptionDefinition
    /// Which log records are for this subscription.
    let filter: DurableFilter
    var machine: SubscriptionDeliveryState
    var consumers: [ConsumerID: DurableConsumerHandle] = [:]
    /// The stored bytes of the events the machine holds.
    var cache: [UInt64: [UInt8]] = [:]
    var cachedBytes = 0
    /// A read the machine asked for, to run on the service thread's next turn
    /// (while the subscription holds less than `maxCachedBytes`).
    var pendingRead: (from: UInt64, maxRecords: Int)?
    /// A read that found nothing yet; it runs again when the log grows.
    var parkedRead: (from: UInt64, maxRecords: Int)?
    var wakeAt: Int64?
    var dirty = false
    var deadLettered: UInt64 = 0
    /// Dead letters whose append failed, retried from `notBefore`.
    var deadLetterRetries: [(position: UInt64, reason: DeadLetterReason, attempts: Int, notBefore: Int64)] = []

    init(definition: SubscriptionDefinition, state: StateStore, log: EventLog) throws {
        self.definition = definition
        self.filter = try DurableFilter(definition)
        var committed = try state.committedPosition(subscription: definition.name) ?? 0
        var inFlight = try state.inFlight(subscription: definition.name)
        let last = log.lastPosition
        if committed > last {
            // The log lost a tail the cursor had passed (a machine crash
            // before fsync): positions after `last` will be new events.
            committed = last
            inFlight.removeAll { $0.position > last }
        }
        self.machine = SubscriptionDeliveryState(configuration: DeliveryConfiguration(definition), committedPosition: committed,
                                                 lastLogPosition: log.lastPosition, restoring: inFlight)
    }

    func forget(_ position: UInt64) {
        if let bytes = cache.removeValue(forKey: position) { cachedBytes -= bytes.count }
    }

}
