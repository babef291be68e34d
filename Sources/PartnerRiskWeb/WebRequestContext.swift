import Foundation
import PartnerRiskCore
import Hummingbird

/// The request context of the partner web server: Hummingbird's core storage plus the
/// client's address (for slowing down token guessing) and a body limit that fits one evidence file.
public struct WebRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, nil when unknown (in-process tests).
    public let clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// One evidence file (10 MB) plus the form around it.
    public var maxUploadSize: Int { EvidenceVault.maxBytes + 2 * 1024 * 1024 }
}
