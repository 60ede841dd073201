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

    /// Whether the writer thread has segment files to prepare: a spare to
    /// make, or segments a roll had to create without one, to reserve.
    /// Not while a write to another segment is queued: the write that
    /// crosses into the new segment goes first (and the seal of the full one
    /// after it), so that appenders can write inline meanwhile.
    var segmentPreparationDueLocked: Bool {
        guard spareWanted && spareFD == nil || !segmentsToReserve.isEmpty, failure == nil, !closing else { return false }
        return pendingStaysInCurrentSegmentLocked
    }

    /// Writer thread, lock held, role free: reserves the segments rolls
    /// created themselves and makes the spare, with the lock released.
    /// Appenders that may write inline do so meanwhile, as during the
    /// periodic fsync (blocking appends, and every append under `always`,
    /// wait for this thread: this is where their rolls' file creation went).
    /// Where blocks cannot be reserved (or files renamed without replacing)
    /// there is nothing to gain: no spare is made and rolls create their
    /// files as before. Other failures (no space, …) are retried after the
    /// next roll. Returns with the lock held.
    func prepareSegmentsUnlockingLocked() {
        // Only the segment still being appended to needs its blocks: an
        // append that crossed several segments filled the others (and their
        // seals may already have given back what they did not use).
        let toReserve = segmentsToReserve.filter { $0 === segments.last }
        segmentsToReserve.removeAll()
        let makeSpare = spareWanted && spareFD == nil
        spareWanted = false
        let path = spareFilePath
        let bytes = configuration.segmentBytes
        let hook = configuration.beforeSegmentPreparation
        let (made, unsupported) = busyWithoutRoleUnlockingLocked { () -> (Int32?, Bool) in
            let injectedFailure = hook?() == true
            // Each holds its descriptor open while it is reserved; appenders
            // writing to it meanwhile wait for the reservation (a fraction of a
            // millisecond, once per segment).
            var unsupported = false
            for segment in toReserve where PosixFile.reserve(segment.fd, length: bytes) == .unsupported {
                unsupported = true
            }
            guard makeSpare && !unsupported && !injectedFailure,
                  let fd = try? PosixFile.open(path, flags: O_RDWR | O_CREAT | O_TRUNC) else { return (nil, unsupported) }
            let reservation = PosixFile.reserve(fd, length: bytes)
            if reservation == .done { return (fd, false) }
            closeDescriptor(fd)
            try? PosixFile.unlinkIfPresent(path)
            return (nil, reservation == .unsupported)
        }
        if makeSpare {
            precondition(spareFD == nil, "a spare segment appeared while this thread made one")
            spareFD = made
        }
        if unsupported { spareUnsupported = true }
    }

    /// Under the lock, from a roll: the spare renamed to `path`, as an open
    /// descriptor, or nil when there is none (or the rename failed, or `path`
    /// exists) and the caller creates the file itself. Asks the writer for
    /// the next spare.
    func takeSpareLocked(renamingTo path: String) -> Int32? {
        if !spareUnsupported { spareWanted = true }
        guard let fd = spareFD else { return nil }
        spareFD = nil
        switch PosixFile.renameIfAbsent(spareFilePath, path) {
        case .done:
            return fd
        case .unsupported:
            spareUnsupported = true
            spareWanted = false
        case .failed:
            break
        }
        closeDescriptor(fd)
        try? PosixFile.unlinkIfPresent(spareFilePath)
        return nil
    }

    /// Whether the writer thread has a spare ready (tests).
    var hasSpare: Bool { lock.withLock { spareFD != nil } }

    /// Segments rolls created themselves, waiting for the writer thread to
    /// reserve their blocks (tests).
    var queuedReservations: Int { lock.withLock { segmentsToReserve.count } }

    /// At close (writer thread, lock held): the spare is not needed any more.
    func discardSpareLocked() {
        spareWanted = false
        segmentsToReserve.removeAll()
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
