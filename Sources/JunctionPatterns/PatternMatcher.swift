import Synchronization

/// The rule set of one bus, safe to change while other threads match events.
///
/// Readers take ``snapshot``: a short critical section that only copies out (retains) the current
/// immutable ``PatternAutomaton``; they then match without any lock, for as long as they like, and
/// never wait for a compilation. Writers (``update(_:)``, ``add(_:_:)``, ``remove(_:)``) are
/// serialized by a second lock, compile the new automaton outside the readers' lock, and publish it by
/// swapping the reference under the readers' lock. A reader that took the old snapshot finishes its
/// event on the old rules; the next ``snapshot`` sees the new ones.
///
/// Why a `Mutex` around one reference rather than an atomic pointer: atomics stay in the ring-buffer
/// target by design, and the critical section is a single retain (tens of nanoseconds), taken once per
/// event or once per batch. A pipeline worker that matches a batch can take one snapshot per batch.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *)
public final class PatternMatcher: Sendable {
    private let current: Mutex<PatternAutomaton>
    private let writer: Mutex<PatternRuleSet>

    /// Creates a matcher with `rules` compiled.
    public init(_ rules: PatternRuleSet = PatternRuleSet()) {
        current = Mutex(rules.compile())
        writer = Mutex(rules)
    }

    /// The current compiled rules. Cheap (one lock-protected retain); never waits for a compilation.
    public var snapshot: PatternAutomaton {
        current.withLock { $0 }
    }

    /// A copy of the current rule set.
    public var rules: PatternRuleSet {
        writer.withLock { $0 }
    }

    /// Changes the rules with `body`, compiles them, and publishes the result. Changes made in one call
    /// are published together.
    public func update(_ body: (inout PatternRuleSet) -> Void) {
        writer.withLock { rules in
            body(&rules)
            let compiled = rules.compile()
            current.withLock { $0 = compiled }
        }
    }

    /// Adds (or replaces) one rule and publishes.
    public func add(_ id: PatternRuleID, _ pattern: EventPattern) {
        update { $0.add(id, pattern) }
    }

    /// Removes one rule and publishes; returns whether it was present.
    @discardableResult
    public func remove(_ id: PatternRuleID) -> Bool {
        var removed = false
        update { removed = $0.remove(id) }
        return removed
    }

    /// Replaces every rule and publishes.
    public func replaceAll(with rules: PatternRuleSet) {
        update { $0 = rules }
    }
}
