import Foundation

/// Reads whole files with plain POSIX calls. Foundation's reader does more work per file than an
/// import of thousands of small answer files can spare (it was 7% of an import).
enum FileBytes {
    /// Whether `path` is a symbolic link (whatever it points to, if anything).
    static func isLink(_ path: String) -> Bool {
        var link = stat()
        return lstat(path, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK
    }

    /// A file larger than the caller's limit, left unread.
    struct TooLarge: Error {
        let size: Int
    }

    /// Why a path that is not a regular file cannot be read as one.
    static func notRegular(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a folder, not a file"
        case S_IFIFO: return "a FIFO, not a file"
        case S_IFSOCK: return "a socket, not a file"
        default: return "not a regular file"
        }
    }

    /// What a path is, without reading it (`stat` follows links): a regular file and its size,
    /// or why it is not one ("a folder", "a FIFO", "a link to nothing", ...).
    static func regularFile(_ path: String) -> Swift.Result<Int, PartnerRiskError> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(unreadable(path, errno)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .failure(PartnerRiskError.badInput(notRegular(info.st_mode))) }
        return .success(Int(info.st_size))
    }

    private static func unreadable(_ path: String, _ code: Int32) -> PartnerRiskError {
        isLink(path) ? PartnerRiskError.badInput("a link to nothing") : PartnerRiskError.failed("cannot read \(path): \(String(cString: strerror(code)))")
    }

    /// The file's bytes; throws with the path and the system's reason when it cannot be read, and
    /// `TooLarge` (without reading it) when it holds more than `limit` bytes.
    static func contents(of path: String, limit: Int = .max) throws -> Data {
        // O_NONBLOCK: a FIFO put in place of a file never hangs the open.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw unreadable(path, errno) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw PartnerRiskError.badInput(notRegular(info.st_mode)) }
        guard Int(info.st_size) <= limit else { throw TooLarge(size: Int(info.st_size)) }
        var data = Data(count: max(Int(info.st_size), 0) + 1)
        var filled = 0
        while true {
            if filled == data.count { data.count += max(data.count, 4096) }  // it grew, or its size is unknown
            let count = data.withUnsafeMutableBytes { raw in
                read(descriptor, raw.baseAddress! + filled, raw.count - filled)  // non-empty: `raw` has a base address
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path)
            }
            if count == 0 { break }
            filled += count
        }
        data.count = filled
        return data
    }

    private static func failure(_ path: String) -> PartnerRiskError {
        PartnerRiskError.failed("cannot read \(path): \(String(cString: strerror(errno)))")
    }
}
