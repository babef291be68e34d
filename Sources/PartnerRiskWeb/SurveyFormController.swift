import Crypto
import Foundation
import PartnerRiskCore
import Hummingbird

/// The partner's personal pages: `GET /s/{token}` shows the survey, `POST /s/{token}` saves a
/// draft or submits, `GET /s/{token}/thanks` confirms. Unknown, malformed and revoked tokens all
/// get the same neutral page, and repeated misses from one address are slowed down.
public struct SurveyFormController: Sendable {
    public let site: PartnerWebSite
    static let csrfCookie = "pr_csrf"

    public init(site: PartnerWebSite) {
        self.site = site
    }

    public func addRoutes(to router: Router<WebRequestContext>) {
        router.get("/s/:token") { request, context in try await visiting(request, context, show) }
        router.post("/s/:token") { request, context in try await visiting(request, context, post) }
        router.get("/s/:token/thanks") { request, context in try await visiting(request, context, thanks) }
    }

    /// An invitation found from the token in the path, with its survey and the page language.
    struct Visit {
        var token: String
        var invitation: InvitationContext
        var survey: Survey
        var language: Language
        /// The form's draft, current revision and evidence when the page was asked for.
        var state: WebFormState
    }

    // MARK: - Routes

    /// Runs `page` for the invitation the token names, or answers with the neutral page.
    func visiting(_ request: Request, _ context: WebRequestContext,
                  _ page: (Request, WebRequestContext, Visit) async throws -> Response) async throws -> Response {
        switch try await resolve(request, context) {
        case .failure(let neutral): return neutral.response
        case .success(let visit): return try await page(request, context, visit)
        }
    }

