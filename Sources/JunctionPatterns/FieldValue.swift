/// One event value as the matchers see it: its type, its bytes (unescaped UTF-8 for strings, the
/// spelling for numbers) and, for numbers, the parsed value.
struct FieldValue {
    var type: PatternValueType
    var bytes: UnsafeRawBufferPointer
    /// The value of a number (NaN when the spelling was not a number); 0 for other types.
    var number: Double
}
