import JunctionJSON

/// Turns the JSON of a pattern into branches of conditions, checking every operator and limit.
struct PatternParser {
    let limits: PatternLimits
    var fieldCount = 0

    init(limits: PatternLimits) {
        self.limits = limits
    }

    /// Members with duplicate keys collapse to the last one (EventBridge's rule), keeping the position
    /// of the first.
    static func lastWins(_ object: JSONObject) -> [JSONObject.Member] {
        var positions: [String: Int] = [:]
        var members: [JSONObject.Member] = []
        for member in object.members {
            if let position = positions[member.key] {
                members[position] = member
            } else {
                positions[member.key] = members.count
                members.append(member)
            }
        }
        return members
    }

    static func join(_ display: String, _ key: String) -> String {
        display.isEmpty ? key : display + "." + key
    }

    func combine(_ left: [[PatternCondition]], _ right: [[PatternCondition]], at display: String) throws(PatternError) -> [[PatternCondition]] {
        let total = left.count * right.count
        if total > limits.maxCombinations {
            throw PatternError(path: display, message: "pattern expands into more than \(limits.maxCombinations) combinations ($or branches and exists:false alternatives multiply)")
        }
        var result: [[PatternCondition]] = []
        result.reserveCapacity(total)
        for first in left {
            for second in right { result.append(first + second) }
        }
        return result
    }

    /// Parses an object of the pattern whose field paths start with `prefix` (dotted, with a trailing
    /// dot when not empty); `display` is the pattern path for error messages.
    mutating func parseObject(_ object: JSONObject, prefix: String, display: String, depth: Int) throws(PatternError) -> [[PatternCondition]] {
        if depth > limits.maxDepth {
            throw PatternError(path: display, message: "pattern nests deeper than the limit of \(limits.maxDepth)")
        }
        var alternatives: [[PatternCondition]] = [[]]
        var orMembers: [JSONObject.Member] = []
        for member in PatternParser.lastWins(object) {
            let memberDisplay = PatternParser.join(display, member.key)
            if member.key == "$or", PatternParser.isOrOperator(member.value) {
                orMembers.append(member)
                continue
            }
            let memberAlternatives: [[PatternCondition]]
            let path = prefix + member.key
            switch member.value {
            case .object(let nested):
                if nested.isEmpty {
                    throw PatternError(path: memberDisplay, message: "an object in a pattern must have at least one field")
                }
                memberAlternatives = try parseObject(nested, prefix: path + ".", display: memberDisplay, depth: depth + 1)
            case .array(let values):
                memberAlternatives = try parseField(values, path: path, display: memberDisplay)
            default:
                throw PatternError(path: memberDisplay, message: "a pattern field must be an array of values or an object, found \(member.value.typeName)")
            }
            alternatives = try combine(alternatives, memberAlternatives, at: memberDisplay)
        }
        // "$or" alternatives apply on top of the sibling fields; a field an alternative names replaces
        // the sibling condition on the same path (event-ruler's rule override).
        for member in orMembers {
            let memberDisplay = PatternParser.join(display, member.key)
            let options = try parseOr(member.value, prefix: prefix, display: memberDisplay, depth: depth)
            let total = alternatives.count * options.count
            if total > limits.maxCombinations {
                throw PatternError(path: memberDisplay, message: "pattern expands into more than \(limits.maxCombinations) combinations ($or branches and exists:false alternatives multiply)")
            }
            var combined: [[PatternCondition]] = []
            combined.reserveCapacity(total)
            for base in alternatives {
                for option in options {
                    let overridden = Set(option.map(\.path))
                    combined.append(base.filter { !overridden.contains($0.path) } + option)
                }
            }
            alternatives = combined
        }
        return alternatives
    }

    /// `"$or"` is the operator only when its value is an array of objects; otherwise it is an ordinary
    /// field name (event-ruler's backward compatibility).
    static func isOrOperator(_ value: JSONValue) -> Bool {
        guard case .array(let items) = value, !items.isEmpty else { return false }
        return items.allSatisfy { $0.objectValue != nil }
    }

    mutating func parseOr(_ value: JSONValue, prefix: String, display: String, depth: Int) throws(PatternError) -> [[PatternCondition]] {
        guard case .array(let options) = value, options.count >= 2 else {
            throw PatternError(path: display, message: "\"$or\" needs an array of at least two objects")
        }
        var result: [[PatternCondition]] = []
        for (index, option) in options.enumerated() {
            let optionDisplay = "\(display)[\(index)]"
            guard case .object(let object) = option, !object.isEmpty else {
                throw PatternError(path: optionDisplay, message: "each \"$or\" alternative must be a non-empty object, found \(option.typeName)")
            }
            result += try parseObject(object, prefix: prefix, display: optionDisplay, depth: depth + 1)
            if result.count > limits.maxCombinations {
                throw PatternError(path: display, message: "pattern expands into more than \(limits.maxCombinations) combinations ($or branches multiply)")
            }
        }
        return result
    }

