import Foundation
import Testing
@testable import PartnerRiskCore
@testable import PartnerRiskMail
@testable import PartnerRiskStore

/// Replies in the shapes real mail clients write, read by GMime (the reasons the hand-written
/// parser once quarantined ordinary replies as "no answer file attached").
@Suite struct MIMEReaderTests {
    static let answers = Data(#"{"format":"partner-risk-answers/1","answers":{}}"#.utf8)

    /// A reply whose attachment part has the given headers (CRLF line ends).
    static func reply(attachmentHeaders: [String], boundaryLine: String = "--b1", closing: Bool = true) -> Data {
        var lines = ["From: Ann Lee <ops@nordic.example.com>", "Subject: RE: Questionnaire", "Message-ID: <r1@nordic.example.com>",
                     "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"b1\"", "",
                     boundaryLine, "Content-Type: text/plain; charset=utf-8", "", "Voici nos réponses.",
                     boundaryLine] + attachmentHeaders + ["Content-Transfer-Encoding: base64", "", answers.base64EncodedString()]
        if closing { lines.append("--b1--") }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    static func attachment(_ message: Data) -> ReceivedMessage.Part? {
        MIMEMessageDecoder().decode(message).parts.first { $0.fileName != nil }
    }

    @Test func anRFC2231NameInContinuationsWithACharsetIsDecoded() throws {
        let part = try #require(Self.attachment(Self.reply(attachmentHeaders: [
            "Content-Type: application/json",
            "Content-Disposition: attachment;", " filename*0*=utf-8''R%C3%A9ponses%20PIP%20;", " filename*1*=2026.json"])))
        #expect(part.fileName == "Réponses PIP 2026.json")
        #expect(part.body == Self.answers)
    }

    @Test func aBEncodedWindows1252NameIsDecoded() throws {
        // "Réponse.json" in windows-1252 (é is 0xE9), B-encoded, as Outlook writes it.
        let name = Data([0x52, 0xE9]) + Data("ponse.json".utf8)
        let part = try #require(Self.attachment(Self.reply(attachmentHeaders: [
            "Content-Type: application/octet-stream; name=\"=?windows-1252?B?\(name.base64EncodedString())?=\"",
            "Content-Disposition: attachment; filename=\"=?windows-1252?B?\(name.base64EncodedString())?=\""])))
        #expect(part.fileName == "Réponse.json")
        #expect(part.contentType == "application/octet-stream")
    }

    @Test func aQuotedNameHoldingASemicolonIsKeptWhole() throws {
        let part = try #require(Self.attachment(Self.reply(attachmentHeaders: [
            "Content-Type: text/plain", "Content-Disposition: attachment; filename=\"answers; final.json\""])))
        #expect(part.fileName == "answers; final.json")
        #expect(part.body == Self.answers)
    }

    @Test func boundaryLinesWithTrailingWhiteSpaceAndAMissingClosingBoundaryAreRead() throws {
        let message = Self.reply(attachmentHeaders: ["Content-Type: application/json", "Content-Disposition: attachment; filename=\"a.json\""],
                                 boundaryLine: "--b1  \t", closing: false)
        let part = try #require(Self.attachment(message))
        #expect(part.fileName == "a.json")
        #expect(String(decoding: part.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == String(decoding: Self.answers, as: UTF8.self))
    }

    @Test func aForwardedMessageAndASignedMessageAreOpened() throws {
        let inner = Self.reply(attachmentHeaders: ["Content-Type: application/json", "Content-Disposition: attachment; filename=\"fwd.json\""])
        let forward = Data(("From: colleague@nordic.example.com\r\nSubject: Fwd: RE: Questionnaire\r\nMessage-ID: <f1@nordic.example.com>\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n"
            + "--outer\r\nContent-Type: message/rfc822\r\n\r\n").utf8) + inner + Data("\r\n--outer--\r\n".utf8)
        let decoded = MIMEMessageDecoder().decode(forward)
        #expect(decoded.messageID == "<f1@nordic.example.com>")
        #expect(decoded.parts.first { $0.fileName == "fwd.json" }?.body == Self.answers)

        let signed = Data(("From: ops@nordic.example.com\r\nMessage-ID: <s1@nordic.example.com>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"sig\"\r\n\r\n"
            + "--sig\r\nContent-Type: application/json\r\nContent-Disposition: attachment; filename=\"signed.json\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + Self.answers.base64EncodedString() + "\r\n--sig\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n"
            + "Content-Disposition: attachment; filename=\"smime.p7s\"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--sig--\r\n").utf8)
        let parts = MIMEMessageDecoder().decode(signed).parts
        #expect(parts.first { $0.fileName == "signed.json" }?.body == Self.answers)
        #expect(parts.contains { $0.fileName == "smime.p7s" })
    }

    @Test func formFieldsAndUploadsAreSeparatedByTheirFileNameParameter() {
        let body = Data(("--f\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n"
            + "--f\r\nContent-Disposition: form-data; name=\"evidence_F1\"; filename=\"cert; 2026.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n"
            + "--f\r\nContent-Disposition: form-data; name=\"empty\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--f--\r\n").utf8)
        let parts = MIMEReader.formData(body, contentType: "multipart/form-data; boundary=f")
        #expect(parts.map(\.fieldName) == ["csrf", "evidence_F1", "empty"])
        #expect(parts[0].text == "abc" && !parts[0].hasFileNameParameter)
        #expect(parts[1].fileName == "cert; 2026.pdf" && parts[1].contentType == "application/pdf" && parts[1].text == "%PDF-1.4")
        #expect(parts[2].hasFileNameParameter && parts[2].body.isEmpty)
    }
}

