import Foundation
import PartnerRiskCore
import HTTPTypes
import Hummingbird
import Logging

/// Where the partner web server listens and how it is reached from outside.
public struct WebServerSettings: Sendable {
    public var host: String
    public var port: Int
    /// The address partners see in their links (behind a proxy, the proxy's https URL).
    public var publicURL: String

    public init(host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil) {
        self.host = host
        self.port = port
        self.publicURL = publicURL ?? "http://\(host):\(port)"
    }
}

/// Builds the partner web server: the survey pages, the static assets, and security headers on
/// every response. Kept separate from `serve` so tests run the same router in process.
public enum PartnerWebApplication {
    public static func router(site: PartnerWebSite) -> Router<WebRequestContext> {
        let router = Router(context: WebRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        SurveyFormController(site: site).addRoutes(to: router)
        AssetsController(directory: site.assetsDirectory).addRoutes(to: router)
        router.get("/") { _, _ in
            Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: "Use the personal link in your invitation email.\n")))
        }
        return router
    }

    public static func application(site: PartnerWebSite, settings: WebServerSettings, logger: Logger) -> some ApplicationProtocol {
        Application(router: router(site: site), configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "PartnerRisk"),
                    logger: logger)
    }

    /// Runs the server until the process is told to stop (SIGINT / SIGTERM).
    public static func run(site: PartnerWebSite, settings: WebServerSettings, logger: Logger) async throws {
        try await application(site: site, settings: settings, logger: logger).runService()
    }
}

/// Headers every page carries: no caching (pages hold personal answers), no referrer (the URL
/// holds the token), a strict content security policy, no framing, no MIME sniffing.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    // Constant, valid header names: the initializer fails only on characters a token cannot hold.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.cacheControl] = "no-store"
        response.headers[Self.referrerPolicy] = "no-referrer"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.frameOptions] = "DENY"
        response.headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        return response
    }
}

/// Serves the form's stylesheet and script from `Templates/web/assets/` (only known names).
struct AssetsController: Sendable {
    let files: [String: (type: String, data: Data)]

    init(directory: URL) {
        var files: [String: (type: String, data: Data)] = [:]
        for (name, type) in [("style.css", "text/css; charset=utf-8"), ("form.js", "text/javascript; charset=utf-8")] {
            if let data = try? Data(contentsOf: directory.appendingPathComponent(name)) { files[name] = (type, data) }
        }
        self.files = files
    }

    func addRoutes(to router: Router<WebRequestContext>) {
        router.get("/assets/:name") { _, context in
            guard let file = files[context.parameters.get("name") ?? ""] else { return Response(status: .notFound) }
            return Response(status: .ok, headers: [.contentType: file.type], body: .init(byteBuffer: ByteBuffer(bytes: file.data)))
        }
    }
}
