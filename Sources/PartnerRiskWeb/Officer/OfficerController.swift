import Foundation
import HTTPTypes
import Hummingbird
import NIOPosix
import PartnerRiskCore

/// The officer workspace's pages and actions under `/officer/`. Every page needs a live session
/// (else a redirect to the login page); every form carries the session's CSRF token; viewers
/// read, officers act. Each action calls the service its CLI command calls.
struct OfficerController: Sendable {
    let workspace: OfficerWorkspace
    let trustedProxies: [AddressBlock]
    static let sessionCookie = "pr_officer"
    static let loginCSRFCookie = "pr_officer_login"

    func addRoutes(to router: Router<WebRequestContext>) {
        router.get("/officer/login") { request, _ in try loginPage(request) }
        router.post("/officer/login") { request, context in try await login(request, context) }
        router.post("/officer/logout") { request, context in try await signedIn(request, context, acting: false) { officer, _ in try logout(request, officer) } }
        router.get("/officer") { request, context in try await signedIn(request, context) { officer, _ in try await rankingPage(request, officer) } }
        router.get("/officer/ranking.csv") { request, context in try await signedIn(request, context) { officer, _ in try rankingCSV(request, officer) } }
        router.get("/officer/partners/:id") { request, context in
            try await signedIn(request, context) { officer, _ in try partnerPage(request, officer, id: context.parameters.get("id")) }
        }
        router.get("/officer/evidence/:id") { request, context in
            try await signedIn(request, context) { officer, _ in try evidenceFile(officer, id: context.parameters.get("id")) }
        }
        addQueueRoutes(to: router)
        for (path, action) in OfficerActions.routes {
            router.post(RouterPath(stringLiteral: path)) { request, context in
                try await signedIn(request, context, acting: true) { officer, fields in
                    OfficerActions(officer: officer).run(action, fields: fields, parameters: context.parameters)
                }
            }
        }
    }

    // MARK: - Sessions

    /// Runs `page` for the signed-in officer; otherwise a redirect to the login page (GET) or 403.
    /// A POST must carry the session's CSRF token; `acting` posts need the officer role.
    func signedIn(_ request: Request, _ context: WebRequestContext, acting: Bool = false,
                  _ page: (SignedIn, FormFields) async throws -> Response) async throws -> Response {
        guard let secret = RandomSecret.wellFormed(request.cookies[Self.sessionCookie]?.value),
              let (session, account) = try workspace.accounts.resume(secret: secret) else {
            if request.method == .get { return redirect(to: "/officer/login?next=" + Self.next(request.uri.path)) }
            return try refusal(.forbidden, "Your session has ended. Sign in again.")
        }
        let officer = SignedIn(account: account, session: session, desk: workspace.desk(account.name))
        guard request.method == .post else { return try await page(officer, FormFields.parse(Data(), contentType: nil)) }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let fields = FormFields.parse(Data(buffer: body), contentType: request.headers[.contentType])
        guard let token = fields.first("csrf"), RandomSecret.same(token, session.csrf) else {
            return try refusal(.forbidden, "This form has expired (its security token does not match). Go back, reload the page and try again.")
        }
        if acting && !account.role.mayAct { return try refusal(.forbidden, "Your account can read but not act (viewer).") }
        return try await page(officer, fields)
    }