    func show(_ request: Request, _ context: WebRequestContext, _ visit: Visit) async throws -> Response {
        if let closed = try closedPage(visit) { return closed }
        let state = visit.state
        let saved = request.uri.queryParameters["saved"] != nil
        let csrf = RandomSecret.wellFormed(request.cookies[Self.csrfCookie]?.value) ?? RandomSecret.make()
        let key = FormPageKey(token: visit.token, language: visit.language, saved: saved)
        let body = try site.formPages.page(key, FormPageInputs(invitation: visit.invitation, state: state), csrf: csrf) { marker in
            try formHTML(visit, answers: state.draft ?? state.current.map { try site.responses.answers(responseID: $0.id).json.objectValue ?? [:] } ?? [:],
                         evidence: state.evidence, csrf: marker, notices: notices(visit, state: state, saved: saved))
        }
        var response = Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: body))
        response.setCookie(Cookie(name: Self.csrfCookie, value: csrf, path: "/s/", secure: site.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    /// The notes above the form: a draft just saved, the revision on file.
    func notices(_ visit: Visit, state: WebFormState, saved: Bool) -> [String] {
        var notices: [String] = []
        if saved { notices.append(text("notice_saved", visit)) }
        if let current = state.current {
            notices.append(text("notice_on_file", visit).replacingOccurrences(of: "{revision}", with: String(current.revision))
                .replacingOccurrences(of: "{received}", with: current.receivedAt))
        }
        return notices
    }

    func post(_ request: Request, _ context: WebRequestContext, _ visit: Visit) async throws -> Response {
        if let closed = try closedPage(visit) { return closed }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: context.maxUploadSize) } catch {
            return try notice(visit.language, status: .contentTooLarge, title: "too_large_title", message: "too_large_message")
        }
        let fields = FormFields.parse(Data(buffer: body), contentType: request.headers[.contentType])
        guard let csrf = fields.first("csrf"), let cookie = request.cookies[Self.csrfCookie]?.value, RandomSecret.same(csrf, cookie) else {
            return try notice(visit.language, status: .forbidden, title: "csrf_title", message: "csrf_message", link: path(visit))
        }
        return try handle(fields, visit: visit, csrf: csrf, from: context.clientAddress)
    }

    func thanks(_ request: Request, _ context: WebRequestContext, _ visit: Visit) async throws -> Response {
        guard let latest = visit.state.current else { return redirect(to: path(visit)) }
        var page = base(visit.language, title: text("thanks_title", visit))
        page["partner_name"] = visit.invitation.partner.name
        page["revision"] = latest.revision
        page["received_at"] = latest.receivedAt
        page["complete"] = latest.complete
        page["form_url"] = path(visit)
        page["deadline"] = visit.invitation.campaign.deadline
        page["uploads"] = visit.state.evidence.map(FormPage.upload)
        return html(try site.templates.render("web/thanks.html", FormPage.compact(page)), status: .ok)
    }

    // MARK: - Saving and submitting

    func handle(_ fields: FormFields, visit: Visit, csrf: String, from address: String?) throws -> Response {
        var errors = try storeUploads(fields, visit: visit)
        let read = FormAnswerReader(survey: visit.survey, sector: visit.invitation.partner.sector).read(fields)
        errors.merge(read.errors) { first, _ in first }
        let invitationID = visit.invitation.invitationID
        let submitting = fields.first("action") == "submit"
        if submitting {
            let result = AnswerValidator(survey: visit.survey, sector: visit.invitation.partner.sector).validate(read.answers)
            for problem in result.problems {
                let parts = problem.split(separator: ":", maxSplits: 1).map(String.init)
                if parts.count == 2, errors[parts[0]] == nil { errors[parts[0]] = FormPage.errorCode(forProblem: parts[1]) }
            }
            for id in result.missing where errors[id] == nil { errors[id] = "error_required" }
        }
        try site.webForms.saveDraft(invitationID: invitationID, answers: read.answers, at: site.time.now())
        guard errors.isEmpty else {
            return try formPage(visit, answers: read.answers, csrf: csrf, notices: [], errors: errors, typed: read.typed, status: .unprocessableContent)
        }
        guard submitting else { return redirect(to: path(visit, extra: "&saved=1")) }
        return try submit(read.answers, visit: visit, csrf: csrf, from: address)
    }

    func submit(_ answers: [String: JSONValue], visit: Visit, csrf: String, from address: String?) throws -> Response {
        let source = "web form" + (address.map { " from \($0)" } ?? "")
        let outcome = try site.ingest.accept(answers, context: visit.invitation, survey: visit.survey, channel: .web, source: source)
        switch outcome {
        case .accepted(let responseID, let revision, _, _):
            try site.webForms.deleteDraft(invitationID: visit.invitation.invitationID)
            _ = try site.submissions.acknowledge([responseID])
            site.onAccepted(AcceptedWebResponse(responseID: responseID, revision: revision, campaignID: visit.invitation.campaign.id,
                                                partnerID: visit.invitation.partner.id))
            return redirect(to: path(visit, suffix: "/thanks"))
        case .duplicate, .history, .queued:  // the web form's answers are saved now: never history
            try site.webForms.deleteDraft(invitationID: visit.invitation.invitationID)
            return redirect(to: path(visit, suffix: "/thanks"))
        case .rejected:
            return try formPage(visit, answers: answers, csrf: csrf, notices: [], errors: [:], typed: [:], status: .unprocessableContent)
        }
    }

    /// Stores each upload in the vault and records it; returns error codes for refused ones.
    func storeUploads(_ fields: FormFields, visit: Visit) throws -> [String: String] {
        var errors: [String: String] = [:]
        var added = false
        defer {
            // A partner whose answers are on file is scored again with the new document at once.
            if added { _ = try? site.submissions.evidenceAdded(invitationIDs: [visit.invitation.invitationID]) }
        }
        let questions = Set(visit.survey.questions(for: visit.invitation.partner.sector)
            .filter { $0.evidence.mode != .none || $0.type == .evidence }.map(\.id))
        for upload in fields.uploads where upload.field.hasPrefix("file.") {
            let id = String(upload.field.dropFirst("file.".count))
            guard questions.contains(id) else { continue }
            let name = EvidenceVault.cleanName(upload.fileName)
            do {
                try site.vault.admit(upload.data.count, existing: site.webForms.evidence(invitationID: visit.invitation.invitationID))
                let hash = try site.vault.store(upload.data, originalName: name)
                if try site.webForms.addEvidence(EvidenceFile(
                    invitationID: visit.invitation.invitationID, questionID: id, sha256: hash, originalName: name,
                    contentType: DocumentKind.mediaType(forExtension: (name as NSString).pathExtension.lowercased()), size: upload.data.count, uploadedAt: ""), at: site.time.now()) { added = true }
            } catch let refusal as EvidenceVault.Refusal {
                switch refusal {
                case .empty: errors[id] = "error_upload_empty"
                case .tooLarge: errors[id] = "error_upload_size"
                case .kind: errors[id] = "error_upload_kind"
                case .mismatch: errors[id] = "error_upload_content"
                case .overQuota: errors[id] = "error_upload_quota"
                }
            }
        }
        return errors
    }

    // MARK: - Token lookup

    func resolve(_ request: Request, _ context: WebRequestContext) async throws -> Result<Visit, NeutralPage> {
        let address = ClientAddress.resolve(peer: context.clientAddress, headers: request.headers, trusted: site.trustedProxies) ?? "local"
        let language = request.uri.queryParameters["lang"].flatMap { Language(name: String($0)) }
        let token = context.parameters.get("token") ?? ""
        // The link is looked up first: a valid one is never refused, whatever others behind the
        // same address tried; only misses are counted, slowed down and, past the limit, refused.
        guard InvitationToken.isWellFormed(token), let (invitation, state) = try site.webForms.formVisit(tokenHash: InvitationToken.hash(token), at: site.time.now()) else {
            let verdict = await site.throttle.recordMiss(address, at: site.time.now())
            if verdict.delay > .zero, !verdict.refused { try await Task.sleep(for: verdict.delay) }
            return .failure(NeutralPage(try notice(language ?? .en, status: verdict.refused ? .tooManyRequests : .notFound,
                                                   title: "neutral_title", message: "neutral_message")))
        }
        let survey = try site.ingest.survey(for: invitation)
        return .success(Visit(token: token, invitation: invitation, survey: survey, language: language ?? invitation.partner.language, state: state))
    }

    /// The polite page for a closed campaign or a passed deadline; nil while answers are open.
    func closedPage(_ visit: Visit) throws -> Response? {
        let campaign = visit.invitation.campaign
        let pastDeadline = DayFormat.parseDay(campaign.deadline).map { site.time.now() >= $0.addingTimeInterval(86_400) } ?? false
        guard campaign.status != "open" || pastDeadline else { return nil }
        var page = base(visit.language, title: text("closed_title", visit))
        page["message"] = text(campaign.status != "open" ? "closed_message" : "deadline_message", visit)
            .replacingOccurrences(of: "{deadline}", with: campaign.deadline)
        page["contact"] = campaign.sender
        return html(try site.templates.render("web/notice.html", FormPage.compact(page)), status: .gone)
    }

    // MARK: - Pages

    func formPage(_ visit: Visit, answers: [String: JSONValue], csrf: String, notices: [String], errors: [String: String] = [:],
                  typed: [String: String] = [:], status: HTTPResponse.Status) throws -> Response {
        let evidence = try site.webForms.evidence(invitationID: visit.invitation.invitationID)
        return html(try formHTML(visit, answers: answers, evidence: evidence, csrf: csrf, notices: notices, errors: errors, typed: typed), status: status)
    }

    func formHTML(_ visit: Visit, answers: [String: JSONValue], evidence: [EvidenceFile], csrf: String, notices: [String],
                  errors: [String: String] = [:], typed: [String: String] = [:]) throws -> String {
        let form = FormPage(survey: visit.survey, context: visit.invitation, language: visit.language, strings: site.strings,
                            answers: answers, errors: errors, typed: typed, evidence: evidence)
        var page = base(visit.language, title: visit.survey.title.text(visit.language))
        let other: Language = visit.language == .fr ? .en : .fr
        page["survey_title"] = visit.survey.title.text(visit.language)
        page["survey_intro"] = visit.survey.intro?.text(visit.language) ?? ""
        page["survey_version"] = visit.survey.version
        page["partner_name"] = visit.invitation.partner.name
        page["deadline"] = visit.invitation.campaign.deadline
        page["action_url"] = path(visit)
        page["switch_lang_url"] = "/s/\(visit.token)?lang=\(other.rawValue)"
        page["switch_lang_label"] = site.strings.text("language_name", other)
        page["csrf"] = csrf
        page["notices"] = notices
        return try site.templates.render("web/form.html", FormPage.compact(form.render(into: page)))
    }

    func notice(_ language: Language, status: HTTPResponse.Status, title: String, message: String, link: String? = nil) throws -> Response {
        var page = base(language, title: site.strings.text(title, language))
        page["message"] = site.strings.text(message, language)
        page["link"] = link ?? ""
        return html(try site.templates.render("web/notice.html", FormPage.compact(page)), status: status)
    }

    func base(_ language: Language, title: String) -> [String: Any] {
        ["lang": language.rawValue, "t": site.strings.table(language), "title": title, "assets": "/assets"]
    }

    func text(_ key: String, _ visit: Visit) -> String { site.strings.text(key, visit.language) }

    func path(_ visit: Visit, suffix: String = "", extra: String = "") -> String {
        "/s/\(visit.token)\(suffix)?lang=\(visit.language.rawValue)\(extra)"
    }

    func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    func html(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

}

/// A page answered instead of the form (neutral, refused), carried through `Result`.
struct NeutralPage: Error {
    var response: Response
    init(_ response: Response) { self.response = response }
}
