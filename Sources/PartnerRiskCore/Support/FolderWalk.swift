import Foundation

/// Lists the files under a folder with plain `opendir`/`readdir` calls, for `responses import`:
/// Foundation's enumerator made a `URL` and asked its properties for every entry, which for a
/// folder of 10,000 answer files took as long as reading a tenth of them, before any work could
/// start. Hand-written because no kept library lists a folder; it keeps the enumerator's rules:
/// every entry is listed whatever its type (a FIFO, a link to nothing, a folder named `*.eml`
/// are then refused by name when opened), links are not followed into folders, hidden entries
/// count, and a folder that cannot be opened is passed over.
enum FolderWalk {
    /// The paths under `root` (recursively) whose name ends in `.` and one of `extensions`
    /// (lowercase; names compared in any case), sorted.
    static func paths(under root: String, extensions: Set<String>) -> [String] {
        var found: [String] = []
        walk(root, extensions: extensions, into: &found)
        return found.sorted()
    }

    private static func walk(_ folder: String, extensions: Set<String>, into found: inout [String]) {
        guard let directory = opendir(folder) else { return }
        defer { closedir(directory) }
        var folders: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let path = folder + "/" + name
            // A leading dot starts a hidden name, not an extension (".json" has none).
            if let dot = name.lastIndex(of: "."), dot > name.startIndex, extensions.contains(name[name.index(after: dot)...].lowercased()) {
                found.append(path)
            }
            if isFolder(entry.pointee.d_type, path) { folders.append(path) }
        }
        for subfolder in folders { walk(subfolder, extensions: extensions, into: &found) }
    }

    /// A real folder (not a link to one); a file system that does not say is asked with `lstat`.
    private static func isFolder(_ type: UInt8, _ path: String) -> Bool {
        if type == UInt8(DT_DIR) { return true }
        guard type == UInt8(DT_UNKNOWN) else { return false }
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
