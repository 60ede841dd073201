import Foundation
import Testing
@testable import JunctionStore

@Suite struct StateStoreTests {
    func sample(_ name: String = "orders-to-billing", dlq: String? = "orders-dlq") -> SubscriptionDefinition {
        SubscriptionDefinition(
            name: name, ownerAccount: "billing", bus: "orders", pattern: #"{"source":["shop"]}"#,
            retryPolicy: RetryPolicy(maxAttempts: 5, maxEventAgeNanos: 3_600_000_000_000,
                                     initialBackoffNanos: 100_000_000, maxBackoffNanos: 10_000_000_000,
                                     backoffMultiplier: 3),
            deadLetterTarget: dlq, ackTimeoutNanos: 15_000_000_000, maxInFlight: 64,
            startPosition: .time(1_700_000_000_000_000_000), orderingKey: "customer")
    }

    @Test func subscriptionsRoundTripAndPersistAcrossReopen() throws {
        let dir = TemporaryDirectory("state"); defer { dir.remove() }
        let path = dir.file("state.db")
        do {
            let store = try StateStore(path: path, synchronous: .full)
            try store.createSubscription(sample())
            var other = sample("audit", dlq: nil)
            other.bus = "audit"
            other.startPosition = .position(42)
            other.orderingKey = nil
            other.retryPolicy.maxEventAgeNanos = nil
            try store.createSubscription(other)
            #expect(try store.subscription(named: "orders-to-billing") == sample())
            #expect(try store.subscription(named: "audit") == other)
            #expect(try store.subscription(named: "missing") == nil)
            #expect(try store.subscriptions().map(\.name) == ["audit", "orders-to-billing"])
            #expect(try store.subscriptions(bus: "orders").map(\.name) == ["orders-to-billing"])
            #expect { try store.createSubscription(sample()) } throws: { error in
                let e = error as? StoreError
                return e?.code == .conflict && e?.message.contains("already exists") == true
            }
            store.close()
            #expect { try store.subscriptions() } throws: { ($0 as? StoreError)?.code == .closed }
        }
        let store = try StateStore(path: path)
        #expect(try store.subscriptions().count == 2)
        var changed = sample()
        changed.maxInFlight = 1
        changed.startPosition = .earliest
        try store.putSubscription(changed)
        #expect(try store.subscription(named: changed.name) == changed)
        changed.startPosition = .latest
        try store.putSubscription(changed)
        #expect(try store.subscription(named: changed.name)?.startPosition == .latest)
    }

    @Test func invalidDefinitionsAreRejectedWithTheReason() throws {
        let dir = TemporaryDirectory("state"); defer { dir.remove() }
        let store = try StateStore(path: dir.file("state.db"))
        var bad = sample()
        bad.maxInFlight = 0
        #expect { try store.createSubscription(bad) } throws: { ($0 as? StoreError)?.message.contains("maxInFlight") == true }
        bad = sample()
        bad.retryPolicy.maxAttempts = 0
        #expect { try store.createSubscription(bad) } throws: { ($0 as? StoreError)?.message.contains("maxAttempts") == true }
        bad = sample()
        bad.deadLetterTarget = bad.name
        #expect { try store.createSubscription(bad) } throws: { ($0 as? StoreError)?.message.contains("own dead-letter") == true }
        #expect(try store.subscriptions().isEmpty)
    }

    @Test func cursorsAndInFlightCheckpoints() throws {
        let dir = TemporaryDirectory("state"); defer { dir.remove() }
        let path = dir.file("state.db")
        let deliveries = [
            PersistedDelivery(position: 11, attempts: 2, nextDeliveryAt: 500, firstAttemptAt: 100, group: Array("c1".utf8)),
            PersistedDelivery(position: 13, attempts: 1, nextDeliveryAt: 600, firstAttemptAt: 101, group: nil),
        ]
        do {
            let store = try StateStore(path: path)
            try store.createSubscription(sample())
            #expect(try store.committedPosition(subscription: "orders-to-billing") == nil)
            try store.setCommittedPosition(7, subscription: "orders-to-billing")
            #expect(try store.committedPosition(subscription: "orders-to-billing") == 7)
            try store.checkpoint(subscription: "orders-to-billing", committedPosition: 10, inFlight: deliveries)
            try store.checkpoint(subscription: "orders-to-billing", committedPosition: 10, inFlight: deliveries)
            // A cursor for an unknown subscription violates the foreign key.
            #expect { try store.setCommittedPosition(1, subscription: "ghost") } throws: { error in
                let e = error as? StoreError
                return e?.code == .conflict && e?.message.contains("FOREIGN KEY") == true
            }
        }
        let store = try StateStore(path: path)
        #expect(try store.committedPosition(subscription: "orders-to-billing") == 10)
        #expect(try store.inFlight(subscription: "orders-to-billing") == deliveries)
        // A failed checkpoint leaves the previous one intact (one transaction).
        let duplicate = [deliveries[0], deliveries[0]]
        #expect(throws: StoreError.self) {
            try store.checkpoint(subscription: "orders-to-billing", committedPosition: 99, inFlight: duplicate)
        }
        #expect(try store.committedPosition(subscription: "orders-to-billing") == 10)
        #expect(try store.inFlight(subscription: "orders-to-billing") == deliveries)
        // Deleting the subscription removes its state.
        #expect(try store.deleteSubscription(named: "orders-to-billing"))
        #expect(try !store.deleteSubscription(named: "orders-to-billing"))
        #expect(try store.committedPosition(subscription: "orders-to-billing") == nil)
        #expect(try store.inFlight(subscription: "orders-to-billing").isEmpty)
    }

    @Test func documentsAreVersioned() throws {
        let dir = TemporaryDirectory("state"); defer { dir.remove() }
        let store = try StateStore(path: dir.file("state.db"))
        #expect(try store.putDocument(kind: "account", key: "billing", value: [1], now: 10) == 1)
        #expect(try store.putDocument(kind: "account", key: "billing", value: [2], now: 20) == 2)
        #expect(try store.putDocument(kind: "account", key: "audit", value: [], expectedVersion: 0) == 1)
        #expect(try store.document(kind: "account", key: "billing") ==
                StoredDocument(kind: "account", key: "billing", value: [2], version: 2, updatedAt: 20))
        #expect(try store.document(kind: "bus", key: "billing") == nil)
        #expect { try store.putDocument(kind: "account", key: "billing", value: [3], expectedVersion: 1) } throws: { error in
            let e = error as? StoreError
            return e?.code == .conflict && e?.message == "account billing: expected version 1, found 2"
        }
        #expect { try store.putDocument(kind: "account", key: "audit", value: [3], expectedVersion: 0) } throws: {
            ($0 as? StoreError)?.code == .conflict
        }
        #expect(try store.putDocument(kind: "account", key: "billing", value: [3], expectedVersion: 2) == 3)
        #expect(try store.documents(kind: "account").map(\.key) == ["audit", "billing"])
        #expect(try store.deleteDocument(kind: "account", key: "audit"))
        #expect(try !store.deleteDocument(kind: "account", key: "audit"))
        #expect(try store.documents(kind: "account").map(\.value) == [[3]])
    }

    @Test func rawDatabaseAccessReportsSQLiteMessages() throws {
        let dir = TemporaryDirectory("state"); defer { dir.remove() }
        let store = try StateStore(path: dir.file("state.db"))
        try store.withDatabase { db throws(StoreError) in
            try db.execute("CREATE TABLE extra (id INTEGER PRIMARY KEY, note TEXT, data BLOB, score REAL)")
            let insert = try db.prepare("INSERT INTO extra (note, data, score) VALUES (?1, ?2, ?3)")
            try db.transaction { () throws(StoreError) in
                try insert.run(.text("a"), .blob([1, 2]), .real(1.5))
                try insert.run(.null, .blob([]), .integer(3))
            }
            #expect(db.lastInsertRowID == 2)
            let select = try db.prepare("SELECT id, note, data, score FROM extra ORDER BY id")
            var rows: [[SQLiteValue]] = []
            while try select.step() { rows.append((0..<4).map { select.column($0) }) }
            #expect(rows == [[.integer(1), .text("a"), .blob([1, 2]), .real(1.5)],
                             [.integer(2), .null, .blob([]), .real(3)]])
            // Transactions roll back when the body throws.
            #expect(throws: StoreError.self) {
                try db.transaction { () throws(StoreError) in
                    try insert.run(.text("rolled back"), .null, .null)
                    throw StoreError(.invalidArgument, "abort")
                }
            }
            let count = try db.prepare("SELECT count(*) FROM extra")
            _ = try count.step()
            #expect(count.columnInt64(0) == 2)
        }
        #expect { try store.withDatabase { db throws(StoreError) in try db.execute("SELEC nonsense") } } throws: { error in
            let e = error as? StoreError
            return e?.code == .sqlite && e?.message.contains("syntax error") == true && e?.sqliteCode != nil
        }
        #expect { try SQLiteDatabase(path: dir.file("missing/dir/state.db")) } throws: { error in
            (error as? StoreError)?.message.contains("missing/dir/state.db") == true
        }
    }
}
