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

    public init(directory: URL) {
        self.directory = directory
    }

    /// Why an upload is refused, in words a partner understands.
    public enum Refusal: Error, Equatable {
        case empty, tooLarge(limitMB: Int), kind(String)
    }

    /// Checks and stores one upload; returns its SHA-256.
    public func store(_ data: Data, originalName: String) throws -> String {
        guard !data.isEmpty else { throw Refusal.empty }
        guard data.count <= Self.maxBytes else { throw Refusal.tooLarge(limitMB: Self.maxBytes / 1_048_576) }
        let ext = (originalName as NSString).pathExtension.lowercased()
        guard Self.allowedExtensions.contains(ext) else { throw Refusal.kind(ext) }
        let digest = CanonicalJSON.hex(SHA256.hash(data: data))
        let url = path(for: digest)
        if !FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        }
        return digest
    }

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

private extension Unicode.GeneralCategory {
    var isControl: Bool { self == .control || self == .format }
}
