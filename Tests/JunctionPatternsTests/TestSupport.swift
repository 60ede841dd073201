import JunctionJSON
@testable import JunctionPatterns

/// Helpers shared by the pattern tests.
enum TestSupport {
    /// Whether `pattern` (text) matches `event` (JSON text), through a one-rule automaton.
    static func matches(_ pattern: String, _ event: String) throws -> Bool {
        var rules = PatternRuleSet()
        rules.add(1, try EventPattern(parsing: pattern))
        let automaton = rules.compile()
        return try automaton.matchingRules(json: Array(event.utf8)) == [1]
    }

    /// The error message a pattern is refused with, or nil when it is accepted.
    static func parseError(_ pattern: String, limits: PatternLimits = .init()) -> String? {
        do {
            _ = try EventPattern(parsing: pattern, limits: limits)
            return nil
        } catch {
            return error.description
        }
    }

    /// The shared folder next to the repository (`../shared`), located from this file's path.
    static func sharedFolder(file: String = #filePath) -> String {
        var components = file.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        components.removeLast(3) // Tests/JunctionPatternsTests/File.swift
        components.removeLast()  // the package folder
        return components.joined(separator: "/") + "/shared"
    }

    static func readLines(_ path: String) -> [String]? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
