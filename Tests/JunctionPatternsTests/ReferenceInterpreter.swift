import JunctionJSON

/// A small, deliberately naive pattern interpreter for the property test: it works on parsed JSON
/// values and Swift strings, expands `$or` and exists:false alternatives itself, and tries every
/// combination of event values. Only the operators the random generator produces are supported.
enum ReferenceInterpreter {
    struct Leaf {
        var path: String
        var value: JSONValue
        /// (array id, element index) from the outermost array in.
        var trail: [(Int, Int)]
    }

    enum Test {
        case values([JSONValue])
        case absent
    }

    struct Condition {
        var path: String
        var test: Test
    }

    static func leaves(of event: JSONValue) -> [Leaf] {
        var result: [Leaf] = []
        var nextArray = 0
        func walk(_ value: JSONValue, _ path: String, _ trail: [(Int, Int)]) {
            switch value {
            case .object(let object):
                for member in object.members {
                    walk(member.value, path.isEmpty ? member.key : path + "." + member.key, trail)
                }
            case .array(let elements):
                let id = nextArray
                nextArray += 1
                for (index, element) in elements.enumerated() { walk(element, path, trail + [(id, index)]) }
            default:
                result.append(Leaf(path: path, value: value, trail: trail))
            }
        }
        walk(event, "", [])
        return result
    }

    /// The pattern's branches: each a list of conditions that must all hold.
    static func branches(_ pattern: JSONObject, prefix: String = "") -> [[Condition]] {
        var result: [[Condition]] = [[]]
        var ors: [JSONValue] = []
        for member in pattern.members {
            if member.key == "$or" { ors.append(member.value); continue }
            let path = prefix + member.key
            var alternatives: [[Condition]]
            switch member.value {
            case .object(let nested):
                alternatives = branches(nested, prefix: path + ".")
            case .array(let items):
                let absent = items.contains { $0["exists"] == .bool(false) }
                let values = items.filter { $0["exists"] != .bool(false) }
                alternatives = []
                if !values.isEmpty { alternatives.append([Condition(path: path, test: .values(values))]) }
                if absent { alternatives.append([Condition(path: path, test: .absent)]) }
            default:
                alternatives = []
            }
            result = result.flatMap { base in alternatives.map { base + $0 } }
        }
        for or in ors {
            var options: [[Condition]] = []
            for option in or.arrayValue ?? [] { options += branches(option.objectValue!, prefix: prefix) }
            result = result.flatMap { base in
                options.map { option in base.filter { condition in !option.contains { $0.path == condition.path } } + option }
            }
        }
        return result
    }

    static func number(_ value: JSONValue) -> Double? { value.numberValue?.double }

    /// Whether one event value passes one pattern list entry.
    static func passes(_ value: JSONValue, _ entry: JSONValue) -> Bool {
        switch entry {
        case .string, .bool, .null:
            return value == entry
        case .number(let wanted):
            return number(value) == wanted.double
        case .object(let operation):
            let name = operation.members[0].key
            let operand = operation.members[0].value
            let string = value.stringValue
            switch name {
            case "prefix":
                if let text = operand.stringValue { return string?.hasPrefix(text) ?? false }
                return string?.lowercased().hasPrefix(operand["equals-ignore-case"]!.stringValue!.lowercased()) ?? false
            case "suffix":
                if let text = operand.stringValue { return string?.hasSuffix(text) ?? false }
                return string?.lowercased().hasSuffix(operand["equals-ignore-case"]!.stringValue!.lowercased()) ?? false
            case "equals-ignore-case":
                return string?.lowercased() == operand.stringValue!.lowercased()
            case "exists":
                return true
            case "numeric":
                guard let x = number(value) else { return false }
                let items = operand.arrayValue!
                var index = 0
                while index < items.count {
                    let bound = items[index + 1].numberValue!.double
                    switch items[index].stringValue! {
                    case "<": if !(x < bound) { return false }
                    case "<=": if !(x <= bound) { return false }
                    case ">": if !(x > bound) { return false }
                    case ">=": if !(x >= bound) { return false }
                    default: if x != bound { return false }
                    }
                    index += 2
                }
                return true
            case "anything-but":
                let excluded = operand.arrayValue ?? [operand]
                return !excluded.contains { passes(value, $0) }
            case "wildcard":
                guard let string else { return false }
                return glob(Array(string.utf8)[...], Array(operand.stringValue!.utf8)[...])
            default:
                fatalError("reference interpreter does not support \(name)")
            }
        case .array:
            return false
        }
    }

    /// Plain recursive glob with `*` only (the generator never escapes).
    static func glob(_ text: ArraySlice<UInt8>, _ pattern: ArraySlice<UInt8>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        if first == UInt8(ascii: "*") {
            var rest = text
            while true {
                if glob(rest, pattern.dropFirst()) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        }
        guard let head = text.first, head == first else { return false }
        return glob(text.dropFirst(), pattern.dropFirst())
    }

    static func compatible(_ a: [(Int, Int)], _ b: [(Int, Int)]) -> Bool {
        for (x, y) in zip(a, b) {
            if x.0 != y.0 { return true }
            if x.1 != y.1 { return false }
        }
        return true
    }

    static func matches(pattern: JSONValue, event: JSONValue) -> Bool {
        let all = leaves(of: event)
        for branch in branches(pattern.objectValue!) {
            let positive = branch.compactMap { condition -> [Leaf]? in
                guard case .values(let entries) = condition.test else { return nil }
                return all.filter { leaf in leaf.path == condition.path && entries.contains { passes(leaf.value, $0) } }
            }
            let absentPaths = branch.compactMap { condition -> String? in
                if case .absent = condition.test { return condition.path }
                return nil
            }
            func search(_ index: Int, _ chosen: [Leaf]) -> Bool {
                if index == positive.count {
                    return absentPaths.allSatisfy { path in
                        !all.contains { leaf in leaf.path == path && chosen.allSatisfy { compatible($0.trail, leaf.trail) } }
                    }
                }
                for candidate in positive[index] where chosen.allSatisfy({ compatible($0.trail, candidate.trail) }) {
                    if search(index + 1, chosen + [candidate]) { return true }
                }
                return false
            }
            if search(0, []) { return true }
        }
        return false
    }
}
