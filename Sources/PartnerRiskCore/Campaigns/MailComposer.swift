import Foundation
import Synchronization

/// Turns an invitation, reminder or thank-you into a message: picks the template in the
/// partner's language, fills in the personal link, attaches the offline answer file.
public struct MailComposer: Sendable {
    public static let kinds = ["invitation", "reminder", "thank-you"]

    /// Every mail template that must exist before anything is sent.
    public static var requiredTemplates: [String] {
        kinds.flatMap { kind in Language.allCases.flatMap { lang in ["subject", "txt", "html"].map { "mail/\(kind).\(lang.rawValue).\($0)" } } }
    }

    public let templates: any TemplateRendering
    public let officer: AppConfig.Officer
    public let sender: MailAddress
    public let publicURL: String
    public let surveys: SurveyRepository
    private let cache = SurveyCache()

    public init(templates: any TemplateRendering, officer: AppConfig.Officer, sender: MailAddress, publicURL: String, surveys: SurveyRepository) {
        self.templates = templates
        self.officer = officer
        self.sender = sender
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.surveys = surveys
    }

    /// The personal link for a token.
    public func link(for token: InvitationToken) -> String { "\(publicURL)/s/\(token.value)" }

    public func compose(kind: String, context: InvitationContext, token: InvitationToken?, builder: MIMEBuilder,
                        extra: [String: Any] = [:]) throws -> OutgoingMail {
        let partner = context.partner
        let language = partner.language
        let survey = try cache.survey(context.surveyVersionID) { try surveys.survey(rowID: $0) }
        var attachments: [MailAttachment] = []
        var attachmentName = ""
        if let token, kind != "thank-you", templates.has("offline/answer-file.html") {
            let attachment = try offlineAnswerFile(survey: survey, context: context, token: token)
            attachments.append(attachment)
            attachmentName = attachment.fileName
        }
        let deadline = DayFormat.parseDay(context.campaign.deadline).map { Self.longDate($0, language) } ?? context.campaign.deadline
        var values: [String: Any] = [
            "partner_name": partner.name, "officer_name": officer.name ?? sender.name ?? "",
            "officer_company": officer.company ?? sender.name ?? "", "officer_email": officer.email ?? sender.address,
            "survey_title": survey.title.text(language), "deadline": deadline, "link": token.map(link(for:)) ?? "",
            "attachment_name": attachmentName, "reminder_number": context.remindersSent,
            "days_left": max(0, DayFormat.parseDay(context.campaign.deadline).map { DayFormat.daysBetween(builder.date, $0) + 1 } ?? 0),
        ]
        if let contact = partner.contactName, !contact.isEmpty { values["contact_name"] = contact }
        values.merge(extra) { _, new in new }
        let base = "mail/\(kind).\(language.rawValue)"
        let content = MailContent(
            from: sender, to: MailAddress(name: partner.contactName ?? partner.name, address: partner.email),
            subject: try templates.render(base + ".subject", values).trimmingCharacters(in: .whitespacesAndNewlines),
            text: try templates.render(base + ".txt", values), html: try templates.render(base + ".html", values),
            attachments: attachments,
            headers: [("X-PartnerRisk-Campaign", String(context.campaign.id)), ("X-PartnerRisk-Kind", kind)])
        return builder.build(content)
    }

