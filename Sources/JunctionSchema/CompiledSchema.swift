import JunctionJSON

/// A registered or candidate schema, parsed and compiled: its canonical form (identity for de-duplication),
/// the parsed descriptors or JSON Schema, and factories for validators.
public struct CompiledSchema: Sendable {
    /// The definition as submitted.
    public let definition: SchemaDefinition
    /// Canonical text: equal for schemas that describe the same contract.
    public let canonicalForm: String
    /// The descriptor set (protobuf).
    public let descriptorSet: ProtoDescriptorSet?
    /// The compiled JSON Schema (JSON).
    public let jsonSchema: JSONSchema?

    /// Parses and compiles `definition`. Protobuf needs a message name present in the set.
    public init(_ definition: SchemaDefinition) throws(SchemaError) {
        self.definition = definition
        switch definition.format {
        case .protobuf:
            guard let name = definition.messageName, !name.isEmpty else {
                throw SchemaError(.invalidSchema, "a protobuf schema needs a message name")
            }
            let set: ProtoDescriptorSet
            do { set = try ProtoDescriptorSet.parse(definition.content) } catch {
                throw SchemaError(.invalidSchema, "invalid descriptor set: \(error)")
            }
            guard set.message(named: name) != nil else {
                throw SchemaError(.invalidSchema, "message \(name) is not defined in the descriptor set")
            }
            do { _ = try ProtoMessageValidator(descriptorSet: set, messageName: name) } catch {
                throw SchemaError(.invalidSchema, "\(error)")
            }
            self.descriptorSet = set
            self.jsonSchema = nil
            self.canonicalForm = "PROTOBUF\n" + set.canonicalText(root: name)
        case .json:
            let value: JSONValue
            do { value = try JSONParser.parse(definition.content) } catch {
                throw SchemaError(.invalidSchema, "schema is not valid JSON: \(error)")
            }
            do { self.jsonSchema = try JSONSchema(value) } catch {
                throw SchemaError(.invalidSchema, "\(error)")
            }
            self.descriptorSet = nil
            self.canonicalForm = "JSON\n" + value.serialized(sortedKeys: true)
        }
    }

    /// A validator for event details under this schema.
    public func makeValidator(
        protobuf: ProtoValidationOptions = .init(), json: JSONSchemaOptions = .init()
    ) throws(SchemaError) -> SchemaValidator {
        switch definition.format {
        case .protobuf:
            do {
                return .protobuf(try ProtoMessageValidator(descriptorSet: descriptorSet!, messageName: definition.messageName!, options: protobuf))
            } catch { throw SchemaError(.invalidSchema, "\(error)") }
        case .json:
            do {
                return .json(try JSONSchema(jsonSchema!.document, options: json))
            } catch { throw SchemaError(.invalidSchema, "\(error)") }
        }
    }

    /// Every violation of `mode` by `self` (the new schema) against `previous` (oldest first; non-transitive
    /// modes look at the last one only). Versions are reported as given in `previous`.
    public func compatibilityViolations(
        against previous: [(version: Int, schema: CompiledSchema)], mode: CompatibilityMode
    ) -> [CompatibilityViolation] {
        guard mode != .none, let latest = previous.last else { return [] }
        let targets = mode.isTransitive ? previous : [latest]
        var out: [CompatibilityViolation] = []
        for (version, old) in targets {
            var found: [CompatibilityViolation] = []
            if mode.checksBackward { found += Self.violations(old: old, new: self, direction: .backward) }
            if mode.checksForward { found += Self.violations(old: old, new: self, direction: .forward) }
            out += found.map { var v = $0; v.version = version; return v }
        }
        return out
    }

    /// Violations of one direction between two schemas.
    public static func violations(old: CompiledSchema, new: CompiledSchema,
                                  direction: CompatibilityViolation.Direction) -> [CompatibilityViolation] {
        guard old.definition.format == new.definition.format else {
            return [CompatibilityViolation(rule: "SCHEMA_FORMAT_CHANGED", path: "",
                                           message: "format changed from \(old.definition.format) to \(new.definition.format)",
                                           direction: direction)]
        }
        switch new.definition.format {
        case .protobuf:
            let oldName = old.definition.messageName!
            var out = ProtoCompatibilityChecker.check(previous: old.descriptorSet!, current: new.descriptorSet!,
                                                      messageName: oldName, direction: direction)
            if new.definition.messageName != oldName, new.descriptorSet!.message(named: oldName) != nil {
                out.append(CompatibilityViolation(rule: "SUBJECT_MESSAGE_CHANGED", path: oldName,
                                                  message: "the subject's message changed from \(oldName) to \(new.definition.messageName!)",
                                                  direction: direction))
            }
            return out
        case .json:
            switch direction {
            case .backward: return JSONSchemaCompatibilityChecker.check(reader: new.jsonSchema!, writer: old.jsonSchema!, direction: .backward)
            case .forward: return JSONSchemaCompatibilityChecker.check(reader: old.jsonSchema!, writer: new.jsonSchema!, direction: .forward)
            }
        }
    }
}