    /// Parses a field's list of values and operators.
    mutating func parseField(_ values: [JSONValue], path: String, display: String) throws(PatternError) -> [[PatternCondition]] {
        fieldCount += 1
        if fieldCount > limits.maxFields {
            throw PatternError(path: display, message: "pattern has more than \(limits.maxFields) fields")
        }
        if values.isEmpty {
            throw PatternError(path: display, message: "a field's list must have at least one value or operator")
        }
        if values.count > limits.maxValuesPerField {
            throw PatternError(path: display, message: "a field's list has \(values.count) entries, more than the limit of \(limits.maxValuesPerField)")
        }
        var matchers: [ValueMatcher] = []
        var absent = false
        for (index, value) in values.enumerated() {
            let itemDisplay = "\(display)[\(index)]"
            if let matcher = try parseMatcher(value, display: itemDisplay) {
                matchers.append(matcher)
            } else {
                absent = true
            }
        }
        var alternatives: [[PatternCondition]] = []
        if !matchers.isEmpty { alternatives.append([PatternCondition(path: path, test: .anyOf(matchers))]) }
        if absent { alternatives.append([PatternCondition(path: path, test: .absent)]) }
        return alternatives
    }

    func checkString(_ string: String, display: String) throws(PatternError) -> [UInt8] {
        let bytes = Array(string.utf8)
        if bytes.count > limits.maxValueBytes {
            throw PatternError(path: display, message: "string of \(bytes.count) bytes is longer than the limit of \(limits.maxValueBytes)")
        }
        return bytes
    }

    /// One entry of a field's list; `nil` means `{"exists": false}`.
    func parseMatcher(_ value: JSONValue, display: String) throws(PatternError) -> ValueMatcher? {
        switch value {
        case .string(let string): return .exact(ExactKey.string(try checkString(string, display: display)))
        case .number(let number): return .exact(ExactKey.number(number.double))
        case .bool(let flag): return .exact(ExactKey.literal(flag ? .true : .false))
        case .null: return .exact(ExactKey.literal(.null))
        case .array: throw PatternError(path: display, message: "a field's list cannot contain an array")
        case .object(let object):
            let members = PatternParser.lastWins(object)
            guard members.count == 1 else {
                throw PatternError(path: display, message: "an operator object must have exactly one key, found \(members.count)")
            }
            return try parseOperator(members[0].key, members[0].value, display: display)
        }
    }

    func parseOperator(_ name: String, _ operand: JSONValue, display: String) throws(PatternError) -> ValueMatcher? {
        switch name {
        case "prefix", "suffix":
            let isPrefix = name == "prefix"
            switch operand {
            case .string(let string):
                let bytes = try checkString(string, display: display)
                return isPrefix ? .prefix(bytes) : .suffix(bytes)
            case .object(let object):
                let members = PatternParser.lastWins(object)
                guard members.count == 1, members[0].key == "equals-ignore-case", case .string(let string) = members[0].value else {
                    throw PatternError(path: display, message: "\"\(name)\" takes a string or {\"equals-ignore-case\": string}")
                }
                let folded = CaseFolding.fold(try checkString(string, display: display))
                return isPrefix ? .prefixIgnoreCase(folded) : .suffixIgnoreCase(folded)
            default:
                throw PatternError(path: display, message: "\"\(name)\" takes a string or {\"equals-ignore-case\": string}, found \(operand.typeName)")
            }
        case "equals-ignore-case":
            guard case .string(let string) = operand else {
                throw PatternError(path: display, message: "\"equals-ignore-case\" takes a string, found \(operand.typeName)")
            }
            return .equalsIgnoreCase(CaseFolding.fold(try checkString(string, display: display)))
        case "wildcard", "shellstyle":
            guard case .string(let string) = operand else {
                throw PatternError(path: display, message: "\"\(name)\" takes a string, found \(operand.typeName)")
            }
            _ = try checkString(string, display: display)
            do {
                return .wildcard(try WildcardPattern(string, syntax: name == "wildcard" ? .wildcard : .shellstyle, maxStars: limits.maxWildcardStars))
            } catch {
                throw PatternError(path: display, message: error.message)
            }
        case "exists":
            guard case .bool(let flag) = operand else {
                throw PatternError(path: display, message: "\"exists\" takes true or false, found \(operand.typeName)")
            }
            return flag ? .exists : nil
        case "numeric":
            return .numeric(try parseNumeric(operand, display: display))
        case "cidr":
            guard case .string(let string) = operand, let network = IPNetwork(cidr: string) else {
                throw PatternError(path: display, message: "\"cidr\" takes an IPv4 or IPv6 network such as \"10.0.0.0/24\" or \"2001:db8::/32\"")
            }
            return .cidr(network)
        case "anything-but":
            return .anythingBut(try parseAnythingBut(operand, display: display))
        case "regexp":
            guard case .string(let string) = operand else {
                throw PatternError(path: display, message: "\"regexp\" takes a string, found \(operand.typeName)")
            }
            _ = try checkString(string, display: display)
            do {
                return .regexp(try IRegexp(string, maxNodes: limits.maxRegexpNodes))
            } catch {
                throw PatternError(path: display, message: error.message)
            }
        default:
            throw PatternError(path: display, message: "unknown operator \"\(name)\"")
        }
    }

