import Foundation
import Testing
@testable import PartnerRiskCore

/// An evidence file's kind is judged by its content, which must agree with its name.
@Suite struct DocumentKindTests {
    @Test func aWebPageNamedLikeADocumentIsRefusedAndRealDocumentsAreKept() throws {
        let directory = TemporaryDirectory()
        let vault = EvidenceVault(directory: directory.url)
        let page = Data("<!DOCTYPE html><html><script>steal()</script></html>".utf8)
        for name in ["certificate.pdf", "notes.txt", "photo.png", "policy.docx"] {
            #expect(throws: EvidenceVault.Refusal.mismatch((name as NSString).pathExtension)) { try vault.store(page, originalName: name) }
        }
        let documents: [(String, Data)] = [
            ("certificate.PDF", Data("%PDF-1.7\n%%EOF\n".utf8)),
            ("seal.png", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0])),
            ("site.jpg", Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10])),
            ("policy.docx", Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0])),
            ("old policy.doc", Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])),
            ("scan.tiff", Data([0x49, 0x49, 0x2A, 0x00, 8, 0])),
            ("notes.txt", Data("Seals are checked at every gate.\n".utf8)),
        ]
        for (name, data) in documents {
            #expect(try vault.store(data, originalName: name).count == 64, "\(name)")
        }
        #expect(DocumentKind.mediaType(forExtension: "pdf") == "application/pdf")
        #expect(!DocumentKind.content(Data([0x25, 0x50, 0x44, 0x46, 0x2D, 0x00]) + Data("x".utf8), matches: "txt"))
    }
}
