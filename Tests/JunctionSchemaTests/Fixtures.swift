import Foundation
@testable import JunctionSchema

/// Loads the committed descriptor-set fixtures (regenerate with Fixtures/regenerate.sh).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ name: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
            fatalError("fixture \(name) missing in \(directory.path)")
        }
        return [UInt8](data)
    }

    static let events: ProtoDescriptorSet = {
        do { return try ProtoDescriptorSet.parse(bytes("events.pb")) } catch { fatalError("\(error)") }
    }()

    static func validator(_ name: String = "shop.v1.OrderPlaced", _ options: ProtoValidationOptions = .init()) -> ProtoMessageValidator {
        do { return try ProtoMessageValidator(descriptorSet: events, messageName: name, options: options) } catch {
            fatalError("\(error)")
        }
    }
}
