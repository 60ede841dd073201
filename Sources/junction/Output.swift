import Foundation

/// Writes a line to stdout and flushes it, so that a process reading our
/// output line by line sees each line at once.
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