    func loginPage(_ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok) throws -> Response {
        let csrf = RandomSecret.wellFormed(request.cookies[Self.loginCSRFCookie]?.value) ?? RandomSecret.make()
        var values: [String: Any] = ["csrf": csrf, "next": Self.next(request.uri.queryParameters["next"].map(String.init) ?? "/officer/")]
        if let error { values["error"] = error }
        var response = try page("web/officer/login.html", title: "Sign in", values, officer: nil, status: status)
        response.setCookie(Cookie(name: Self.loginCSRFCookie, value: csrf, path: "/officer/", secure: workspace.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    func login(_ request: Request, _ context: WebRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 * 1024)
        let fields = FormFields.parse(Data(buffer: body), contentType: request.headers[.contentType])
        guard let token = fields.first("csrf"), let cookie = request.cookies[Self.loginCSRFCookie]?.value, RandomSecret.same(token, cookie) else {
            return try loginPage(request, error: "The sign-in form expired. Please try again.", status: .forbidden)
        }
        let name = fields.first("name")?.trimmingCharacters(in: .whitespaces) ?? "", password = fields.first("password") ?? ""
        let address = ClientAddress.resolve(peer: context.clientAddress, headers: request.headers, trusted: trustedProxies) ?? "local"
        let now = workspace.accounts.time.now()
        guard await workspace.throttle.allows(name: name, address: address, at: now) else {
            return try loginPage(request, error: "Too many failed sign-ins. Wait 15 minutes and try again.", status: .tooManyRequests)
        }
        // bcrypt takes about a quarter of a second by design: not on the event loop serving other requests.
        let accounts = workspace.accounts
        guard let (secret, _, _) = try await NIOThreadPool.singleton.runIfActive({ try accounts.signIn(name: name, password: password) }) else {
            await workspace.throttle.recordFailure(name: name, address: address, at: now)
            return try loginPage(request, error: "That name and password do not match an active account.", status: .unauthorized)
        }
        await workspace.throttle.recordSuccess(name: name)
        var response = redirect(to: Self.next(fields.first("next") ?? "/officer/"))
        response.setCookie(Cookie(name: Self.sessionCookie, value: secret, path: "/officer", secure: workspace.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    func logout(_ request: Request, _ officer: SignedIn) throws -> Response {
        if let secret = request.cookies[Self.sessionCookie]?.value { try workspace.accounts.signOut(secret: secret) }
        var response = redirect(to: "/officer/login")
        response.setCookie(Cookie(name: Self.sessionCookie, value: "", maxAge: 0, path: "/officer", secure: workspace.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    /// A path to return to after signing in: only a path of the workspace (never another site).
    static func next(_ path: String) -> String {
        path.hasPrefix("/officer") && !path.hasPrefix("/officer/login") && !path.contains("//") && !path.contains("\\")
            && path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) ? path : "/officer/"
    }

    // MARK: - Pages

    func rankingPage(_ request: Request, _ officer: SignedIn) async throws -> Response {
        let view = RankingView(query: Self.query(request))
        // Building the ranking after a change takes seconds with 100,000 partners: off the event loop.
        let desk = officer.desk
        let stamped = try await NIOThreadPool.singleton.runIfActive { try desk.stampedRanking() }
        let table = try workspace.rankingTables.page(view.query(), stamped.stamp) {
            try workspace.templates.render("web/officer/ranking.html", try rankingValues(view, stamped.ranking, officer))
        }
        return try layout(table, title: "Ranking", officer: officer)
    }

    /// The ranking table's values for one view: the rows of its page, the filters and sort links.
    func rankingValues(_ view: RankingView, _ ranking: Ranking, _ officer: SignedIn) throws -> [String: Any] {
        let positions = try positions(view, in: ranking, officer)
        let (page, pages, shown) = view.page(of: positions)
        let categories = try officer.desk.repositories.currentCategories(partnerIDs: shown.map { ranking.rows[$0].partner.id })
        var values: [String: Any] = [
            "rows": shown.map { Self.rankingRow($0 + 1, ranking.rows[$0], categories: categories[ranking.rows[$0].partner.id] ?? []) },
            "count": positions.count, "page": page, "pages": pages,
            "csv_query": view.query(["page": nil]),
            "columns": RankingView.columns.filter { $0 != "tier" }.map { column -> [String: Any] in
                let current = view.sort == column
                return ["label": column.replacingOccurrences(of: "_", with: " ").capitalized, "sort_query": view.query(["sort": column, "page": nil,
                        "dir": current && !view.descending ? "desc" : nil]), "current": current, "arrow": current ? (view.descending ? "▼" : "▲") : ""]
            },
            "tiers": RiskTier.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": view.tier == $0] as [String: Any] },
            "sectors": Sector.allCases.map { ["value": $0.rawValue, "selected": view.sector == $0] as [String: Any] },
            "country": view.country ?? "", "campaign": view.campaign.map(String.init) ?? "",
            "overdue": view.overdueOnly, "hits": view.hitsOnly, "sort": view.sort, "dir": view.descending ? "desc" : "",
        ]
        if page > 1 { values["previous_query"] = view.query(["page": String(page - 1)]) }
        if page < pages { values["next_query"] = view.query(["page": String(page + 1)]) }
        return values
    }

    func rankingCSV(_ request: Request, _ officer: SignedIn) throws -> Response {
        let ranking = try officer.desk.ranking()
        let positions = try positions(RankingView(query: Self.query(request)), in: ranking, officer)
        let csv = Ranking(rows: positions.map { ranking.rows[$0] }).listing.render(.csv)
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"ranking.csv\""],
                        body: .init(byteBuffer: ByteBuffer(string: csv + "\n")))
    }

    /// The positions in `ranking` of the view's rows.
    func positions(_ view: RankingView, in ranking: Ranking, _ officer: SignedIn) throws -> [Int] {
        let invited = try view.campaign.map { campaign in
            Set(try officer.desk.repositories.invitedPartners(campaignID: campaign))
                .union(try officer.desk.repositories.responses(campaignID: campaign, partnerID: nil).map(\.partnerID))
        }
        return view.positions(ranking, campaignPartners: invited, today: DayFormat.day(officer.desk.time.now()))
    }

    /// One row of the ranking table; `categories` are the current score's category risks (a bar each).
    static func rankingRow(_ rank: Int, _ row: Ranking.Row, categories: [CategoryScore]) -> [String: Any] {
        let tierClass = row.isPending ? "pending" : row.tier.rawValue
        return [
            "rank": rank, "id": String(row.partner.id), "name": row.partner.name, "sector": row.partner.sector.rawValue, "country": row.partner.country,
            "tier": row.tierLabel, "tier_class": tierClass, "knockout": row.knockout, "risk": row.overallRisk.map { String(Int($0.rounded())) } ?? "—",
            "categories": categories.map { category -> [String: Any] in
                let risk = Int(category.risk.rounded())
                return ["name": category.category.rawValue, "risk": risk, "width": max(0, min(100, risk))]
            },
            "flags": row.flags, "headline": row.headline, "last_review": row.lastReview ?? "—", "next_due": row.nextDue ?? "—",
            "open_actions": row.openActions, "overdue_actions": row.overdueActions, "open_hits": row.openHits,
        ]
    }

    func partnerPage(_ request: Request, _ officer: SignedIn, id: String?) throws -> Response {
        guard let id = id.flatMap({ Int64($0) }), let partner = try officer.desk.repositories.partner(id: id) else {
            return try refusal(.notFound, "No such partner.")
        }
        var values = try officer.desk.partnerContext(partner)
        values["may_act"] = officer.account.role.mayAct
        // Mustache has no "non-empty list" test: a table's head is shown when its rows exist.
        for key in ["categories", "factors", "hits", "evidence", "actions", "answers", "history"] {
            values["has_" + key] = !((values[key] as? [Any])?.isEmpty ?? true)
        }
        values["programs"] = try officer.desk.programs().map { ["id": $0.id, "name": $0.name + ($0.recognised ? "" : " (not recognised by PIP)")] }
        values["chart"] = RiskChart.svg(try officer.desk.repositories.scoreHistory(partnerID: partner.id))
        Self.notices(request, into: &values)
        return try page("web/officer/partner.html", title: partner.name, values, officer: officer)
    }

    /// An evidence file, always as a download (never shown inline: a partner sent it).
    func evidenceFile(_ officer: SignedIn, id: String?) throws -> Response {
        guard let id = id.flatMap({ Int64($0) }), let item = try officer.desk.repositories.evidenceItem(id: id),
              let data = try? Data(contentsOf: officer.desk.vault.path(for: item.sha256)) else { return try refusal(.notFound, "No such file.") }
        let safe = String(item.name.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }.map(Character.init))
        let encoded = item.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._"))) ?? "file"
        return Response(status: .ok, headers: [.contentType: "application/octet-stream",
                                               .contentDisposition: "attachment; filename=\"\(safe.isEmpty ? "file" : safe)\"; filename*=UTF-8''\(encoded)"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    // MARK: - Rendering

    func page(_ template: String, title: String, _ values: [String: Any], officer: SignedIn?, status: HTTPResponse.Status = .ok) throws -> Response {
        let values = Self.framed(values, title: title, officer: officer)
        return try layout(try workspace.templates.render(template, values), title: title, officer: officer, status: status)
    }

    /// `body` (made from a template) inside the workspace's layout.
    func layout(_ body: String, title: String, officer: SignedIn?, status: HTTPResponse.Status = .ok) throws -> Response {
        var values = Self.framed([:], title: title, officer: officer)
        values["body"] = body
        let html = try workspace.templates.render("web/officer/layout.html", values)
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// `values` with the page's title and the signed-in officer (name, role, CSRF token).
    static func framed(_ values: [String: Any], title: String, officer: SignedIn?) -> [String: Any] {
        var values = values
        values["title"] = title
        if let officer {
            values["officer"] = ["name": officer.account.name, "role": officer.account.role.rawValue, "csrf": officer.session.csrf]
            values["csrf"] = officer.session.csrf
        }
        return values
    }

    func refusal(_ status: HTTPResponse.Status, _ message: String) throws -> Response {
        try page("web/officer/login.html", title: "PartnerRisk", ["message": message, "refused": true], officer: nil, status: status)
    }

    func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    static func query(_ request: Request) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { values[String(key)] = String(value) }
        return values
    }
}
