#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The spare segment: the file the next roll turns into a segment. Creating a
/// segment file and reserving its blocks are file-system metadata operations
/// that took up to 11 ms while a periodic fsync ran; a roll happens in
/// `append`, under the log's lock, on the pipeline worker. So the writer
/// thread creates the next segment's file ahead of time, outside the lock,
/// with its blocks reserved (docs/storage.md, "Preallocated segments"), and a
/// roll only renames it. The spare never holds a record before it is renamed:
/// recovery deletes a leftover one, and `close()` removes it.
extension EventLog {
    static let spareFileName = "next-segment.tmp"

    var spareFilePath: String { configuration.directory + "/" + Self.spareFileName }

    /// Writer thread, lock held, role free, no spare: makes one with the lock
    /// released (a roll meanwhile creates its file itself). Appenders write inline meanwhile, as during the periodic
    /// fsync. Where blocks cannot be reserved there is nothing to gain, and
    /// rolls create their files as before; other failures are retried after
    /// the next roll. Returns with the lock held.
    func prepareSpareUnlockingLocked() {
        precondition(spareFD == nil, "a spare segment is already open")
        spareWanted = false
        writerBusyWithoutRole = true
        let path = spareFilePath
        let bytes = configuration.segmentBytes
        lock.unlock()
        var made: Int32?
        var reservable = true
        if let fd = try? PosixFile.open(path, flags: O_RDWR | O_CREAT | O_TRUNC) {
            if PosixFile.reserve(fd, length: bytes) {
                made = fd
            } else {
                reservable = false
                closeDescriptor(fd)
                try? PosixFile.unlinkIfPresent(path)
            }
        }
        lock.lock()
        writerBusyWithoutRole = false
        spareFD = made
        if !reservable { spareUnsupported = true }
    }

    /// Under the lock, from a roll: the spare renamed to `path`, as an open
    /// descriptor, or nil when there is none (or the rename failed) and the
    /// caller creates the file itself. Asks the writer for the next spare.
    func takeSpareLocked(renamingTo path: String) -> Int32? {
        if !spareUnsupported { spareWanted = true }
        guard let fd = spareFD else { return nil }
        spareFD = nil
        do throws(StoreError) {
            try PosixFile.rename(spareFilePath, path)
            return fd
        } catch {
            closeDescriptor(fd)
            try? PosixFile.unlinkIfPresent(spareFilePath)
            return nil
        }
    }

    /// Whether the writer thread has a spare ready (tests).
    var hasSpare: Bool { lock.withLock { spareFD != nil } }

    /// At close (writer thread, lock held): the spare is not needed any more.
    func discardSpareLocked() {
        spareWanted = false
        guard let fd = spareFD else { return }
        spareFD = nil
        closeDescriptor(fd)
        try? PosixFile.unlinkIfPresent(spareFilePath)
    }
}

/// `close(2)`, which the log's own `close()` hides inside its methods.
private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
