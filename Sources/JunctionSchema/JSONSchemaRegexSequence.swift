/// A fast matcher for the most common shape of schema patterns on ASCII text: `^` followed by a sequence of
/// literals, classes and `.`, each possibly repeated (`{n}`, `{n,m}`, `+`, `*`, `?`), optionally ending in `$`
/// (`^ord-[0-9]{4}-[0-9]{6}$`, `^-?[0-9]+$`).
///
/// Greedy, single-pass matching gives the same answer as the Pike VM when every repeated item of variable
/// length matches no ASCII character that a later item matches: the item's run can then never be shortened
/// to let a later item match. Patterns outside that shape, and non-ASCII input, use the VM.
struct JSONSchemaRegexSequence: Sendable {
    /// One item: the ASCII characters it matches (bit per code point) and its repetition bounds.
    struct Item: Sendable {
        var low: UInt64
        var high: UInt64
        var min: Int
        var max: Int?

        func contains(_ c: UInt8) -> Bool {
            c < 64 ? low >> UInt64(c) & 1 != 0 : (c < 128 && high >> UInt64(c - 64) & 1 != 0)
        }
    }

    let items: [Item]
    /// The pattern ends in `$`: the sequence must consume the whole input.
    let anchoredEnd: Bool

    /// The sequence for `ast`, or nil when the pattern is not of the supported shape.
    init?(_ ast: JSONSchemaRegex.Node, classes: [JSONSchemaRegex.CharClass]) {
        var parts: [JSONSchemaRegex.Node] = []
        func flatten(_ n: JSONSchemaRegex.Node) {
            if case .concat(let inner) = n { inner.forEach(flatten) } else { parts.append(n) }
        }
        flatten(ast)
        guard case .start? = parts.first else { return nil }
        parts.removeFirst()
        var anchoredEnd = false
        if case .end? = parts.last {
            anchoredEnd = true
            parts.removeLast()
        }
        func set(_ n: JSONSchemaRegex.Node) -> (UInt64, UInt64)? {
            var low: UInt64 = 0, high: UInt64 = 0
            for c in 0..<UInt32(128) {
                let hit: Bool
                switch n {
                case .scalar(let s): hit = s == c
                case .any: hit = c != 0x0A && c != 0x0D
                case .charClass(let k): hit = classes[k].contains(c)
                default: return nil
                }
                if hit { if c < 64 { low |= 1 << UInt64(c) } else { high |= 1 << UInt64(c - 64) } }
            }
            return (low, high)
        }
        var items: [Item] = []
        for p in parts {
            if case .repeat(let inner, let min, let max) = p {
                guard let (l, h) = set(inner) else { return nil }
                items.append(Item(low: l, high: h, min: min, max: max))
            } else {
                guard let (l, h) = set(p) else { return nil }
                items.append(Item(low: l, high: h, min: 1, max: 1))
            }
        }
        for (i, item) in items.enumerated() where item.max != item.min {
            for later in items[(i + 1)...] where item.low & later.low != 0 || item.high & later.high != 0 { return nil }
        }
        self.items = items
        self.anchoredEnd = anchoredEnd
    }

    /// Whether the pattern matches `text`, which must be all ASCII.
    func matches(ascii text: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        for item in items {
            var count = 0
            while i < text.count, count != item.max, item.contains(text[i]) {
                i += 1
                count += 1
            }
            if count < item.min { return false }
        }
        return !anchoredEnd || i == text.count
    }
}