    /// The self-contained HTML answer file for this partner and token.
    public func offlineAnswerFile(survey: Survey, context: InvitationContext, token: InvitationToken) throws -> MailAttachment {
        let form = FormDefinition(survey: survey, partner: context.partner, language: context.partner.language, token: token.value,
                                  campaignID: context.campaign.id, deadline: context.campaign.deadline)
        let key = "\(context.surveyVersionID)|\(context.partner.sector.rawValue)|\(context.partner.language.rawValue)"
        let sections = try cache.sections(key) { FormDefinition.embeddable(JSONValue.array(form.sectionsJSON).rendered()) }
        // The page around the form data is the same for every partner of a language: render once, splice.
        let marker = "\u{1}FORM_JSON\u{1}"
        let language = context.partner.language.rawValue
        let page = try cache.sections("page|" + language) {
            (try? templates.render("offline/answer-file.html", ["lang": language, "form_json": marker])) ?? ""
        }
        // Split once per language (searching 140 KB for the marker was a tenth of a send).
        func half(_ name: String, _ pick: @escaping (String, Range<String.Index>) -> Substring) throws -> String {
            try cache.sections("page-\(name)|" + language) {
                guard let slot = page.firstRange(of: marker) else {
                    throw PartnerRiskError.failed("template offline/answer-file.html must contain {{{form_json}}}")
                }
                return String(pick(page, slot))
            }
        }
        let head = try half("head") { $0[..<$1.lowerBound] }, tail = try half("tail") { $0[$1.upperBound...] }
        // The page, the sections and the partner's own parts, each but the last padded with spaces
        // (JSON white space inside the <script> element) to whole base64 lines of 57 bytes, so the
        // large parts, the same for every partner of a language and sector, are encoded once.
        var parts: [(text: String, key: String?)] = [(head, "head|" + language)]
        if let (before, after) = form.embeddableJSONAround() {
            parts += [(before, nil), (sections, "sections|" + key), (after, nil)]
        } else {
            parts.append((form.embeddableJSON, nil))
        }
        parts.append((tail, "tail|" + language))
        var data = Data(), encoded = Data()
        for (index, part) in parts.enumerated() {
            let last = index == parts.count - 1
            let bytes = last ? Data(part.text.utf8) : Self.padded(part.text)
            guard !bytes.isEmpty else { continue }
            data.append(bytes)
            if !encoded.isEmpty { encoded.append(contentsOf: [13, 10]) }
            encoded.append(part.key.map { cache.encoded($0) { MIMEBuilder.base64Lines(bytes) } } ?? MIMEBuilder.base64Lines(bytes))
        }
        let prefix = context.partner.language == .fr ? "questionnaire" : "survey"
        return MailAttachment(fileName: "\(prefix)-\(context.campaign.id)-\(context.partner.id).html",
                              contentType: "text/html; charset=utf-8", data: data, encoded: encoded)
    }

    /// `text` with spaces after it up to a multiple of 57 bytes: one base64 line of 76 characters.
    static func padded(_ text: String) -> Data {
        var bytes = Data(text.utf8)
        let over = bytes.count % 57
        if over > 0 { bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 57 - over)) }
        return bytes
    }

    /// One formatter per language, used under the lock (a `DateFormatter` is not thread-safe).
    private static let longDateFormatters = Mutex<[Language: DateFormatter]>(Dictionary(uniqueKeysWithValues: Language.allCases.map { language in
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language == .fr ? "fr_CA" : "en_CA")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateStyle = .long
        return (language, formatter)
    }))

    static func longDate(_ date: Date, _ language: Language) -> String {
        longDateFormatters.withLock { $0[language]?.string(from: date) } ?? DayFormat.day(date)
    }
}

/// Parsed survey versions, shared by the sending threads (a stored version never changes).
final class SurveyCache: Sendable {
    private let surveys = Mutex<[Int64: Survey]>([:])
    private let renderedSections = Mutex<[String: String]>([:])
    private let encodedParts = Mutex<[String: Data]>([:])

    /// Base64 of a part of a message that many messages share, made once.
    func encoded(_ key: String, make: () -> Data) -> Data {
        encodedParts.withLock { parts in
            if let data = parts[key] { return data }
            let data = make()
            parts[key] = data
            return data
        }
    }

    func sections(_ key: String, render: () throws -> String) throws -> String {
        try renderedSections.withLock { rendered in
            if let text = rendered[key] { return text }
            let text = try render()
            rendered[key] = text
            return text
        }
    }

    func survey(_ id: Int64, load: (Int64) throws -> Survey) throws -> Survey {
        try surveys.withLock { surveys in
            if let survey = surveys[id] { return survey }
            let survey = try load(id)
            surveys[id] = survey
            return survey
        }
    }
}
