import ArgumentParser
import JunctionJSON
import JunctionPatterns
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `junction pattern`: check event patterns and try them on events, offline.
struct PatternCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pattern",
        abstract: "Check EventBridge event patterns and test them against events.",
        discussion: "The pattern language is documented in docs/patterns.md.",
        subcommands: [Check.self, Test.self]
    )

    /// `junction pattern check PATTERN.json`
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check one pattern; exit 0 when valid, exit 2 with the error (path and problem) otherwise."
        )

        @Argument(help: "The pattern file (JSON); '-' reads standard input.")
        var pattern: String

        func run() throws {
            let text = try PatternCommand.readText(pattern)
            do {
                let parsed = try EventPattern(parsing: text)
                print("ok: \(parsed.fieldPaths.count) field path(s), \(parsed.branchCount) branch(es)")
            } catch {
                PatternCommand.printError("\(pattern): \(error)")
                throw ExitCode(2)
            }
        }
    }

    /// `junction pattern test ...`
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Match events against patterns.",
            discussion: """
            junction pattern test PATTERN.json EVENTS.jsonl
                prints true or false for each event line.
            junction pattern test --cases CASES.jsonl
                each line is an object with "pattern" and "event" (JSON values) or "pattern_text" and
                "event_text" (strings); prints true, false, or "error: ..." for each line.
            junction pattern test --rules RULES.jsonl EVENTS.jsonl
                each rule line is {"name": ..., "pattern": ...}; prints, for each event line, the names
                of the matching rules as a JSON array (in rule-file order).
            An event line that is not valid JSON prints "error: ...". Exit status 2 when a pattern or
            rule is invalid or a file cannot be read.
            """
        )

        @Option(name: .long, help: "A JSON-lines file of {pattern, event} or {pattern_text, event_text} cases.")
        var cases: String?

        @Option(name: .long, help: "A JSON-lines file of {name, pattern} rules.")
        var rules: String?

        @Argument(help: "PATTERN.json EVENTS.jsonl, or EVENTS.jsonl with --rules, or nothing with --cases.")
        var files: [String] = []

        func validate() throws {
            if cases != nil {
                guard files.isEmpty, rules == nil else { throw ValidationError("--cases takes no other files or options") }
            } else if rules != nil {
                guard files.count == 1 else { throw ValidationError("--rules needs exactly one EVENTS.jsonl file") }
            } else {
                guard files.count == 2 else { throw ValidationError("expected PATTERN.json EVENTS.jsonl") }
            }
        }

        func run() throws {
            if let cases {
                try runCases(cases)
            } else if let rules {
                try runRules(rules, events: files[0])
            } else {
                try runPattern(files[0], events: files[1])
            }
        }

        func runPattern(_ patternPath: String, events: String) throws {
            let text = try PatternCommand.readText(patternPath)
            var rules = PatternRuleSet()
            do {
                rules.add(0, try EventPattern(parsing: text))
            } catch {
                PatternCommand.printError("\(patternPath): \(error)")
                throw ExitCode(2)
            }
            let automaton = rules.compile()
            let context = PatternMatchContext()
            for line in try PatternCommand.readLines(events) {
                switch PatternCommand.match(automaton, context, line) {
                case .success(let ids): print(ids.isEmpty ? "false" : "true")
                case .failure(let error): print("error: \(error)")
                }
            }
        }

        func runCases(_ path: String) throws {
            for (number, line) in try PatternCommand.readLines(path).enumerated() {
                print(PatternCommand.evaluateCase(line, lineNumber: number + 1))
            }
        }

        func runRules(_ rulesPath: String, events: String) throws {
            var names: [String] = []
            var rules = PatternRuleSet()
            for (number, line) in try PatternCommand.readLines(rulesPath).enumerated() {
                do {
                    let value = try JSONParser.parse(line)
                    guard let name = value["name"]?.stringValue, let pattern = value["pattern"] else {
                        PatternCommand.printError("\(rulesPath):\(number + 1): a rule line needs \"name\" (string) and \"pattern\"")
                        throw ExitCode(2)
                    }
                    let parsed = try PatternCommand.pattern(from: pattern)
                    rules.add(PatternRuleID(names.count), parsed)
                    names.append(name)
                } catch let error as ExitCode {
                    throw error
                } catch {
                    PatternCommand.printError("\(rulesPath):\(number + 1): \(error)")
                    throw ExitCode(2)
                }
            }
            let automaton = rules.compile()
            let context = PatternMatchContext()
            for line in try PatternCommand.readLines(events) {
                switch PatternCommand.match(automaton, context, line) {
                case .success(let ids):
                    let matched = ids.sorted().map { JSONValue.string(names[Int($0)]) }
                    print(JSONValue.array(matched).serialized())
                case .failure(let error):
                    print("error: \(error)")
                }
            }
        }
    }
}

extension PatternCommand {
    /// A pattern given in a JSON line: an object (the pattern itself) or a string (its text).
    static func pattern(from value: JSONValue) throws -> EventPattern {
        if let text = value.stringValue { return try EventPattern(parsing: text) }
        return try EventPattern(json: value)
    }

    /// One `--cases` line: "true", "false" or "error: ...".
    static func evaluateCase(_ line: String, lineNumber: Int) -> String {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            return "error: line \(lineNumber) is not valid JSON: \(error)"
        }
        let pattern: EventPattern
        do {
            if let text = value["pattern_text"]?.stringValue {
                pattern = try EventPattern(parsing: text)
            } else if let object = value["pattern"] {
                pattern = try EventPattern(json: object)
            } else {
                return "error: line \(lineNumber) has neither \"pattern\" nor \"pattern_text\""
            }
        } catch {
            return "error: \(error)"
        }
        let eventText: String
        if let text = value["event_text"]?.stringValue {
            eventText = text
        } else if let event = value["event"] {
            eventText = event.serialized()
        } else {
            return "error: line \(lineNumber) has neither \"event\" nor \"event_text\""
        }
        var rules = PatternRuleSet()
        rules.add(0, pattern)
        switch match(rules.compile(), PatternMatchContext(), eventText) {
        case .success(let ids): return ids.isEmpty ? "false" : "true"
        case .failure(let error): return "error: event: \(error)"
        }
    }

    static func match(_ automaton: PatternAutomaton, _ context: PatternMatchContext, _ eventText: String) -> Result<[PatternRuleID], PatternEventError> {
        var text = eventText
        return text.withUTF8 { bytes in
            context.begin(automaton)
            do throws(PatternEventError) {
                try context.addJSONEvent(UnsafeRawBufferPointer(bytes))
            } catch {
                return .failure(error)
            }
            context.finish()
            return .success(context.matchedRuleIDs)
        }
    }

    static func printError(_ message: String) {
        var text = message + "\n"
        text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    }

    /// The whole file (or standard input for "-") as text; exit 2 when unreadable.
    static func readText(_ path: String) throws -> String {
        let file: UnsafeMutablePointer<FILE>? = path == "-" ? fdopen(dup(0), "r") : fopen(path, "r")
        guard let file else {
            printError("\(path): cannot open: \(String(cString: strerror(errno)))")
            throw ExitCode(2)
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        if ferror(file) != 0 {
            printError("\(path): read error")
            throw ExitCode(2)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The non-blank lines of a file.
    static func readLines(_ path: String) throws -> [String] {
        try readText(path).split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
            .filter { !$0.allSatisfy(\.isWhitespace) }
    }
}
