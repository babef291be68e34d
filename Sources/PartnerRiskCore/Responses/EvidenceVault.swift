import Crypto
import Foundation

/// The folder where uploaded evidence is kept, content-addressed: each file is stored once under
/// its SHA-256 (`ab/abcdef…`), whatever its name, so identical uploads share one copy and the
/// hash in the evidence pack proves which document was seen.
public struct EvidenceVault: Sendable {
    public static let maxBytes = 10 * 1024 * 1024
    /// The kinds a partner may upload: PDF, images and office documents, by extension.
    public static let allowedExtensions: Set<String> = [
        "pdf", "png", "jpg", "jpeg", "gif", "webp", "tif", "tiff", "heic",
        "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "txt", "csv",
    ]

    public let directory: URL
    /// How much one invitation may send in all (`evidence:` in `partner-risk.yaml`).
    public var quota: Quota

    /// Limits per invitation, so a link holder cannot fill the disk.
    public struct Quota: Sendable, Equatable {
        public var files: Int
        public var bytes: Int

        public init(files: Int = 50, bytes: Int = 100 * 1_048_576) {
            self.files = files
            self.bytes = bytes
        }
    }

    public init(directory: URL, quota: Quota = Quota()) {
        self.directory = directory
        self.quota = quota
    }

    /// Refuses a document of `size` bytes when the invitation's documents (`existing`) would go
    /// over the quota.
    public func admit(_ size: Int, existing: [EvidenceFile]) throws {
        guard existing.count < quota.files, existing.reduce(0, { $0 + $1.size }) + size <= quota.bytes else {
            throw Refusal.overQuota(files: quota.files, megabytes: quota.bytes / 1_048_576)
        }
    }

    /// Why an upload is refused, in words a partner understands.
    public enum Refusal: Error, Equatable {
        case empty, tooLarge(limitMB: Int), kind(String)
        /// The content is not what the name says (HTML named `.pdf`).
        case mismatch(String)
        /// The invitation has sent as many documents, or as many megabytes, as it may.
        case overQuota(files: Int, megabytes: Int)
    }

    /// Checks and stores one upload; returns its SHA-256. Its kind is judged by its first bytes,
    /// which must agree with its extension (see `DocumentKind`).
    public func store(_ data: Data, originalName: String) throws -> String {
        guard !data.isEmpty else { throw Refusal.empty }
        guard data.count <= Self.maxBytes else { throw Refusal.tooLarge(limitMB: Self.maxBytes / 1_048_576) }
        let ext = (originalName as NSString).pathExtension.lowercased()
        guard Self.allowedExtensions.contains(ext) else { throw Refusal.kind(ext) }
        guard DocumentKind.content(data, matches: ext) else { throw Refusal.mismatch(ext) }
        let digest = Self.digest(data)
        let url = path(for: digest)
        if !FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        }
        return digest
    }

    /// Puts back a file taken from a backup, after checking that its bytes have that SHA-256.
    public func restore(_ data: Data, sha256: String) throws {
        let actual = Self.digest(data)
        guard actual == sha256 else {
            throw PartnerRiskError.badInput("the backup's evidence file \(sha256) has changed (its SHA-256 is \(actual)); nothing more was restored")
        }
        let url = path(for: sha256)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }

    /// What is wrong with the stored file of `sha256`: nil when it is there with that SHA-256.
    public func problem(with sha256: String) -> String? {
        guard let data = try? Data(contentsOf: path(for: sha256)) else { return "missing (\(path(for: sha256).path))" }
        let actual = Self.digest(data)
        return actual == sha256 ? nil : "changed: its content's SHA-256 is \(actual)"
    }

    /// The hex SHA-256 a file is stored and checked under.
    static func digest(_ data: Data) -> String { CanonicalJSON.hex(SHA256.hash(data: data)) }

    public func path(for sha256: String) -> URL {
        directory.appendingPathComponent(String(sha256.prefix(2)), isDirectory: true).appendingPathComponent(sha256)
    }

    /// A file name safe to show and store: no folders, no control characters, at most 200 characters.
    public static func cleanName(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? "upload"
        let cleaned = String(last.unicodeScalars.filter { !$0.properties.generalCategory.isControl }.map(Character.init))
        return cleaned.isEmpty ? "upload" : String(cleaned.prefix(200))
    }
}

/// What a document's first bytes say it is, against what its extension says. Hand-written: the
/// signatures of the dozen kinds partners may send are short and fixed, and no kept library on
/// this machine sniffs types.
public enum DocumentKind {
    /// The media type stored for an allowed extension (never the sender's own claim).
    public static func mediaType(forExtension ext: String) -> String {
        switch ext {
        case "pdf": return "application/pdf"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "tif", "tiff": return "image/tiff"
        case "heic": return "image/heic"
        case "doc": return "application/msword"
        case "xls": return "application/vnd.ms-excel"
        case "ppt": return "application/vnd.ms-powerpoint"
        case "docx": return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case "xlsx": return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case "pptx": return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        case "odt": return "application/vnd.oasis.opendocument.text"
        case "ods": return "application/vnd.oasis.opendocument.spreadsheet"
        case "odp": return "application/vnd.oasis.opendocument.presentation"
        case "rtf": return "application/rtf"
        case "csv": return "text/csv"
        default: return "text/plain"
        }
    }

    /// Whether `data` begins the way a file of kind `ext` does.
    public static func content(_ data: Data, matches ext: String) -> Bool {
        let head = [UInt8](data.prefix(16))
        func starts(_ bytes: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + bytes.count && Array(head[offset..<offset + bytes.count]) == bytes
        }
        let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04], ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
        switch ext {
        case "pdf": return starts(Array("%PDF-".utf8))
        case "png": return starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        case "jpg", "jpeg": return starts([0xFF, 0xD8, 0xFF])
        case "gif": return starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8))
        case "webp": return starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8)
        case "tif", "tiff": return starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A])
        case "heic": return starts(Array("ftyp".utf8), at: 4)
        case "docx", "xlsx", "pptx", "odt", "ods", "odp": return starts(zip)
        case "doc", "xls", "ppt": return starts(ole)
        case "rtf": return starts(Array("{\\rtf".utf8))
        case "txt", "csv": return isPlainText(data)
        default: return false
        }
    }

    /// Text with no NUL byte that a browser would not take for a web page.
    static func isPlainText(_ data: Data) -> Bool {
        guard !data.contains(0) else { return false }
        let start = String(decoding: data.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return !["<!doctype", "<html", "<script", "<svg", "<?xml", "<body", "<head", "<iframe"].contains { start.hasPrefix($0) }
    }
}

private extension Unicode.GeneralCategory {
    var isControl: Bool { self == .control || self == .format }
}
