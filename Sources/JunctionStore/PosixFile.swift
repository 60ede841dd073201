#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CJunctionFileShims

/// Thin wrappers over the POSIX file calls the log needs, turning failures
/// into ``StoreError`` values that name the file.
enum PosixFile {
    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(StoreError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            throw StoreError.system("open", path: path)
        }
    }

    static func size(_ fd: Int32, path: String) throws(StoreError) -> Int64 {
        var st = stat()
        if fstat(fd, &st) != 0 { throw StoreError.system("fstat", path: path) }
        return Int64(st.st_size)
    }

    /// Writes all bytes at `offset`, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ base: UnsafeRawPointer, count: Int, at offset: Int64,
                         path: String) throws(StoreError) {
        var done = 0
        while done < count {
            let n = pwrite(fd, base + done, count - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.system("write", path: path)
            }
            done += n
        }
    }

    /// Reads up to `count` bytes at `offset`; returns fewer only at end of file.
    static func read(_ fd: Int32, into base: UnsafeMutableRawPointer, count: Int, at offset: Int64,
                     path: String) throws(StoreError) -> Int {
        var done = 0
        while done < count {
            let n = pread(fd, base + done, count - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.system("read", path: path)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    static func dataSync(_ fd: Int32, path: String) throws(StoreError) {
        #if canImport(Darwin)
        let rc = fsync(fd)
        #else
        let rc = fdatasync(fd)
        #endif
        if rc != 0 { throw StoreError.system("fdatasync", path: path) }
    }

    static func fullSync(_ fd: Int32, path: String) throws(StoreError) {
        if fsync(fd) != 0 { throw StoreError.system("fsync", path: path) }
    }

    /// What a best-effort file-system call did (the log goes on either way).
    enum BestEffort {
        case done
        /// The file system (or kernel, or platform) cannot do it.
        case unsupported
        /// Another failure (no space, the target exists, …), perhaps temporary.
        case failed
    }

    /// Allocates disk blocks for the first `length` bytes of the file without
    /// changing its size (see ``EventLog/reserveSpace(_:)`` for why).
    static func reserve(_ fd: Int32, length: Int) -> BestEffort {
        switch junction_file_reserve(fd, Int64(length)) {
        case 0: .done
        case EOPNOTSUPP, ENOSYS: .unsupported
        default: .failed
        }
    }

    /// Renames `from` to `to` unless `to` exists (`.failed` then).
    static func renameIfAbsent(_ from: String, _ to: String) -> BestEffort {
        switch junction_file_rename_noreplace(from, to) {
        case 0: .done
        case EINVAL, ENOSYS, EOPNOTSUPP: .unsupported
        default: .failed
        }
    }

    /// Frees blocks allocated past the file's size (a reservation the file
    /// did not use up): ext4 and tmpfs drop them when a file is truncated to
    /// its own size. Best effort.
    static func trimToSize(_ fd: Int32, path: String) {
        if let length = try? size(fd, path: path) { try? truncate(fd, to: length, path: path) }
    }

    static func truncate(_ fd: Int32, to length: Int64, path: String) throws(StoreError) {
        if ftruncate(fd, off_t(length)) != 0 { throw StoreError.system("ftruncate", path: path) }
    }

    /// fsyncs a directory so that file creations, renames and deletions in it are durable.
    static func syncDirectory(_ path: String) throws(StoreError) {
        let fd = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fullSync(fd, path: path)
    }

    static func unlinkIfPresent(_ path: String) throws(StoreError) {
        if unlink(path) != 0 && errno != ENOENT { throw StoreError.system("unlink", path: path) }
    }

    static func rename(_ from: String, _ to: String) throws(StoreError) {
        if Glibc.rename(from, to) != 0 { throw StoreError.system("rename to \(to)", path: from) }
    }

    /// Creates the directory and its parents when missing.
    static func makeDirectories(_ path: String) throws(StoreError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw StoreError.system("mkdir", path: current)
            }
        }
        var st = stat()
        if stat(path, &st) != 0 { throw StoreError.system("stat", path: path) }
        if (st.st_mode & S_IFMT) != S_IFDIR {
            throw StoreError(.io, "\(path) exists but is not a directory", path: path)
        }
    }

    /// Names of the entries of a directory (without "." and "..").
    static func list(_ path: String) throws(StoreError) -> [String] {
        guard let dir = opendir(path) else { throw StoreError.system("opendir", path: path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
