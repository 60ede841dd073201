import Foundation

/// Runs protoc (when installed) on in-memory .proto sources and returns the FileDescriptorSet bytes.
public enum Protoc {
    public static let path: String? = ["/usr/bin/protoc", "/usr/local/bin/protoc"].first { FileManager.default.isExecutableFile(atPath: $0) }
    public static var isAvailable: Bool { path != nil }

    public struct Failure: Error, CustomStringConvertible { public var description: String }

    public static func descriptorSet(_ files: [String: String]) throws -> [UInt8] {
        guard let path else { throw Failure(description: "protoc not installed") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("junction-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in files {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let out = dir.appendingPathComponent("out.pb")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["--descriptor_set_out=\(out.path)", "--include_imports", "-I\(dir.path)"] + files.keys.sorted()
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let msg = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw Failure(description: "protoc failed: \(msg)")
        }
        return [UInt8](try Data(contentsOf: out))
    }

    /// One-file convenience: `body` is the file content after the syntax line.
    public static func set(_ body: String, syntax: String = "proto3") throws -> [UInt8] {
        try descriptorSet(["t.proto": "syntax = \"\(syntax)\";\npackage t;\n\(body)\n"])
    }
}
