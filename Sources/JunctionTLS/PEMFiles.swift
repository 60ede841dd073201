internal import COpenSSL
internal import CJunctionOpenSSLShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// PEM files: reading certificates and keys, writing them atomically.
enum PEMFiles {
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func makeDirectory(_ path: String) throws {
        var isDirectory = stat()
        if stat(path, &isDirectory) == 0 {
            guard (isDirectory.st_mode & S_IFMT) == S_IFDIR else {
                throw TLSError(code: .fileAccessFailed, message: "cannot use \(path) for certificates: it exists and is not a directory")
            }
            return
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try self.makeDirectory(String(path[..<slash]))
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw TLSError(code: .fileAccessFailed, message: "cannot create directory \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func readCertificate(_ path: String) throws -> OpaquePointer {
        OpenSSLErrorQueue.clear()
        guard let bio = BIO_new_file(path, "r") else {
            throw TLSError(code: .fileAccessFailed, message: "cannot open certificate \(path)", openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        defer { BIO_free(bio) }
        guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
            throw TLSError(code: .certificateLoadFailed, message: "cannot read a PEM certificate from \(path)",
                           openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        return certificate
    }

    static func readKey(_ path: String) throws -> OpaquePointer {
        OpenSSLErrorQueue.clear()
        guard let bio = BIO_new_file(path, "r") else {
            throw TLSError(code: .fileAccessFailed, message: "cannot open private key \(path)", openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            throw TLSError(code: .privateKeyLoadFailed, message: "cannot read a PEM private key from \(path)",
                           openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        return key
    }

    static func writeCertificate(_ certificate: OpaquePointer, to path: String) throws {
        try self.writePEM(to: path, mode: 0o644) { PEM_write_bio_X509($0, certificate) == 1 }
    }

    static func writeKey(_ key: OpaquePointer, to path: String) throws {
        try self.writePEM(to: path, mode: 0o600) { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) == 1 }
    }

    /// Renders PEM into memory, writes it to a temporary file with `mode`, renames it over `path`.
    private static func writePEM(to path: String, mode: mode_t, _ render: (OpaquePointer) -> Bool) throws {
        OpenSSLErrorQueue.clear()
        guard let bio = BIO_new(BIO_s_mem()) else { throw TLSError(code: .certificateGenerationFailed, message: "BIO_new failed") }
        defer { BIO_free(bio) }
        guard render(bio) else {
            throw TLSError(code: .certificateGenerationFailed, message: "cannot encode PEM for \(path)",
                           openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = CJunctionOpenSSL_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else { throw TLSError(code: .certificateGenerationFailed, message: "empty PEM for \(path)") }

        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else {
            throw TLSError(code: .fileAccessFailed, message: "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        var offset = 0
        while offset < length {
            let n = posixWrite(fd, data + offset, length - offset)
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw TLSError(code: .fileAccessFailed, message: "cannot write \(temporary): \(reason)")
            }
            offset += n
        }
        guard fsync(fd) == 0, close(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TLSError(code: .fileAccessFailed, message: "cannot write \(temporary): \(reason)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TLSError(code: .fileAccessFailed, message: "cannot rename \(temporary) to \(path): \(reason)")
        }
    }
}

private func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, bytes, count)
    #else
    return Darwin.write(fd, bytes, count)
    #endif
}