@Suite struct OutlookAttachmentTests {
    static func message(_ attachment: String) -> Data {
        Data(("From: ops@nordic.example.com\r\nMessage-ID: <o1@nordic.example.com>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nAnswers attached.\r\n"
            + "--b\r\n\(attachment)\r\nContent-Transfer-Encoding: base64\r\n\r\neJ8+IhAAAQaQCAAEAAAAAAAB\r\n--b--\r\n").utf8)
    }

    @Test func aTNEFOrMsgOnlyReplyIsRefusedWithWhatThePartnerShouldDo() throws {
        let directory = TemporaryDirectory()
        let store = try directory.store()
        let quarantine = directory.url.appendingPathComponent("quarantine")
        let ingest = ResponseIngest(responses: store, surveys: store, quarantine: quarantine, messages: MIMEMessageDecoder(), evidence: .inVault(of: store), time: FixedTime(fixedNow))
        var summary = ResponseIngest.Summary()
        try ingest.ingest(Self.message("Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\nContent-Disposition: attachment; filename=\"winmail.dat\""),
                          source: "tnef.eml", isMessage: true, channel: .file, into: &summary)
        try ingest.ingest(Self.message("Content-Type: application/vnd.ms-outlook\r\nContent-Disposition: attachment; filename=\"RE Questionnaire.msg\""),
                          source: "msg.eml", isMessage: true, channel: .file, into: &summary)
        #expect(summary.rejected.count == 2)
        #expect(summary.rejected[0].reason.contains("winmail.dat") && summary.rejected[0].reason.contains("ordinary attachment"))
        #expect(summary.rejected[1].reason.contains(".msg") && summary.rejected[1].reason.contains("attach the saved answers"))
        // Refused, not lost: both are quarantined and listed with their reasons.
        #expect(try store.rejectedInputs().count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: quarantine.path).count == 2)
    }
}

@Suite struct MessageCapTests {
    static func message(parts: [String]) -> Data {
        var text = "From: ops@nordic.example.com\r\nMessage-ID: <c1@nordic.example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
        for part in parts { text += "--b\r\n\(part)\r\n" }
        return Data((text + "--b--\r\n").utf8)
    }

    func ingest(_ data: Data, in directory: TemporaryDirectory) throws -> (ResponseIngest.Summary, Int) {
        let store = try directory.store()
        let ingest = ResponseIngest(responses: store, surveys: store, quarantine: directory.url.appendingPathComponent("quarantine"),
                                    messages: MIMEMessageDecoder(), evidence: .inVault(of: store), time: FixedTime(fixedNow))
        var summary = ResponseIngest.Summary()
        try ingest.ingest(data, source: "caps.eml", isMessage: true, channel: .file, into: &summary)
        return (summary, try store.rejectedInputs().count)
    }

    @Test func moreThanTwentyAnswerFilesInOneMessageAreQuarantinedOnceWithTheReason() throws {
        let file = "Content-Type: application/json\r\nContent-Disposition: attachment; filename=\"a.json\"\r\n\r\n{}"
        let (summary, rejected) = try ingest(Self.message(parts: Array(repeating: file, count: 21)), in: TemporaryDirectory())
        #expect(summary.rejected.count == 1 && rejected == 1)
        #expect(summary.rejected.first?.reason.contains("21 answer files attached; at most 20") == true)
    }

    @Test func aMessageWithMoreThanAThousandPartsIsRefusedWithTheReason() throws {
        let part = "Content-Type: text/plain\r\n\r\nx"
        let decoded = MIMEMessageDecoder().decode(Self.message(parts: Array(repeating: part, count: 1_001)))
        #expect(decoded.parts.isEmpty && decoded.refusal?.contains("more than 1000 MIME parts") == true)
        let (summary, rejected) = try ingest(Self.message(parts: Array(repeating: part, count: 1_001)), in: TemporaryDirectory())
        #expect(summary.rejected.count == 1 && rejected == 1 && summary.rejected[0].reason.contains("1000 MIME parts"))
        #expect(MIMEMessageDecoder().decode(Self.message(parts: Array(repeating: part, count: 900))).refusal == nil)
    }
}
