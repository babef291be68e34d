import Foundation
import PartnerRiskCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Where the partner web server listens and how it is reached from outside.
public struct WebServerSettings: Sendable {
    public var host: String
    public var port: Int
    /// The address partners see in their links (behind a proxy, the proxy's https URL).
    public var publicURL: String
    /// A connection that sends nothing for this long is closed (300 half-open connections once stayed open).
    public var idleTimeout: Duration
    /// A connection whose first request head has not fully arrived by then is closed (a slow sender).
    public var headerTimeout: Duration

    public init(host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil,
                idleTimeout: Duration = .seconds(30), headerTimeout: Duration = .seconds(10)) {
        self.host = host
        self.port = port
        self.publicURL = publicURL ?? "http://\(host):\(port)"
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
    }
}

/// Builds the web server: the partner survey pages, the officer workspace under `/officer/`, the
/// static assets, and security headers on every response. Kept separate from `serve` so tests run the same router in process.
public enum PartnerWebApplication {
    public static func router(site: PartnerWebSite, officer: OfficerWorkspace? = nil) -> SecuredRouter {
        let router = Router(context: WebRequestContext.self)
        SurveyFormController(site: site).addRoutes(to: router)
        if let officer { OfficerController(workspace: officer, trustedProxies: site.trustedProxies).addRoutes(to: router) }
        AssetsController(directory: site.assetsDirectory).addRoutes(to: router)
        // Browsers ask for an icon after every page; there is none, and a 404 shows as an error in their console.
        router.get("/favicon.ico") { _, _ in Response(status: .noContent) }
        router.get("/") { _, _ in
            Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: "Use the personal link in your invitation email.\n")))
        }
        return SecuredRouter(router: router)
    }

    public static func application(site: PartnerWebSite, officer: OfficerWorkspace? = nil, settings: WebServerSettings, logger: Logger) -> some ApplicationProtocol {
        let headerTimeout = TimeAmount(settings.headerTimeout)
        return Application(router: router(site: site, officer: officer),
                           server: .http1(configuration: .init(additionalChannelHandlers: [RequestHeadDeadline(limit: headerTimeout)],
                                                               idleTimeout: TimeAmount(settings.idleTimeout))),
                           configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "PartnerRisk"),
                           logger: logger)
    }

    /// Runs Swift's tasks on the server's own event-loop threads (NIO's shared group, which
    /// Hummingbird serves on) instead of a second pool of threads, so a request stays on one thread
    /// from socket to handler and back. Call once, before any task starts; false when it could not.
    public static func runTasksOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Runs the server and `services` (the background jobs) until the process is told to stop
    /// (SIGINT / SIGTERM): then the services stop first, in reverse order, and the HTTP server last.
    public static func run(site: PartnerWebSite, officer: OfficerWorkspace? = nil, settings: WebServerSettings, logger: Logger,
                           services: [any Service] = []) async throws {
        let app = application(site: site, officer: officer, settings: settings, logger: logger)
        // A job returns once a stop has begun (it may hear of it before the group does): not a failure.
        let configurations = [ServiceGroupConfiguration.ServiceConfiguration(service: app)]
            + services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) }
        let group = ServiceGroup(configuration: .init(services: configurations, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// The partner site's router with the security headers on every response: the pages, the
/// router's own 404s, and the errors that end a request early (413 for a body over the limit,
/// 400), which a router middleware never sees.
public struct SecuredRouter: HTTPResponderBuilder {
    let router: Router<WebRequestContext>

    public func buildResponder() -> SecuredResponder<RouterResponder<WebRequestContext>> {
        SecuredResponder(base: router.buildResponder())
    }
}

/// Answers through `base`, turning a thrown error into its response here, and adds the headers.
public struct SecuredResponder<Base: HTTPResponder>: HTTPResponder where Base.Context == WebRequestContext {
    let base: Base

    public func respond(to request: Request, context: WebRequestContext) async throws -> Response {
        var response: Response
        do {
            response = try await base.respond(to: request, context: context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            context.logger.error("request failed: \(error)")
            response = Response(status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "Something went wrong on our side.\n")))
        }
        SecurityHeaders.apply(to: &response)
        return response
    }
}

/// Headers every page carries: no caching (pages hold personal answers), no referrer (the URL
/// holds the token), a strict content security policy, no framing, no MIME sniffing.
enum SecurityHeaders {
    // Constant, valid header names: the initializer fails only on characters a token cannot hold.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!

    static func apply(to response: inout Response) {
        response.headers[.cacheControl] = "no-store"
        response.headers[Self.referrerPolicy] = "no-referrer"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.frameOptions] = "DENY"
        response.headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    }
}

/// Closes a connection whose first request head has not fully arrived within `limit`. It sits
/// after the HTTP decoder, so the first thing it reads is a whole request head; a client that
/// trickles its headers (or sends none) is cut off then. Later requests on the connection are
/// bounded by the idle timeout. Hand-written: Hummingbird offers only the idle timeout.
final class RequestHeadDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Never  // never unwrapped: every read is passed on as it is
    let limit: TimeAmount
    private var deadline: Scheduled<Void>?

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: limit) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelRead(data)
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