    func parseNumeric(_ operand: JSONValue, display: String) throws(PatternError) -> NumericRange {
        let usage = "\"numeric\" needs pairs of an operator and a number"
        guard case .array(let items) = operand, items.count == 2 || items.count == 4 else {
            throw PatternError(path: display, message: usage)
        }
        var range = NumericRange()
        var sawLower = false
        var sawUpper = false
        var sawEquals = false
        for pair in stride(from: 0, to: items.count, by: 2) {
            guard case .string(let op) = items[pair], case .number(let number) = items[pair + 1] else {
                throw PatternError(path: display, message: usage)
            }
            let bound = number.double
            if bound.isNaN { throw PatternError(path: display, message: "\"numeric\" bound \(number.text) is not a number") }
            switch op {
            case "=":
                guard items.count == 2 else { throw PatternError(path: display, message: "\"numeric\" with \"=\" takes one number and no other operator") }
                range = NumericRange(lower: bound, lowerInclusive: true, upper: bound, upperInclusive: true)
                sawEquals = true
            case ">", ">=":
                if sawLower { throw PatternError(path: display, message: "\"numeric\" has two lower bounds") }
                sawLower = true
                range.lower = bound
                range.lowerInclusive = op == ">="
            case "<", "<=":
                if sawUpper { throw PatternError(path: display, message: "\"numeric\" has two upper bounds") }
                sawUpper = true
                range.upper = bound
                range.upperInclusive = op == "<="
            default:
                throw PatternError(path: display, message: "\"numeric\" operator \"\(op)\" is not one of =, <, <=, >, >=")
            }
        }
        if !sawEquals, range.lower > range.upper {
            throw PatternError(path: display, message: "\"numeric\" lower bound \(range.lower) is above the upper bound \(range.upper)")
        }
        return range
    }

    func parseAnythingBut(_ operand: JSONValue, display: String) throws(PatternError) -> AnythingBut {
        switch operand {
        case .string(let string):
            return .values([ExactKey.string(try checkString(string, display: display))])
        case .number(let number):
            return .values([ExactKey.number(number.double)])
        case .array(let items):
            guard !items.isEmpty else { throw PatternError(path: display, message: "\"anything-but\" list must not be empty") }
            var keys: [[UInt8]] = []
            var sawString = false
            var sawNumber = false
            for item in items {
                switch item {
                case .string(let string):
                    sawString = true
                    keys.append(ExactKey.string(try checkString(string, display: display)))
                case .number(let number):
                    sawNumber = true
                    keys.append(ExactKey.number(number.double))
                default:
                    throw PatternError(path: display, message: "\"anything-but\" list may hold only strings or only numbers, found \(item.typeName)")
                }
            }
            if sawString && sawNumber {
                throw PatternError(path: display, message: "\"anything-but\" list may hold only strings or only numbers, not both")
            }
            return .values(keys)
        case .object(let object):
            let members = PatternParser.lastWins(object)
            guard members.count == 1 else {
                throw PatternError(path: display, message: "\"anything-but\" object must have exactly one of prefix, suffix, equals-ignore-case, wildcard")
            }
            let name = members[0].key
            let strings = try stringOrList(members[0].value, what: "\"anything-but\" \"\(name)\"", display: display)
            switch name {
            case "prefix": return .prefix(strings)
            case "suffix": return .suffix(strings)
            case "equals-ignore-case": return .equalsIgnoreCase(strings.map(CaseFolding.fold))
            case "wildcard":
                var patterns: [WildcardPattern] = []
                for string in strings {
                    do {
                        patterns.append(try WildcardPattern(String(decoding: string, as: UTF8.self), syntax: .wildcard, maxStars: limits.maxWildcardStars))
                    } catch {
                        throw PatternError(path: display, message: error.message)
                    }
                }
                return .wildcard(patterns)
            default:
                throw PatternError(path: display, message: "\"anything-but\" does not support \"\(name)\" (use prefix, suffix, equals-ignore-case or wildcard)")
            }
        default:
            throw PatternError(path: display, message: "\"anything-but\" takes a string, a number, a list, or an object, found \(operand.typeName)")
        }
    }

    func stringOrList(_ value: JSONValue, what: String, display: String) throws(PatternError) -> [[UInt8]] {
        switch value {
        case .string(let string):
            return [try checkString(string, display: display)]
        case .array(let items) where !items.isEmpty:
            var result: [[UInt8]] = []
            for item in items {
                guard case .string(let string) = item else {
                    throw PatternError(path: display, message: "\(what) takes a string or a non-empty list of strings, found \(item.typeName)")
                }
                result.append(try checkString(string, display: display))
            }
            return result
        default:
            throw PatternError(path: display, message: "\(what) takes a string or a non-empty list of strings, found \(value.typeName)")
        }
    }
}
