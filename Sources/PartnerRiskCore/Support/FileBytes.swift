import Foundation

/// Reads whole files with plain POSIX calls. Foundation's reader does more work per file than an
/// import of thousands of small answer files can spare (it was 7% of an import).
enum FileBytes {
    /// The file's bytes; throws with the path and the system's reason when it cannot be read.
    static func contents(of path: String) throws -> Data {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(path) }
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
