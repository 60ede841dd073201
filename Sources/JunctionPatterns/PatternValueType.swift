/// The JSON type of one event value fed to the matcher.
public enum PatternValueType: UInt8, Sendable, BitwiseCopyable {
    /// A string; the bytes are its UTF-8 content, already unescaped.
    case string = 1
    /// A number; the bytes are its JSON spelling (`35`, `3.5e1`, `-0.25`).
    case number = 2
    /// `true` (the bytes are ignored).
    case `true` = 3
    /// `false` (the bytes are ignored).
    case `false` = 4
    /// `null` (the bytes are ignored).
    case null = 5
}
